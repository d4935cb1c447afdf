"""The assessor's dashboard: assessments by stage, actions due, reviews due.

For the people who run school assessments: assessors, front-door managers and context panel members
(everyone else gets 403, audited). Every figure is counted from what the person may see
(``visible_query``), either the assessments they lead or run as an assessor member ("mine") or all they
can see. A handful of queries, whatever the number of assessments, actions and reviews: the assessments
(with their school and lead), which are the person's own, the latest stage move of each, the open
actions, and the reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.assessments import service
from portal.assessments.blueprint import bp
from portal.assessments.models import AssessmentMember, AssessmentMemberRole, AssessmentReview, AssessmentStage, AssessmentTransition, SchoolAssessment
from portal.assessments.policy import may_open_dashboard
from portal.clock import UK, uk_today
from portal.extensions import db
from portal.partnership.models import OPEN_ACTION_STATUSES, PlanAction
from portal.policies import deny_page, visible_query

#: Actions due within this many days (or overdue) are listed.
ACTIONS_WITHIN_DAYS = 14
#: Reviews due within this many days (or overdue, and not yet held) are listed.
REVIEWS_WITHIN_DAYS = 28
#: Stages at which the plan is agreed and a review date should be set.
NEEDS_REVIEW_DATE = (AssessmentStage.PLAN_AGREED, AssessmentStage.REVIEW)

MINE = "mine"
ALL = "all"


# Links to the dashboard in templates: ``may_open_dashboard(current_user)``.
bp.add_app_template_global(may_open_dashboard)


@dataclass
class Row:
    """One open assessment under its stage."""

    assessment: SchoolAssessment
    days_in_stage: int
    open_actions: int = 0
    overdue_actions: int = 0
    review: AssessmentReview | None = None

    @property
    def review_due_on(self) -> date | None:
        return self.review.review_due_on if self.review is not None else None


@dataclass
class ReviewDue:
    assessment: SchoolAssessment
    due_on: date
    overdue: bool
    days: int  # days until it is due (negative: days overdue)


@dataclass
class Dashboard:
    today: date
    show: str
    mine_count: int
    all_count: int
    counts: list[tuple[AssessmentStage, int]] = field(default_factory=list)
    by_stage: list[tuple[AssessmentStage, list[Row]]] = field(default_factory=list)
    actions_due: list[PlanAction] = field(default_factory=list)
    actions_until: date | None = None
    reviews_due: list[ReviewDue] = field(default_factory=list)
    reviews_until: date | None = None
    no_review_date: list[SchoolAssessment] = field(default_factory=list)
    schools: dict = field(default_factory=dict)  # assessment id -> the assessment (for the actions' school)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)

    @property
    def overdue_actions(self) -> int:
        return sum(1 for a in self.actions_due if a.due_on < self.today)


def _mine_ids(user) -> set:
    """The visible assessments ``user`` runs: as lead, or as an assessor member."""
    assessor_member = select(AssessmentMember.assessment_id).where(AssessmentMember.user_id == user.id, AssessmentMember.role == AssessmentMemberRole.ASSESSOR)
    query = (
        visible_query(SchoolAssessment, user)
        .with_only_columns(SchoolAssessment.id)
        .where(or_(SchoolAssessment.lead_id == user.id, SchoolAssessment.id.in_(assessor_member)))
    )
    return set(db.session.execute(query).scalars().all())


def _days_in_stage(today: date, assessments, user) -> dict:
    """Days since each assessment's latest stage move (its opening when it never moved)."""
    latest = dict(
        db.session.execute(
            visible_query(AssessmentTransition, user)
            .with_only_columns(AssessmentTransition.assessment_id, func.max(AssessmentTransition.created_at))
            .group_by(AssessmentTransition.assessment_id)
        ).all()
    )
    out = {}
    for a in assessments:
        since = latest.get(a.id) or a.created_at
        out[a.id] = max((today - since.astimezone(UK).date()).days, 0)
    return out


def build(user, show: str | None, today: date) -> Dashboard:
    assessments = (
        db.session.execute(
            visible_query(SchoolAssessment, user).options(selectinload(SchoolAssessment.lead)).order_by(SchoolAssessment.created_at, SchoolAssessment.id)
        )
        .unique()
        .scalars()
        .all()
    )
    mine = _mine_ids(user)
    if show not in (MINE, ALL):
        show = MINE if mine else ALL
    shown = [a for a in assessments if show == ALL or a.id in mine]
    ids = {a.id for a in shown}
    board = Dashboard(today=today, show=show, mine_count=len(mine), all_count=len(assessments), schools={a.id: a for a in shown})

    # Open actions of the assessments' plans: counts for every assessment, and those due soon listed.
    actions = (
        db.session.execute(
            visible_query(PlanAction, user)
            .where(PlanAction.assessment_id.is_not(None), PlanAction.status.in_(OPEN_ACTION_STATUSES))
            .order_by(PlanAction.due_on, PlanAction.created_at, PlanAction.id)
        )
        .unique()
        .scalars()
        .all()
    )
    actions = [a for a in actions if a.assessment_id in ids]
    board.actions_until = today + timedelta(days=ACTIONS_WITHIN_DAYS)
    board.actions_due = [a for a in actions if a.due_on <= board.actions_until]

    reviews = {r.assessment_id: r for r in db.session.execute(visible_query(AssessmentReview, user)).scalars().all() if r.assessment_id in ids}

    days = _days_in_stage(today, shown, user)
    rows = {a.id: Row(a, days[a.id], review=reviews.get(a.id)) for a in shown}
    for action in actions:
        row = rows[action.assessment_id]
        row.open_actions += 1
        if action.due_on < today:
            row.overdue_actions += 1

    board.counts = [(stage, sum(1 for a in shown if a.stage == stage)) for stage in service.STAGES]
    # Each open assessment under its stage, the longest in its stage first.
    board.by_stage = [
        (stage, sorted((rows[a.id] for a in shown if a.stage == stage), key=lambda r: -r.days_in_stage))
        for stage in service.STAGES
        if stage != AssessmentStage.CLOSED
    ]

    # Reviews due within 28 days or overdue, not yet held on or after the date; plans with no date set.
    board.reviews_until = today + timedelta(days=REVIEWS_WITHIN_DAYS)
    for a in shown:
        if a.stage == AssessmentStage.CLOSED:
            continue
        review = reviews.get(a.id)
        due_on = review.review_due_on if review is not None else None
        if due_on is None:
            if a.stage in NEEDS_REVIEW_DATE:
                board.no_review_date.append(a)
            continue
        held = review.reviewed_on is not None and review.reviewed_on >= due_on
        if not held and due_on <= board.reviews_until:
            board.reviews_due.append(ReviewDue(a, due_on, due_on < today, (due_on - today).days))
    board.reviews_due.sort(key=lambda r: (r.due_on, r.assessment.organisation.name if r.assessment.organisation else ""))
    return board


@bp.route("/school-assessments/dashboard")
@login_required
def dashboard():
    if not may_open_dashboard(current_user):
        deny_page()
    board = build(current_user, request.args.get("show"), uk_today())
    return render_template("assessments/dashboard.html", board=board)
