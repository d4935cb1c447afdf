"""The assessment's plan (actions by domain) and its review.

The plan is agreed with the school: each action addresses one domain of the triangle, has an owner (a
person working on the assessment, or an organisation: the school, a partner agency, children's social care)
and a due date; the owner is told it is theirs, and told again by the scheduled job once it is overdue
(``jobs/partnership.py``). Everyone working on the assessment adds actions, the school included ("not an
inspection"); an action's owner and those who run the assessment update it. The review records what changed,
what young people now say about their safety, how young people, parents and carers and the school community
have been told, and how the safety will be sustained; the school contributes to it too.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forms import choices
from portal import locking
from portal.accounts.models import Membership, Role
from portal.assessments import planning
from portal.assessments import service as assessments
from portal.assessments.actions import Action
from portal.assessments.blueprint import bp
from portal.assessments.models import AssessmentMemberRole, AssessmentReview, AssessmentStage, AssessmentTransition, Domain, SchoolAssessment
from portal.assessments.plan_forms import ACTION_LABELS, REVIEW_LABELS, REVIEW_TEXTS, ActionUpdateForm, NewActionForm, ReviewForm
from portal.assessments.policy import assessment_assessor
from portal.assessments.triangle_forms import DOMAIN_HINTS
from portal.audit.service import record_now, render_audited
from portal.authorities.models import Organisation, OrganisationKind
from portal.clock import uk_today
from portal.extensions import db
from portal.partnership.forms import owner_choices, owner_ids, owner_value
from portal.partnership.models import ActionStatus, PlanAction
from portal.partnership.policy import action_owner
from portal.policies import get_or_404, policy_for, require, visible_query
from portal.text import clean_text

CLOSED = "The assessment is closed: actions can no longer be added to its plan"


def _to_plan(assessment_id, anchor: str | None = None):
    return redirect(url_for("assessments.plan", assessment_id=assessment_id, _anchor=anchor))


# Who may own an action ---------------------------------------------------------------------------------


def _owner_options(assessment: SchoolAssessment, current: PlanAction | None = None) -> dict[str, str]:
    """People: the assessment's members (and its lead) who may still open it, active accounts only. Organisations: the assessed
    school, the organisations of its partner members, and the social care organisations of those who run it.
    An action's current owner stays a choice."""
    members = assessments.members(assessment)
    people = {m.user_id: m.user.full_name for m in members if m.user is not None and m.user.is_active}
    lead = assessment.lead
    if lead is not None and lead.is_active:
        people.setdefault(lead.id, lead.full_name)
    # Only people who may still open the assessment (a member who moved school is no owner).
    people = {uid: name for uid, name in people.items() if uid in set(assessments.audience(assessment.id, people))}
    partner_ids = [m.user_id for m in members if m.role == AssessmentMemberRole.PARTNER]
    assessor_ids = [m.user_id for m in members if m.role == AssessmentMemberRole.ASSESSOR] + ([assessment.lead_id] if assessment.lead_id else [])
    organisation_ids = {assessment.organisation_id}
    if partner_ids:
        organisation_ids |= set(
            db.session.execute(select(Membership.organisation_id).where(Membership.user_id.in_(partner_ids), Membership.role == Role.PARTNER)).scalars()
        )
    if assessor_ids:
        social_care = select(Organisation.id).where(Organisation.kind == OrganisationKind.SOCIAL_CARE)
        organisation_ids |= set(
            db.session.execute(
                select(Membership.organisation_id).where(Membership.user_id.in_(assessor_ids), Membership.organisation_id.in_(social_care))
            ).scalars()
        )
    organisations = (
        db.session.execute(
            visible_query(Organisation).where(Organisation.id.in_(organisation_ids - {None}), Organisation.archived_at.is_(None)).order_by(Organisation.name)
        )
        .scalars()
        .all()
    )
    organisations = sorted(organisations, key=lambda o: o.id != assessment.organisation_id)  # the school first
    ordered_people = sorted(people.items(), key=lambda pair: (pair[1], str(pair[0])))
    return dict(owner_choices(ordered_people, [(o.id, o.name) for o in organisations], current))


# The plan ----------------------------------------------------------------------------------------------


def _review(assessment: SchoolAssessment) -> AssessmentReview | None:
    return db.session.execute(visible_query(AssessmentReview).where(AssessmentReview.assessment_id == assessment.id)).scalar_one_or_none()


