"""Export jobs: a pupil's chronology as a PDF (WeasyPrint), for the DSL who asked.

The steps every PDF file job shares (the storage name chosen once, so a retry overwrites its own file; on
the last failed attempt the export marked failed and the requester told) are in ``portal.casework.pdf_files``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import select

from jobs.registry import job
from portal.accounts.models import User
from portal.audit.service import record
from portal.casework import files, pdf_files
from portal.casework.actions import Action
from portal.casework.models import ChronologyEntry, ChronologyExport, EntryKind, ExportStatus
from portal.clock import utcnow
from portal.extensions import db
from portal.features import stored_file_keys
from portal.notifications.service import notify, page_path
from portal.pdf import render_pdf
from portal.policies import casework_schools
from portal.pupils.models import Pupil

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
    if export.significant_only:
        query = query.where(ChronologyEntry.significant.is_(True))
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


def _tell_failed(export: ChronologyExport) -> None:
    notify(
        export.requested_by_id,
        "Your chronology PDF could not be prepared",
        body="Open the page to try again.",
        link=page_path("casework.export_detail", export_id=export.id),
        email=False,
    )


@job(JOB_NAME, queue="exports", max_attempts=MAX_ATTEMPTS)
def chronology_pdf(export_id: str) -> None:
    export = db.session.execute(select(ChronologyExport).where(ChronologyExport.id == uuid.UUID(str(export_id))).with_for_update()).scalar_one()
    if pdf_files.finished(export):
        return
    requester = db.session.execute(select(User).where(User.id == export.requested_by_id)).unique().scalar_one_or_none()
    if requester is None or requester.deactivated_at is not None or export.organisation_id not in casework_schools(requester):
        # Asked for by someone who no longer holds the school's casework (their role went, or their account):
        # nothing is built for them.
        export.status = ExportStatus.FAILED
        record(
            Action.EXPORT_REFUSED,
            object_type="chronology_export",
            object_id=export.id,
            actor_id=None,
            organisation_id=export.organisation_id,
            details={"pupil_id": str(export.pupil_id), "reason": "requester no longer holds the casework"},
        )
        return
    data = pdf_files.build(
        export,
        lambda: render_chronology_pdf(export),
        dedupe_key=dedupe_key(export.id),
        max_attempts=MAX_ATTEMPTS,
        give_up=lambda: _tell_failed(export),
        what="Chronology PDF",
    )
    record(
        Action.EXPORT_BUILT,
        object_type="chronology_export",
        object_id=export.id,
        actor_id=None,
        organisation_id=export.organisation_id,
        details={"pupil_id": str(export.pupil_id), "bytes": len(data)},
    )
    notify(export.requested_by_id, "Your chronology PDF is ready", link=page_path("casework.export_detail", export_id=export.id), email=False)


@job("casework.remove_old_exports", queue="maintenance")
def remove_old_exports() -> None:
    """A chronology PDF is a copy of a child's record made for one purpose (a conference, a court bundle):
    its file is removed EXPORT_KEPT_DAYS after it was made, whether or not it was downloaded; the row stays
    so the requester's page can say so. Audited, each one."""
    cutoff = utcnow() - timedelta(days=current_app.config["EXPORT_KEPT_DAYS"])
    due = (
        select(ChronologyExport)
        .where(ChronologyExport.status == ExportStatus.READY, ChronologyExport.completed_at <= cutoff, ChronologyExport.removed_at.is_(None))
        .order_by(ChronologyExport.completed_at)
        .limit(500)
        .with_for_update(skip_locked=True)
    )
    for export in db.session.execute(due).scalars().all():
        if export.storage_key:
            files.remove(export.storage_key)
        export.removed_at = utcnow()
        record(
            Action.EXPORT_REMOVED,
            object_type="chronology_export",
            object_id=export.id,
            actor_id=None,
            organisation_id=export.organisation_id,
            details={"kept_days": current_app.config["EXPORT_KEPT_DAYS"]},
        )


@job("casework.remove_orphaned_files", queue="maintenance")
def remove_orphaned_files() -> None:
    """A file in the authority's store that no record names is removed once it is ORPHANED_FILE_HOURS old:
    an upload whose form was never saved (the transaction rolled back after the file was written), a
    file half-written when a worker stopped, a copy a retried job made twice. Which files are named is
    asked of every feature that keeps files (``Feature.stored_files``); a file younger than the limit is
    never touched, so one written for a record not yet committed stays. Audited once a run, with the
    count (no names: a file's name says nothing, its contents are a child's record)."""
    cutoff = (utcnow() - timedelta(hours=current_app.config["ORPHANED_FILE_HOURS"])).timestamp()
    held = stored_file_keys()
    removed = 0
    for path in files.stored():
        if path.stat().st_mtime > cutoff:
            continue
        if path.suffix == ".part" or path.name not in held:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        record(
            Action.ORPHANED_FILES_REMOVED,
            object_type="file_store",
            actor_id=None,
            details={"files": removed, "hours": current_app.config["ORPHANED_FILE_HOURS"]},
        )
