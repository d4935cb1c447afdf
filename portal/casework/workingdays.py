"""Working days, for the one-working-day clock.

Working Together to Safeguard Children expects a referral to be acknowledged, and a decision on next
steps made, within one working day. A working day here is a weekday that is not a bank holiday in
England, in UK time. The bank holidays are listed below (from GOV.UK's published list); an authority
can add its own closure days, or mark a listed day as a working day, in its settings
(:class:`portal.casework.models.CalendarDay`).

The rule: a referral submitted on a working day at time T is due at time T on the next working day.
One submitted on a non-working day is treated as submitted at the start of the next working day, and is
due at the start of the working day after that (so it has a whole working day).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from portal.clock import UK

#: Bank holidays in England and Wales, 2025 to 2028.
ENGLAND_BANK_HOLIDAYS: dict[date, str] = {
    date(2025, 1, 1): "New Year's Day",
    date(2025, 4, 18): "Good Friday",
    date(2025, 4, 21): "Easter Monday",
    date(2025, 5, 5): "Early May bank holiday",
    date(2025, 5, 26): "Spring bank holiday",
    date(2025, 8, 25): "Summer bank holiday",
    date(2025, 12, 25): "Christmas Day",
    date(2025, 12, 26): "Boxing Day",
    date(2026, 1, 1): "New Year's Day",
    date(2026, 4, 3): "Good Friday",
    date(2026, 4, 6): "Easter Monday",
    date(2026, 5, 4): "Early May bank holiday",
    date(2026, 5, 25): "Spring bank holiday",
    date(2026, 8, 31): "Summer bank holiday",
    date(2026, 12, 25): "Christmas Day",
    date(2026, 12, 28): "Boxing Day (substitute day)",
    date(2027, 1, 1): "New Year's Day",
    date(2027, 3, 26): "Good Friday",
    date(2027, 3, 29): "Easter Monday",
    date(2027, 5, 3): "Early May bank holiday",
    date(2027, 5, 31): "Spring bank holiday",
    date(2027, 8, 30): "Summer bank holiday",
    date(2027, 12, 27): "Christmas Day (substitute day)",
    date(2027, 12, 28): "Boxing Day (substitute day)",
    date(2028, 1, 3): "New Year's Day (substitute day)",
    date(2028, 4, 14): "Good Friday",
    date(2028, 4, 17): "Easter Monday",
    date(2028, 5, 1): "Early May bank holiday",
    date(2028, 5, 29): "Spring bank holiday",
    date(2028, 8, 28): "Summer bank holiday",
    date(2028, 12, 25): "Christmas Day",
    date(2028, 12, 26): "Boxing Day",
}


class WorkingCalendar:
    """England's working days, with one authority's changes (``overrides``: date -> is it a working day)."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, holidays: Mapping[date, str] | None = None):
        self.overrides = dict(overrides or {})
        self.holidays = dict(ENGLAND_BANK_HOLIDAYS if holidays is None else holidays)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = day + timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError("No working day within a year: check the authority's calendar.")

    def one_working_day_after(self, moment: datetime) -> datetime:
        """When something received at ``moment`` (aware) is due, as an aware UTC datetime."""
        local = moment.astimezone(UK)
        if self.is_working_day(local.date()):
            start_day, start_time = local.date(), local.time().replace(tzinfo=None)
        else:
            start_day, start_time = self.next_working_day(local.date()), time(0, 0)
        due_day = self.next_working_day(start_day)
        due = datetime.combine(due_day, start_time, tzinfo=UK)
        return due.astimezone(UTC)


def authority_calendar() -> WorkingCalendar:
    """The calendar of the authority in context (England's bank holidays plus its own changes)."""
    from sqlalchemy import select

    from portal.casework.models import CalendarDay
    from portal.extensions import db

    rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_working_day)).all()
    return WorkingCalendar({row.day: row.is_working_day for row in rows})
