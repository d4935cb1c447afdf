"""The dashboards' figures, for the school, the front door and the authority.

Every figure is an aggregate query (``GROUP BY`` / ``COUNT``) through the tenant-scoped session, so the
number of queries does not grow with the number of referrals or schools. The school's figures go
through the policies (:func:`portal.policies.policy_for`) and one school the user holds the casework
of; the front door's through the referral policy. The authority's figures are counts across all of the
authority's schools, with school names and nothing about any child: an authority administrator sees no
child-level data (DESIGN.md §1). That section loads no referral, only counts, the categories lists and
the timestamps the medians need.

Times are in UK time (days and months begin at midnight in London). "Hours on working days" count only
the time that falls on working days (weekends, bank holidays and the authority's closure days are left
out), as the one-working-day clock does (``portal.casework.workingdays``).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import median

from sqlalchemy import and_, case, func, select

from portal.advice.models import AdviceRequest, AdviceStatus
from portal.authorities.models import Organisation, OrganisationKind
from portal.casework.workingdays import WorkingCalendar, authority_calendar
from portal.clock import UK, uk_midnight
from portal.concerns.models import BUILT_IN_CATEGORIES, Concern, ConcernCategory, ConcernStatus
from portal.extensions import db
from portal.policies import policy_for
from portal.pupils.models import Pupil
from portal.referrals.models import AWAITING_DECISION, DECIDED_STATUSES, Referral, ReferralDecision, ReferralStatus
from portal.transfers.models import IncomingStatus, IncomingTransfer, PupilTransfer, TransferStatus
from portal.vocabulary import Level, harm_labels

#: Decisions below the threshold of children's social care (seed 1: "plot the cases that do not meet
#: the threshold ... look for patterns").
BELOW_THRESHOLD = (ReferralDecision.NO_FURTHER_ACTION, ReferralDecision.UNIVERSAL_SERVICES, ReferralDecision.EARLY_HELP)

#: The authority section's periods: key -> label.
PERIODS = {"30d": "Last 30 days", "90d": "Last 90 days", "12m": "Last 12 months"}
DEFAULT_PERIOD = "30d"

#: How many of a school's open referrals the dashboard lists (longest without news first).
OPEN_REFERRALS_SHOWN = 20

#: The school's concerns by category cover this many days.
CONCERN_DAYS = 30


def _counts(query) -> dict:
    """{group: count} from a query of two columns."""
    return {key: count for key, count in db.session.execute(query)}


def _ordered(counts: dict, order) -> list[tuple[str, int]]:
    """(label, count) rows in the vocabulary's order, leaving out zeros."""
    return [(member.label, counts[member]) for member in order if counts.get(member)]


