"""The authority's school holidays page: the administrator adds and removes the holidays of all its schools,
school days are counted around them (for a child protection file's move to a new school), mistakes and
overlaps are refused next to the field, every change is audited, and nobody else may see or change it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from portal.casework.workingdays import ENGLAND_BANK_HOLIDAYS
from portal.clock import uk_date, uk_today
from tests.admin.pages import field_error, input_value, page_text, table_rows
from tests.support import audit_events, page_queries

PAGE = "/settings/school-holidays"


def _boxes(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _form(name: str, first: date, last: date) -> dict:
    return {"name": name, "first_day": _boxes(first), "last_day": _boxes(last)}


def _plain_week(weeks_ahead: int = 3) -> date:
    """A Monday at least ``weeks_ahead`` weeks from today whose weekdays are none of them bank holidays."""
    monday = uk_today() + timedelta(weeks=weeks_ahead)
    monday -= timedelta(days=monday.weekday())
    while any(monday + timedelta(days=n) in ENGLAND_BANK_HOLIDAYS for n in range(5)):
        monday += timedelta(weeks=1)
    return monday


def _holidays(app, side):
    from portal.casework.models import SchoolHoliday
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(SchoolHoliday).order_by(SchoolHoliday.first_day)).scalars().all()
        db.session.expunge_all()
        return rows


def _add(app, side, *holidays: tuple[str, date, date]) -> None:
    """Holidays written straight to the database (one in the past, which the page would refuse, included)."""
    from portal.casework.models import SchoolHoliday
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        db.session.add_all(SchoolHoliday(name=name, first_day=first, last_day=last) for name, first, last in holidays)
        db.session.commit()


def _school_day(app, side, day: date) -> bool:
    from portal.casework.schooldays import authority_school_calendar
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        return authority_school_calendar().is_school_day(day)


@pytest.fixture
def admin(signed_in, world):
    return signed_in(world.a.admin)


def test_the_administrator_adds_a_half_term_and_school_days_skip_it(app, world, admin):
    """Does an added half term show in the list, audited, with its days no longer school days (in this
    authority only)?"""
    monday = _plain_week()
    friday = monday + timedelta(days=4)
    assert _school_day(app, world.a, monday + timedelta(days=2))

    response = admin.post(PAGE, data=_form("Half term", monday, friday))

    assert response.status_code == 302 and response.headers["Location"] == PAGE
    page = admin.get(PAGE)
    text = page_text(page)
    assert f"Half term ({uk_date(monday)} to {uk_date(friday)}) has been added." in text
    assert [f"Monday {uk_date(monday)}", f"Friday {uk_date(friday)}", f"Remove Half term from {uk_date(monday)}"] in table_rows(page)
    assert "Half term" in text
    assert not any(_school_day(app, world.a, monday + timedelta(days=n)) for n in range(5))
    assert _school_day(app, world.a, monday + timedelta(days=7))
    assert _school_day(app, world.b, monday + timedelta(days=2))  # another authority's schools are open
    [added] = audit_events(app, world.a.authority_id, "authority.school_holidays_changed")
    assert added.actor_id == world.a.admin.id
    assert added.details == {"change": "added", "name": "Half term", "first_day": monday.isoformat(), "last_day": friday.isoformat()}
    assert audit_events(app, world.b.authority_id, "authority.school_holidays_changed") == []


def test_a_holiday_of_one_day_and_one_of_exactly_8_weeks_are_accepted(app, world, admin):
    monday = _plain_week()
    admin.post(PAGE, data=_form("An extra closure day for all schools", monday, monday))
    summer_start = monday + timedelta(weeks=4)
    response = admin.post(PAGE, data=_form("Summer holidays", summer_start, summer_start + timedelta(days=55)))
    assert response.status_code == 302
    assert [(h.name, (h.last_day - h.first_day).days + 1) for h in _holidays(app, world.a)] == [
        ("An extra closure day for all schools", 1),
        ("Summer holidays", 56),
    ]
    text = page_text(admin.get(PAGE))
    assert f"An extra closure day for all schools Monday {uk_date(monday)} Monday {uk_date(monday)}" in text


def test_the_page_lists_holidays_from_today_oldest_first(app, world, admin):
    """Are the holidays shown from today (one under way included, past ones not), oldest first?"""
    today = uk_today()
    _add(
        app,
        world.a,
        ("Autumn closure", today + timedelta(days=200), today + timedelta(days=210)),
        ("Old half term", today - timedelta(days=100), today - timedelta(days=90)),
        ("Half term under way", today - timedelta(days=2), today + timedelta(days=2)),
        ("Spring closure", today + timedelta(days=30), today + timedelta(days=34)),
    )
    rows = table_rows(admin.get(PAGE))
    assert [row[-1].removeprefix("Remove ").split(" from ")[0] for row in rows] == ["Half term under way", "Spring closure", "Autumn closure"]
    assert rows[0][0] == f"{(today - timedelta(days=2)).strftime('%A')} {uk_date(today - timedelta(days=2))}"


def test_the_list_is_paginated_by_keyset(app, world, admin, monkeypatch):
    """With 2 to a page, do the pages follow one another with none repeated or left out?"""
    monkeypatch.setattr("portal.casework.views.holidays.HOLIDAYS_PAGE_SIZE", 2)
    start = uk_today() + timedelta(days=10)
    # Two holidays start on the same day: the order between them is kept by their ids.
    _add(app, world.a, *[(f"Holiday {n}", start + timedelta(days=10 * (n // 2 * 2)), start + timedelta(days=10 * (n // 2 * 2) + n % 2)) for n in range(5)])
    seen, url = [], PAGE
    for _ in range(5):
        response = admin.get(url)
        markup = response.get_data(as_text=True)
        seen += [f"Holiday {n}" for n in range(5) if f"Remove Holiday {n} " in page_text(response)]
        next_link = [href for href in _links(markup) if "after=" in href]
        if not next_link:
            break
        url = next_link[0]
    assert sorted(seen) == [f"Holiday {n}" for n in range(5)] and len(seen) == 5


def _links(markup: str) -> list[str]:
    import html
    import re

    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', markup)]


def test_the_query_count_does_not_grow_with_the_holidays(app, world, admin):
    """Is the page of 40 holidays as many queries as the page of 2?"""
    start = uk_today() + timedelta(days=1)
    _add(app, world.a, *[(f"Holiday {n}", start + timedelta(days=10 * n), start + timedelta(days=10 * n + 4)) for n in range(2)])
    admin.get(PAGE)  # templates compiled, caches warm
    few, few_page = page_queries(app, admin, PAGE)
    _add(app, world.a, *[(f"Holiday {n}", start + timedelta(days=10 * n), start + timedelta(days=10 * n + 4)) for n in range(2, 40)])
    many, many_page = page_queries(app, admin, PAGE)
    assert len(table_rows(few_page)) == 2 and len(table_rows(many_page)) == 40
    assert few == many


def test_the_authority_calendar_is_read_in_one_query(app, world):
    """Does counting school days read the authority's holidays once, and only its own?"""
    from portal.casework.schooldays import authority_school_calendar
    from portal.extensions import db
    from tenants.context import tenant_scope

    monday = _plain_week()
    _add(app, world.a, *[(f"Closure {n}", monday + timedelta(weeks=n), monday + timedelta(weeks=n)) for n in range(10)])
    _add(app, world.b, ("Their half term", monday + timedelta(days=1), monday + timedelta(days=1)))
    statements: list[str] = []
    with app.app_context(), tenant_scope(world.a.authority_id):
        engine = db.engine

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            calendar = authority_school_calendar()
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if "school_holidays" in s]) == 1
    assert not calendar.is_school_day(monday) and not calendar.is_school_day(monday + timedelta(weeks=9))
    assert calendar.is_school_day(monday + timedelta(days=1))


