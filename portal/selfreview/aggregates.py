"""The governor report's figures: counts only, never a child.

Governors "should not be involved in individual casework" (DESIGN.md §1): their report is built from
``COUNT``/``GROUP BY`` queries over one school's concerns and referrals in one school year, its training
and review dates and its self-review ratings. The policies let a governor see no concern and no referral,
so the queries here do not go through them: they are scoped to the authority (the tenant hook, and
row-level security on PostgreSQL) and to the one school the caller has checked the person may report on,
and they select only the grouping column and a count (the referrals' categories of harm are a JSON list
each, read alone: a category list names no child). No row with a name, a date of birth or any text
typed about a child is loaded.

Small numbers are suppressed (:func:`suppress`): a count from 1 to 4 is shown as "fewer than 5", and
where the total and the other counts of a table would let a hidden count be worked out, the smallest
count still shown is hidden too ("not shown").
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select

from portal.clock import uk_midnight
from portal.concerns.models import Concern, ConcernOutcome, ConcernStatus
from portal.dashboard.figures import concern_labels
from portal.extensions import db
from portal.partnership.models import OPEN_ACTION_STATUSES, ActionStatus
from portal.referrals.models import Referral, ReferralDecision, ReferralStatus
from portal.selfreview import frameworks
from portal.selfreview.models import DevelopmentAction, Rag, SchoolAssuranceRecord, SelfReview, SelfReviewAnswer
from portal.vocabulary import HarmCategory, Level

#: Counts from 1 to this number less one are suppressed.
THRESHOLD = 5
FEWER_THAN = f"fewer than {THRESHOLD}"
NOT_SHOWN = "not shown"


# Suppression ----------------------------------------------------------------------------------------------


@dataclass
class Cell:
    label: str
    count: int
    #: ``None`` (shown), ``"primary"`` (1 to 4) or ``"secondary"`` (hidden so a primary one cannot be
    #: worked out).
    hidden: str | None = None

    @property
    def shown(self) -> str:
        if self.hidden == "primary":
            return FEWER_THAN
        if self.hidden == "secondary":
            return NOT_SHOWN
        return str(self.count)


@dataclass
class CountTable:
    caption: str
    #: What the rows are ("Category", "Outcome"...), the first column's heading.
    heading: str
    rows: list[Cell]
    total: Cell | None
    #: Do the rows add up to the total (each item counted once)? If not, a note says so.
    additive: bool = True

    @property
    def hidden_any(self) -> bool:
        return any(cell.hidden for cell in self.rows) or bool(self.total and self.total.hidden)


def _small(count: int) -> bool:
    return 0 < count < THRESHOLD


def _worked_out(cells: list[Cell], total: int) -> bool:
    """Could a reader work out any hidden count from the total and the counts shown? They know a count
    "fewer than 5" is 1 to 4, and one "not shown" is at least 5 and no more than the smallest count shown
    (the smallest is the one hidden). Each hidden count's possible values are those that leave the others
    a sum they can reach; one possible value gives it away."""
    hidden = [cell for cell in cells if cell.hidden]
    shown_counts = [cell.count for cell in cells if not cell.hidden and cell.count > 0]
    ceiling = min(shown_counts) if shown_counts else None
    bounds = [(1, THRESHOLD - 1) if cell.hidden == "primary" else (THRESHOLD, ceiling) for cell in hidden]
    rest = total - sum(cell.count for cell in cells if not cell.hidden)
    for index, (low, high) in enumerate(bounds):
        others = bounds[:index] + bounds[index + 1 :]
        others_low = sum(b[0] for b in others)
        others_high = None if any(b[1] is None for b in others) else sum(b[1] for b in others)
        least = max(low, rest - others_high) if others_high is not None else low
        most = rest - others_low if high is None else min(high, rest - others_low)
        if least >= most:
            return True
    return False


def suppress(caption: str, heading: str, rows: list[tuple[str, int]], total: int | None, *, total_label: str = "Total", additive: bool = True) -> CountTable:
    """A table of counts with small numbers suppressed.

    Primary: every count from 1 to 4 (rows and total) is "fewer than 5"; 0 is shown (it names no one).
    Secondary, when the rows add up to a shown total: while a hidden count could be worked out from the
    total and the counts shown (:func:`_worked_out`), the smallest count still shown (not 0) is hidden
    too ("not shown"); if no count is left to hide, the total is hidden.
    """
    cells = [Cell(label, count, "primary" if _small(count) else None) for label, count in rows]
    total_cell = None if total is None else Cell(total_label, total, "primary" if _small(total) else None)
    if additive and total_cell is not None and not total_cell.hidden:
        while any(cell.hidden for cell in cells) and _worked_out(cells, total):
            candidates = [cell for cell in cells if not cell.hidden and cell.count > 0]
            if not candidates:
                total_cell.hidden = "secondary"
                break
            min(candidates, key=lambda cell: cell.count).hidden = "secondary"
    return CountTable(caption, heading, cells, total_cell, additive)


# The school year ------------------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 September ``year`` to 1 September ``year + 1``, midnight UK time, as UTC datetimes."""
    return uk_midnight(date(year, 9, 1)), uk_midnight(date(year + 1, 9, 1))


