"""The referral's page, for the school and the front door alike: everything it says, its time line (the
school's feedback), the clock, the steps the user may take now, and the message thread."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import flash, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from forms import MessageForm
from portal.accounts.models import named
from portal.audit.service import commit_read, record
from portal.authorities.models import Organisation, OrganisationKind
from portal.casework import chronology as chronology_service
from portal.casework.models import ChronologyEntry
from portal.clock import utcnow
from portal.extensions import db
from portal.locking import saving
from portal.pagination import decode_cursor, fetch_page
from portal.policies import get_or_404, is_front_door, policy_for, visible_query
from portal.referrals import household, service
from portal.referrals.actions import Action
from portal.referrals.blueprint import bp
from portal.referrals.models import Referral, ReferralMessage, ReferralStatus, ReferralTransition
from portal.referrals.policy import CHRONOLOGY_SHARED_DAYS, chronology_shared_until
from portal.referrals.views.shared import detail_redirect, household_section, is_school_side, last_question, stale

S = ReferralStatus


def _front_door_name() -> str:
    """The front door's name for the time line (the authority's social care organisation, if it has one)."""
    names = (
        db.session.execute(
            visible_query(Organisation)
            .where(Organisation.kind == OrganisationKind.SOCIAL_CARE, Organisation.archived_at.is_(None))
            .with_only_columns(Organisation.name)
        )
        .scalars()
        .all()
    )
    return names[0] if len(names) == 1 else "Children's social care"


#: What the referral's page reads of its relations: who wrote it in the same statement, and the people on
#: its time line and thread by name only (not their whole rows: password hash, second factor…).
DETAIL_LOADS = (
    named(Referral.created_by),
    selectinload(Referral.transitions).options(named(ReferralTransition.actor)),
    selectinload(Referral.messages).options(named(ReferralMessage.author)),
)


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
    # The decision's first making (a decision changed later, by a disagreement, is a transition from decided to decided).
    decided = next((t for t in reversed(transitions) if t.to_status == S.DECIDED and t.from_status != S.DECIDED), None)
    # The latest change of that decision, if a disagreement changed it: its reason is the one shown.
    changed = next((t for t in reversed(transitions) if t.to_status == S.DECIDED and t.from_status == S.DECIDED), None)
    page = render_template(
        "referrals/detail.html",
        referral=referral,
        pupil=referral.pupil,
        transitions=transitions,
        decided=decided,
        changed=changed,
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
        may_read_chronology=policy_for(Referral).allows(current_user, "read_chronology", referral),
        chronology_until=chronology_shared_until(referral),
        front_door_name=_front_door_name(),
        message_form=message_form or MessageForm(formdata=None),
        now=utcnow(),
    )
    return page, status


@bp.route("/referrals/<uuid:referral_id>")
@login_required
def detail(referral_id):
    """Everything the referral says, its time line (the school's feedback), the clock, the thread."""
    referral = get_or_404(Referral, referral_id, options=DETAIL_LOADS)
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


#: Lines of a shared chronology that link to a page the front door may open.
_FRONT_DOOR_LINKS = {"referral": ("referrals.detail", "referral_id"), "advice_request": ("advice.detail", "advice_id")}


@bp.route("/referrals/<uuid:referral_id>/chronology")
@login_required
def chronology(referral_id):
    """The child's chronology at the referring school, read-only, for the front door, while the DSL's
    choice to share it with this referral allows; every view audited. 50 lines a page, newest first."""
    referral = get_or_404(Referral, referral_id, action="read_chronology")
    values = decode_cursor(request.args.get("before"), 2, (datetime, uuid.UUID))
    before = tuple(values) if values and values[0].tzinfo is not None else None
    query = (
        chronology_service.page_query(referral.pupil_id, before=before)
        .where(ChronologyEntry.organisation_id == referral.organisation_id, policy_for(ChronologyEntry).visible(current_user))
        .options(named(ChronologyEntry.actor))
    )
    page = fetch_page(db.session, query, chronology_service.PAGE_SIZE, key=lambda entry: (entry.occurred_at, entry.id))
    record(
        Action.CHRONOLOGY_READ,
        object_type="referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={"pupil_id": str(referral.pupil_id), "lines": len(page.items), "older_page": before is not None},
    )
    html = render_template(
        "referrals/chronology.html",
        referral=referral,
        pupil=referral.pupil,
        entries=page.items,
        next_cursor=page.next_cursor,
        is_first_page=before is None,
        links=_FRONT_DOOR_LINKS,
        until=chronology_shared_until(referral),
        shared_days=CHRONOLOGY_SHARED_DAYS,
    )
    commit_read()
    return html
