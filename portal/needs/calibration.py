"""Threshold calibration: how often a school's view of the level of need and the front door's decision
agree, and which way they differ — for the authority, per school, per indicator ticked and per school
term. Seed 4: thresholds "tended to be determined locally"; these figures show where a school's reading
of the guidance and the front door's part.

A second, separate table sets the DSL's view on an advice request (optional: a DSL asking is often not
sure) against the level the front door gives with its answer, per school, counting answered requests
that record both.

Only decided referrals that record both levels are counted (the school's view is asked on every
referral; the front door's level on every decision since the levels of need). Each table is a handful of
``COUNT``/``GROUP BY`` statements over the authority's referrals — no row naming a child is loaded — and
small numbers are suppressed as in the governor report: a count from 1 to 4 is "fewer than 5", and where
a hidden count could be worked out from its row's total or its column's authority-wide figure, another
count is hidden too ("not shown").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, select

from portal.advice.models import AdviceRequest, AdviceStatus
from portal.authorities.models import Organisation
from portal.clock import uk_midnight, uk_today
from portal.extensions import db
from portal.needs.models import NeedIndicator, ReferralNeedIndicator
from portal.needs.service import HEADINGS, LEVELS
from portal.referrals.models import DECIDED_STATUSES, Referral
from portal.selfreview.aggregates import FEWER_THAN, NOT_SHOWN, THRESHOLD
from portal.vocabulary import Level

#: The columns of every table, in order.
COLUMNS = ("agree", "school_higher", "school_lower", "total")
COLUMN_HEADINGS = {"agree": "Agreed", "school_higher": "School's view higher", "school_lower": "School's view lower", "total": "Decided referrals"}
ADVICE_COLUMN_HEADINGS = {**COLUMN_HEADINGS, "total": "Answered requests"}
#: How many school terms the trend shows (two school years).
TERMS_SHOWN = 6


def _rank(column) -> ColumnElement[int]:
    return case(*((column == level, number) for number, level in enumerate(LEVELS, start=1)), else_=0)


def _counts(school_view, front_door_level) -> tuple:
    school, front_door = _rank(school_view), _rank(front_door_level)
    return (
        func.sum(case((school == front_door, 1), else_=0)).label("agree"),
        func.sum(case((school > front_door, 1), else_=0)).label("school_higher"),
        func.sum(case((school < front_door, 1), else_=0)).label("school_lower"),
        func.count().label("total"),
    )


_COUNTS = _counts(Referral.school_view_level, Referral.decision_level)
_ADVICE_COUNTS = _counts(AdviceRequest.dsl_view_level, AdviceRequest.answer_level)
_ADVICE_COUNTED = and_(AdviceRequest.status == AdviceStatus.ANSWERED, AdviceRequest.dsl_view_level.is_not(None), AdviceRequest.answer_level.is_not(None))
_COUNTED = and_(
    Referral.status.in_(DECIDED_STATUSES),
    Referral.school_view_level.is_not(None),
    Referral.decision_level.is_not(None),
)


#: A decided referral with a level from both sides (the others are counted as without levels).
_LEVELLED = and_(Referral.school_view_level.is_not(None), Referral.decision_level.is_not(None))
_SCHOOL_RANK, _FRONT_DOOR_RANK = _rank(Referral.school_view_level), _rank(Referral.decision_level)
#: ``_COUNTS`` over the levelled referrals only, for a statement that reads the others too.
_LEVELLED_COUNTS = (
    func.sum(case((and_(_LEVELLED, _SCHOOL_RANK == _FRONT_DOOR_RANK), 1), else_=0)).label("agree"),
    func.sum(case((and_(_LEVELLED, _SCHOOL_RANK > _FRONT_DOOR_RANK), 1), else_=0)).label("school_higher"),
    func.sum(case((and_(_LEVELLED, _SCHOOL_RANK < _FRONT_DOOR_RANK), 1), else_=0)).label("school_lower"),
    func.sum(case((_LEVELLED, 1), else_=0)).label("total"),
)


class _Sums:
    """The four counts, added up over rows of ``_LEVELLED_COUNTS``."""

    def __init__(self) -> None:
        self.agree = self.school_higher = self.school_lower = self.total = 0

    def add(self, values) -> None:
        for name in COLUMNS:
            setattr(self, name, getattr(self, name) + int(getattr(values, name) or 0))


@dataclass
class Cell:
    count: int
    hidden: str | None = None

    @property
    def shown(self) -> str:
        return {"primary": FEWER_THAN, "secondary": NOT_SHOWN}.get(self.hidden or "", str(self.count))


@dataclass
class Row:
    label: str
    cells: dict[str, Cell]

    @property
    def agreement(self) -> str | None:
        """The share that agreed, when neither count is hidden and there are enough to say."""
        agree, total = self.cells["agree"], self.cells["total"]
        if agree.hidden or total.hidden or total.count < THRESHOLD:
            return None
        return f"{round(100 * agree.count / total.count)}%"


@dataclass
class AdviceCalibration:
    """The DSL's view on advice requests against the front door's answer level."""

    authority: Row
    schools: list[Row]
    #: Answered requests with the front door's level where the DSL gave no view ("Not sure").
    not_sure: int


@dataclass
class Calibration:
    authority: Row
    schools: list[Row]
    indicators: list[tuple[Level, list[Row]]]
    terms: list[Row]
    #: Decided referrals without a level from both sides (decided before levels were recorded).
    without_levels: int
    advice: AdviceCalibration | None = None

    @property
    def hidden_any(self) -> bool:
        rows = [self.authority, *self.schools, *self.terms] + [r for _, rows in self.indicators for r in rows]
        if self.advice is not None:
            rows += [self.advice.authority, *self.advice.schools]
        return any(c.hidden for r in rows for c in r.cells.values())


def _row(label: str, values) -> Row:
    counts = {name: int(getattr(values, name) or 0) if values is not None else 0 for name in COLUMNS}
    return Row(label, {name: Cell(count, "primary" if 0 < count < THRESHOLD else None) for name, count in counts.items()})


def _protect_row(row: Row) -> None:
    """Agreed + higher + lower = total: one hidden count among them would be given away by the total and
    the other two, so the smallest shown count (not 0) is hidden too, or failing that the total."""
    parts = [row.cells[name] for name in ("agree", "school_higher", "school_lower")]
    total = row.cells["total"]
    if total.hidden:
        return
    while sum(1 for c in parts if c.hidden) == 1:
        shown = [c for c in parts if not c.hidden and c.count > 0]
        if not shown:
            total.hidden = "secondary"
            return
        min(shown, key=lambda c: c.count).hidden = "secondary"


def _protect_columns(rows: list[Row], authority: Row) -> bool:
    """Rows that add up to the authority's figure (schools, terms): a column with one hidden count would
    give it away, so the smallest other shown count (not 0) of that column is hidden too — or, if there is
    none, the authority's figure of that column. Returns whether anything was hidden."""
    changed = False
    for name in COLUMNS:
        cells = [row.cells[name] for row in rows]
        hidden = sum(1 for c in cells if c.hidden)
        shown = [c for c in cells if not c.hidden and c.count > 0]
        if hidden == 0 and authority.cells[name].hidden and shown:
            # The authority's figure is hidden: the rows must not add up to it.
            min(shown, key=lambda c: c.count).hidden = "secondary"
            changed = True
            continue
        if hidden != 1:
            continue
        if shown:
            min(shown, key=lambda c: c.count).hidden = "secondary"
            changed = True
        elif not authority.cells[name].hidden:
            authority.cells[name].hidden = "secondary"
            changed = True
    return changed