# Concerns and referrals -------------------------------------------------------------------------------------


def _rows(counts: dict, order: list[tuple[object, str]]) -> list[tuple[str, int]]:
    """(label, count) in the vocabulary's order, every entry of ``order`` listed (0 included)."""
    return [(label, counts.get(key, 0)) for key, label in order]


@dataclass
class CaseworkFigures:
    concerns_total: int
    concerns_by_category: CountTable
    concerns_by_outcome: CountTable
    referrals_total: int
    referrals_by_category: CountTable
    referrals_by_level: CountTable
    referrals_by_decision: CountTable


def casework_figures(organisation_id: uuid.UUID, year: int) -> CaseworkFigures:
    """One school's concerns and referrals in one school year, as suppressed tables of counts. The caller
    has checked that the person may see this school's governor report."""
    start, end = year_bounds(year)

    concerns = (Concern.organisation_id == organisation_id, Concern.created_at >= start, Concern.created_at < end)
    by_category = dict(db.session.execute(select(Concern.category, func.count()).where(*concerns).group_by(Concern.category)).all())
    labels = concern_labels()
    concerns_total = sum(by_category.values())
    # Every category with a concern, in the list's order (the authority's own after the built-in ones).
    category_order = [(key, labels.get(key, key)) for key in labels if key in by_category]
    category_order += [(key, key) for key in sorted(by_category) if key not in labels]
    outcome_counts = dict(
        db.session.execute(select(Concern.outcome, func.count()).where(*concerns, Concern.status != ConcernStatus.NEW).group_by(Concern.outcome)).all()
    )
    not_triaged = db.session.execute(select(func.count()).where(*concerns, Concern.status == ConcernStatus.NEW)).scalar_one()
    outcome_rows = _rows(outcome_counts, [(outcome, outcome.label) for outcome in ConcernOutcome]) + [("Not yet looked at by the DSL", not_triaged)]

    referrals = (
        Referral.organisation_id == organisation_id,
        Referral.status != ReferralStatus.DRAFT,
        Referral.submitted_at >= start,
        Referral.submitted_at < end,
    )
    level_counts = dict(db.session.execute(select(Referral.school_view_level, func.count()).where(*referrals).group_by(Referral.school_view_level)).all())
    referrals_total = sum(level_counts.values())
    decision_counts = dict(db.session.execute(select(Referral.decision, func.count()).where(*referrals).group_by(Referral.decision)).all())
    harm = Counter()
    for categories in db.session.execute(select(Referral.categories).where(*referrals)).scalars():
        harm.update(set(categories or []))  # a referral counts once under each of its categories

    return CaseworkFigures(
        concerns_total=concerns_total,
        concerns_by_category=suppress(
            "Concerns logged, by category", "Category", _rows(by_category, category_order), concerns_total, total_label="All concerns"
        ),
        concerns_by_outcome=suppress("Concerns logged, by what the DSL did", "Outcome", outcome_rows, concerns_total, total_label="All concerns"),
        referrals_total=referrals_total,
        referrals_by_category=suppress(
            "Referrals, by category of harm",
            "Category of harm",
            [(category.label, harm[category.value]) for category in HarmCategory if harm.get(category.value)],
            referrals_total,
            total_label="All referrals",
            additive=False,
        ),
        referrals_by_level=suppress(
            "Referrals, by the level the school judged",
            "Level",
            _rows(level_counts, [(level, level.label) for level in Level]) + [("Not given", level_counts.get(None, 0))],
            referrals_total,
            total_label="All referrals",
        ),
        referrals_by_decision=suppress(
            "Referrals, by children's social care's decision",
            "Decision",
            _rows(decision_counts, [(decision, decision.label) for decision in ReferralDecision]) + [("Awaiting a decision", decision_counts.get(None, 0))],
            referrals_total,
            total_label="All referrals",
        ),
    )


# Training and review dates ------------------------------------------------------------------------------------


