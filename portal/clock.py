"""The portal's one clock: every "now" and every "today" in the portal comes from here.

Times are kept as aware UTC datetimes; days are UK days (``Europe/London``), because a school day, a
due date and a working day all end at UK midnight, which is 23:00 UTC half the year.

A test run can set the clock: frozen at a moment (``travel(moment)``), or started at a moment and then
ticking with real time (``travel(moment, tick=True)``, ``set_clock``). Outside the tests the clock is
the machine's. The ``PORTAL_CLOCK`` setting (an ISO 8601 moment with its offset) starts a ticking clock
for a server run by the end-to-end journeys; it is honoured only when ``PORTAL_ENV=test`` and refused
with a message in any other mode, so production can never be told what time it is.
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


class ClockSettingRefused(ValueError):
    """``PORTAL_CLOCK`` was given outside a test run, or is not a moment with a time zone."""


@dataclass(frozen=True)
class _Setting:
    """Where the clock was put: ``anchor`` at the real monotonic time ``started``; frozen or ticking."""

    anchor: datetime
    started: float
    ticking: bool


_setting: _Setting | None = None
_lock = threading.Lock()


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    setting = _setting
    if setting is None:
        return datetime.now(UTC)
    if not setting.ticking:
        return setting.anchor
    return setting.anchor + timedelta(seconds=_time.monotonic() - setting.started)


def uk_now() -> datetime:
    """Now, in UK time."""
    return utcnow().astimezone(UK)


def uk_today(now: datetime | None = None) -> date:
    """Today's date in the UK (at ``now``, default the present)."""
    return (now or utcnow()).astimezone(UK).date()


def uk_midnight(day: date) -> datetime:
    """The moment ``day`` begins in the UK, as an aware UTC datetime (23:00 UTC the day before in summer)."""
    return datetime.combine(day, time(0, 0), tzinfo=UK).astimezone(UTC)


def uk_moment(day: date, at: time) -> datetime:
    """The moment a UK clock showed ``at`` on ``day``, as an aware UTC datetime. A time shown twice (the
    hour the clocks go back) is taken the first time; see ``missing_uk_time`` for the hour that never was."""
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


def missing_uk_time(day: date, at: time) -> bool:
    """Whether no UK clock showed ``at`` on ``day`` (the hour skipped when the clocks go forward)."""
    wall = datetime.combine(day, at, tzinfo=UK)
    return wall.astimezone(UTC).astimezone(UK).replace(tzinfo=None) != wall.replace(tzinfo=None)


def uk_datetime(value: datetime | None, fmt: str = "%-d %B %Y at %-I:%M%p") -> str:
    """``14 March 2026 at 9:05am`` in UK time (GOV.UK style)."""
    if value is None:
        return ""
    text = value.astimezone(UK).strftime(fmt)
    return text.replace("AM", "am").replace("PM", "pm")


def uk_date(value: date | datetime | None) -> str:
    """``14 March 2026``; a datetime is taken in UK time first."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK)
    return value.strftime("%-d %B %Y")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("The clock takes an aware datetime (with its time zone), not a naive one.")
    return moment.astimezone(UTC)


def set_clock(moment: datetime, *, tick: bool = True) -> None:
    """Put the clock at ``moment``: frozen there, or ticking on from it (tests only)."""
    global _setting
    with _lock:
        _setting = _Setting(anchor=_aware(moment), started=_time.monotonic(), ticking=tick)


def reset_clock() -> None:
    """Back to the machine's clock."""
    global _setting
    with _lock:
        _setting = None


class Traveller:
    """The handle ``travel`` gives: ``shift`` moves the clock on (or back) from where it reads now."""

    def __init__(self, tick: bool):
        self.tick = tick

    def shift(self, delta: timedelta) -> None:
        set_clock(utcnow() + delta, tick=self.tick)

    def move_to(self, moment: datetime) -> None:
        set_clock(moment, tick=self.tick)


@contextmanager
def travel(moment: datetime, *, tick: bool = False) -> Iterator[Traveller]:
    """Inside the block the clock reads ``moment`` (frozen, or ticking on from it); then as before."""
    global _setting
    with _lock:
        before = _setting
    set_clock(moment, tick=tick)
    try:
        yield Traveller(tick)
    finally:
        with _lock:
            _setting = before


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment with its offset (``2027-03-28T00:59:00+00:00``), as aware UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ClockSettingRefused(f"PORTAL_CLOCK must be an ISO 8601 moment such as 2027-03-28T00:59:00+00:00, not {text!r}") from exc
    if moment.tzinfo is None:
        raise ClockSettingRefused(f"PORTAL_CLOCK must say its offset from UTC (for example +00:00), not {text!r}")
    return moment.astimezone(UTC)


def configure(settings: dict) -> None:
    """Honour ``PORTAL_CLOCK`` in a test run (a ticking clock from that moment); refuse it otherwise."""
    value = settings.get("PORTAL_CLOCK")
    if not value:
        return
    if settings.get("PORTAL_ENV") != "test":
        raise ClockSettingRefused("PORTAL_CLOCK sets the portal's clock for a test run and is refused unless PORTAL_ENV=test.")
    set_clock(parse_moment(value), tick=True)
