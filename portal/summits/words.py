"""How a summit reads on its pages: the year groups young people come from, the date and times in UK
time, the young people taking part, the colour of each status, and the plan's parts by name (shown when
a save is refused, and audited when they change)."""

from __future__ import annotations

from datetime import datetime

from portal.clock import UK
from portal.summits.models import SummitStatus

#: The year groups young people may come from (primary Year 5 to sixth form Year 13).
YEAR_GROUPS = tuple(f"Year {n}" for n in range(5, 14))

STATUS_TAG_CLASSES = {SummitStatus.PLANNING: "govuk-tag--blue", SummitStatus.HELD: "govuk-tag--yellow", SummitStatus.CLOSED: "govuk-tag--grey"}

PLAN_LABELS = {
    "title": "Name of the summit",
    "when": "Date and time",
    "venue": "Venue",
    "young_people": "Young people taking part",
    "consent_arranged": "Consent arranged",
    "consent_notes": "How consent is arranged",
    "inclusion_and_safety": "How it is made inclusive and safe",
}


def when_text(starts_at: datetime | None, ends_at: datetime | None) -> str:
    """``Tuesday 17 March 2026, 09:00 to 12:30`` in UK time, or '' when not set."""
    if starts_at is None:
        return ""
    text = starts_at.astimezone(UK).strftime("%A %-d %B %Y, %H:%M")
    return f"{text} to {ends_at.astimezone(UK).strftime('%H:%M')}" if ends_at else text


def young_people_text(counts: dict | None) -> str:
    counts = counts or {}
    parts = [f"{year}: {counts[year]}" for year in YEAR_GROUPS if counts.get(year)]
    return ", ".join(parts)


def plan_values(summit) -> dict:
    """The summit's plan as it reads, part by part (the keys of :data:`PLAN_LABELS`)."""
    return {
        "title": summit.title,
        "when": when_text(summit.starts_at, summit.ends_at),
        "venue": summit.venue,
        "young_people": young_people_text(summit.young_people),
        "consent_arranged": summit.consent_arranged,
        "consent_notes": summit.consent_notes,
        "inclusion_and_safety": summit.inclusion_and_safety,
    }