def _suppressed(rows: list[Row]) -> list[Row]:
    for row in rows:
        _protect_row(row)
    return rows


def _suppressed_with(authority: Row, *tables: list[Row]) -> None:
    """Tables whose rows each add up to the authority's figure (schools, terms): every row suppressed,
    and every column protected against the authority's figure, until nothing more needs hiding (each
    pass hides at least one more count, so this ends)."""
    while True:
        for row in [authority, *(row for rows in tables for row in rows)]:
            _protect_row(row)
        changed = False
        for rows in tables:
            changed = _protect_columns(rows, authority) or changed
        if not changed:
            return


@dataclass(frozen=True)
class Term:
    label: str
    start: datetime
    end: datetime


def school_terms(today: date, count: int = TERMS_SHOWN) -> list[Term]:
    """The last ``count`` school terms up to the one ``today`` is in, oldest first: autumn (September to
    December), spring (January to April, Easter) and summer (May to August), midnight UK time."""
    starts = []
    for year in range(today.year - 3, today.year + 1):
        starts += [("Spring", date(year, 1, 1)), ("Summer", date(year, 5, 1)), ("Autumn", date(year, 9, 1))]
    terms = []
    for (name, start), (_, end) in zip(starts, starts[1:] + [("Spring", date(today.year + 1, 1, 1))], strict=True):
        if start <= today:
            terms.append(Term(f"{name} term {start.year}", uk_midnight(start), uk_midnight(end)))
    return terms[-count:]


