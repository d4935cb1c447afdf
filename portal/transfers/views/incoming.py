"""The receiving school's pages: a file sent to the school (read, accepted for a pupil on the register or
rejected, then reviewed), its PDF and its attachments."""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from portal.casework import files
from portal.extensions import db
from portal.policies import get_or_404
from portal.transfers import service
from portal.transfers.blueprint import bp
from portal.transfers.forms import AcceptForm, RejectForm, ReviewForm
from portal.transfers.models import IncomingStatus, IncomingTransfer
from portal.transfers.views.outgoing import pdf_download
from portal.uploads import download_name

#: The choice that adds the pupil to the register (only offered when nobody on it matches).
ADD = "add"


def _accept_form(incoming: IncomingTransfer, matches) -> AcceptForm:
    form = AcceptForm()
    if matches:
        form.pupil.choices = [
            (str(m.pupil.id), f"{m.pupil.display_name}, born {m.pupil.date_of_birth.strftime('%-d %B %Y')} ({m.reason.lower()})") for m in matches
        ]
    else:
        form.pupil.choices = [(ADD, "Add the pupil to your register (nobody on it has the same UPN, or the same name and date of birth)")]
    return form


def _page(incoming: IncomingTransfer, *, accept=None, reject=None, review=None, status: int = 200):
    matches = service.matches(incoming) if incoming.status == IncomingStatus.WAITING else []
    page = render_template(
        "transfers/incoming.html",
        incoming=incoming,
        file=incoming.content,
        matches=matches,
        accept=accept or _accept_form(incoming, matches),
        reject=reject or RejectForm(),
        review=review or ReviewForm(),
    )
    return page, status


@bp.route("/incoming/<uuid:incoming_id>")
@login_required
def incoming(incoming_id):
    """The file as it was sent, with the sending DSL's note; the first opening is told to the sender."""
    item = get_or_404(IncomingTransfer, incoming_id)
    service.opened(item, actor_id=current_user.id)
    page = _page(item)
    db.session.commit()
    return page


@bp.route("/incoming/<uuid:incoming_id>/accept", methods=["POST"])
@login_required
def accept(incoming_id):
    item = get_or_404(IncomingTransfer, incoming_id, action="decide")
    matches = service.matches(item) if item.status == IncomingStatus.WAITING else []
    form = _accept_form(item, matches)
    if form.validate_on_submit():
        chosen = None
        if form.pupil.data != ADD:
            chosen = next((m.pupil for m in matches if str(m.pupil.id) == form.pupil.data), None)
            if chosen is None:
                form.pupil.errors.append("Choose the pupil this file is for")
        if not form.pupil.errors:
            try:
                pupil = service.accept(item, pupil=chosen, actor=current_user._get_current_object())
            except service.TransferRefused as refused:
                db.session.rollback()
                if refused.field != "pupil":
                    flash(str(refused))
                    return redirect(url_for("transfers.incoming", incoming_id=incoming_id))
                form.pupil.errors.append(str(refused))
                return _page(db.session.get(IncomingTransfer, incoming_id), accept=form)
            db.session.commit()
            flash(f"The file has been accepted for {pupil.display_name}: its history is now in their chronology.", "success")
            return redirect(url_for("transfers.incoming", incoming_id=incoming_id, _anchor="review"))
    return _page(item, accept=form)


@bp.route("/incoming/<uuid:incoming_id>/reject", methods=["POST"])
@login_required
def reject(incoming_id):
    item = get_or_404(IncomingTransfer, incoming_id, action="decide")
    form = RejectForm()
    if form.validate_on_submit():
        try:
            service.reject(item, reason=form.reason.data, actor=current_user._get_current_object())
        except service.TransferRefused as refused:
            db.session.rollback()
            flash(str(refused))
            return redirect(url_for("transfers.incoming", incoming_id=incoming_id))
        db.session.commit()
        flash("The file has been rejected. The sending school has been told why.", "success")
        return redirect(url_for("transfers.index"))
    return _page(item, reject=form)


@bp.route("/incoming/<uuid:incoming_id>/review", methods=["POST"])
@login_required
def review(incoming_id):
    item = get_or_404(IncomingTransfer, incoming_id, action="review")
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            service.review(item, actions=form.actions.data, actor=current_user._get_current_object())
        except service.TransferRefused as refused:
            db.session.rollback()
            flash(str(refused))
            return redirect(url_for("transfers.incoming", incoming_id=incoming_id))
        db.session.commit()
        flash("Your review of the file has been recorded.", "success")
        return redirect(url_for("transfers.incoming", incoming_id=incoming_id))
    return _page(item, review=form)


@bp.route("/incoming/<uuid:incoming_id>/file.pdf")
@login_required
def incoming_pdf(incoming_id):
    item = get_or_404(IncomingTransfer, incoming_id, action="download")
    service.downloaded(item.organisation_id, "incoming_transfer", item.id)
    db.session.commit()
    return pdf_download(item.pdf_key, f"cp-file-from-{item.from_urn or 'previous-school'}-{item.created_at.date().isoformat()}.pdf")


@bp.route("/incoming/<uuid:incoming_id>/attachments/<int:number>")
@login_required
def incoming_attachment(incoming_id, number: int):
    """One of the file's attachments (the receiving school's copy; audited)."""
    item = get_or_404(IncomingTransfer, incoming_id, action="download")
    if not 0 <= number < len(item.attachments):
        abort(404)
    attachment = item.attachments[number]
    try:
        data = files.read(attachment["storage_key"])
    except FileNotFoundError:
        abort(404)
    service.downloaded(item.organisation_id, "incoming_transfer", item.id, attachment=number)
    db.session.commit()
    response = send_file(
        BytesIO(data),
        mimetype=attachment["content_type"],
        as_attachment=True,
        download_name=download_name(attachment["filename"], attachment["content_type"]),
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
