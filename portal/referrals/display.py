"""How the referral pages show a referral: its status tag, and its times and the one-working-day
deadline in words (UK time), so every page says them the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from portal.clock import UK
from portal.referrals.models import ReferralStatus

S = ReferralStatus

#: What each status tag looks like (the words carry the meaning; the colour only repeats it).
STATUS_TAG_CLASSES = {
    S.DRAFT: "govuk-tag--grey",
    S.SUBMITTED: "govuk-tag--blue",
    S.ACKNOWLEDGED: "govuk-tag--light-blue",
    S.INFORMATION_REQUESTED: "govuk-tag--yellow",
    S.INFORMATION_PROVIDED: "govuk-tag--turquoise",
    S.DECIDED: "govuk-tag--green",
    S.CLOSED: "govuk-tag--grey",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def duration_words(delta: timedelta) -> str:
    """``2 hours 15 minutes``, ``1 day 3 hours``, ``less than a minute`` (the two largest units)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_plural(days, "day"))
    if hours:
        parts.append(_plural(hours, "hour"))
    if mins and not days:
        parts.append(_plural(mins, "minute"))
    return " ".join(parts[:2]) if parts else "less than a minute"


def _clock_time(local: datetime) -> str:
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    return local.strftime("%-I%p" if local.minute == 0 else "%-I:%M%p").lower()


def deadline_words(due_at: datetime) -> str:
    """``3:15pm on Monday 30 November 2026`` in UK time; a deadline at midnight is ``the end of`` the day
    before (a referral made on a non-working day has the whole of the next working day)."""
    local = due_at.astimezone(UK)
    if local.time() == time(0, 0):
        return f"the end of {(local.date() - timedelta(days=1)).strftime('%A %-d %B %Y')}"
    return f"{_clock_time(local)} on {local.strftime('%A %-d %B %Y')}"


@dataclass(frozen=True)
class Clock:
    """Where an open referral stands against its one-working-day deadline."""

    due_at: datetime
    overdue: bool
    #: Not overdue, and due before midnight tonight (UK time).
    due_today: bool
    #: How long until the deadline, or since it passed, in words (``2 hours 15 minutes``).
    span: str

    @property
    def by(self) -> str:
        return deadline_words(self.due_at)

    @property
    def left(self) -> str:
        return f"{self.span} past the deadline" if self.overdue else f"{self.span} left"


class OnTheClock(Protocol):
    """What the clock reads of a referral: a Referral, or a row of a list of them (``ReferralRow``)."""

    @property
    def is_open(self) -> bool: ...

    @property
    def due_at(self) -> datetime | None: ...


def clock(referral: OnTheClock, now: datetime) -> Clock | None:
    """The open referral's clock at ``now``; ``None`` once it is decided (or before it is sent)."""
    if not referral.is_open or referral.due_at is None:
        return None
    due = referral.due_at
    if due <= now:
        return Clock(due, True, False, duration_words(now - due))
    midnight = datetime.combine(now.astimezone(UK).date() + timedelta(days=1), time(0, 0), tzinfo=UK)
    return Clock(due, False, due <= midnight, duration_words(due - now))


def ago_words(moment: datetime | None, now: datetime) -> str:
    """``3 hours ago``, or ``Not yet`` when it has not happened."""
    return "Not yet" if moment is None else f"{duration_words(now - moment)} ago"
