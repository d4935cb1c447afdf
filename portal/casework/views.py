"""Shared casework pages: attachment downloads, a pupil's chronology and its PDF exports, and the
authority's working-day calendar."""

from __future__ import annotations

import re
import unicodedata
import uuid
from calendar import monthrange
from datetime import date, datetime
from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role
from portal.audit.service import record
from portal.casework import chronology as chronology_service
from portal.casework import files, service
from portal.casework.actions import Action
from portal.casework.blueprint import bp
from portal.casework.forms import CalendarDayForm, ChronologyFilterForm, entry_kinds
from portal.casework.models import Attachment, CalendarDay, ChronologyEntry, ChronologyExport, ExportStatus
from portal.casework.workingdays import ENGLAND_BANK_HOLIDAYS
from portal.clock import UK, uk_date, uk_today
from portal.extensions import db
from portal.pagination import decode_cursor, fetch_page
from portal.policies import get_or_404, policy_for, roles_required, visible_query
from portal.pupils.models import Pupil

admin_only = roles_required(Role.AUTHORITY_ADMIN)


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
    return _download(data, filename=attachment.filename, mimetype=attachment.content_type)


# A pupil's chronology ------------------------------------------------------------------------------

#: Where a chronology line links to: object type -> (endpoint, its id argument).
RECORD_PAGES = {
    "concern": ("concerns.detail", "concern_id", "Open the concern"),
    "advice_request": ("advice.detail", "advice_id", "Open the advice request"),
    "referral": ("referrals.detail", "referral_id", "Open the referral"),
}


def _record_link(entry: ChronologyEntry) -> tuple[str, str] | None:
    """(url, link text) of the record a line is about, if that module's page exists."""
    page = RECORD_PAGES.get(entry.object_type)
    if page is None or page[0] not in current_app.view_functions:
        return None
    endpoint, argument, text = page
    return url_for(endpoint, **{argument: entry.object_id}), text


