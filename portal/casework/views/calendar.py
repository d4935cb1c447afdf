"""The authority's working-day calendar: closure days and worked bank holidays, for the one-working-day clock."""

from __future__ import annotations

import uuid
from calendar import monthrange
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Role
from portal.casework import service
from portal.casework.blueprint import bp
from portal.casework.forms import CalendarDayForm
from portal.casework.models import CalendarDay
from portal.casework.workingdays import ENGLAND_BANK_HOLIDAYS
from portal.clock import uk_date, uk_today
from portal.extensions import db
from portal.pagination import decode_cursor, fetch_page
from portal.policies import get_or_404, roles_required, visible_query

admin_only = roles_required(Role.AUTHORITY_ADMIN)


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