def _agreed(assessment: SchoolAssessment) -> AssessmentTransition | None:
    """The latest move to "plan agreed": who agreed the plan, and when."""
    query = (
        visible_query(AssessmentTransition)
        .where(AssessmentTransition.assessment_id == assessment.id, AssessmentTransition.to_stage == AssessmentStage.PLAN_AGREED)
        .order_by(AssessmentTransition.created_at.desc(), AssessmentTransition.id)
        .limit(1)
    )
    return db.session.execute(query).unique().scalar_one_or_none()


def _new_form(assessment: SchoolAssessment, options: dict[str, str]) -> NewActionForm:
    form = NewActionForm()
    form.today = uk_today()
    form.owner.choices = choices([("", "Select the owner")] + list(options.items()))
    return form


def _render_plan(assessment: SchoolAssessment, form: NewActionForm | None = None, *, refused: str | None = None, status: int = 200):
    actions = (
        db.session.execute(
            visible_query(PlanAction).where(PlanAction.assessment_id == assessment.id).order_by(PlanAction.due_on, PlanAction.created_at, PlanAction.id)
        )
        .unique()
        .scalars()
        .all()
    )
    runs_it = assessment_assessor(current_user, assessment)
    by_domain = [(domain, DOMAIN_HINTS[domain], [a for a in actions if a.domain == domain]) for domain in Domain]
    may_add = policy_for(SchoolAssessment).allows(current_user, "add_finding", assessment)
    closed = assessment.stage == AssessmentStage.CLOSED
    if form is None and may_add and not closed:
        form = _new_form(assessment, _owner_options(assessment))
    html = render_audited(
        "assessments/plan.html",
        assessment=assessment,
        by_domain=by_domain,
        undomained=[a for a in actions if a.domain is None],
        may_update={a.id for a in actions if runs_it or action_owner(current_user, a)},
        may_add=may_add,
        closed=closed,
        refused=refused,
        form=form,
        agreed=_agreed(assessment),
        oversight=planning.answers(assessment.planning)["after_the_plan"],
        review=_review(assessment),
        labels=REVIEW_LABELS,
        texts=REVIEW_TEXTS,
        today=uk_today(),
    )
    return html, status


@bp.route("/school-assessments/<uuid:assessment_id>/plan")
@login_required
def plan(assessment_id):
    return _render_plan(get_or_404(SchoolAssessment, assessment_id))


@bp.route("/school-assessments/<uuid:assessment_id>/actions", methods=["POST"])
@login_required
def action_new(assessment_id):
    """Add an action: anyone working on the assessment, the school included; never once it is closed."""
    assessment = get_or_404(SchoolAssessment, assessment_id, action="add_finding")
    options = _owner_options(assessment)
    form = _new_form(assessment, options)
    if assessment.stage == AssessmentStage.CLOSED:
        return _render_plan(assessment, form, refused=CLOSED, status=409)
    if form.validate_on_submit():
        row = assessments.add_action(
            assessment,
            description=clean_text(form.description.data),
            due_on=form.due_on.data,
            domain=Domain(form.domain.data),
            actor_id=current_user.id,
            link=assessments.plan_link(assessment.id),
            **owner_ids(form.owner.data),
        )
        db.session.commit()
        flash(f"The action has been added to {row.domain.label.lower()}. Its owner has been told.", "success")
        return _to_plan(assessment.id, f"domain-{row.domain.value}")
    return _render_plan(assessment, form, status=400)


# Updating an action ------------------------------------------------------------------------------------


def _action_values(row: PlanAction) -> dict:
    return {"owner": row.owner_name, "due_on": row.due_on, "status": row.status, "progress_note": row.progress_note}