def _before(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    values = decode_cursor(cursor, 2)
    if values and isinstance(values[0], datetime) and values[0].tzinfo is not None and isinstance(values[1], uuid.UUID):
        return values
    return None


@bp.route("/pupils/<uuid:pupil_id>/chronology")
@login_required
def chronology(pupil_id):
    """The pupil's time line, newest first, 50 lines a page; filtered by kind; audited."""
    pupil = get_or_404(Pupil, pupil_id, action="open")
    form = ChronologyFilterForm(request.args)
    kinds = form.selected()
    before = _before(request.args.get("before"))
    query = chronology_service.page_query(pupil.id, kinds, before=before).where(policy_for(ChronologyEntry).visible(current_user))
    page = fetch_page(db.session, query, chronology_service.PAGE_SIZE, key=lambda entry: (entry.occurred_at, entry.id))
    record(
        Action.CHRONOLOGY_VIEWED,
        object_type="pupil",
        object_id=pupil.id,
        organisation_id=pupil.organisation_id,
        details={"kinds": [k.value for k in kinds], "older_page": before is not None},
    )
    # Rendered before the commit: a commit expires every loaded line, and reading them again would cost
    # a query each.
    page_html = render_template(
        "casework/chronology.html",
        pupil=pupil,
        form=form,
        kinds=kinds,
        entries=page.items,
        next_cursor=page.next_cursor,
        is_first_page=before is None,
        record_link=_record_link,
    )
    db.session.commit()
    return page_html


# Chronology PDFs ------------------------------------------------------------------------------------


@bp.route("/pupils/<uuid:pupil_id>/chronology/export", methods=["POST"])
@login_required
def export_new(pupil_id):
    """Ask for a PDF of the chronology as filtered on screen; a job builds it."""
    pupil = get_or_404(Pupil, pupil_id, action="export")
    export = service.request_export(pupil, entry_kinds(request.form.getlist("kind")), requested_by_id=current_user.id)
    db.session.commit()
    return redirect(url_for("casework.export_detail", export_id=export.id))


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


def _filename_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "pupil"


@bp.route("/exports/<uuid:export_id>/download")
@login_required
def export_download(export_id):
    """The PDF, to the person who asked for it, once it is ready; audited."""
    export = get_or_404(ChronologyExport, export_id, action="download")
    if export.status != ExportStatus.READY:
        return redirect(url_for("casework.export_detail", export_id=export.id))
    pupil = _export_pupil(export)
    try:
        data = files.read(export.storage_key)
    except FileNotFoundError:
        abort(404)
    service.export_downloaded(export)
    db.session.commit()
    made = (export.completed_at or export.created_at).astimezone(UK).date()
    filename = f"chronology-{_filename_part(pupil.legal_surname)}-{made.isoformat()}.pdf"
    return _download(data, filename=filename, mimetype="application/pdf")


# The authority's working-day calendar ---------------------------------------------------------------

CALENDAR_PAGE_SIZE = 50
#: How far ahead the page lists England's bank holidays, in months.
BANK_HOLIDAYS_AHEAD = 18


def _months_later(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _calendar_page(form: CalendarDayForm, today: date, status: int = 200):
    after = decode_cursor(request.args.get("after"), 2)
    query = visible_query(CalendarDay).where(CalendarDay.day >= today)
    if after:
        try:
            last_day, last_id = date.fromisoformat(str(after[0])), after[1]
        except ValueError:
            last_day = None
        if last_day is not None and isinstance(last_id, uuid.UUID):
            query = query.where(or_(CalendarDay.day > last_day, and_(CalendarDay.day == last_day, CalendarDay.id > last_id)))
    page = fetch_page(db.session, query.order_by(CalendarDay.day, CalendarDay.id), CALENDAR_PAGE_SIZE, key=lambda d: (d.day.isoformat(), d.id))
    # The authority's own changes to the bank holidays are shown beside them (one query, not one a day).
    until = _months_later(today, BANK_HOLIDAYS_AHEAD)
    holidays = [(day, name) for day, name in sorted(ENGLAND_BANK_HOLIDAYS.items()) if today <= day <= until]
    changes = (
        {row.day: row for row in db.session.execute(visible_query(CalendarDay).where(CalendarDay.day.in_([day for day, _ in holidays]))).scalars()}
        if holidays
        else {}
    )
    return render_template(
        "casework/calendar.html",
        form=form,
        days=page.items,
        next_cursor=page.next_cursor,
        holidays=holidays,
        changes=changes,
        until=until,
        today=today,
    ), status


@bp.route("/settings/calendar", methods=["GET", "POST"])
@admin_only
def calendar():
    """The authority's closure days and worked bank holidays, for the one-working-day clock."""
    today = uk_today()
    form = CalendarDayForm()
    form.today = today
    if form.validate_on_submit():
        day = form.day.data
        problem = service.calendar_problem(day, form.is_working_day)
        if problem is not None:
            field, message = problem
            form[field].errors.append(message)
        else:
            try:
                entry = service.add_calendar_day(day, working=form.is_working_day, label=form.label.data)
            except IntegrityError:  # someone added the same date at the same moment
                db.session.rollback()
                form.day.errors.append(f"{uk_date(day)} is already in your calendar. Remove it first to change it")
            else:
                db.session.commit()
                flash(f"{uk_date(day)} has been added: {'a working day' if entry.is_working_day else 'closed'}.", "success")
                return redirect(url_for("casework.calendar"))
    return _calendar_page(form, today, 400 if form.errors else 200)


@bp.route("/settings/calendar/<uuid:day_id>/remove", methods=["POST"])
@admin_only
def calendar_remove(day_id):
    entry = get_or_404(CalendarDay, day_id, action="remove")
    day = entry.day
    service.remove_calendar_day(entry)
    db.session.commit()
    flash(f"{uk_date(day)} has been removed. It follows England's usual working days again.", "success")
    return redirect(url_for("casework.calendar"))