def _sum(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# Time -------------------------------------------------------------------------------------------


def period_start(period: str, now: datetime) -> datetime:
    """The start of a period ending ``now``: 30 or 90 days, or 12 months, back to midnight UK time."""
    today = now.astimezone(UK).date()
    if period == "12m":
        try:
            start = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            start = today.replace(year=today.year - 1, day=28)
    else:
        start = today - timedelta(days=90 if period == "90d" else 30)
    return uk_midnight(start)


def month_start(now: datetime) -> datetime:
    """The first moment of the current UK calendar month."""
    return uk_midnight(now.astimezone(UK).date().replace(day=1))


def _previous_working_day(calendar: WorkingCalendar, day: date) -> date:
    candidate = day - timedelta(days=1)
    for _ in range(366):
        if calendar.is_working_day(candidate):
            return candidate
        candidate -= timedelta(days=1)
    raise ValueError("No working day within a year: check the authority's calendar.")


def one_working_day_ago(calendar: WorkingCalendar, now: datetime) -> datetime:
    """The moment before which anything received had its one working day run out by ``now``.

    The inverse of :meth:`WorkingCalendar.one_working_day_after`: ``t < one_working_day_ago(now)``
    exactly when ``one_working_day_after(t) < now``, so "over one working day" is one SQL comparison.
    """
    local = now.astimezone(UK)
    today = local.date()
    previous = _previous_working_day(calendar, today)
    if calendar.is_working_day(today):
        moment = datetime.combine(previous, local.time(), tzinfo=UK)
    else:
        # Only what fell due on the last working day or before has run out.
        moment = datetime.combine(_previous_working_day(calendar, previous) + timedelta(days=1), time(0), tzinfo=UK)
    return moment.astimezone(UTC)


def working_hours(calendar: WorkingCalendar, start: datetime, end: datetime) -> float:
    """Hours between ``start`` and ``end`` that fall on working days (UK time)."""
    if end <= start:
        return 0.0
    total = timedelta()
    day, last = start.astimezone(UK).date(), end.astimezone(UK).date()
    while day <= last:
        if calendar.is_working_day(day):
            overlap = min(end, uk_midnight(day + timedelta(days=1))) - max(start, uk_midnight(day))
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def elapsed(delta: timedelta) -> str:
    """``2 days 3 hours``, ``5 hours``, ``less than an hour``."""
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return "less than an hour"
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(f"{days} day{'' if days == 1 else 's'}")
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    return " ".join(parts)


# School -----------------------------------------------------------------------------------------


@dataclass
class OpenReferral:
    id: uuid.UUID
    pupil_name: str
    status: ReferralStatus
    submitted_at: datetime
    last_feedback_at: datetime | None
    #: Since the school last heard (or, if it never has, since it submitted).
    waiting: str
    over_a_working_day: bool


@dataclass
class SchoolFigures:
    school_id: uuid.UUID
    school_name: str
    open_concerns: int
    urgent_concerns: int
    concerns_by_category: list[tuple[str, int]]
    referrals_by_status: list[tuple[str, int]]
    open_referral_count: int
    not_heard_count: int
    open_referrals: list[OpenReferral]
    advice_waiting: int
    transfers: TransferFigures


@dataclass
class TransferFigures:
    """A school's child-protection files moving school: to send (and how many overdue), sent to it and
    waiting to be accepted, accepted and waiting for the DSL's review."""

    to_send: int
    overdue: int
    waiting: int
    to_review: int


def transfer_figures(user, school_id: uuid.UUID, now: datetime) -> TransferFigures:
    """Two queries: the school's outgoing transfers still to send, and the files sent to it."""
    outgoing = and_(policy_for(PupilTransfer).visible(user), PupilTransfer.organisation_id == school_id, PupilTransfer.status == TransferStatus.LEAVING)
    to_send, overdue = db.session.execute(select(func.count(), _sum(PupilTransfer.due_at < now)).where(outgoing)).one()
    incoming = and_(policy_for(IncomingTransfer).visible(user), IncomingTransfer.organisation_id == school_id)
    waiting, to_review = db.session.execute(
        select(
            _sum(IncomingTransfer.status == IncomingStatus.WAITING),
            _sum(and_(IncomingTransfer.status == IncomingStatus.ACCEPTED, IncomingTransfer.reviewed_at.is_(None))),
        ).where(incoming)
    ).one()
    return TransferFigures(to_send=to_send, overdue=overdue or 0, waiting=waiting or 0, to_review=to_review or 0)


def school_names(ids) -> list[tuple[uuid.UUID, str]]:
    """(id, name) of these organisations, by name."""
    if not ids:
        return []
    rows = db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(sorted(ids))).order_by(Organisation.name, Organisation.id))
    return [(row.id, row.name) for row in rows]


def concern_labels() -> dict[str, str]:
    """Concern category key -> label: the built-in list and the authority's own."""
    labels = dict(BUILT_IN_CATEGORIES)
    labels.update(_counts(select(ConcernCategory.key, ConcernCategory.label)))
    return labels


def school_figures(user, school_id: uuid.UUID, school_name: str, now: datetime) -> SchoolFigures:
    """One school's figures. The caller has checked that ``school_id`` is one of ``casework_schools(user)``;
    every query is also limited by the model's policy for ``user``."""
    concerns = and_(policy_for(Concern).visible(user), Concern.organisation_id == school_id)
    referrals = and_(policy_for(Referral).visible(user), Referral.organisation_id == school_id)
    advice = and_(policy_for(AdviceRequest).visible(user), AdviceRequest.organisation_id == school_id)
    waiting_for_dsl = Concern.status == ConcernStatus.NEW

    open_concerns, urgent = db.session.execute(select(func.count(), _sum(Concern.urgent.is_(True))).where(concerns, waiting_for_dsl)).one()

    since = now - timedelta(days=CONCERN_DAYS)
    by_category = db.session.execute(select(Concern.category, func.count()).where(concerns, Concern.created_at >= since).group_by(Concern.category)).all()
    labels = concern_labels()
    concerns_by_category = sorted(((labels.get(key, key), count) for key, count in by_category), key=lambda row: (-row[1], row[0]))

    statuses = _counts(select(Referral.status, func.count()).where(referrals).group_by(Referral.status))
    open_count = sum(statuses.get(status, 0) for status in AWAITING_DECISION)

    calendar = authority_calendar()
    last_heard = func.coalesce(Referral.last_feedback_at, Referral.submitted_at)
    is_open = Referral.status.in_(AWAITING_DECISION)
    not_heard = db.session.execute(select(func.count()).where(referrals, is_open, last_heard < one_working_day_ago(calendar, now))).scalar_one()

    rows = db.session.execute(
        select(
            Referral.id,
            Referral.status,
            Referral.submitted_at,
            Referral.last_feedback_at,
            Pupil.legal_forename,
            Pupil.legal_surname,
            Pupil.preferred_name,
        )
        .join(Pupil, and_(Pupil.id == Referral.pupil_id, Pupil.authority_id == Referral.authority_id))
        .where(referrals, is_open)
        .order_by(last_heard, Referral.id)
        .limit(OPEN_REFERRALS_SHOWN)
    ).all()
    open_referrals = []
    for row in rows:
        heard = row.last_feedback_at or row.submitted_at
        open_referrals.append(
            OpenReferral(
                id=row.id,
                pupil_name=f"{row.preferred_name or row.legal_forename} {row.legal_surname}",
                status=row.status,
                submitted_at=row.submitted_at,
                last_feedback_at=row.last_feedback_at,
                waiting=elapsed(now - heard),
                over_a_working_day=calendar.one_working_day_after(heard) < now,
            )
        )

    advice_waiting = db.session.execute(select(func.count()).where(advice, AdviceRequest.status.in_([AdviceStatus.WAITING, AdviceStatus.TAKEN]))).scalar_one()

    return SchoolFigures(
        school_id=school_id,
        school_name=school_name,
        open_concerns=open_concerns,
        urgent_concerns=urgent,
        concerns_by_category=concerns_by_category,
        referrals_by_status=_ordered(statuses, ReferralStatus),
        open_referral_count=open_count,
        not_heard_count=not_heard,
        open_referrals=open_referrals,
        advice_waiting=advice_waiting,
        transfers=transfer_figures(user, school_id, now),
    )