def test_the_page_explains_why_school_days_matter(admin):
    text = page_text(admin.get(PAGE))
    assert "their child protection file must reach the new school within 5 school days" in text
    assert "within the first 5 school days of the new term" in text
    assert "training (INSET) days are not kept here" in text
    assert "None from today." in text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "first_day": ["", "", ""], "last_day": ["", "", ""]}, "name", "Enter the name of the holiday"),
        ({"name": "", "first_day": ["", "", ""], "last_day": ["", "", ""]}, "first_day", "Enter the first day"),
        ({"name": "", "first_day": ["", "", ""], "last_day": ["", "", ""]}, "last_day", "Enter the last day"),
        ({"name": "   ", "first_day": ["1", "4", "2030"], "last_day": ["5", "4", "2030"]}, "name", "Enter the name of the holiday"),
        ({"name": "x" * 121, "first_day": ["1", "4", "2030"], "last_day": ["5", "4", "2030"]}, "name", "The name must be 120 characters or fewer"),
        (
            {"name": "Half term", "first_day": ["31", "2", "2030"], "last_day": ["5", "3", "2030"]},
            "first_day",
            "The first day must be a real date, like 15 2 2027",
        ),
        ({"name": "Half term", "first_day": ["1", "4", "2030"], "last_day": ["5", "", "2030"]}, "last_day", "The last day must include a month"),
        ({"name": "Half term", "first_day": ["1", "4", "30"], "last_day": ["5", "4", "2030"]}, "first_day", "The year must include 4 numbers, like 2027"),
        (
            {"name": "Half term", "first_day": ["12", "4", "2030"], "last_day": ["8", "4", "2030"]},
            "last_day",
            "The last day must be the same as or after the first day",
        ),
        (
            {"name": "Summer holidays", "first_day": ["1", "6", "2030"], "last_day": ["27", "7", "2030"]},
            "last_day",
            "A school holiday can be at most 8 weeks long",
        ),
        ({"name": "Half term", "first_day": ["17", "2", "2020"], "last_day": ["21", "2", "2020"]}, "last_day", "The last day must be today or in the future"),
    ],
    ids=[
        "no-name",
        "no-first-day",
        "no-last-day",
        "blank-name",
        "long-name",
        "not-a-real-date",
        "no-month",
        "short-year",
        "last-before-first",
        "over-8-weeks",
        "in-the-past",
    ],
)
def test_mistakes_are_explained_next_to_the_field(app, world, admin, data, field, message):
    """Is each mistake named next to its field, with what was typed kept and nothing saved?"""
    response = admin.post(PAGE, data=data)

    assert response.status_code == 400
    assert field_error(response, field) == message
    assert "There is a problem" in page_text(response)
    assert input_value(response, "name") == data["name"].strip()
    assert input_value(response, "first_day") == data["first_day"][0]  # the day box keeps what was typed
    assert _holidays(app, world.a) == []
    assert audit_events(app, world.a.authority_id, "authority.school_holidays_changed") == []


