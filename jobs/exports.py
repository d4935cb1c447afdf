"""Export jobs: a pupil's chronology as a PDF (WeasyPrint), for the DSL who asked.

The file's storage name is chosen when the export is requested, so a retried job overwrites its own
file instead of leaving a second copy.
"""

from __future__ import annotations

import uuid

from flask import render_template
from sqlalchemy import select

from jobs.registry import job
from portal.audit.service import Action, record
from portal.casework import files
from portal.casework.models import ChronologyEntry, ChronologyExport, EntryKind, ExportStatus
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.service import notify, page_path
from portal.pupils.models import Pupil


def render_chronology_pdf(export: ChronologyExport) -> bytes:
    from weasyprint import HTML

    pupil = db.session.execute(select(Pupil).where(Pupil.id == export.pupil_id)).scalar_one()
    kinds = [EntryKind(k) for k in export.kinds] if export.kinds else []
    query = select(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil.id)
    if kinds:
        query = query.where(ChronologyEntry.kind.in_(kinds))
    entries = db.session.execute(query.order_by(ChronologyEntry.occurred_at, ChronologyEntry.id)).unique().scalars().all()
    html = render_template("casework/chronology_pdf.html", pupil=pupil, entries=entries, kinds=kinds, export=export, generated_at=utcnow())
    return HTML(string=html).write_pdf()


@job("exports.chronology_pdf", queue="exports", max_attempts=3)
def chronology_pdf(export_id: str) -> None:
    export = db.session.execute(
        select(ChronologyExport).where(ChronologyExport.id == uuid.UUID(str(export_id))).with_for_update()
    ).scalar_one()
    if export.status == ExportStatus.READY and export.storage_key and files.exists(export.storage_key):
        return
    data = render_chronology_pdf(export)
    files.write(export.storage_key, data)
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
