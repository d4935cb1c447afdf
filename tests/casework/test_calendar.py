"""The authority's working-day calendar: closure days and worked bank holidays move the one-working-day
clock; bad or duplicate dates are refused next to the field; only the authority administrator may change it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.casework.workingdays import ENGLAND_BANK_HOLIDAYS, WorkingCalendar
from portal.clock import UK, uk_date, utcnow
from tests.admin.pages import field_error, input_value, page_text, table_rows
from tests.support import audit_events


def _form(day: date, working: str = "closed", label: str = "Council closure day") -> dict:
    return {"day": [str(day.day), str(day.month), str(day.year)], "working": working, "label": label}


def _ordinary_week() -> date:
    """A Monday at least a week ahead whose Monday, Tuesday and Wednesday are all ordinary working days."""
    england = WorkingCalendar()
    day = utcnow().astimezone(UK).date() + timedelta(days=7)
    day += timedelta(days=-day.weekday())
    while not all(england.is_working_day(day + timedelta(days=n)) for n in range(3)):
        day += timedelta(days=7)
    return day


def _due(app, side, moment: datetime) -> datetime:
    from portal.casework.workingdays import authority_calendar
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        return authority_calendar().one_working_day_after(moment).astimezone(UK)


def _calendar_days(app, side):
    from portal.casework.models import CalendarDay
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(CalendarDay).order_by(CalendarDay.day)).scalars().all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def admin(signed_in, world):
    return signed_in(world.a.admin)


def test_a_closure_day_moves_the_clock(app, world, admin):
    """When the administrator closes a Tuesday, is a referral sent on Monday due on Wednesday instead, and is
    the change listed and audited?"""
    monday = _ordinary_week()
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    sent = datetime.combine(monday, time(10, 0), tzinfo=UK)
    assert _due(app, world.a, sent) == datetime.combine(tuesday, time(10, 0), tzinfo=UK)

    response = admin.post("/settings/calendar", data=_form(tuesday))

    assert response.status_code == 302 and response.headers["Location"] == "/settings/calendar"
    assert _due(app, world.a, sent) == datetime.combine(wednesday, time(10, 0), tzinfo=UK)
    page = admin.get("/settings/calendar")
    assert f"{uk_date(tuesday)} has been added: closed." in page_text(page)
    assert ["No, closed", "Council closure day", f"Remove {uk_date(tuesday)}"] in table_rows(page)
    [changed] = audit_events(app, world.a.authority_id, "authority.calendar_changed")
    assert changed.actor_id == world.a.admin.id
    assert changed.details == {"change": "added", "day": tuesday.isoformat(), "working_day": False}
    # Another authority's clock is its own.
    assert _due(app, world.b, sent) == datetime.combine(tuesday, time(10, 0), tzinfo=UK)


def test_a_bank_holiday_the_front_door_works(app, world, admin):
    """Can the administrator make a bank holiday a working day, shown against it in the list of bank holidays?"""
    today = utcnow().astimezone(UK).date()
    holiday, name = next((d, n) for d, n in sorted(ENGLAND_BANK_HOLIDAYS.items()) if d > today and d.weekday() < 5)

    admin.post("/settings/calendar", data=_form(holiday, "working", "Front door open as usual"))

    [row] = _calendar_days(app, world.a)
    assert (row.day, row.is_working_day, row.label) == (holiday, True, "Front door open as usual")
    from portal.casework.workingdays import authority_calendar
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(world.a.authority_id):
        assert authority_calendar().is_working_day(holiday)
    text = page_text(admin.get("/settings/calendar"))
    assert f"{name} Yes: Front door open as usual" in text


def test_the_page_explains_the_clock_and_lists_bank_holidays(admin):
    """Does the page say what the clock is, and list the coming bank holidays (and no past ones)?"""
    response = admin.get("/settings/calendar")
    text = page_text(response)
    assert "within one working day" in text
    today = utcnow().astimezone(UK).date()
    coming = [d for d in sorted(ENGLAND_BANK_HOLIDAYS) if d >= today]
    past = [d for d in sorted(ENGLAND_BANK_HOLIDAYS) if d < today]
    if coming:
        assert uk_date(coming[0]) in text
    for day in past[-3:]:
        assert f"{day.strftime('%A')} {uk_date(day)}" not in text


def test_one_entry_per_date(app, world, admin):
    """Is a second entry for the same date refused next to the date, keeping what was typed, with nothing saved?"""
    monday = _ordinary_week()
    admin.post("/settings/calendar", data=_form(monday))

    response = admin.post("/settings/calendar", data=_form(monday, "closed", "Staff training day"))

    assert response.status_code == 400
    message = f"{uk_date(monday)} is already in your calendar (Council closure day). Remove it first to change it"
    assert field_error(response, "day") == message
    assert "There is a problem" in page_text(response)
    assert f'<a href="#day-day">{message}</a>' in response.get_data(as_text=True)  # the summary links to the day box
    assert input_value(response, "label") == "Staff training day"
    assert [d.label for d in _calendar_days(app, world.a)] == ["Council closure day"]
    assert len(audit_events(app, world.a.authority_id, "authority.calendar_changed")) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"day": ["", "", ""], "working": "", "label": ""}, "day", "Enter the date"),
        ({"day": ["", "", ""], "working": "", "label": ""}, "working", "Select whether the front door is working on this day"),
        ({"day": ["", "", ""], "working": "", "label": "   "}, "label", "Enter a description of the day"),
        ({"day": ["31", "2", "2030"], "working": "closed", "label": "x"}, "day", "The date must be a real date, like 25 12 2026"),
        ({"day": ["3", "", "2030"], "working": "closed", "label": "x"}, "day", "The date must include a month"),
        ({"day": ["3", "2", "30"], "working": "closed", "label": "x"}, "day", "The year must include 4 numbers, like 2026"),
        ({"day": ["1", "1", "2020"], "working": "closed", "label": "x"}, "day", "The date must be today or in the future"),
        ({"day": ["1", "2", "2030"], "working": "closed", "label": "x" * 121}, "label", "Description must be 120 characters or fewer"),
    ],
)
def test_bad_input_is_explained_next_to_the_field(app, world, admin, data, field, message):
    """Is each mistake named next to its field, with nothing saved?"""
    response = admin.post("/settings/calendar", data=data)
    assert response.status_code == 400
    assert field_error(response, field) == message
    assert _calendar_days(app, world.a) == []


def test_a_change_that_changes_nothing_is_refused(app, world, admin):
    """Is closing a Saturday (or "working" on an ordinary weekday) refused, saying why?"""
    monday = _ordinary_week()
    saturday = monday + timedelta(days=5)
    response = admin.post("/settings/calendar", data=_form(saturday))
    assert field_error(response, "working") == f"Saturday {uk_date(saturday)} is already not a working day in England, so there is nothing to change"
    response = admin.post("/settings/calendar", data=_form(monday, "working", "Open"))
    assert field_error(response, "working") == f"Monday {uk_date(monday)} is already a working day in England, so there is nothing to change"
    assert _calendar_days(app, world.a) == []


def test_removing_a_day_puts_the_clock_back(app, world, admin):
    """Does removing a closure day restore the usual deadline, audited?"""
    monday = _ordinary_week()
    tuesday = monday + timedelta(days=1)
    sent = datetime.combine(monday, time(10, 0), tzinfo=UK)
    admin.post("/settings/calendar", data=_form(tuesday))
    [row] = _calendar_days(app, world.a)

    response = admin.post(f"/settings/calendar/{row.id}/remove")

    assert response.status_code == 302
    assert _calendar_days(app, world.a) == []
    assert _due(app, world.a, sent) == datetime.combine(tuesday, time(10, 0), tzinfo=UK)
    assert [e.details["change"] for e in audit_events(app, world.a.authority_id, "authority.calendar_changed")] == ["added", "removed"]
    assert f"{uk_date(tuesday)} has been removed" in page_text(admin.get("/settings/calendar"))


def test_the_settings_page_links_to_it(admin):
    assert 'href="/settings/calendar"' in admin.get("/admin/settings").get_data(as_text=True)


@pytest.mark.parametrize("person_key", ["staff1", "dsl1", "head1", "governor1", "dsl2", "front_door", "assessor", "partner"])
def test_other_roles_are_refused(app, world, signed_in, person_key):
    """Is the calendar the administrator's alone: everyone else gets 403 (audited) and changes nothing?"""
    monday = _ordinary_week()
    client = signed_in(world.a.people[person_key])
    assert client.get("/settings/calendar").status_code == 403
    assert client.post("/settings/calendar", data=_form(monday + timedelta(days=1))).status_code == 403
    assert _calendar_days(app, world.a) == []
    refusals = audit_events(app, world.a.authority_id, "access.denied")
    assert [e.actor_id for e in refusals] == [world.a.people[person_key].id] * 2