# Front door -------------------------------------------------------------------------------------


@dataclass
class FrontDoorFigures:
    queue: int
    queue_by_status: list[tuple[str, int]]
    due_today: int
    overdue: int
    advice_waiting: int
    advice_taken: int
    month_label: str
    decisions_this_month: list[tuple[str, int]]

    @property
    def decisions_total(self) -> int:
        return sum(count for _, count in self.decisions_this_month)


def front_door_figures(user, now: datetime) -> FrontDoorFigures:
    """The front door's queue and clock. "Due today" is still to fall due before midnight (UK time);
    "overdue" has passed its due time. Both count referrals awaiting a decision."""
    referrals = and_(policy_for(Referral).visible(user), Referral.status != ReferralStatus.DRAFT)
    is_open = Referral.status.in_(AWAITING_DECISION)
    tomorrow = uk_midnight(now.astimezone(UK).date() + timedelta(days=1))

    statuses = _counts(select(Referral.status, func.count()).where(referrals, is_open).group_by(Referral.status))
    due_today, overdue = db.session.execute(
        select(_sum(and_(Referral.due_at >= now, Referral.due_at < tomorrow)), _sum(Referral.due_at < now)).where(referrals, is_open)
    ).one()
    advice = _counts(
        select(AdviceRequest.status, func.count())
        .where(policy_for(AdviceRequest).visible(user), AdviceRequest.status.in_([AdviceStatus.WAITING, AdviceStatus.TAKEN]))
        .group_by(AdviceRequest.status)
    )
    decisions = _counts(
        select(Referral.decision, func.count())
        # Decided or closed (the statuses a decision is made in): the month's decisions read off the decided
        # referrals' index instead of every referral of the authority.
        .where(
            referrals,
            Referral.status.in_(DECIDED_STATUSES),
            Referral.decision.is_not(None),
            Referral.decided_at >= month_start(now),
            Referral.decided_at <= now,
        )
        .group_by(Referral.decision)
    )
    return FrontDoorFigures(
        queue=sum(statuses.values()),
        queue_by_status=_ordered(statuses, AWAITING_DECISION),
        due_today=due_today,
        overdue=overdue,
        advice_waiting=advice.get(AdviceStatus.WAITING, 0),
        advice_taken=advice.get(AdviceStatus.TAKEN, 0),
        month_label=now.astimezone(UK).strftime("%B %Y"),
        decisions_this_month=_ordered(decisions, ReferralDecision),
    )


# Authority --------------------------------------------------------------------------------------


@dataclass
class SchoolRow:
    name: str
    referrals: int
    advice_requests: int


@dataclass
class Timing:
    """A median in hours on working days, over ``count`` referrals; ``within`` met the one working day."""

    median_hours: float | None
    count: int
    within: int


@dataclass
class AuthorityFigures:
    period: str
    period_label: str
    since: datetime
    schools: list[SchoolRow]
    quiet_schools: list[str]
    by_category: list[tuple[str, int]]
    by_level: list[tuple[str, int]]
    by_decision: list[tuple[str, int]]
    acknowledge: Timing
    decide: Timing
    below_by_school: list[tuple[str, int]]
    below_by_category: list[tuple[str, int]]
    below_by_decision: list[tuple[str, int]] = field(default_factory=list)
    #: (school, how many) of child-protection files not sent within 5 school days, now.
    overdue_transfers: list[tuple[str, int]] = field(default_factory=list)

    @property
    def referral_total(self) -> int:
        return sum(row.referrals for row in self.schools)

    @property
    def advice_total(self) -> int:
        return sum(row.advice_requests for row in self.schools)

    @property
    def below_total(self) -> int:
        return sum(count for _, count in self.below_by_decision)


