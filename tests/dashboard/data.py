"""Test data and page reading for the dashboard: referrals with chosen timestamps (as model rows, in the
authority's tenant scope), moments in UK time, and the figures a page shows."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, date, datetime, timedelta

from portal.clock import UK, uk_today


def uk(day: date, hour: int, minute: int = 0) -> datetime:
    """A UK wall-clock time as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UK).astimezone(UTC)


def summer_wednesday() -> date:
    """The second Wednesday of June next year: in British Summer Time (UK and UTC dates differ around
    midnight), at least a week into the month, clear of bank holidays, and always in the future (the
    world's accounts are created now; a test that moved the clock back would sign in before them)."""
    day = date(uk_today().year + 1, 6, 8)
    while day.weekday() != 2:
        day += timedelta(days=1)
    return day


def add_referral(
    app,
    side,
    pupil_id,
    school: str = "school1",
    *,
    submitted_at: datetime | None = None,
    due_at: datetime | None = None,
    acknowledged_at: datetime | None = None,
    decided_at: datetime | None = None,
    decision=None,
    last_feedback_at: datetime | None = None,
    categories=("neglect",),
    level="child_in_need",
    what_happened: str = "Came to school hungry again.",
) -> uuid.UUID:
    """A referral row in the state its timestamps say (draft, submitted, acknowledged or decided)."""
    from portal.casework.workingdays import WorkingCalendar
    from portal.extensions import db
    from portal.referrals.models import ParentsAware, Referral, ReferralDecision, ReferralStatus
    from portal.vocabulary import Level
    from tenants.context import tenant_scope

    author = side.people["dsl1" if school == "school1" else "dsl2"]
    if decided_at is not None:
        status = ReferralStatus.DECIDED
    elif acknowledged_at is not None:
        status = ReferralStatus.ACKNOWLEDGED
    elif submitted_at is not None:
        status = ReferralStatus.SUBMITTED
    else:
        status = ReferralStatus.DRAFT
    if submitted_at is not None and due_at is None:
        due_at = WorkingCalendar().one_working_day_after(submitted_at)
    with app.app_context(), tenant_scope(side.authority_id, author.id):
        referral = Referral(
            organisation_id=getattr(side, school),
            pupil_id=pupil_id,
            created_by_id=author.id,
            status=status,
            categories=list(categories),
            what_happened=what_happened,
            parents_aware=ParentsAware.YES,
            school_view_level=Level(level) if level else None,
            submitted_at=submitted_at,
            due_at=due_at,
            acknowledged_at=acknowledged_at or decided_at,
            decided_at=decided_at,
            decision=ReferralDecision(decision) if decision else None,
            decision_reason="Reason recorded by the front door." if decided_at else None,
            last_feedback_at=last_feedback_at,
        )
        db.session.add(referral)
        db.session.commit()
        return referral.id


def add_duty(app, person, duty: str = "front_door_manager") -> None:
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(person.authority_id):
        db.session.add(AuthorityDuty(user_id=person.id, duty=Duty(duty)))
        db.session.commit()


# Reading the page ---------------------------------------------------------------------------------


def clean(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def summary(markup: str) -> dict[str, str]:
    """The page's summary lists: key -> value, as read."""
    pairs = re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>', markup, re.S)
    return {clean(key): clean(value) for key, value in pairs}


def chart_block(markup: str, chart_id: str) -> str:
    match = re.search(rf'id="{re.escape(chart_id)}-heading">.*?</div>', markup, re.S)
    assert match, f"no chart {chart_id} on the page"
    return match.group(0)


def chart_bars(markup: str, chart_id: str) -> list[tuple[str, str]]:
    """(label, value) pairs written on a chart's SVG, in order."""
    svg = re.search(r"<svg.*?</svg>", chart_block(markup, chart_id), re.S)
    assert svg, f"chart {chart_id} has no SVG"
    texts = [clean(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg.group(0), re.S)]
    return list(zip(texts[0::2], texts[1::2], strict=True))


def chart_table(markup: str, chart_id: str) -> list[tuple[str, str]]:
    """(label, value) rows of the table that follows a chart."""
    body = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', chart_block(markup, chart_id), re.S)
    assert body, f"chart {chart_id} has no table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [tuple(clean(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)) for row in rows]


def table_after(markup: str, caption_start: str) -> list[tuple[str, ...]]:
    """Rows of the table whose caption starts with ``caption_start``."""
    match = re.search(rf"<caption[^>]*>\s*{re.escape(caption_start)}.*?<tbody[^>]*>(.*?)</tbody>", markup, re.S)
    assert match, f"no table captioned {caption_start!r}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S)
    return [tuple(clean(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)) for row in rows]
