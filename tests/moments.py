"""Awkward moments for the portal's clock, and which one a test run uses.

A run of the suite starts the portal's clock at one of these (``PORTAL_TEST_CLOCK``), and the tests of
dates and times (working-day clocks, due dates, school days, UK midnight) run at every one of them on
every run (the ``awkward_moment`` fixture). Each is written in UTC, with what a clock in the UK shows.

``PORTAL_TEST_CLOCK`` is one of:

* ``real`` (or unset): the machine's clock;
* ``daily`` or ``daily:N``: the moment of the day — the list taken in turn, one a day (UK date), ``N``
  places further on — so that every run is at an awkward moment and, over a week, at each of them;
* a moment's name below, such as ``clocks-go-forward``;
* an ISO 8601 moment with its offset, such as ``2027-06-15T00:30:00+01:00``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from portal.clock import parse_moment, uk_today

AWKWARD_MOMENTS: dict[str, datetime] = {
    # 00:30 in the UK in summer: 23:30 UTC, so the UTC date is still the day before (Tuesday 15 June 2027).
    "half-past-midnight": datetime(2027, 6, 14, 23, 30, tzinfo=UTC),
    # 00:59 GMT on the last Sunday of March; a minute later the clocks go forward to 02:00 BST.
    "clocks-go-forward": datetime(2027, 3, 28, 0, 59, tzinfo=UTC),
    # 01:59 BST on the last Sunday of October; a minute later it is 01:00 GMT and that hour comes again.
    "clocks-go-back": datetime(2027, 10, 31, 0, 59, tzinfo=UTC),
    # A minute before midnight on 31 December (GMT): the date, the month and the year change together.
    "new-year": datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    # 29 February 2028 (a Tuesday, a school day), 09:00 GMT: a year later or earlier has no such day.
    "leap-day": datetime(2028, 2, 29, 9, 0, tzinfo=UTC),
    # 08:30 BST on Monday 3 May 2027, the early May bank holiday: a weekday that is not a working day.
    "bank-holiday-monday": datetime(2027, 5, 3, 7, 30, tzinfo=UTC),
}


def moment_for_run(spec: str | None) -> tuple[str, datetime] | None:
    """The moment a run's clock starts at, and its name (``None``: the machine's clock)."""
    spec = (spec or "").strip()
    if spec in ("", "real"):
        return None
    if spec == "daily" or spec.startswith("daily:"):
        names = list(AWKWARD_MOMENTS)
        step = int(spec.partition(":")[2] or 0)
        name = names[(uk_today().toordinal() + step) % len(names)]
        return name, AWKWARD_MOMENTS[name]
    if spec in AWKWARD_MOMENTS:
        return spec, AWKWARD_MOMENTS[spec]
    return spec, parse_moment(spec)
