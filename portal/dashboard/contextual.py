"""Dashboard figures for contextual safeguarding: open context referrals by level and age, upcoming
summits and partnership meetings, overdue plan actions by owner. Every figure is counted from what the
person may see (``visible_query``), so a partner's dashboard counts only what they were invited into."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from portal.clock import uk_today
from portal.contexts.models import ContextReferral, ContextReferralStatus
from portal.extensions import db
from portal.meetings.models import MeetingStatus, PartnershipMeeting
from portal.partnership.models import OPEN_ACTION_STATUSES, PlanAction
from portal.policies import visible_query
from portal.summits.models import SafetySummit, SummitStatus
from portal.summits.policy import summit_content
from portal.vocabulary import Level

#: Age bands of an open context referral (days since it was raised).
AGE_BANDS = (("Under 1 week", 0, 7), ("1 to 4 weeks", 7, 28), ("Over 4 weeks", 28, None))
LEVELS = (Level.UNIVERSAL, Level.EARLY_HELP, Level.CHILD_IN_NEED, Level.CHILD_PROTECTION)
UPCOMING = 5


@dataclass
class Upcoming:
    kind: str
    title: str
    when: datetime
    school: str
    endpoint: str
    ids: dict


@dataclass
class OverdueOwner:
    owner: str
    count: int
    oldest: date


@dataclass
class ContextualFigures:
    open_referrals: int = 0
    #: One row per level: (level label, [count per age band], total).
    by_level: list[tuple[str, list[int], int]] = field(default_factory=list)
    level_chart: list[tuple[str, int]] = field(default_factory=list)
    upcoming: list[Upcoming] = field(default_factory=list)
    overdue_by_owner: list[OverdueOwner] = field(default_factory=list)
    overdue_total: int = 0


def _band(age: timedelta) -> int:
    days = age.days
    for index, (_, low, high) in enumerate(AGE_BANDS):
        if days >= low and (high is None or days < high):
            return index
    return len(AGE_BANDS) - 1


def contextual_figures(user, now: datetime) -> ContextualFigures:
    figures = ContextualFigures()
    referrals = db.session.execute(
        visible_query(ContextReferral, user)
        .with_only_columns(ContextReferral.referrer_level, ContextReferral.created_at)
        .where(ContextReferral.status == ContextReferralStatus.AWAITING_DECISION)
    ).all()
    grid = {level: [0] * len(AGE_BANDS) for level in LEVELS}
    for level, created_at in referrals:
        grid[level][_band(now - created_at)] += 1
    figures.open_referrals = len(referrals)
    figures.by_level = [(level.label, grid[level], sum(grid[level])) for level in LEVELS]
    figures.level_chart = [(level.label, sum(grid[level])) for level in LEVELS if sum(grid[level])]

    summits = (
        db.session.execute(
            visible_query(SafetySummit, user)
            .where(summit_content(user), SafetySummit.starts_at >= now, SafetySummit.status == SummitStatus.PLANNING)
            .order_by(SafetySummit.starts_at)
            .limit(UPCOMING)
        )
        .unique()
        .scalars()
        .all()
    )
    meetings = (
        db.session.execute(
            visible_query(PartnershipMeeting, user)
            .where(PartnershipMeeting.meets_at >= now, PartnershipMeeting.status == MeetingStatus.PLANNED)
            .order_by(PartnershipMeeting.meets_at)
            .limit(UPCOMING)
        )
        .unique()
        .scalars()
        .all()
    )
    figures.upcoming = sorted(
        [Upcoming("Safety summit", s.title, s.starts_at, s.host.name, "summits.detail", {"summit_id": s.id}) for s in summits]
        + [Upcoming("School partnership meeting", m.title, m.meets_at, m.organisation.name, "meetings.detail", {"meeting_id": m.id}) for m in meetings],
        key=lambda u: u.when,
    )[:UPCOMING]

    today = uk_today(now)
    overdue = (
        db.session.execute(visible_query(PlanAction, user).where(PlanAction.status.in_(OPEN_ACTION_STATUSES), PlanAction.due_on < today))
        .unique()
        .scalars()
        .all()
    )
    counts: Counter = Counter()
    oldest: dict[str, date] = {}
    for action in overdue:
        counts[action.owner_name] += 1
        oldest[action.owner_name] = min(oldest.get(action.owner_name, action.due_on), action.due_on)
    figures.overdue_total = len(overdue)
    figures.overdue_by_owner = [OverdueOwner(owner, count, oldest[owner]) for owner, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return figures
