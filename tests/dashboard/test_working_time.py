"""The dashboard's clock arithmetic: "over one working day" as one SQL comparison, and hours on working
days for the medians."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.casework.workingdays import WorkingCalendar
from portal.dashboard.figures import elapsed, one_working_day_ago, period_start, working_hours
from tests.dashboard.data import uk

# Easter 2027: Good Friday 26 March, Easter Monday 29 March (bank holidays); clocks go forward on Sunday 28 March.
EASTER = [date(2027, 3, 24) + timedelta(days=n) for n in range(9)]


@pytest.mark.parametrize("now_day", EASTER, ids=str)
@pytest.mark.parametrize("now_hour", [0, 9, 23])
def test_one_working_day_ago_agrees_with_the_clock(now_day, now_hour):
    """For every moment of the week around Easter (bank holidays, a weekend, the clocks changing), is
    "received before one_working_day_ago(now)" the same as "its one working day ran out before now"?"""
    calendar = WorkingCalendar()
    now = uk(now_day, now_hour, 30)
    cutoff = one_working_day_ago(calendar, now)
    start = datetime(2027, 3, 15, tzinfo=UTC)
    for quarter_hours in range(4 * 24 * 20):
        received = start + timedelta(minutes=15 * quarter_hours)
        if received > now:
            break
        assert (received < cutoff) == (calendar.one_working_day_after(received) < now), received


def test_hours_on_working_days_leave_out_weekends_and_bank_holidays():
    """Thursday 16:00 before Easter to Tuesday 10:00 after it: 8 hours on Thursday and 10 on Tuesday."""
    calendar = WorkingCalendar()
    assert working_hours(calendar, uk(date(2027, 3, 25), 16), uk(date(2027, 3, 30), 10)) == 18
    assert working_hours(calendar, uk(date(2027, 3, 22), 9), uk(date(2027, 3, 22), 11, 30)) == 2.5
    # An authority's closure day is not counted; a worked bank holiday is.
    closed = WorkingCalendar({date(2027, 3, 23): False, date(2027, 3, 26): True})
    assert working_hours(closed, uk(date(2027, 3, 22), 12), uk(date(2027, 3, 24), 12)) == 24
    assert working_hours(closed, uk(date(2027, 3, 25), 12), uk(date(2027, 3, 26), 12)) == 24


def test_elapsed_and_periods_read_as_people_say_them():
    assert elapsed(timedelta(minutes=50)) == "less than an hour"
    assert elapsed(timedelta(hours=1, minutes=59)) == "1 hour"
    assert elapsed(timedelta(days=2, hours=3, minutes=10)) == "2 days 3 hours"
    assert elapsed(timedelta(days=1)) == "1 day"
    now = uk(date(2027, 6, 9), 0, 30)  # 23:30 on 8 June in UTC
    assert period_start("30d", now) == uk(date(2027, 5, 10), 0)
    assert period_start("12m", now) == uk(date(2026, 6, 9), 0)
    assert period_start("12m", uk(date(2028, 2, 29), 12)) == uk(date(2027, 2, 28), 0)
