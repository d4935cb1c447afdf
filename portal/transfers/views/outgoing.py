"""The sending school's pages: a pupil is leaving; the school's transfers (and the files sent to it); one
transfer, where the file is sent; the sent PDF. And, for the authority's transfer leads, the files overdue
across its schools."""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.audit.service import record
from portal.authorities.models import Duty, Organisation, OrganisationKind
from portal.casework import files
from portal.casework.schooldays import authority_school_calendar
from portal.clock import uk_date, uk_today, utcnow
from portal.extensions import db
from portal.policies import casework_organisations, deny_page, get_or_404, has_duty, visible_query
from portal.pupils.models import Pupil
from portal.transfers import links, service
from portal.transfers.actions import Action
from portal.transfers.blueprint import bp
from portal.transfers.forms import OUTSIDE, LeavingForm, SendForm
from portal.transfers.models import AWAITING_RECEIPT, DestinationKind, IncomingStatus, IncomingTransfer, PupilTransfer, TransferFile, TransferStatus
from tenants.directory import other_authorities_schools


def _schools_but(organisation_id) -> list[Organisation]:
    query = visible_query(Organisation).where(
        Organisation.kind == OrganisationKind.SCHOOL, Organisation.archived_at.is_(None), Organisation.id != organisation_id
    )
    return list(db.session.execute(query.order_by(Organisation.name)).scalars())


@bp.route("/pupils/<uuid:pupil_id>/leaving", methods=["GET", "POST"])
@login_required
def leaving(pupil_id):
    """Record that a pupil is leaving, for which school, and whether it has confirmed the place."""
    pupil = get_or_404(Pupil, pupil_id, action="edit")
    return _where_to(
        pupil,
        LeavingForm(),
        lambda destination, form: service.record_leaving(
            pupil, leaving_on=form.leaving_on.data, destination=destination, confirmed=form.confirmed.data == "yes", actor_id=current_user.id
        ),
    )


@bp.route("/transfers/<uuid:transfer_id>/redirect", methods=["GET", "POST"])
@login_required
def redirect_transfer(transfer_id):
    """Send the file to another school instead (it went to the wrong one, or the pupil is going elsewhere)."""
    transfer = get_or_404(PupilTransfer, transfer_id, action="redirect")
    form = LeavingForm()
    if request.method == "GET":
        form.leaving_on.data = transfer.leaving_on
    return _where_to(
        transfer.pupil,
        form,
        lambda destination, form: service.redirect(
            transfer, destination=destination, confirmed=form.confirmed.data == "yes", actor=current_user._get_current_object()
        ),
        transfer=transfer,
    )


def _where_to(pupil: Pupil, form: LeavingForm, record, transfer: PupilTransfer | None = None):
    """The leaving form (or, with ``transfer``, where to send it instead): the destination chosen from the
    schools of this authority, of other authorities on the portal, or described when it is not on it."""
    schools = _schools_but(pupil.organisation_id)
    others = _other_authorities_schools()
    form.destination.choices = (
        [("", "Select a school")]
        + [(str(s.id), f"{s.name}{f' (URN {s.urn})' if s.urn else ''}") for s in schools]
        + [(_other_value(o), f"{o.name}{f' (URN {o.urn})' if o.urn else ''}, {o.authority_name}") for o in others]
        + [(OUTSIDE, "A school or college not on the portal (give its details below)")]
    )
    if request.method == "POST":
        valid = form.validate_on_submit()
        destination = _destination(form, schools, others) if not form.destination.errors else None  # every field's errors at once
        if valid and destination is not None:
            try:
                recorded = record(destination, form)
            except service.TransferRefused as refused:
                db.session.rollback()
                if transfer is not None and not refused.field:
                    flash(str(refused))
                    return redirect(url_for("transfers.detail", transfer_id=transfer.id))
                (form[refused.field].errors if refused.field else form.form_errors).append(str(refused))
            else:
                db.session.commit()
                flash(
                    f"{pupil.short_name}'s leaving for {destination.name} has been recorded{'. Send the file when you are ready' if transfer else ''}.",
                    "success",
                )
                return redirect(url_for("transfers.detail", transfer_id=recorded.id))
    return render_template("transfers/leaving.html", form=form, pupil=pupil, transfer=transfer)


def _other_authorities_schools() -> list[service.OtherAuthoritySchool]:
    """The establishments directory of the other authorities on the portal (name, URN, authority only)."""
    rows = other_authorities_schools(db.session, current_user.authority_id)
    return [service.OtherAuthoritySchool(authority_id=a, id=o, name=name, urn=urn, authority_name=authority) for a, o, name, urn, authority in rows]