#: The school's dates: field -> (what, how many months until it is due again).
ASSURANCE_DATES: dict[str, tuple[str, int]] = {
    "dsl_training_on": ("Designated safeguarding lead's training", 24),
    "staff_training_on": ("Whole-staff safeguarding training", 12),
    "governor_training_on": ("Governors' safeguarding training", 12),
    "policy_reviewed_on": ("Child protection policy reviewed", 12),
    "single_central_record_checked_on": ("Single central record checked", 12),
}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last))


@dataclass
class AssuranceDate:
    key: str
    label: str
    months: int
    on: date | None
    due: date | None
    overdue: bool


def assurance_record(organisation_id: uuid.UUID) -> SchoolAssuranceRecord | None:
    return db.session.execute(select(SchoolAssuranceRecord).where(SchoolAssuranceRecord.organisation_id == organisation_id)).scalar_one_or_none()


def assurance_dates(record: SchoolAssuranceRecord | None, today: date) -> list[AssuranceDate]:
    out = []
    for key, (label, months) in ASSURANCE_DATES.items():
        on = getattr(record, key) if record is not None else None
        due = add_months(on, months) if on else None
        out.append(AssuranceDate(key, label, months, on, due, due is not None and due < today))
    return out


# Self-review ratings ---------------------------------------------------------------------------------------------


@dataclass
class ThemeRatings:
    title: str
    red: int = 0
    amber: int = 0
    green: int = 0
    not_rated: int = 0


@dataclass
class ReviewRatings:
    framework_title: str
    status: str
    completed_at: datetime | None
    themes: list[ThemeRatings] = field(default_factory=list)
    actions_by_status: list[tuple[str, int]] = field(default_factory=list)
    actions_total: int = 0
    actions_overdue: int = 0

    @property
    def totals(self) -> ThemeRatings:
        out = ThemeRatings("All questions")
        for theme in self.themes:
            out.red, out.amber, out.green, out.not_rated = (
                out.red + theme.red,
                out.amber + theme.amber,
                out.green + theme.green,
                out.not_rated + theme.not_rated,
            )
        return out


def review_ratings(organisation_id: uuid.UUID, year: int, today: date) -> list[ReviewRatings]:
    """The school's self-reviews of ``year``: how many questions of each theme are rated red, amber and
    green, and the development plan's actions by status. Counts only: no evidence, note or action text.
    (Ratings are about the school, not a child: they are not suppressed.)"""
    reviews = (
        db.session.execute(select(SelfReview).where(SelfReview.organisation_id == organisation_id, SelfReview.academic_year == year)).unique().scalars().all()
    )
    if not reviews:
        return []
    ids = [review.id for review in reviews]
    ratings: dict = {}
    for review_id, key, rating in db.session.execute(
        select(SelfReviewAnswer.review_id, SelfReviewAnswer.question_key, SelfReviewAnswer.rating).where(SelfReviewAnswer.review_id.in_(ids))
    ):
        ratings[(review_id, key)] = rating
    action_counts: dict = {}
    overdue: Counter = Counter()
    for review_id, status, count, past_due in db.session.execute(
        select(
            DevelopmentAction.review_id,
            DevelopmentAction.status,
            func.count(),
            func.coalesce(func.sum(case((DevelopmentAction.due_on < today, 1), else_=0)), 0),
        )
        .where(DevelopmentAction.review_id.in_(ids))
        .group_by(DevelopmentAction.review_id, DevelopmentAction.status)
    ):
        action_counts[(review_id, status)] = count
        if status in OPEN_ACTION_STATUSES:
            overdue[review_id] += past_due

    out = []
    for review in sorted(reviews, key=lambda r: frameworks.order_key(r.framework)):
        framework = frameworks.get(review.framework, review.framework_version)
        if framework is None:
            continue
        item = ReviewRatings(framework.title, review.status.label, review.completed_at)
        for _key, title, questions in framework.themes:
            theme = ThemeRatings(title)
            for question in questions:
                rating = ratings.get((review.id, question.key))
                if rating == Rag.RED:
                    theme.red += 1
                elif rating == Rag.AMBER:
                    theme.amber += 1
                elif rating == Rag.GREEN:
                    theme.green += 1
                else:
                    theme.not_rated += 1
            item.themes.append(theme)
        item.actions_by_status = [(status.label, action_counts.get((review.id, status), 0)) for status in ActionStatus]
        item.actions_total = sum(count for _label, count in item.actions_by_status)
        item.actions_overdue = overdue[review.id]
        out.append(item)
    return out