def calibration(today: date | None = None) -> Calibration:
    """The authority's figures (the tenant scope limits every statement to the current authority)."""
    today = today or uk_today()
    terms = school_terms(today)
    term_of = case(*((and_(Referral.decided_at >= t.start, Referral.decided_at < t.end), number) for number, t in enumerate(terms)), else_=-1)
    # One pass over the decided referrals, by school and term: the authority's row, the schools' and the
    # terms' are sums of these (three scans of every decided referral were most of the page's time).
    by_school_and_term = db.session.execute(
        select(Organisation.id, Organisation.name, term_of.label("term"), *_LEVELLED_COUNTS, func.sum(case((_LEVELLED, 0), else_=1)).label("without"))
        .join(Organisation, Organisation.id == Referral.organisation_id)
        .where(Referral.status.in_(DECIDED_STATUSES))
        .group_by(Organisation.id, Organisation.name, term_of)
    ).all()
    authority = _Sums()
    per_school: dict[tuple[str, object], _Sums] = {}
    per_term: dict[int, _Sums] = {}
    without = 0
    for values in by_school_and_term:
        without += int(values.without or 0)
        authority.add(values)
        per_school.setdefault((values.name, values.id), _Sums()).add(values)
        if values.term >= 0:
            per_term.setdefault(values.term, _Sums()).add(values)

    # Indicators of every version, taken together by level and wording (a new version keeps most of them).
    per_indicator = db.session.execute(
        select(NeedIndicator.rank, NeedIndicator.text, *_COUNTS)
        .select_from(Referral)
        .join(ReferralNeedIndicator, ReferralNeedIndicator.referral_id == Referral.id)
        .join(NeedIndicator, NeedIndicator.id == ReferralNeedIndicator.indicator_id)
        .where(_COUNTED)
        .group_by(NeedIndicator.rank, NeedIndicator.text)
        .order_by(NeedIndicator.rank, NeedIndicator.text)
    ).all()

    indicators: dict[Level, list[Row]] = {}
    for values in per_indicator:
        indicators.setdefault(LEVELS[values.rank - 1], []).append(_row(values.text, values))
    whole = _row("All schools", authority)
    schools = [_row(name, sums) for (name, _), sums in sorted(per_school.items(), key=lambda item: (item[0][0], str(item[0][1]))) if sums.total]
    by_term = [_row(t.label, per_term.get(number)) for number, t in enumerate(terms)]
    _suppressed_with(whole, schools, by_term)
    return Calibration(
        authority=whole,
        schools=schools,
        indicators=[(level, _suppressed(indicators[level])) for level in LEVELS if level in indicators],
        terms=by_term,
        without_levels=without,
        advice=advice_calibration(),
    )


def advice_calibration() -> AdviceCalibration:
    """The DSL's view on answered advice requests against the front door's level (per school), with the
    same suppression as the referrals' tables."""
    authority = db.session.execute(select(*_ADVICE_COUNTS).where(_ADVICE_COUNTED)).one()
    per_school = db.session.execute(
        select(Organisation.name, Organisation.id, *_ADVICE_COUNTS)
        .join(Organisation, Organisation.id == AdviceRequest.organisation_id)
        .where(_ADVICE_COUNTED)
        .group_by(Organisation.id, Organisation.name)
        .order_by(Organisation.name, Organisation.id)
    ).all()
    not_sure = db.session.execute(
        select(func.count()).where(
            AdviceRequest.status == AdviceStatus.ANSWERED, AdviceRequest.dsl_view_level.is_(None), AdviceRequest.answer_level.is_not(None)
        )
    ).scalar_one()
    whole = _row("All schools", authority)
    schools = [_row(values.name, values) for values in per_school]
    _suppressed_with(whole, schools)
    return AdviceCalibration(authority=whole, schools=schools, not_sure=int(not_sure or 0))


def level_heading(level: Level) -> str:
    return HEADINGS[level]
