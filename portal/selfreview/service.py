"""Self-review: starting a school's review, its answers and development plan, the year-on-year comparison
and the authority's distribution of ratings (counts only); the school's training and review dates.

A review is of one school, one framework (at the version it was started with) and one academic year
(September to August; ``academic_year`` is the year it starts). Its notes and evidence are the school's
own: only :func:`distribution` reads across schools, and it selects nothing but question keys, ratings and
counts.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, distinct, func, select

from portal.accounts.models import Membership, Role, User
from portal.audit.models import AuditEvent
from portal.audit.service import record
from portal.clock import uk_today, utcnow
from portal.extensions import db
from portal.partnership.models import OPEN_ACTION_STATUSES, ActionStatus
from portal.policies import visible_query
from portal.selfreview import frameworks
from portal.selfreview.actions import Action
from portal.selfreview.frameworks import Framework
from portal.selfreview.models import DevelopmentAction, Rag, ReviewStatus, SchoolAssuranceRecord, SelfReview, SelfReviewAnswer

#: Ratings from worst to best (a comparison says "improved" when a rating moves right).
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN)

#: The people of a school who may own an action, and how the owner select names their role.
OWNER_ROLES = {Role.HEAD: "head teacher", Role.DSL: "designated safeguarding lead", Role.STAFF: "staff", Role.GOVERNOR: "governor"}


# The academic year --------------------------------------------------------------------------------------


def academic_year(today: date | None = None) -> int:
    """The academic year (September to August) ``today`` (default: today in the UK) falls in, by the year
    it starts: 1 September 2026 to 31 August 2027 is 2026."""
    today = today or uk_today()
    return today.year if today.month >= 9 else today.year - 1


def year_label(year: int) -> str:
    """``2026`` -> ``"2026 to 2027"``."""
    return f"{year} to {year + 1}"


# Reviews and their answers --------------------------------------------------------------------------------


def framework_of(review: SelfReview) -> Framework:
    """The questions a review was started with (never a newer version's)."""
    framework = frameworks.get(review.framework, review.framework_version)
    if framework is None:
        raise LookupError(f"No framework {review.framework} v{review.framework_version}")
    return framework


def answers(review: SelfReview) -> dict[str, SelfReviewAnswer]:
    """The review's answers by question key."""
    rows = db.session.execute(visible_query(SelfReviewAnswer).where(SelfReviewAnswer.review_id == review.id)).scalars().all()
    return {row.question_key: row for row in rows}


def answer(review: SelfReview, question_key: str) -> SelfReviewAnswer | None:
    query = visible_query(SelfReviewAnswer).where(SelfReviewAnswer.review_id == review.id, SelfReviewAnswer.question_key == question_key)
    return db.session.execute(query).scalar_one_or_none()


def actions(review: SelfReview, question_key: str | None = None) -> list[DevelopmentAction]:
    """The review's development actions, by due date (optionally of one question)."""
    query = visible_query(DevelopmentAction).where(DevelopmentAction.review_id == review.id)
    if question_key is not None:
        query = query.where(DevelopmentAction.question_key == question_key)
    return db.session.execute(query.order_by(DevelopmentAction.due_on, DevelopmentAction.created_at)).unique().scalars().all()


def is_overdue(action: DevelopmentAction, today: date) -> bool:
    return action.status in OPEN_ACTION_STATUSES and action.due_on < today


@dataclass
class Progress:
    """How far a review has got: how many of its questions are rated, and how many red, amber, green."""

    total: int
    counts: Counter = field(default_factory=Counter)

    @property
    def rated(self) -> int:
        return sum(self.counts.values())

    @property
    def left(self) -> int:
        return self.total - self.rated

    @property
    def in_words(self) -> str:
        """``"2 red, 3 amber, 1 green"`` (only the ratings given), or ``"None rated yet"``."""
        parts = [f"{self.counts[rag]} {rag.value}" for rag in RAG_ORDER if self.counts[rag]]
        return ", ".join(parts) if parts else "None rated yet"


def progress(review: SelfReview, by_key: dict[str, SelfReviewAnswer] | None = None) -> Progress:
    framework = framework_of(review)
    by_key = answers(review) if by_key is None else by_key
    keys = {q.key for q in framework.questions}
    return Progress(len(keys), Counter(a.rating for a in by_key.values() if a.question_key in keys and a.rating is not None))


def progress_of(reviews: list[SelfReview]) -> dict[uuid.UUID, Progress]:
    """Progress of several reviews in one query (counts only)."""
    out = {r.id: Progress(len(framework_of(r).questions)) for r in reviews}
    if not reviews:
        return out
    keys = {r.id: {q.key for q in framework_of(r).questions} for r in reviews}
    rows = db.session.execute(
        select(SelfReviewAnswer.review_id, SelfReviewAnswer.question_key, SelfReviewAnswer.rating)
        .where(SelfReviewAnswer.review_id.in_(list(out)), SelfReviewAnswer.rating.is_not(None))
        .where(visible_query(SelfReviewAnswer).whereclause)
    ).all()
    for review_id, key, rating in rows:
        if key in keys[review_id]:
            out[review_id].counts[rating] += 1
    return out


def last_changed(review_ids) -> dict[uuid.UUID, datetime]:
    """When each review was last started, answered or completed (from the audit log: answers keep no
    time of their own)."""
    ids = [str(i) for i in review_ids]
    if not ids:
        return {}
    rows = db.session.execute(
        select(AuditEvent.object_id, func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.object_type == "self_review",
            AuditEvent.object_id.in_(ids),
            AuditEvent.action.in_([Action.SELF_REVIEW_STARTED, Action.SELF_REVIEW_ANSWERED, Action.SELF_REVIEW_COMPLETED]),
        )
        .group_by(AuditEvent.object_id)
    ).all()
    return {uuid.UUID(object_id): moment for object_id, moment in rows}


def changed_since_completion(review: SelfReview) -> bool:
    """Has an answer been saved since the review was marked as complete?"""
    if review.completed_at is None:
        return False
    query = (
        select(AuditEvent.id)
        .where(
            AuditEvent.action == Action.SELF_REVIEW_ANSWERED,
            AuditEvent.object_type == "self_review",
            AuditEvent.object_id == str(review.id),
            AuditEvent.occurred_at > review.completed_at,
        )
        .limit(1)
    )
    return db.session.execute(query).first() is not None


def _audit(action: str, review: SelfReview, **details) -> None:
    record(action, object_type="self_review", object_id=review.id, organisation_id=review.organisation_id, details=details or None)


def existing(organisation_id, framework_key: str, year: int) -> SelfReview | None:
    query = visible_query(SelfReview).where(
        SelfReview.organisation_id == organisation_id, SelfReview.framework == framework_key, SelfReview.academic_year == year
    )
    return db.session.execute(query).scalar_one_or_none()


def start(organisation_id, framework: Framework, *, actor_id, year: int) -> SelfReview:
    """A new review at the framework's version; the caller commits (and, on a unique-constraint race,
    opens the one started at the same time)."""
    review = SelfReview(
        organisation_id=organisation_id, framework=framework.key, framework_version=framework.version, academic_year=year, started_by_id=actor_id
    )
    db.session.add(review)
    db.session.flush()
    _audit(Action.SELF_REVIEW_STARTED, review, framework=framework.key, version=framework.version, year=year)
    return review


def save_answer(
    review: SelfReview, row: SelfReviewAnswer | None, question_key: str, *, rating: Rag, evidence: str | None, notes: str | None, actor_id
) -> SelfReviewAnswer | None:
    """Create or change an answer (``None`` when nothing changed). Audited with the question and rating
    only, never the notes or evidence. The caller commits and handles a stale save."""
    if row is None:
        row = SelfReviewAnswer(review_id=review.id, question_key=question_key, rating=rating, evidence=evidence, notes=notes, updated_by_id=actor_id)
        db.session.add(row)
    elif (row.rating, row.evidence, row.notes) == (rating, evidence, notes):
        return None
    else:
        row.rating, row.evidence, row.notes, row.updated_by_id = rating, evidence, notes, actor_id
    db.session.flush()
    _audit(Action.SELF_REVIEW_ANSWERED, review, question=question_key, rating=rating.value)
    return row


def add_action(review: SelfReview, question_key: str, *, description: str, owner_user_id, owner_name: str | None, due_on: date, actor_id) -> DevelopmentAction:
    row = DevelopmentAction(
        review_id=review.id,
        question_key=question_key,
        description=description,
        owner_user_id=owner_user_id,
        owner_name=None if owner_user_id else owner_name,
        due_on=due_on,
        created_by_id=actor_id,
    )
    db.session.add(row)
    db.session.flush()
    record(
        Action.SELF_REVIEW_ACTION_ADDED,
        object_type="development_action",
        object_id=row.id,
        organisation_id=review.organisation_id,
        details={"review": str(review.id), "question": question_key},
    )
    return row


def update_action(row: DevelopmentAction, review: SelfReview, *, status: ActionStatus, progress_note: str | None, due_on: date) -> None:
    """Change an action's status, progress and due date; the caller commits and handles ``StaleDataError``."""
    row.due_on = due_on
    row.status = status
    row.progress_note = progress_note
    row.completed_at = (row.completed_at or utcnow()) if status == ActionStatus.DONE else None  # done once: its date stays
    record(
        Action.SELF_REVIEW_ACTION_UPDATED,
        object_type="development_action",
        object_id=row.id,
        organisation_id=review.organisation_id,
        details={"review": str(review.id), "status": status.value},
    )


def complete(review: SelfReview, *, actor_id) -> None:
    review.status = ReviewStatus.COMPLETED
    review.completed_at = utcnow()
    review.completed_by_id = actor_id
    _audit(Action.SELF_REVIEW_COMPLETED, review)


# The training and review dates ------------------------------------------------------------------------------


def save_assurance_dates(organisation_id, row: SchoolAssuranceRecord | None, dates: dict[str, date | None], *, actor_id) -> SchoolAssuranceRecord:
    """Keep the school's training and review dates (its record made on the first save), audited with the
    dates. The page commits; a stale save, or a first one made at the same moment as someone else's, fails."""
    if row is None:
        row = SchoolAssuranceRecord(organisation_id=organisation_id, updated_by_id=actor_id)
        db.session.add(row)
    for key, value in dates.items():
        setattr(row, key, value)
    row.updated_by_id = actor_id
    db.session.flush()
    record(
        Action.ASSURANCE_DATES_SAVED,
        object_type="school_assurance_record",
        object_id=row.id,
        organisation_id=organisation_id,
        details={key: value.isoformat() if value else None for key, value in dates.items()},
    )
    return row


# People -----------------------------------------------------------------------------------------------


def school_people(organisation_id) -> list[tuple[uuid.UUID, str]]:
    """The school's people with an active account (head, DSLs, staff, governors), as ``(id, "Name
    (role)")``, by name."""
    rows = db.session.execute(
        select(User.id, User.full_name, Membership.role)
        .join(Membership, (Membership.user_id == User.id) & (Membership.authority_id == User.authority_id))
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role.in_(list(OWNER_ROLES)),
            User.deactivated_at.is_(None),
            User.password_hash.is_not(None),
        )
    ).all()
    names: dict[uuid.UUID, str] = {}
    roles: dict[uuid.UUID, list[str]] = defaultdict(list)
    order = list(OWNER_ROLES)
    for user_id, name, role in sorted(rows, key=lambda r: order.index(r.role)):
        names[user_id] = name
        roles[user_id].append(OWNER_ROLES[role])
    return sorted(((uid, f"{names[uid]} ({', '.join(roles[uid])})") for uid in names), key=lambda pair: (pair[1].lower(), str(pair[0])))