def _other_value(school: service.OtherAuthoritySchool) -> str:
    return f"other:{school.authority_id}:{school.id}"


def _destination(form: LeavingForm, schools: list[Organisation], others: list[service.OtherAuthoritySchool]):
    """The school chosen (of this authority or another on the portal), or the one not on the portal
    described; ``None`` with the errors next to the fields."""
    if form.destination.data.startswith("other:"):
        chosen_other = next((o for o in others if _other_value(o) == form.destination.data), None)
        if chosen_other is None:
            form.destination.errors.append("Select the school the pupil is going to")
        return chosen_other
    if form.destination.data != OUTSIDE:
        chosen = next((s for s in schools if str(s.id) == form.destination.data), None)
        if chosen is None:
            form.destination.errors.append("Select the school the pupil is going to")
        return chosen
    needed = (
        (form.outside_name, "Enter the name of the school or college"),
        (form.outside_dsl, "Enter the name of its designated safeguarding lead"),
        (form.outside_email, "Enter the email address of its designated safeguarding lead"),
    )
    for field, message in needed:
        if not (field.data or "").strip():
            field.errors.append(message)
    if any(field.errors for field, _ in needed):
        return None
    return service.OutsideSchool(
        name=form.outside_name.data.strip(),
        urn=(form.outside_urn.data or "").strip() or None,
        dsl=form.outside_dsl.data.strip(),
        email=form.outside_email.data,
    )


@bp.route("/transfers")
@login_required
def index():
    """The school's transfers: files to send (with their deadline), files sent and their receipt, files
    sent to the school and the reviews to do. Casework roles only."""
    schools = casework_organisations()
    if not schools:
        deny_page()
    outgoing = (
        db.session.execute(
            visible_query(PupilTransfer)
            .where(PupilTransfer.status != TransferStatus.WITHDRAWN)
            .order_by(PupilTransfer.status, PupilTransfer.due_at, PupilTransfer.created_at.desc())
            .limit(200)
        )
        .unique()
        .scalars()
        .all()
    )
    incoming = (
        db.session.execute(
            visible_query(IncomingTransfer)
            .where((IncomingTransfer.status == IncomingStatus.WAITING) | IncomingTransfer.reviewed_at.is_(None))
            .order_by(IncomingTransfer.created_at)
            .limit(200)
        )
        .unique()
        .scalars()
        .all()
    )
    page = render_template(
        "transfers/index.html",
        to_send=[t for t in outgoing if t.status == TransferStatus.LEAVING],
        awaiting=[t for t in outgoing if t.status in AWAITING_RECEIPT],
        done=[t for t in outgoing if t.status in (TransferStatus.RECEIVED, TransferStatus.REJECTED, TransferStatus.REDIRECTED)],
        waiting=[i for i in incoming if i.status == IncomingStatus.WAITING],
        to_review=[i for i in incoming if i.status == IncomingStatus.ACCEPTED and i.reviewed_at is None],
        now=utcnow(),
    )
    db.session.commit()  # the reads of records naming children were audited
    return page


@bp.route("/transfers/<uuid:transfer_id>")
@login_required
def detail(transfer_id):
    transfer = get_or_404(PupilTransfer, transfer_id)
    sent = db.session.execute(select(TransferFile).where(TransferFile.transfer_id == transfer.id)).scalar_one_or_none()
    link = links.current_link(transfer) if transfer.destination_kind == DestinationKind.OUTSIDE else None
    page = render_template("transfers/detail.html", transfer=transfer, sent=sent, link=link, form=SendForm(), now=utcnow())
    db.session.commit()
    return page


def _step(transfer_id, action: str, run, success: str):
    transfer = get_or_404(PupilTransfer, transfer_id, action=action)
    try:
        run(transfer)
    except service.TransferRefused as refused:
        db.session.rollback()
        flash(str(refused))
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("transfers.detail", transfer_id=transfer_id))


@bp.route("/transfers/<uuid:transfer_id>/confirm", methods=["POST"])
@login_required
def confirm(transfer_id):
    return _step(
        transfer_id,
        "confirm",
        lambda t: service.confirm_destination(t, actor_id=current_user.id),
        "The destination is confirmed: the file must be sent within 5 school days.",
    )


@bp.route("/transfers/<uuid:transfer_id>/withdraw", methods=["POST"])
@login_required
def withdraw(transfer_id):
    return _step(transfer_id, "withdraw", lambda t: service.withdraw(t, actor_id=current_user.id), "The transfer has been withdrawn. Nothing was sent.")


