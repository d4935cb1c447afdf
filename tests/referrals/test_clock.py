"""The one-working-day clock: when a referral is due, from England's working days and the authority's own
calendar, in UK time; unit tests of ``WorkingCalendar`` and the same rules through the submit page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.casework.workingdays import WorkingCalendar
from portal.clock import UK, travel
from tests.admin.pages import page_text
from tests.factories import make_pupil, make_referral
from tests.moments import AWKWARD_MOMENTS
from tests.referrals.support import form, referral
from tests.support import sign_in


def uk(*args) -> datetime:
    return datetime(*args, tzinfo=UK)


# The rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        # A working day at T: due at T on the next working day (over a weekend).
        (uk(2026, 11, 27, 15, 0), uk(2026, 11, 30, 15, 0)),
        # Thursday 24 December 2026: Christmas Day (Friday), the weekend and the Boxing Day substitute
        # (Monday 28th) are not working days.
        (uk(2026, 12, 24, 10, 0), uk(2026, 12, 29, 10, 0)),
        # A non-working day counts from the start of the next working day, and has the whole of it:
        # Saturday -> due at the start of Tuesday (the end of Monday).
        (uk(2026, 11, 28, 11, 30), uk(2026, 12, 1, 0, 0)),
        # ... and a bank holiday Monday the same: the whole of Tuesday, due at the start of Wednesday.
        (uk(2026, 8, 31, 9, 0), uk(2026, 9, 2, 0, 0)),
        # Good Friday 2026 after Maundy Thursday: Easter Monday is a holiday too.
        (uk(2026, 4, 2, 16, 45), uk(2026, 4, 7, 16, 45)),
    ],
)
def test_one_working_day_after(submitted, due):
    assert WorkingCalendar().one_working_day_after(submitted) == due.astimezone(UTC)


def test_the_result_is_utc_and_the_input_may_be_in_any_zone():
    due = WorkingCalendar().one_working_day_after(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    assert due.tzinfo == UTC and due == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def test_across_the_start_of_summer_time_the_uk_time_is_kept():
    """Friday 27 March 2026 3pm GMT -> Monday 30 March 3pm BST (the clocks went forward on Sunday), which is
    2pm UTC, not 3pm: the deadline is a time on the office clock."""
    due = WorkingCalendar().one_working_day_after(uk(2026, 3, 27, 15, 0))
    assert due.astimezone(UK) == uk(2026, 3, 30, 15, 0)
    assert due == datetime(2026, 3, 30, 14, 0, tzinfo=UTC)


def test_across_the_end_of_summer_time_the_uk_time_is_kept():
    """Friday 23 October 2026 9am BST (8am UTC) -> Monday 26 October 9am GMT (9am UTC)."""
    due = WorkingCalendar().one_working_day_after(uk(2026, 10, 23, 9, 0))
    assert due == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_an_authority_closure_day_is_skipped():
    calendar = WorkingCalendar({date(2026, 11, 30): False})
    assert not calendar.is_working_day(date(2026, 11, 30))
    assert calendar.one_working_day_after(uk(2026, 11, 27, 15, 0)) == uk(2026, 12, 1, 15, 0).astimezone(UTC)


def test_a_bank_holiday_the_authority_works_counts():
    calendar = WorkingCalendar({date(2026, 12, 28): True})
    assert calendar.is_working_day(date(2026, 12, 28)) and not WorkingCalendar().is_working_day(date(2026, 12, 28))
    assert calendar.one_working_day_after(uk(2026, 12, 24, 10, 0)) == uk(2026, 12, 28, 10, 0).astimezone(UTC)


# Through the submit page ------------------------------------------------------------------------------


def _calendar_day(app, side, day, is_working_day, label):
    from portal.casework.models import CalendarDay
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        db.session.add(CalendarDay(day=day, is_working_day=is_working_day, label=label))
        db.session.commit()


def _submit_at(app, side, moment):
    """Submit a draft through the form at ``moment``; returns (the saved referral, the confirmation page)."""
    referral_id = make_referral(app, side, make_pupil(app, side))
    with travel(moment):
        client = app.test_client()
        sign_in(client, side.dsl1)
        response = client.post(f"/referrals/{referral_id}/edit", data=form(submit_referral="Submit referral"))
        assert response.status_code == 302, page_text(response)
        confirmation = page_text(client.get(response.headers["Location"]))
    return referral(app, side, referral_id), confirmation


def test_submitted_on_a_friday_afternoon_it_is_due_on_monday_afternoon(app, world):
    saved, page = _submit_at(app, world.a, uk(2026, 11, 27, 15, 0))
    assert saved.submitted_at == uk(2026, 11, 27, 15, 0) and saved.due_at == uk(2026, 11, 30, 15, 0)
    assert "decide on next steps by 3pm on Monday 30 November 2026" in page


def test_submitted_on_christmas_eve_it_is_due_the_next_tuesday(app, world):
    saved, page = _submit_at(app, world.a, uk(2026, 12, 24, 10, 0))
    assert saved.due_at == uk(2026, 12, 29, 10, 0)
    assert "by 10am on Tuesday 29 December 2026" in page


def test_submitted_on_a_saturday_it_is_due_at_the_end_of_the_next_working_day(app, world):
    saved, page = _submit_at(app, world.a, uk(2026, 11, 28, 11, 30))
    assert saved.due_at == uk(2026, 12, 1, 0, 0)
    assert "by the end of Monday 30 November 2026" in page


def test_the_authoritys_closure_day_is_skipped(app, world):
    _calendar_day(app, world.a, date(2026, 11, 30), False, "Staff training day")
    saved, page = _submit_at(app, world.a, uk(2026, 11, 27, 15, 0))
    assert saved.due_at == uk(2026, 12, 1, 15, 0)
    assert "by 3pm on Tuesday 1 December 2026" in page


def test_a_bank_holiday_the_authority_works_counts_as_a_working_day(app, world):
    _calendar_day(app, world.a, date(2026, 12, 28), True, "Front door open on the Boxing Day substitute")
    saved, _ = _submit_at(app, world.a, uk(2026, 12, 24, 10, 0))
    assert saved.due_at == uk(2026, 12, 28, 10, 0)


def test_another_authoritys_calendar_does_not_count(app, world):
    _calendar_day(app, world.b, date(2026, 11, 30), False, "Brackley training day")
    saved, _ = _submit_at(app, world.a, uk(2026, 11, 27, 15, 0))
    assert saved.due_at == uk(2026, 11, 30, 15, 0)


def test_across_summer_time_the_page_shows_the_uk_time(app, world):
    saved, page = _submit_at(app, world.a, uk(2026, 3, 27, 15, 0))
    assert saved.due_at == datetime(2026, 3, 30, 14, 0, tzinfo=UTC)
    assert "by 3pm on Monday 30 March 2026" in page


def test_the_referrals_page_says_when_it_is_due_and_then_how_overdue_it_is(app, world):
    """Does the referral's page say when it is due and how long is left, "Due today" on the day, then
    "Overdue by 2 hours" in words (not colour alone), and nothing about the clock once it is decided?"""
    saved, _ = _submit_at(app, world.a, uk(2026, 11, 27, 15, 15))

    def page_at(moment):
        with travel(moment):
            client = app.test_client()
            sign_in(client, world.a.front_door)
            return client, page_text(client.get(f"/referrals/{saved.id}"))

    _, page = page_at(uk(2026, 11, 27, 18, 0))
    assert "Due by 3:15pm on Monday 30 November 2026 (2 days 21 hours left)." in page and "Overdue" not in page
    _, page = page_at(uk(2026, 11, 30, 9, 0))
    assert "Due today by 3:15pm on Monday 30 November 2026 (6 hours 15 minutes left)." in page
    client, page = page_at(uk(2026, 11, 30, 17, 15))
    assert "Overdue by 2 hours: it was due by 3:15pm on Monday 30 November 2026." in page
    with travel(uk(2026, 11, 30, 17, 20)):
        client.post(f"/referrals/{saved.id}/acknowledge")
        client.post(
            f"/referrals/{saved.id}/decide",
            data={"decision": "no_further_action", "decision_level": "universal", "reason": "The school's support plan is enough."},
        )
        page = page_text(client.get(f"/referrals/{saved.id}"))
    assert "Overdue" not in page and "Due by" not in page and "No further action" in page


#: A referral submitted at each awkward moment (tests/moments.py) is due then, and the page says so.
DUE_AT_AWKWARD_MOMENTS = {
    # Tuesday 15 June 2027 at 00:30 BST, a working day: the same time the next working day.
    "half-past-midnight": (uk(2027, 6, 16, 0, 30), "by 12:30am on Wednesday 16 June 2027"),
    # Sunday 28 March 2027 (the clocks go forward); Easter Monday follows: the whole of Tuesday 30 March.
    "clocks-go-forward": (uk(2027, 3, 31, 0, 0), "by the end of Tuesday 30 March 2027"),
    # Sunday 31 October 2027 (the clocks go back): the whole of Monday 1 November.
    "clocks-go-back": (uk(2027, 11, 2, 0, 0), "by the end of Monday 1 November 2027"),
    # Thursday 31 December 2026 at 23:59, a working day; New Year's Day and the weekend are not.
    "new-year": (uk(2027, 1, 4, 23, 59), "by 11:59pm on Monday 4 January 2027"),
    # Tuesday 29 February 2028 at 9am: the next day is 1 March.
    "leap-day": (uk(2028, 3, 1, 9, 0), "by 9am on Wednesday 1 March 2028"),
    # The early May bank holiday, Monday 3 May 2027: the whole of Tuesday 4 May.
    "bank-holiday-monday": (uk(2027, 5, 5, 0, 0), "by the end of Tuesday 4 May 2027"),
}


def test_a_referral_submitted_at_an_awkward_moment_is_due_one_working_day_later(awkward_moment, app, world):
    """Submitted at 00:30 UK time in summer, as the clocks change, a minute before New Year, on 29 February
    or on a bank holiday Monday: is it due when Working Together's one working day says, in UK time, and
    does the confirmation say when?"""
    [name] = [key for key, moment in AWKWARD_MOMENTS.items() if moment == awkward_moment]
    due, words = DUE_AT_AWKWARD_MOMENTS[name]
    saved, page = _submit_at(app, world.a, awkward_moment)
    assert saved.submitted_at == awkward_moment
    assert saved.due_at == due
    assert f"decide on next steps {words}" in page