# Year-on-year comparison -------------------------------------------------------------------------------


@dataclass
class ComparedQuestion:
    key: str
    number: int | None
    text: str
    ratings: list[Rag | None]
    #: "Improved", "Worse", "Same" (between the last two years it was rated in), or ``None``.
    change: str | None
    since: int | None


def comparison(organisation_id, framework_key: str, *, years: int = 3) -> tuple[list[int], list[ComparedQuestion]]:
    """The school's ratings of each question (by key, across versions of the framework) in the last
    ``years`` academic years that have a review, oldest first."""
    reviews = (
        db.session.execute(
            visible_query(SelfReview)
            .where(SelfReview.organisation_id == organisation_id, SelfReview.framework == framework_key)
            .order_by(SelfReview.academic_year.desc())
            .limit(years)
        )
        .scalars()
        .all()
    )
    reviews = list(reversed(reviews))
    if not reviews:
        return [], []
    ratings: dict[tuple[uuid.UUID, str], Rag | None] = {}
    rows = db.session.execute(
        select(SelfReviewAnswer.review_id, SelfReviewAnswer.question_key, SelfReviewAnswer.rating)
        .where(SelfReviewAnswer.review_id.in_([r.id for r in reviews]))
        .where(visible_query(SelfReviewAnswer).whereclause)
    ).all()
    for review_id, key, rating in rows:
        ratings[(review_id, key)] = rating
    # The questions: the newest review's version in order, then any asked only in an older version.
    questions: dict[str, tuple[int | None, str]] = {}
    latest = frameworks.get(framework_key) or framework_of(reviews[-1])
    for question in latest.questions:
        questions[question.key] = (question.number, question.text)
    for review in reversed(reviews):
        for question in framework_of(review).questions:
            questions.setdefault(question.key, (None, question.text))
    out = []
    for key, (number, text) in questions.items():
        row = [ratings.get((r.id, key)) for r in reviews]
        rated = [(year, rating) for year, rating in zip((r.academic_year for r in reviews), row, strict=True) if rating is not None]
        change, since = None, None
        if len(rated) >= 2:
            (since, before), now = rated[-2], rated[-1][1]
            step = RAG_ORDER.index(now) - RAG_ORDER.index(before)
            change = "Improved" if step > 0 else "Worse" if step < 0 else "Same"
        out.append(ComparedQuestion(key, number, text, row, change, since))
    return [r.academic_year for r in reviews], out


