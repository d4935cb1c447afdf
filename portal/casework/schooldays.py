"""School days, for the clock of a child protection file's move to a new school.

Keeping Children Safe in Education asks a school to transfer a child's child protection file to the new
school within 5 school days of an in-year move, or within the first 5 school days of a new term. The
portal counts those days here.

A school day is a weekday (Monday to Friday) that is not a bank holiday in England
(:data:`portal.casework.workingdays.ENGLAND_BANK_HOLIDAYS`) and not in one of the authority's school
holidays (:class:`portal.casework.models.SchoolHoliday`: half terms, the Christmas, Easter and summer
holidays, closure days for all its schools). Days are UK days. INSET (staff training) days belong to one
school and are not kept: the authority-wide calendar cannot know them, so they count as school days.

The rule: something confirmed at any moment of a UK day (a school day or not) is due by the end of the
5th school day after that day. Confirmed on a Monday of a normal week, it is due by the end of the next
Monday; confirmed on a Saturday, by the end of the Friday after; confirmed in the summer holidays, by the
end of the 5th day of the new term. The school's DSLs are reminded at the start of the 3rd school day
after, and the head is told at the start of the 5th.

These school days are not the front door's working days (:mod:`portal.casework.workingdays`): schools
close for their holidays while the front door stays open.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple

from portal.casework.workingdays import ENGLAND_BANK_HOLIDAYS
from portal.clock import UK, uk_midnight

#: How far the count looks for a school day before deciding the calendar is wrong (a year with no school
#: day in it means holidays were entered that cover it).
_LOOK_AHEAD_DAYS = 366


class ReminderMoments(NamedTuple):
    """When a file still not sent is chased: aware UTC moments."""

    #: The start (UK midnight) of the 3rd school day after: the school's DSLs are reminded.
    remind_dsls: datetime
    #: The start (UK midnight) of the 5th school day after, its last day: the head is told.
    tell_head: datetime


def _merged(holidays: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """The holidays as sorted ranges that neither overlap nor touch (a range whose last day comes before
    its first is ignored)."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted((first, last) for first, last in holidays if last >= first):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


class SchoolCalendar:
    """England's school days for one authority: weekdays, less England's bank holidays, less the
    authority's school holidays (``holidays``: ``(first_day, last_day)`` pairs, both days included).

    An INSET day is one school's own and is not known here (it counts as a school day)."""

    def __init__(self, holidays: Iterable[tuple[date, date]] = (), bank_holidays: Mapping[date, str] | None = None):
        self.holidays = _merged(holidays)
        self._firsts = [first for first, _last in self.holidays]
        self.bank_holidays = dict(ENGLAND_BANK_HOLIDAYS if bank_holidays is None else bank_holidays)

    def in_holiday(self, day: date) -> bool:
        """Whether ``day`` falls in one of the authority's school holidays."""
        index = bisect_right(self._firsts, day) - 1
        return index >= 0 and day <= self.holidays[index][1]

    def is_school_day(self, day: date) -> bool:
        """A weekday that is neither a bank holiday in England nor in one of the authority's school holidays."""
        return day.weekday() < 5 and day not in self.bank_holidays and not self.in_holiday(day)

    def nth_school_day_after(self, day: date, n: int) -> date:
        """The ``n``-th school day strictly after ``day`` (``n`` of 1 is the next school day)."""
        if n < 1:
            raise ValueError("Count at least one school day.")
        candidate, found, gap = day, 0, 0
        while found < n:
            candidate += timedelta(days=1)
            if self.is_school_day(candidate):
                found, gap = found + 1, 0
            else:
                gap += 1
                if gap > _LOOK_AHEAD_DAYS:
                    raise ValueError("No school day within a year: check the authority's school holidays.")
        return candidate

    def school_days_between(self, start: date, end: date) -> int:
        """How many school days come after ``start``, up to and including ``end`` (0 if ``end`` is not
        after ``start``): ``school_days_between(d, nth_school_day_after(d, n)) == n``."""
        count, day = 0, start + timedelta(days=1)
        while day <= end:
            count += self.is_school_day(day)
            day += timedelta(days=1)
        return count

    def five_school_days_after(self, moment: datetime) -> datetime:
        """When something confirmed at ``moment`` (aware) is due: the end of the 5th school day after the
        UK date of ``moment``, which is the UK midnight starting the next day, as an aware UTC datetime
        (23:00 UTC in summer, 00:00 UTC in winter)."""
        fifth = self.nth_school_day_after(_uk_day(moment), 5)
        return uk_midnight(fifth + timedelta(days=1))

    def reminder_moments(self, moment: datetime) -> ReminderMoments:
        """For something confirmed at ``moment`` (aware): the start (UK midnight, as aware UTC) of the 3rd
        school day after its UK date, when the school's DSLs are reminded, and of the 5th, when the head
        is told."""
        day = _uk_day(moment)
        return ReminderMoments(
            remind_dsls=uk_midnight(self.nth_school_day_after(day, 3)),
            tell_head=uk_midnight(self.nth_school_day_after(day, 5)),
        )


def _uk_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValueError("Count school days from an aware datetime (with its time zone), not a naive one.")
    return moment.astimezone(UK).date()


def authority_school_calendar() -> SchoolCalendar:
    """The school days of the authority in context: England's bank holidays and its school holidays (one
    query)."""
    from sqlalchemy import select

    from portal.casework.models import SchoolHoliday
    from portal.extensions import db

    rows = db.session.execute(select(SchoolHoliday.first_day, SchoolHoliday.last_day)).all()
    return SchoolCalendar((row.first_day, row.last_day) for row in rows)
