"""The authority's school holidays, kept by its administrator: school days are counted around them for
the clock of a child protection file's move to a new school (:mod:`portal.casework.schooldays`)."""

from __future__ import annotations

import uuid
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import and_, or_

from portal.accounts.models import Role
from portal.casework import service
from portal.casework.blueprint import bp
from portal.casework.forms import SchoolHolidayForm
from portal.casework.models import SchoolHoliday
from portal.clock import uk_today
from portal.extensions import db
from portal.pagination import decode_cursor, fetch_page
from portal.policies import get_or_404, roles_required, visible_query

admin_only = roles_required(Role.AUTHORITY_ADMIN)

HOLIDAYS_PAGE_SIZE = 50


def _holidays_page(form: SchoolHolidayForm, today: date, status: int = 200):
    """The holidays not over by ``today`` (one under way included), oldest first, a page at a time."""
    after = decode_cursor(request.args.get("after"), 2)
    query = visible_query(SchoolHoliday).where(SchoolHoliday.last_day >= today)
    if after:
        try:
            last_first, last_id = date.fromisoformat(str(after[0])), after[1]
        except ValueError:
            last_first = None
        if last_first is not None and isinstance(last_id, uuid.UUID):
            query = query.where(
                or_(SchoolHoliday.first_day > last_first, and_(SchoolHoliday.first_day == last_first, SchoolHoliday.id > last_id)),
            )
    page = fetch_page(
        db.session,
        query.order_by(SchoolHoliday.first_day, SchoolHoliday.id),
        HOLIDAYS_PAGE_SIZE,
        key=lambda h: (h.first_day.isoformat(), h.id),
    )
    return render_template("casework/school_holidays.html", form=form, holidays=page.items, next_cursor=page.next_cursor, today=today), status


@bp.route("/settings/school-holidays", methods=["GET", "POST"])
@admin_only
def school_holidays():
    """The holidays of all the authority's schools, and a form to add one."""
    today = uk_today()
    form = SchoolHolidayForm()
    form.today = today
    if form.validate_on_submit():
        name, first_day, last_day = form.name.data, form.first_day.data, form.last_day.data
        problem = service.school_holiday_problem(first_day, last_day)
        if problem is not None:
            field, message = problem
            form[field].errors.append(message)
        else:
            service.add_school_holiday(name, first_day, last_day)
            db.session.commit()
            flash(f"{name} ({service.holiday_dates(first_day, last_day)}) has been added. Those days are not counted as school days.", "success")
            return redirect(url_for("casework.school_holidays"))
    return _holidays_page(form, today, 400 if form.errors else 200)


@bp.route("/settings/school-holidays/<uuid:holiday_id>/remove", methods=["POST"])
@admin_only
def school_holiday_remove(holiday_id):
    holiday = get_or_404(SchoolHoliday, holiday_id, action="remove")
    name, dates = holiday.name, service.holiday_dates(holiday.first_day, holiday.last_day)
    service.remove_school_holiday(holiday)
    db.session.commit()
    flash(f"{name} ({dates}) has been removed. Its weekdays are counted as school days again.", "success")
    return redirect(url_for("casework.school_holidays"))
