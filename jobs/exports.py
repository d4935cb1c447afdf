"""Export jobs: a pupil's chronology as a PDF (WeasyPrint), for the DSL who asked.

The file's storage name is chosen when the export is requested, so a retried job overwrites its own
file instead of leaving a second copy. When the last attempt fails the export is marked failed (and the
requester told), so their page stops waiting and offers to try again.
"""

from __future__ import annotations

import logging
import uuid

from flask import render_template
from sqlalchemy import select

from jobs.models import OutboxJob
from jobs.registry import job
from portal.accounts.models import User
from portal.audit.service import Action, record
from portal.casework import files
from portal.casework.models import ChronologyEntry, ChronologyExport, EntryKind, ExportStatus
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.service import notify, page_path
from portal.pdf import render_pdf
from portal.pupils.models import Pupil

log = logging.getLogger("portal.jobs")

JOB_NAME = "exports.chronology_pdf"
MAX_ATTEMPTS = 3


def dedupe_key(export_id) -> str:
    """The outbox key of an export's job: one job per export, and the job can find its own attempts."""
    return f"chronology_export:{export_id}"


def render_chronology_pdf(export: ChronologyExport) -> bytes:
    pupil = db.session.execute(select(Pupil).where(Pupil.id == export.pupil_id)).scalar_one()
    requester = db.session.execute(select(User).where(User.id == export.requested_by_id)).unique().scalar_one_or_none()
    kinds = [kind for kind in EntryKind if kind.value in set(export.kinds or [])]
    query = select(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil.id)
    if kinds:
        query = query.where(ChronologyEntry.kind.in_(kinds))
    entries = db.session.execute(query.order_by(ChronologyEntry.occurred_at, ChronologyEntry.id)).unique().scalars().all()
    html = render_template(
        "casework/chronology_pdf.html",
        pupil=pupil,
        school=pupil.organisation,
        entries=entries,
        kinds=kinds,
        export=export,
        requester=requester,
        generated_at=utcnow(),
    )
    return render_pdf(html)


def _give_up(export: ChronologyExport) -> None:
    """Mark the export failed and tell the requester, committed before the runner records the failure."""
    export.status = ExportStatus.FAILED
    export.completed_at = utcnow()
    notify(
        export.requested_by_id,
        "Your chronology PDF could not be prepared",
        body="Open the page to try again.",
        link=page_path("casework.export_detail", export_id=export.id),
        email=False,
    )
    db.session.commit()


@job(JOB_NAME, queue="exports", max_attempts=MAX_ATTEMPTS)
def chronology_pdf(export_id: str) -> None:
    export = db.session.execute(
        select(ChronologyExport).where(ChronologyExport.id == uuid.UUID(str(export_id))).with_for_update()
    ).scalar_one()
    if export.status == ExportStatus.READY and export.storage_key and files.exists(export.storage_key):
        return
    if export.status == ExportStatus.FAILED:
        return  # given up; the requester asks again (a new export)
    if not export.storage_key:
        export.storage_key = files.new_key()
    try:
        data = render_chronology_pdf(export)
        files.write(export.storage_key, data)
    except Exception:
        log.exception("Chronology PDF %s could not be built", export.id)
        if _last_attempt(export.id):
            db.session.rollback()  # whatever the failure left half-done; the export reloads
            _give_up(export)
        raise
    export.status = ExportStatus.READY
    export.size_bytes = len(data)
    export.completed_at = utcnow()
    record(
        Action.EXPORT_BUILT,
        object_type="chronology_export",
        object_id=export.id,
        actor_id=None,
        organisation_id=export.organisation_id,
        details={"pupil_id": str(export.pupil_id), "bytes": len(data)},
    )
    notify(export.requested_by_id, "Your chronology PDF is ready", link=page_path("casework.export_detail", export_id=export.id), email=False)


def _last_attempt(export_id) -> bool:
    """Is this the job's last try? (Its outbox row counts the attempts before this one.)"""
    row = db.session.execute(select(OutboxJob).where(OutboxJob.dedupe_key == dedupe_key(export_id))).scalar_one_or_none()
    return row is not None and row.attempts + 1 >= MAX_ATTEMPTS
