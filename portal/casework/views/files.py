"""Files: an attachment's download, and a chronology PDF's progress page and download (the requester's own,
audited)."""

from __future__ import annotations

from io import BytesIO

from flask import abort, redirect, render_template, send_file, url_for
from flask_login import login_required

from portal.audit.service import record
from portal.casework import files, service
from portal.casework.actions import Action
from portal.casework.blueprint import bp
from portal.casework.forms import entry_kinds
from portal.casework.models import Attachment, ChronologyExport, ExportStatus
from portal.clock import UK
from portal.extensions import db
from portal.policies import get_or_404, visible_query
from portal.pupils.models import Pupil
from portal.uploads import download_name


def _download(data: bytes, *, filename: str, mimetype: str):
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/attachments/<uuid:attachment_id>")
@login_required
def attachment_download(attachment_id):
    """The file, to someone who may see its concern, advice request or referral; audited."""
    attachment = get_or_404(Attachment, attachment_id, action="download")
    try:
        data = files.read(attachment.storage_key)
    except FileNotFoundError:
        abort(404)
    service.attachment_downloaded(attachment)
    db.session.commit()
    return _download(data, filename=download_name(attachment.filename, attachment.content_type), mimetype=attachment.content_type)


def _export_pupil(export: ChronologyExport) -> Pupil:
    pupil = db.session.execute(visible_query(Pupil).where(Pupil.id == export.pupil_id)).scalar_one_or_none()
    if pupil is None:
        abort(404)
    return pupil


@bp.route("/exports/<uuid:export_id>")
@login_required
def export_detail(export_id):
    """Where the requester waits for their PDF (the page refreshes itself while it is prepared)."""
    export = get_or_404(ChronologyExport, export_id)
    pupil = _export_pupil(export)
    record(Action.RECORD_VIEWED, object_type="chronology_export", object_id=export.id, organisation_id=export.organisation_id)
    db.session.commit()
    return render_template("casework/export_detail.html", export=export, pupil=pupil, kinds=entry_kinds(export.kinds))


@bp.route("/exports/<uuid:export_id>/download")
@login_required
def export_download(export_id):
    """The PDF, to the person who asked for it, once it is ready; audited."""
    export = get_or_404(ChronologyExport, export_id, action="download")
    if export.status != ExportStatus.READY or export.removed_at is not None:
        return redirect(url_for("casework.export_detail", export_id=export.id))
    pupil = _export_pupil(export)
    try:
        data = files.read(export.storage_key)
    except FileNotFoundError:
        abort(404)
    service.export_downloaded(export)
    db.session.commit()
    made = (export.completed_at or export.created_at).astimezone(UK).date()
    # A reference, never the child's name: file names travel (downloads folders, email attachments).
    summary = "-significant-events" if export.significant_only else ""
    filename = f"chronology-{pupil.reference.lower()}{summary}-{made.isoformat()}.pdf"
    return _download(data, filename=filename, mimetype="application/pdf")
