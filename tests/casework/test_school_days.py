"""School days, counted by hand: a child protection file moving school is due by the end of the 5th school
day after the UK day it was confirmed (weekends, England's bank holidays and the authority's school
holidays skipped), and chased at the start of the 3rd and 5th school days.

The calendar of 2027 these examples use: 1 March is a Monday; Good Friday is 26 March and Easter Monday
29 March; the clocks go forward on Sunday 28 March and back on Sunday 31 October."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.casework.schooldays import SchoolCalendar
from portal.clock import UK
from tests.moments import AWKWARD_MOMENTS

HALF_TERM = (date(2027, 2, 15), date(2027, 2, 19))  # Monday to Friday
SUMMER = (date(2027, 7, 22), date(2027, 9, 1))  # Thursday to Wednesday: the new term starts on Thursday 2 September

england = SchoolCalendar()
with_holidays = SchoolCalendar([HALF_TERM, SUMMER])


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_which_days_are_school_days():
    """Weekdays are; a weekend, a bank holiday and a day of half term are not."""
    assert with_holidays.is_school_day(date(2027, 3, 1))  # Monday
    assert not with_holidays.is_school_day(date(2027, 3, 6))  # Saturday
    assert not with_holidays.is_school_day(date(2027, 3, 7))  # Sunday
    assert not with_holidays.is_school_day(date(2027, 3, 26))  # Good Friday
    assert not with_holidays.is_school_day(date(2027, 2, 15))  # first day of half term
    assert not with_holidays.is_school_day(date(2027, 2, 19))  # last day of half term
    assert with_holidays.is_school_day(date(2027, 2, 12))  # the Friday before it
    assert with_holidays.is_school_day(date(2027, 2, 22))  # the Monday after it
    assert england.is_school_day(date(2027, 2, 17))  # without the authority's holidays, a Wednesday


def test_across_a_weekend():
    """Confirmed Wednesday 10 March 2027 at 10:00 (GMT): Thursday 11 (1), Friday 12 (2), Monday 15 (3),
    Tuesday 16 (4), Wednesday 17 (5): due by the end of Wednesday 17 March, midnight GMT."""
    confirmed = utc(2027, 3, 10, 10, 0)
    assert england.nth_school_day_after(date(2027, 3, 10), 5) == date(2027, 3, 17)
    assert england.five_school_days_after(confirmed) == utc(2027, 3, 18, 0, 0)


def test_across_good_friday_and_easter_monday():
    """Confirmed Wednesday 24 March 2027 at 14:00 (GMT): Thursday 25 (1), not Good Friday 26 nor Easter
    Monday 29, Tuesday 30 (2), Wednesday 31 (3), Thursday 1 April (4), Friday 2 April (5). The clocks
    have gone forward: the end of Friday 2 April is 23:00 UTC."""
    confirmed = utc(2027, 3, 24, 14, 0)
    assert england.five_school_days_after(confirmed) == utc(2027, 4, 2, 23, 0)
    assert england.five_school_days_after(confirmed).astimezone(UK) == datetime(2027, 4, 3, 0, 0, tzinfo=UK)


def test_across_a_half_term():
    """Confirmed Thursday 11 February 2027 (half term 15 to 19 February): Friday 12 (1), then Monday 22
    (2) to Thursday 25 (5). Without the half term it would have been Thursday 18."""
    confirmed = utc(2027, 2, 11, 9, 0)
    assert with_holidays.five_school_days_after(confirmed) == utc(2027, 2, 26, 0, 0)
    assert england.five_school_days_after(confirmed) == utc(2027, 2, 19, 0, 0)


@pytest.mark.parametrize("confirmed", [utc(2027, 3, 13, 11, 0), utc(2027, 3, 14, 23, 59)], ids=["saturday", "sunday-just-before-midnight"])
def test_confirmed_at_the_weekend(confirmed):
    """Confirmed on Saturday 13 or Sunday 14 March 2027: Monday 15 (1) to Friday 19 (5), due by the end of
    Friday 19 March."""
    assert england.five_school_days_after(confirmed) == utc(2027, 3, 20, 0, 0)


def test_confirmed_in_the_summer_holidays_counts_from_the_new_term():
    """Confirmed Tuesday 10 August 2027, in the summer holidays: within the first 5 school days of the new
    term, Thursday 2 (1), Friday 3 (2), Monday 6 (3), Tuesday 7 (4), Wednesday 8 September (5); due by
    the end of Wednesday 8 September, 23:00 UTC (BST)."""
    confirmed = utc(2027, 8, 10, 11, 0)
    assert with_holidays.five_school_days_after(confirmed) == utc(2027, 9, 8, 23, 0)
    # The last day of the summer term counts the same way: the days after it are all holiday.
    assert with_holidays.five_school_days_after(utc(2027, 7, 21, 14, 0)) == utc(2027, 9, 8, 23, 0)


@pytest.mark.parametrize(
    ("confirmed", "due"),
    [
        # 23:30 BST on Tuesday 15 June 2027 (22:30 UTC): Wednesday 16 (1) ... Tuesday 22 (5).
        (utc(2027, 6, 15, 22, 30), utc(2027, 6, 22, 23, 0)),
        # 00:30 BST on Tuesday 15 June, when it is still Monday 14 June in UTC: the UK day, Tuesday, counts.
        (utc(2027, 6, 14, 23, 30), utc(2027, 6, 22, 23, 0)),
        # 23:30 UTC on Tuesday 15 June is 00:30 BST on Wednesday 16: Thursday 17 (1) ... Wednesday 23 (5).
        (utc(2027, 6, 15, 23, 30), utc(2027, 6, 23, 23, 0)),
    ],
    ids=["23:30-bst-tuesday", "00:30-bst-tuesday", "00:30-bst-wednesday"],
)
def test_the_uk_date_counts_not_the_utc_date(confirmed, due):
    assert england.five_school_days_after(confirmed) == due


def test_the_deadline_is_uk_midnight_in_summer_and_in_winter():
    """The end of a school day is 23:00 UTC in summer (BST) and 00:00 UTC in winter (GMT)."""
    # Monday 7 June 2027 (BST): due by the end of Monday 14 June.
    summer = england.five_school_days_after(utc(2027, 6, 7, 9, 0))
    assert summer == utc(2027, 6, 14, 23, 0)
    # Monday 6 December 2027 (GMT): due by the end of Monday 13 December.
    winter = england.five_school_days_after(utc(2027, 12, 6, 9, 0))
    assert winter == utc(2027, 12, 14, 0, 0)
    assert summer.astimezone(UK).hour == winter.astimezone(UK).hour == 0


def test_the_reminder_moments():
    """Confirmed Wednesday 10 March 2027: the DSLs are reminded at the start of Monday 15 (the 3rd school
    day), the head told at the start of Wednesday 17 (the 5th), which ends at the deadline."""
    confirmed = utc(2027, 3, 10, 10, 0)
    remind_dsls, tell_head = england.reminder_moments(confirmed)
    assert remind_dsls == utc(2027, 3, 15, 0, 0)
    assert tell_head == utc(2027, 3, 17, 0, 0)
    assert england.five_school_days_after(confirmed) == utc(2027, 3, 18, 0, 0)


def test_the_reminder_moments_over_easter_in_summer_time():
    """Confirmed Wednesday 24 March 2027: the 3rd school day is Wednesday 31 March and the 5th Friday 2
    April, both after the clocks go forward, so each starts at 23:00 UTC the day before."""
    reminders = england.reminder_moments(utc(2027, 3, 24, 14, 0))
    assert reminders.remind_dsls == utc(2027, 3, 30, 23, 0)
    assert reminders.tell_head == utc(2027, 4, 1, 23, 0)


def test_counting_school_days_between_two_dates():
    """From Thursday 11 to Thursday 25 February 2027 there are 5 school days with the half term, 10 without."""
    assert with_holidays.school_days_between(date(2027, 2, 11), date(2027, 2, 25)) == 5
    assert england.school_days_between(date(2027, 2, 11), date(2027, 2, 25)) == 10
    assert england.school_days_between(date(2027, 2, 25), date(2027, 2, 11)) == 0
    assert england.school_days_between(date(2027, 3, 10), date(2027, 3, 10)) == 0


def test_holidays_that_touch_or_overlap_count_as_one():
    """Overlapping holidays (two administrators at once) are counted once, and a holiday of one day is one day."""
    calendar = SchoolCalendar([(date(2027, 2, 15), date(2027, 2, 17)), (date(2027, 2, 16), date(2027, 2, 19)), (date(2027, 3, 3), date(2027, 3, 3))])
    assert [calendar.is_school_day(date(2027, 2, d)) for d in range(12, 23)] == [True, False, False, False, False, False, False, False, False, False, True]
    assert not calendar.is_school_day(date(2027, 3, 3))
    assert calendar.is_school_day(date(2027, 3, 2)) and calendar.is_school_day(date(2027, 3, 4))


def test_a_calendar_with_no_school_days_says_so():
    """A mistaken holiday of more than a year stops the count with a message rather than running on."""
    closed = SchoolCalendar([(date(2027, 1, 1), date(2028, 6, 30))])
    with pytest.raises(ValueError, match="No school day within a year"):
        closed.nth_school_day_after(date(2027, 1, 4), 1)
    with pytest.raises(ValueError, match="at least one"):
        england.nth_school_day_after(date(2027, 1, 4), 0)
    with pytest.raises(ValueError, match="aware"):
        england.five_school_days_after(datetime(2027, 1, 4, 9, 0))


def test_at_every_awkward_moment_the_deadline_is_later_and_ends_a_school_day(awkward_moment):
    """Whatever the moment (UK midnight in summer, the clocks changing, New Year, a leap day, a bank
    holiday Monday), is the deadline after it, at UK midnight, the end of the 5th school day after it,
    with the reminders in between?"""
    calendar = SchoolCalendar([HALF_TERM, SUMMER, (date(2027, 10, 25), date(2027, 10, 29)), (date(2027, 12, 20), date(2027, 12, 31))])
    [name] = [key for key, moment in AWKWARD_MOMENTS.items() if moment == awkward_moment]
    deadline = calendar.five_school_days_after(awkward_moment)
    remind_dsls, tell_head = calendar.reminder_moments(awkward_moment)
    uk_deadline = deadline.astimezone(UK)
    last_day = uk_deadline.date() - timedelta(days=1)

    assert deadline.tzinfo is not None and deadline.utcoffset() == timedelta(0), name
    assert awkward_moment < remind_dsls < tell_head < deadline, name
    assert (uk_deadline.hour, uk_deadline.minute) == (0, 0), name
    assert calendar.is_school_day(last_day), name
    assert calendar.school_days_between(awkward_moment.astimezone(UK).date(), last_day) == 5, name
    assert tell_head.astimezone(UK).date() == last_day and tell_head.astimezone(UK).hour == 0, name
    assert deadline - awkward_moment > timedelta(days=5), name
