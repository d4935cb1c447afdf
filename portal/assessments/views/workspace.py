"""The school assessment workspace: the list, opening one, and its page.

An assessment is opened by a context panel decision or directly (by a front-door manager or a context
panel member). Its page shows the summary, the stage with every transition, the members, the planning
checklist (the seed's things to consider) and the notes. Social care runs it; the school's DSLs and head
see and contribute to all of it except the assessor-only notes, which never reach them.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms import choices
from portal.accounts.models import Membership, Role, User
from portal.assessments import planning, service
from portal.assessments.blueprint import bp
from portal.assessments.forms import MemberForm, MoveForm, NewAssessmentForm, NoteForm, PlanningForm
from portal.assessments.models import (
    AssessmentKind,
    AssessmentMember,
    AssessmentMemberRole,
    AssessmentNote,
    AssessmentStage,
    AssessmentTrigger,
    SchoolAssessment,
)
from portal.assessments.policy import oversees_assessments
from portal.audit.service import record_now, render_audited
from portal.authorities.models import Organisation, OrganisationKind
from portal.contexts.models import ContextReferral
from portal.extensions import db
from portal.locking import saving, stale_refused, what_changed
from portal.model_base import as_uuid
from portal.partnership.actions import Action
from portal.policies import deny_page, get_or_404, policy_for, require, roles_required, visible_query


def _may(action: str, assessment: SchoolAssessment) -> bool:
    return policy_for(SchoolAssessment).allows(current_user, action, assessment)


def _to_detail(assessment_id, anchor: str | None = None):
    return redirect(url_for("assessments.detail", assessment_id=assessment_id, _anchor=anchor))


# The list and opening one ----------------------------------------------------------------------------


@bp.route("/school-assessments")
@roles_required(Role.FRONT_DOOR, Role.ASSESSOR, Role.DSL, Role.HEAD, Role.PARTNER)
def index():
    """The assessments the person may see (a partner: those they are a member of), by stage."""
    rows = (
        db.session.execute(
            visible_query(SchoolAssessment).order_by(SchoolAssessment.created_at.desc(), SchoolAssessment.id).options(selectinload(SchoolAssessment.lead))
        )
        .unique()
        .scalars()
        .all()
    )
    by_stage = [(stage, [a for a in rows if a.stage == stage]) for stage in service.STAGES]
    may_open = oversees_assessments(current_user)
    return render_template("assessments/index.html", by_stage=by_stage, total=len(rows), may_open=may_open)


@bp.route("/school-assessments/new", methods=["GET", "POST"])
@login_required
def new():
    """A direct request: a front-door manager or a context panel member opens an assessment."""
    if not oversees_assessments(current_user):
        deny_page()
    schools = (
        db.session.execute(
            visible_query(Organisation)
            .where(Organisation.kind.in_([k for k in OrganisationKind if k.is_education]), Organisation.archived_at.is_(None))
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )
    assessors = (
        db.session.execute(
            select(User)
            .where(
                User.id.in_(select(Membership.user_id).where(Membership.role == Role.ASSESSOR)),
                User.deactivated_at.is_(None),
                User.password_hash.is_not(None),
            )
            .order_by(User.full_name, User.id)
        )
        .scalars()
        .all()
    )
    form = NewAssessmentForm()
    form.school.choices = choices([("", "Select a school")] + [(s.id, s.name) for s in schools])
    form.lead.choices = choices([("", "Not named yet")] + [(u.id, u.full_name) for u in assessors])
    if request.method == "GET":
        form.kind.data = AssessmentKind.SCHOOL_ASSESSMENT.value
        form.school.data = request.args.get("school", "")
    if form.validate_on_submit():
        school = next(s for s in schools if str(s.id) == form.school.data)
        assessment = service.open_assessment(
            school,
            kind=AssessmentKind(form.kind.data),
            trigger=AssessmentTrigger.DIRECT_REQUEST,
            reason=form.reason.data.strip(),
            lead_id=as_uuid(form.lead.data) if form.lead.data else None,
            actor_id=current_user.id,
        )
        service.tell_opened(assessment, actor_id=current_user.id)
        db.session.commit()
        flash(f"The assessment of {school.name} has been opened and the school has been told.", "success")
        return _to_detail(assessment.id)
    return render_template("assessments/new.html", form=form)


# The workspace ---------------------------------------------------------------------------------------


def _render_detail(assessment: SchoolAssessment, *, move_form=None, member_form=None, note_form=None, status: int = 200):
    referral = db.session.execute(visible_query(ContextReferral).where(ContextReferral.assessment_id == assessment.id)).unique().scalar_one_or_none()
    may_manage = _may("manage_members", assessment)
    member_form = member_form or MemberForm(formdata=None)
    if may_manage:
        member_form.person.choices = choices([("", "Select a person")] + [(c.user_id, c.label) for c in service.candidates(assessment)])
    notes = (
        db.session.execute(
            visible_query(AssessmentNote).where(AssessmentNote.assessment_id == assessment.id).order_by(AssessmentNote.created_at.desc(), AssessmentNote.id)
        )
        .unique()
        .scalars()
        .all()
    )
    members = db.session.execute(visible_query(AssessmentMember).where(AssessmentMember.assessment_id == assessment.id)).unique().scalars().all()
    roles = list(AssessmentMemberRole)
    members = sorted(members, key=lambda m: (roles.index(m.role), m.user.full_name if m.user else ""))
    html = render_audited(
        "assessments/detail.html",
        assessment=assessment,
        referral=referral,
        members=members,
        transitions=service.transitions(assessment),
        next_stage=service.next_stage(assessment.stage),
        previous_stage=service.previous_stage(assessment.stage),
        may_move=_may("transition", assessment),
        may_manage=may_manage,
        may_plan=_may("edit_planning", assessment),
        may_note=_may("add_note", assessment),
        may_assessor_note=_may("assessor_note", assessment),
        questions=planning.QUESTIONS,
        answers=planning.answers(assessment.planning),
        answered=planning.answered(assessment.planning),
        notes=notes,
        move_form=move_form or MoveForm(formdata=None),
        member_form=member_form,
        note_form=note_form or NoteForm(formdata=None),
    )
    return html, status


@bp.route("/school-assessments/<uuid:assessment_id>")
@login_required
def detail(assessment_id):
    return _render_detail(get_or_404(SchoolAssessment, assessment_id))


@bp.route("/school-assessments/<uuid:assessment_id>/stage", methods=["POST"])
@login_required
def transition(assessment_id):
    assessment = get_or_404(SchoolAssessment, assessment_id, action="transition")
    form = MoveForm()
    if form.validate_on_submit():
        try:
            to_stage = AssessmentStage(form.to.data)
            service.move(assessment, to_stage, actor_id=current_user.id, comment=form.comment.data)
        except ValueError as refused:
            message = str(refused) if isinstance(refused, service.Refused) else "Choose the next or the previous stage"
            form.comment.errors = [message]
        else:
            db.session.commit()
            flash(f"The assessment is now at the {to_stage.label.lower()} stage. Everyone working on it has been told.", "success")
            return _to_detail(assessment.id, "stage")
    return _render_detail(assessment, move_form=form, status=400)


@bp.route("/school-assessments/<uuid:assessment_id>/members", methods=["POST"])
@login_required
def member_add(assessment_id):
    assessment = get_or_404(SchoolAssessment, assessment_id, action="manage_members")
    form = MemberForm()
    offered = {str(c.user_id): c for c in service.candidates(assessment)}
    form.person.choices = choices([("", "Select a person")] + [(c.user_id, c.label) for c in offered.values()])
    if form.validate_on_submit():
        candidate = offered[form.person.data]
        service.add_member(assessment, candidate, actor_id=current_user.id)
        db.session.commit()
        flash(f"{candidate.label} has been added to the assessment.", "success")
        return _to_detail(assessment.id, "members")
    return _render_detail(assessment, member_form=form, status=400)


@bp.route("/school-assessments/<uuid:assessment_id>/members/<uuid:member_id>/remove", methods=["POST"])
@login_required
def member_remove(assessment_id, member_id):
    assessment = get_or_404(SchoolAssessment, assessment_id, action="manage_members")
    row = get_or_404(AssessmentMember, member_id)
    if row.assessment_id != assessment.id:
        record_now(Action.NOT_FOUND, object_type="assessment_member", object_id=member_id)
        abort(404)
    name = row.user.full_name if row.user else "The person"
    try:
        service.remove_member(assessment, row, actor_id=current_user.id)
    except service.Refused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(f"{name} has been removed from the assessment.", "success")
    return _to_detail(assessment.id, "members")


@bp.route("/school-assessments/<uuid:assessment_id>/notes", methods=["POST"])
@login_required
def note_new(assessment_id):
    assessment = get_or_404(SchoolAssessment, assessment_id, action="add_note")
    form = NoteForm()
    if form.validate_on_submit():
        if form.assessor_only.data:
            require("assessor_note", assessment)
        service.add_note(assessment, body=form.body.data, assessor_only=bool(form.assessor_only.data), author_id=current_user.id)
        db.session.commit()
        flash("Your assessor-only note has been added." if form.assessor_only.data else "Your note has been added.", "success")
        return _to_detail(assessment.id, "notes")
    return _render_detail(assessment, note_form=form, status=400)


@bp.route("/school-assessments/<uuid:assessment_id>/planning", methods=["GET", "POST"], endpoint="planning")
@login_required
def planning_edit(assessment_id):
    """The planning checklist, agreed between social care and the school (optimistic locking)."""
    assessment = get_or_404(SchoolAssessment, assessment_id, action="edit_planning")
    form = PlanningForm()
    if request.method == "GET":
        for key, value in planning.answers(assessment.planning).items():
            getattr(form, key).data = value
        form.version.data = str(assessment.version)
    conflict = None
    if form.validate_on_submit():
        typed = {key: (getattr(form, key).data or "").strip() for key in planning.KEYS}
        if form.version.version != assessment.version:
            conflict = what_changed(planning.answers(assessment.planning), typed, planning.LABELS)
        else:
            with saving() as save:
                service.save_planning(assessment, typed)
            if save.stale:
                assessment = get_or_404(SchoolAssessment, assessment_id, action="edit_planning")
                conflict = what_changed(planning.answers(assessment.planning), typed, planning.LABELS)
            else:
                flash("The planning has been saved.", "success")
                return _to_detail(assessment.id, "planning")
    if conflict is not None:
        stale_refused("school_assessment", assessment.id)
        form.version.data = str(assessment.version)
    return render_template("assessments/planning.html", form=form, assessment=assessment, questions=planning.QUESTIONS, conflict=conflict)