def test_a_date_message_in_the_summary_links_to_its_day_box(admin):
    response = admin.post(PAGE, data={"name": "Half term", "first_day": ["12", "4", "2030"], "last_day": ["8", "4", "2030"]})
    markup = response.get_data(as_text=True)
    assert '<a href="#last_day-day">The last day must be the same as or after the first day</a>' in markup
    assert 'id="last_day-day"' in markup


def test_an_overlapping_holiday_is_refused_naming_the_one_it_overlaps(app, world, admin):
    """Is a holiday overlapping one already in the calendar refused next to its first day, naming that
    holiday, with what was typed kept and nothing saved? (One that starts the day after is fine.)"""
    monday = _plain_week()
    friday = monday + timedelta(days=4)
    admin.post(PAGE, data=_form("Half term", monday, friday))

    response = admin.post(PAGE, data=_form("Staff closure day", friday, friday + timedelta(days=3)))

    assert response.status_code == 400
    message = f"These dates overlap a holiday already in your calendar: Half term, {uk_date(monday)} to {uk_date(friday)}"
    assert field_error(response, "first_day") == message
    assert f'<a href="#first_day-day">{message}</a>' in response.get_data(as_text=True)
    assert input_value(response, "name") == "Staff closure day"
    assert [h.name for h in _holidays(app, world.a)] == ["Half term"]
    assert len(audit_events(app, world.a.authority_id, "authority.school_holidays_changed")) == 1
    # Inside it, and around it, are refused too.
    for first, last in ((monday + timedelta(days=1), monday + timedelta(days=2)), (monday - timedelta(days=3), friday + timedelta(days=3))):
        assert field_error(admin.post(PAGE, data=_form("Again", first, last)), "first_day") == message
    # A holiday starting the day after is not an overlap.
    assert admin.post(PAGE, data=_form("Closure after half term", friday + timedelta(days=1), friday + timedelta(days=3))).status_code == 302
    assert [h.name for h in _holidays(app, world.a)] == ["Half term", "Closure after half term"]


