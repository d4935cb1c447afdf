"""The referral's page, for the school and the front door alike: everything it says, its time line (the
school's feedback), the clock, the steps the user may take now, and the message thread."""

from __future__ import annotations

from flask import flash, render_template
from flask_login import current_user, login_required

from forms import MessageForm
from portal.audit.service import commit_read, record
from portal.authorities.models import Organisation, OrganisationKind
from portal.clock import utcnow
from portal.extensions import db
from portal.locking import saving
from portal.policies import get_or_404, is_front_door, policy_for, visible_query
from portal.referrals import household, service
from portal.referrals.actions import Action
from portal.referrals.blueprint import bp
from portal.referrals.models import Referral, ReferralStatus
from portal.referrals.views.shared import detail_redirect, household_section, is_school_side, last_question, stale

S = ReferralStatus


def _front_door_name() -> str:
    """The front door's name for the time line (the authority's social care organisation, if it has one)."""
    names = [
        o.name
        for o in db.session.execute(
            visible_query(Organisation).where(Organisation.kind == OrganisationKind.SOCIAL_CARE, Organisation.archived_at.is_(None))
        ).scalars()
    ]
    return names[0] if len(names) == 1 else "Children's social care"


def _actions(referral: Referral) -> list[str]:
    """The workflow steps this user may take now (the service's steps, filtered by the policy)."""
    allows = policy_for(Referral).allows
    return [
        step
        for step in service.available_steps(referral, front_door=is_front_door(current_user) and not is_school_side(referral))
        if allows(current_user, step, referral)
    ]


def _render_detail(referral: Referral, *, message_form: MessageForm | None = None, status: int = 200):
    transitions = list(referral.transitions)
    decided = next((t for t in reversed(transitions) if t.to_status == S.DECIDED), None)
    page = render_template(
        "referrals/detail.html",
        referral=referral,
        pupil=referral.pupil,
        transitions=transitions,
        decided=decided,
        question=last_question(transitions),
        messages=list(referral.messages),
        attachments=service.referral_attachments(referral.id),
        household=household_section(
            referral, editable=household.editable(referral) and is_school_side(referral) and policy_for(Referral).allows(current_user, "edit", referral)
        ),
        actions=_actions(referral),
        school_side=is_school_side(referral),
        may_message=policy_for(Referral).allows(current_user, "message", referral),
        may_delete=referral.status == S.DRAFT and policy_for(Referral).allows(current_user, "delete_draft", referral),
        front_door_name=_front_door_name(),
        message_form=message_form or MessageForm(formdata=None),
        now=utcnow(),
    )
    return page, status


@bp.route("/referrals/<uuid:referral_id>")
@login_required
def detail(referral_id):
    """Everything the referral says, its time line (the school's feedback), the clock, the thread."""
    referral = get_or_404(Referral, referral_id)
    response = _render_detail(referral)
    commit_read()  # the audited view
    return response


@bp.route("/referrals/<uuid:referral_id>/messages", methods=["POST"])
@login_required
def message(referral_id):
    """A message on the referral's thread; the other side is told."""
    referral = get_or_404(Referral, referral_id, action="message")
    form = MessageForm()
    if not form.validate_on_submit():
        record(Action.RECORD_VIEWED, object_type="referral", object_id=referral.id, organisation_id=referral.organisation_id)
        response = _render_detail(referral, message_form=form)
        db.session.commit()
        return response
    from_front_door = is_front_door(current_user) and not is_school_side(referral)
    with saving() as save:
        service.send_message(referral, author_id=current_user.id, from_front_door=from_front_door, body=form.body.data)
    if save.stale:
        return stale(referral_id)
    flash("Your message has been sent.", "success")
    return detail_redirect(referral_id, "messages")