def _category_counts(lists) -> list[tuple[str, int]]:
    """(label, count) of categories of harm from the referrals' JSON lists, most frequent first."""
    counter = Counter()
    for categories in lists:
        # A referral counts once under each of its categories.
        counter.update(harm_labels(sorted(set(categories or []))))
    return sorted(counter.items(), key=lambda row: (-row[1], row[0]))


def _timing(calendar: WorkingCalendar, pairs) -> Timing:
    """``pairs``: (start, end, due) with ``end`` possibly empty (not yet reached)."""
    hours = [working_hours(calendar, start, end) for start, end, _ in pairs if end is not None]
    within = sum(1 for start, end, due in pairs if end is not None and due is not None and end <= due)
    return Timing(median_hours=round(median(hours), 1) if hours else None, count=len(hours), within=within)


def authority_figures(period: str, now: datetime) -> AuthorityFigures:
    """Counts across every school of the authority in context for ``period``: referrals submitted and
    advice requests made in the period, and decisions made in it. No names of children, no text."""
    period = period if period in PERIODS else DEFAULT_PERIOD
    since = period_start(period, now)
    sent = and_(Referral.status != ReferralStatus.DRAFT, Referral.submitted_at >= since)
    decided = and_(Referral.decision.is_not(None), Referral.decided_at >= since)
    below = and_(decided, Referral.decision.in_(BELOW_THRESHOLD))

    referrals = _counts(select(Referral.organisation_id, func.count()).where(sent).group_by(Referral.organisation_id))
    advice = _counts(select(AdviceRequest.organisation_id, func.count()).where(AdviceRequest.created_at >= since).group_by(AdviceRequest.organisation_id))
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.archived_at).where(Organisation.kind == OrganisationKind.SCHOOL)
    ).all()
    names = {row.id: row.name for row in organisations}
    schools = [
        SchoolRow(name=names.get(school_id, "Unknown organisation"), referrals=referrals.get(school_id, 0), advice_requests=advice.get(school_id, 0))
        for school_id in set(referrals) | set(advice)
    ]
    schools.sort(key=lambda row: (-row.referrals, -row.advice_requests, row.name))
    quiet = sorted(row.name for row in organisations if row.archived_at is None and row.id not in referrals and row.id not in advice)

    by_category = _category_counts(db.session.execute(select(Referral.categories).where(sent)).scalars())
    levels = _counts(select(Referral.school_view_level, func.count()).where(sent).group_by(Referral.school_view_level))
    by_level = _ordered(levels, Level)
    if levels.get(None):
        by_level.append(("Not given", levels[None]))
    decisions = _counts(select(Referral.decision, func.count()).where(decided).group_by(Referral.decision))

    calendar = authority_calendar()
    times = db.session.execute(select(Referral.submitted_at, Referral.acknowledged_at, Referral.decided_at, Referral.due_at).where(sent)).all()

    below_schools = _counts(select(Referral.organisation_id, func.count()).where(below).group_by(Referral.organisation_id))
    below_by_school = sorted(((names.get(k, "Unknown organisation"), v) for k, v in below_schools.items()), key=lambda row: (-row[1], row[0]))
    below_by_category = _category_counts(db.session.execute(select(Referral.categories).where(below)).scalars())

    return AuthorityFigures(
        period=period,
        period_label=PERIODS[period],
        since=since,
        schools=schools,
        quiet_schools=quiet,
        by_category=by_category,
        by_level=by_level,
        by_decision=_ordered(decisions, ReferralDecision),
        acknowledge=_timing(calendar, [(row.submitted_at, row.acknowledged_at, row.due_at) for row in times]),
        decide=_timing(calendar, [(row.submitted_at, row.decided_at, row.due_at) for row in times]),
        below_by_school=below_by_school,
        below_by_category=below_by_category,
        below_by_decision=_ordered({d: decisions.get(d, 0) for d in BELOW_THRESHOLD}, BELOW_THRESHOLD),
        overdue_transfers=_overdue_transfers(names, now),
    )


def _overdue_transfers(names: dict, now: datetime) -> list[tuple[str, int]]:
    late = and_(PupilTransfer.status == TransferStatus.LEAVING, PupilTransfer.due_at < now)
    counts = _counts(select(PupilTransfer.organisation_id, func.count()).where(late).group_by(PupilTransfer.organisation_id))
    return sorted(((names.get(k, "Unknown organisation"), v) for k, v in counts.items()), key=lambda row: (-row[1], row[0]))