@bp.route("/transfers/<uuid:transfer_id>/send", methods=["POST"])
@login_required
def send(transfer_id):
    transfer = get_or_404(PupilTransfer, transfer_id, action="send")
    form = SendForm()
    if not form.validate_on_submit():
        return render_template("transfers/detail.html", transfer=transfer, sent=None, link=None, form=form, now=utcnow())
    try:
        _sent, code = service.send(transfer, note=(form.note.data or "").strip() or None, actor=current_user._get_current_object())
    except service.TransferRefused as refused:
        db.session.rollback()
        flash(str(refused))
        return redirect(url_for("transfers.detail", transfer_id=transfer_id))
    db.session.commit()
    if code is not None:
        return _access_code_page(transfer, code)
    flash(f"The child-protection file has been sent to {transfer.destination_name}. You will see here when they open and accept it.", "success")
    return redirect(url_for("transfers.detail", transfer_id=transfer_id))


def _access_code_page(transfer: PupilTransfer, code: str):
    """The access code, shown once to the sending DSL (it is not stored): the page is answered to the post
    and never cached."""
    response = make_response(render_template("transfers/access_code.html", transfer=transfer, code=code))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/transfers/<uuid:transfer_id>/remind", methods=["POST"])
@login_required
def remind(transfer_id):
    return _step(
        transfer_id,
        "remind",
        lambda t: service.remind_receiver(t, actor=current_user._get_current_object()),
        "The new school's designated safeguarding leads have been reminded that the file is waiting for them.",
    )


@bp.route("/transfers/<uuid:transfer_id>/revoke-link", methods=["POST"])
@login_required
def revoke_link(transfer_id):
    return _step(
        transfer_id,
        "revoke_link",
        lambda t: links.revoke_link(t, actor_id=current_user.id),
        "The link has been revoked: it no longer opens the file. You can send a new link.",
    )


@bp.route("/transfers/<uuid:transfer_id>/new-link", methods=["POST"])
@login_required
def new_link(transfer_id):
    """A new link (emailed) and access code (shown once) for a school not on the portal; the earlier link
    stops."""
    transfer = get_or_404(PupilTransfer, transfer_id, action="new_link")
    try:
        code = links.resend_link(transfer, actor=current_user._get_current_object())
    except service.TransferRefused as refused:
        db.session.rollback()
        flash(str(refused))
        return redirect(url_for("transfers.detail", transfer_id=transfer_id))
    db.session.commit()
    return _access_code_page(transfer, code)


def pdf_download(key: str, filename: str):
    try:
        data = files.read(key)
    except FileNotFoundError:
        abort(404)
    response = send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/transfers/<uuid:transfer_id>/file.pdf")
@login_required
def sent_pdf(transfer_id):
    """The PDF of the file as it was sent (audited)."""
    transfer = get_or_404(PupilTransfer, transfer_id, action="download")
    sent = db.session.execute(select(TransferFile).where(TransferFile.transfer_id == transfer.id)).scalar_one_or_none()
    if sent is not None and sent.disposed_at is not None:
        flash("Your school's copy of the file has been removed: the record of the transfer and its receipt stay.")
        return redirect(url_for("transfers.detail", transfer_id=transfer_id))
    if sent is None or not files.exists(sent.pdf_key):
        flash("The PDF is still being made: try again in a moment.")
        return redirect(url_for("transfers.detail", transfer_id=transfer_id))
    service.downloaded(transfer.organisation_id, "pupil_transfer", transfer.id)
    db.session.commit()
    return pdf_download(sent.pdf_key, f"cp-file-{transfer.pupil.reference.lower()}-sent-{uk_date(transfer.sent_at).replace(' ', '-').lower()}.pdf")


@bp.route("/transfers/overdue")
@login_required
def overdue():
    """For the authority's transfer leads: the files not sent within 5 school days, school by school, so
    that they can chase them. The pupil is shown by reference only; the lead cannot open the file."""
    if not has_duty(current_user, Duty.TRANSFER_LEAD):
        deny_page()
    now = utcnow()
    late = (
        db.session.execute(
            select(PupilTransfer).where(PupilTransfer.status == TransferStatus.LEAVING, PupilTransfer.due_at < now).order_by(PupilTransfer.due_at).limit(500)
        )
        .unique()
        .scalars()
        .all()
    )
    calendar = authority_school_calendar()
    today = uk_today()
    late_by = {t.id: calendar.school_days_between(t.due_day, today) for t in late}
    record(Action.OVERDUE_VIEWED, object_type="pupil_transfer", details={"shown": len(late)})
    page = render_template("transfers/overdue.html", late=late, late_by=late_by)
    db.session.commit()
    return page