def test_removing_a_holiday_makes_its_days_school_days_again(app, world, admin):
    monday = _plain_week()
    friday = monday + timedelta(days=4)
    admin.post(PAGE, data=_form("Half term", monday, friday))
    [holiday] = _holidays(app, world.a)

    response = admin.post(f"{PAGE}/{holiday.id}/remove")

    assert response.status_code == 302 and response.headers["Location"] == PAGE
    assert _holidays(app, world.a) == []
    assert _school_day(app, world.a, monday + timedelta(days=2))
    page = admin.get(PAGE)
    assert f"Half term ({uk_date(monday)} to {uk_date(friday)}) has been removed." in page_text(page)
    events = audit_events(app, world.a.authority_id, "authority.school_holidays_changed")
    assert [e.details for e in events] == [
        {"change": change, "name": "Half term", "first_day": monday.isoformat(), "last_day": friday.isoformat()} for change in ("added", "removed")
    ]
    assert events[-1].actor_id == world.a.admin.id


def test_another_authoritys_holiday_is_not_found(app, world, admin):
    """Does removing another authority's holiday answer 404 (audited here), leaving it in place?"""
    monday = _plain_week()
    _add(app, world.b, ("Their half term", monday, monday + timedelta(days=4)))
    [theirs] = _holidays(app, world.b)

    response = admin.post(f"{PAGE}/{theirs.id}/remove")

    assert response.status_code == 404
    assert [h.name for h in _holidays(app, world.b)] == ["Their half term"]
    [refusal] = audit_events(app, world.a.authority_id, "access.not_found")
    assert refusal.actor_id == world.a.admin.id and refusal.object_id == str(theirs.id)
    assert audit_events(app, world.b.authority_id, "authority.school_holidays_changed") == []


def test_the_settings_and_calendar_pages_link_to_it(admin):
    assert f'href="{PAGE}"' in admin.get("/admin/settings").get_data(as_text=True)
    assert f'href="{PAGE}"' in admin.get("/settings/calendar").get_data(as_text=True)


@pytest.mark.parametrize("person_key", ["staff1", "dsl1", "head1", "governor1", "dsl2", "front_door", "assessor", "partner"])
def test_other_roles_are_refused(app, world, signed_in, person_key):
    """Are the school holidays the administrator's alone: everyone else gets 403 (audited) and changes nothing?"""
    monday = _plain_week()
    _add(app, world.a, ("Half term", monday, monday + timedelta(days=4)))
    [holiday] = _holidays(app, world.a)
    client = signed_in(world.a.people[person_key])

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data=_form("Closure", monday + timedelta(weeks=2), monday + timedelta(weeks=2))).status_code == 403
    assert client.post(f"{PAGE}/{holiday.id}/remove").status_code == 403

    assert [h.name for h in _holidays(app, world.a)] == ["Half term"]
    assert audit_events(app, world.a.authority_id, "authority.school_holidays_changed") == []
    refusals = audit_events(app, world.a.authority_id, "access.denied")
    assert [e.actor_id for e in refusals] == [world.a.people[person_key].id] * 3
