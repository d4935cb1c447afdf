"""A disagreement's page (its reason, its stages, its history, what the user may do now), a stage's
response, and the school's escalation or acceptance of an upheld response."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user, login_required

from forms import choices
from portal.advice.models import AdviceOutcome
from portal.audit.service import commit_read, record
from portal.disagreements import service
from portal.disagreements.actions import Action
from portal.disagreements.blueprint import bp
from portal.disagreements.forms import AcceptForm, EscalateForm, RespondForm
from portal.disagreements.models import LAST_STAGE, STAGE_NAMES, Disagreement, DisagreementStatus, StageOutcome
from portal.disagreements.policy import may_respond
from portal.disagreements.views.shared import add_error, detail_redirect, stale
from portal.extensions import db
from portal.locking import saving
from portal.policies import casework_schools, get_or_404, is_admin, is_front_door
from portal.referrals.display import deadline_words
from portal.referrals.models import ReferralDecision


def _sees_child(disagreement: Disagreement) -> bool:
    """The school and the front door see whose it is; the partnership's administrator (stage 3) does not:
    no child-level data for them (DESIGN.md §1)."""
    return not (is_admin(current_user) and not is_front_door(current_user) and disagreement.organisation_id not in casework_schools(current_user))


def _context(disagreement: Disagreement) -> dict:
    sees_child = _sees_child(disagreement)
    subject = service.subject_of(disagreement) if sees_child else None
    school = disagreement.organisation_id in casework_schools(current_user)
    return {
        "disagreement": disagreement,
        "steps": list(disagreement.steps),
        "subject": subject,
        "pupil": subject.pupil if subject is not None else None,
        "current_decision": service.decision_label(subject) if subject is not None else None,
        "sees_child": sees_child,
        "school_side": school,
        "may_respond": disagreement.status == DisagreementStatus.OPEN and may_respond(current_user, disagreement),
        "may_escalate": disagreement.status == DisagreementStatus.AWAITING_SCHOOL and school,
        "stage_names": STAGE_NAMES,
        "last_stage": LAST_STAGE,
        "deadline_words": deadline_words,
        "timescales": service.timescales(),
        "Status": DisagreementStatus,
    }


@bp.route("/disagreements/<uuid:disagreement_id>")
@login_required
def detail(disagreement_id):
    disagreement = get_or_404(Disagreement, disagreement_id)  # audits the view
    page = render_template("disagreements/detail.html", accept_form=AcceptForm(formdata=None, version=str(disagreement.version)), **_context(disagreement))
    commit_read()
    return page


def _viewed(disagreement: Disagreement, page: str) -> None:
    record(Action.RECORD_VIEWED, object_type="disagreement", object_id=disagreement.id, organisation_id=disagreement.organisation_id, details={"page": page})


def _decision_choices(disagreement: Disagreement) -> list:
    options = ReferralDecision if disagreement.referral_id else AdviceOutcome
    return choices(options.pairs())


@bp.route("/disagreements/<uuid:disagreement_id>/respond", methods=["GET", "POST"])
@login_required
def respond(disagreement_id):
    """A stage's response: upheld, decision changed, or referred on to the next stage."""
    disagreement = get_or_404(Disagreement, disagreement_id, action="respond")
    if disagreement.status != DisagreementStatus.OPEN:
        flash(f"This disagreement is {disagreement.status.label.lower()}: it is not waiting for a response.", "important")
        _viewed(disagreement, "respond")
        db.session.commit()
        return detail_redirect(disagreement_id)
    form = RespondForm()
    form.new_decision.choices = _decision_choices(disagreement)
    if disagreement.stage == LAST_STAGE:
        form.outcome.choices = [c for c in form.outcome.choices if c.value != StageOutcome.REFERRED_ON.value]
    if request.method == "GET":
        form.version.data = str(disagreement.version)
    elif form.validate_on_submit():
        if form.version.version != disagreement.version:
            return stale(disagreement_id)
        try:
            with saving() as save:
                service.respond(
                    disagreement,
                    actor_id=current_user.id,
                    outcome=StageOutcome(form.outcome.data),
                    body=form.response.data,
                    new_decision=form.new_decision.data,
                    new_level=form.new_level.data,
                )
        except service.Refused as refused:
            db.session.rollback()
            add_error(form, refused)
            disagreement = get_or_404(Disagreement, disagreement_id, action="respond")
        else:
            if save.stale:
                return stale(disagreement_id)
            flash("Your response has been recorded and sent to the school.", "success")
            return detail_redirect(disagreement_id)
    _viewed(disagreement, "respond")
    page = render_template("disagreements/respond.html", form=form, **_context(disagreement))
    commit_read()
    return page


@bp.route("/disagreements/<uuid:disagreement_id>/escalate", methods=["GET", "POST"])
@login_required
def escalate(disagreement_id):
    """The school takes an upheld response to the next stage."""
    disagreement = get_or_404(Disagreement, disagreement_id, action="escalate")
    if disagreement.status != DisagreementStatus.AWAITING_SCHOOL:
        flash("There is no upheld response to escalate now.", "important")
        _viewed(disagreement, "escalate")
        db.session.commit()
        return detail_redirect(disagreement_id)
    form = EscalateForm()
    if request.method == "GET":
        form.version.data = str(disagreement.version)
    elif form.validate_on_submit():
        if form.version.version != disagreement.version:
            return stale(disagreement_id)
        try:
            with saving() as save:
                service.escalate(disagreement, actor_id=current_user.id, why=form.why.data)
        except service.Refused as refused:
            db.session.rollback()
            add_error(form, refused)
            disagreement = get_or_404(Disagreement, disagreement_id, action="escalate")
        else:
            if save.stale:
                return stale(disagreement_id)
            flash("Your disagreement has been escalated to the next stage.", "success")
            return detail_redirect(disagreement_id)
    _viewed(disagreement, "escalate")
    page = render_template("disagreements/escalate.html", form=form, **_context(disagreement))
    commit_read()
    return page


@bp.route("/disagreements/<uuid:disagreement_id>/accept", methods=["POST"])
@login_required
def accept(disagreement_id):
    """The school accepts an upheld response: the disagreement is resolved."""
    disagreement = get_or_404(Disagreement, disagreement_id, action="accept")
    form = AcceptForm()
    if not form.validate_on_submit() or form.version.version != disagreement.version:
        return stale(disagreement_id)
    try:
        with saving() as save:
            service.accept(disagreement, actor_id=current_user.id)
    except service.Refused as refused:
        db.session.rollback()
        flash(str(refused), "important")
        return detail_redirect(disagreement_id)
    if save.stale:
        return stale(disagreement_id)
    flash("You have accepted the response. The disagreement is resolved.", "success")
    return detail_redirect(disagreement_id)