# The authority's distribution ----------------------------------------------------------------------------


@dataclass
class Distribution:
    key: str
    number: int
    text: str
    theme: str
    red: int = 0
    amber: int = 0
    green: int = 0
    not_rated: int = 0


def distribution_years(framework_key: str) -> list[int]:
    """The academic years in which any school of the authority has a review of this framework."""
    return list(
        db.session.execute(
            select(SelfReview.academic_year).where(SelfReview.framework == framework_key).distinct().order_by(SelfReview.academic_year.desc())
        ).scalars()
    )


def distribution(framework: Framework, year: int) -> tuple[int, int, list[Distribution]]:
    """For each question of ``framework`` (by key), how many of the authority's schools with a review that
    year rated it red, amber, green, or not yet. Counts of schools only: the queries select no notes, no
    evidence and no school. Returns (schools with a review, of which completed, the rows)."""
    of_year = (SelfReview.framework == framework.key, SelfReview.academic_year == year)
    schools, completed = db.session.execute(
        select(
            func.count(distinct(SelfReview.organisation_id)),
            func.count(distinct(case((SelfReview.status == ReviewStatus.COMPLETED, SelfReview.organisation_id)))),
        ).where(*of_year)
    ).one()
    counts = db.session.execute(
        select(SelfReviewAnswer.question_key, SelfReviewAnswer.rating, func.count(distinct(SelfReview.organisation_id)))
        .join(SelfReview, (SelfReview.id == SelfReviewAnswer.review_id) & (SelfReview.authority_id == SelfReviewAnswer.authority_id))
        .where(*of_year, SelfReviewAnswer.rating.is_not(None))
        .group_by(SelfReviewAnswer.question_key, SelfReviewAnswer.rating)
    ).all()
    by_key = {q.key: Distribution(q.key, q.number, q.text, q.theme_title) for q in framework.questions}
    for key, rating, count in counts:
        if key in by_key:
            setattr(by_key[key], Rag(rating).value, count)
    for row in by_key.values():
        row.not_rated = max(schools - row.red - row.amber - row.green, 0)
    return schools, completed, list(by_key.values())