@bp.route("/school-assessments/actions/<uuid:action_id>", methods=["GET", "POST"])
@login_required
def action_edit(action_id):
    """Its owner (the person, or someone of the organisation) or those who run the assessment update an
    action: status, progress and due date; only those who run it change its owner."""
    row = get_or_404(PlanAction, action_id)
    if row.assessment_id is None:  # a summit's or a meeting's action: not a page of this module
        record_now(Action.NOT_FOUND, object_type="plan_action", object_id=action_id, details={"action": "update"})
        abort(404)
    require("update", row)
    assessment = get_or_404(SchoolAssessment, row.assessment_id)
    runs_it = assessment_assessor(current_user, assessment)
    options = _owner_options(assessment, row) if runs_it else {}
    form = ActionUpdateForm()
    if runs_it:
        form.owner.choices = choices([("", "Select the owner")] + list(options.items()))
    else:
        del form.owner
    form.today, form.current_due = uk_today(), row.due_on
    if request.method == "GET":
        form.due_on.data, form.status.data, form.progress_note.data, form.version.data = row.due_on, row.status.value, row.progress_note, str(row.version)
        if runs_it:
            form.owner.data = owner_value(row)
    labels = {name: label for name, label in ACTION_LABELS.items() if name in form}
    changes = None
    if form.validate_on_submit():
        yours = {"due_on": form.due_on.data, "status": ActionStatus(form.status.data), "progress_note": clean_text(form.progress_note.data)}
        owner = owner_ids(form.owner.data) if runs_it else None
        if runs_it:
            yours["owner"] = options[form.owner.data].removesuffix(" (organisation)")
        if form.version.version != row.version:
            changes = _conflict(row, yours, labels, form)
        else:
            before = _action_values(row)
            new_owner = owner is not None and owner != {"owner_user_id": row.owner_user_id, "owner_organisation_id": row.owner_organisation_id}
            changed = bool(locking.what_changed(before, yours, labels)) or new_owner
            with locking.saving() as save:
                if changed:
                    assessments.update_plan_action(
                        assessment,
                        row,
                        owner=owner if new_owner else None,
                        status=yours["status"],
                        progress_note=yours["progress_note"],
                        due_on=yours["due_on"],
                        actor_id=current_user.id,
                    )
            if save.stale:
                row = get_or_404(PlanAction, action_id, action="update")
                changes = _conflict(row, yours, labels, form)
            else:
                flash("The action has been saved." if changed else "Nothing was changed.", "success")
                return _to_plan(assessment.id, f"action-{row.id}")
    return render_template("assessments/action.html", form=form, assessment=assessment, row=row, changes=changes, runs_it=runs_it, today=uk_today())


def _conflict(row: PlanAction, yours: dict, labels: dict, form: ActionUpdateForm) -> list[locking.Change]:
    """Refuse a stale save: audited, what they typed kept, the next save made against the version now."""
    locking.stale_refused("plan_action", row.id)
    form.version.data = str(row.version)
    form.current_due = row.due_on
    return locking.what_changed(_action_values(row), yours, labels)


# The review --------------------------------------------------------------------------------------------


def _review_values(review: AssessmentReview | None) -> dict:
    return {name: getattr(review, name) if review is not None else None for name in REVIEW_LABELS}


def _review_typed(form: ReviewForm) -> dict:
    return {
        "review_due_on": form.review_due_on.data,
        "reviewed_on": form.reviewed_on.data,
        **{name: clean_text(getattr(form, name).data) for name in REVIEW_TEXTS},
    }


@bp.route("/school-assessments/<uuid:assessment_id>/review", methods=["GET", "POST"])
@login_required
def review(assessment_id):
    """The review of the plan: everyone working on the assessment records it, the school included."""
    assessment = get_or_404(SchoolAssessment, assessment_id, action="add_finding")
    row = _review(assessment)
    data = {**_review_values(row), "version": str(row.version if row is not None else 0)} if request.method == "GET" else None
    form = ReviewForm(data=data)
    form.today = uk_today()
    changes = None
    if form.validate_on_submit():
        yours = _review_typed(form)
        saved_version = row.version if row is not None else 0
        if form.version.version != saved_version:
            changes = _review_conflict(assessment, row, yours, form)
        else:
            before = _review_values(row)
            fields = [name for name in REVIEW_LABELS if before[name] != yours[name]]
            try:
                with locking.saving() as save:
                    if fields:
                        assessments.save_review(assessment, row, yours, fields, actor_id=current_user.id)
                stale = save.stale
            except IntegrityError:  # the first save, made by someone else at the same moment
                db.session.rollback()
                stale = True
            if stale:
                assessment = get_or_404(SchoolAssessment, assessment_id, action="add_finding")
                changes = _review_conflict(assessment, _review(assessment), yours, form)
            else:
                flash("The review has been saved. Everyone working on the assessment has been told." if fields else "Nothing was changed.", "success")
                return _to_plan(assessment.id, "review")
    return render_audited("assessments/review.html", form=form, assessment=assessment, changes=changes)


def _review_conflict(assessment: SchoolAssessment, row: AssessmentReview | None, yours: dict, form: ReviewForm) -> list[locking.Change]:
    if row is not None:
        locking.stale_refused("assessment_review", row.id)
    else:
        locking.stale_refused("school_assessment", assessment.id)
    form.version.data = str(row.version if row is not None else 0)
    return locking.what_changed(_review_values(row), yours, REVIEW_LABELS)
