"""A summit's page (or, for an organisation only invited, its invitation), inviting organisations and
their answers, the planning checklist and the summit's status."""

from __future__ import annotations

from flask import abort, flash, render_template
from flask_login import current_user, login_required
from sqlalchemy import or_

from portal.authorities.models import Organisation, OrganisationKind
from portal.clock import uk_today
from portal.contexts.models import ContextReferral
from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.partnership import service as partnership
from portal.partnership.models import Invitation, InvitationStatus
from portal.partnership.policy import action_owner
from portal.policies import get_or_404, invitable_organisations, not_found, visible_query
from portal.summits import checklist, service
from portal.summits.blueprint import bp
from portal.summits.forms import ChecklistForm, InviteForm, RespondForm, StatusForm
from portal.summits.models import SafetyMap, SafetySummit, SummitActivity, SummitFinding, YouSaidWeDid
from portal.summits.views.common import conflict, may, rows, select_from, to_detail

#: Who may be invited: schools, colleges and settings, and partner agencies (social care runs summits).
_INVITABLE = [k for k in OrganisationKind if k.is_education] + [
    OrganisationKind.POLICE,
    OrganisationKind.HEALTH,
    OrganisationKind.VOLUNTARY,
    OrganisationKind.OTHER,
]


def _invitable(summit) -> list[Organisation]:
    return (
        db.session.execute(
            visible_query(Organisation)
            .where(Organisation.kind.in_(_INVITABLE), Organisation.archived_at.is_(None), Organisation.id != summit.host_organisation_id)
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )


def _invite_form(summit, invitations, form: InviteForm | None = None) -> InviteForm:
    form = form or InviteForm(formdata=None)
    invited = {i.organisation_id for i in invitations}
    select_from(form.organisation, {str(o.id): f"{o.name} ({o.kind.label})" for o in _invitable(summit) if o.id not in invited}, "Choose who to invite")
    return form


def _my_invitations(summit) -> list[Invitation]:
    mine = sorted(invitable_organisations(current_user))
    if not mine:
        return []
    return (
        db.session.execute(
            visible_query(Invitation).where(Invitation.summit_id == summit.id, Invitation.organisation_id.in_(mine)).order_by(Invitation.created_at)
        )
        .unique()
        .scalars()
        .all()
    )


def _render_invitation(summit, form: RespondForm | None = None, status: int = 200):
    """The page of an organisation invited but not in the summit: the invitation, or that it declined."""
    invitations = _my_invitations(summit)
    if not invitations:  # visible only through an invitation: cannot happen, but never show more
        abort(404)
    waiting = [i for i in invitations if i.status == InvitationStatus.INVITED]
    page = render_template(
        "summits/invitation.html",
        summit=summit,
        waiting=waiting,
        declined=[i for i in invitations if i.status == InvitationStatus.DECLINED],
        form=form or RespondForm(formdata=None),
    )
    return page, status


def _render_detail(summit, *, invite_form=None, checklist_form=None, checklist_changes=None, status: int = 200):
    if not may("view_content", summit):
        return _render_invitation(summit)
    organiser = may("plan", summit)
    invitations = partnership.invitations(summit)
    activities = rows(SummitActivity, summit, SummitActivity.created_at)
    if checklist_form is None:
        checklist_form = ChecklistForm(formdata=None, items=list(summit.checklist or []), version=str(summit.version))
    actions = partnership.actions(summit)
    page = render_template(
        "summits/detail.html",
        summit=summit,
        organiser=organiser,
        invitations=invitations,
        participants=partnership.participants(summit),
        activities=activities,
        activity_titles={a.id: a.title for a in activities},
        maps=rows(SafetyMap, summit, SafetyMap.created_at),
        findings=rows(SummitFinding, summit, SummitFinding.created_at),
        actions=actions,
        may_update={a.id for a in actions if organiser or action_owner(current_user, a)},
        you_said=rows(YouSaidWeDid, summit, YouSaidWeDid.told_on, YouSaidWeDid.created_at),
        context_referrals=db.session.execute(
            visible_query(ContextReferral).where(or_(ContextReferral.summit_id == summit.id, ContextReferral.source_summit_id == summit.id))
        )
        .unique()
        .scalars()
        .all(),
        invite_form=_invite_form(summit, invitations, invite_form) if organiser else None,
        checklist_form=checklist_form,
        checklist_changes=checklist_changes,
        ticked={item.key for item in checklist.ticked(summit.checklist)},
        next_status=service.NEXT_STATUS.get(summit.status),
        status_form=StatusForm(formdata=None),
        today=uk_today(),
    )
    return page, status


@bp.route("/summits/<uuid:summit_id>")
@login_required
def detail(summit_id):
    """The summit: its plan, the people and organisations in it, the activities, the safety maps, and
    what came after. An organisation only invited sees the invitation; one that declined, only that."""
    return _render_detail(get_or_404(SafetySummit, summit_id))


@bp.route("/summits/<uuid:summit_id>/invite", methods=["POST"])
@login_required
def invite(summit_id):
    """Invite a school or a partner agency of the authority (once; never the host)."""
    summit = get_or_404(SafetySummit, summit_id, action="invite")
    form = InviteForm()
    invitations = partnership.invitations(summit)
    _invite_form(summit, invitations, form)
    if form.validate_on_submit():
        chosen = as_uuid(form.organisation.data)
        organisation = next((o for o in _invitable(summit) if o.id == chosen), None)
        if chosen == summit.host_organisation_id:
            form.organisation.errors.append("The host school is already taking part: it does not need an invitation")
        elif organisation is None:
            form.organisation.errors.append("Select a school or partner agency from the list")
        elif partnership.invite(summit, organisation.id, actor_id=current_user.id, title=summit.title, link=service.summit_link(summit)) is None:
            form.organisation.errors.append(f"{organisation.name} has already been invited")
        else:
            db.session.commit()
            flash(f"{organisation.name} has been invited. Their safeguarding contacts have been told.", "success")
            return to_detail(summit.id, "invitations")
    return _render_detail(summit, invite_form=form)


@bp.route("/summits/invitations/<uuid:invitation_id>/respond", methods=["POST"])
@login_required
def respond(invitation_id):
    """An invited organisation accepts or declines."""
    invitation = get_or_404(Invitation, invitation_id, action="respond")
    if invitation.summit_id is None:
        not_found("invitation", invitation_id)
    summit = get_or_404(SafetySummit, invitation.summit_id)
    if invitation.status != InvitationStatus.INVITED:
        flash(f"{invitation.organisation.name} has already answered this invitation: {invitation.status.label.lower()}.")
        return to_detail(summit.id)
    form = RespondForm()
    if not form.validate_on_submit():
        return _render_invitation(summit, form)
    accept = form.answer.data == "accept"
    partnership.respond(invitation, accept=accept, actor_id=current_user.id, note=form.note.data, inviter_title=summit.title, link=service.summit_link(summit))
    db.session.commit()
    if accept:
        flash(f"{invitation.organisation.name} has accepted the invitation. The organisers have been told.", "success")
    else:
        flash(f"{invitation.organisation.name} has declined the invitation. The organisers have been told.", "success")
    return to_detail(summit.id)


@bp.route("/summits/<uuid:summit_id>/checklist", methods=["POST"], endpoint="checklist")
@login_required
def save_checklist(summit_id):
    """Tick the planning checklist (a stale save is refused, like the plan's)."""
    summit = get_or_404(SafetySummit, summit_id, action="plan")
    form = ChecklistForm()
    if not form.validate_on_submit():
        return _render_detail(summit, checklist_form=form)
    chosen = checklist.clean(form.items.data)
    if form.version.version == summit.version:
        with saving() as save:
            service.save_checklist(summit, chosen)
        if not save.stale:
            flash("The planning checklist has been saved.", "success")
            return to_detail(summit.id, "checklist")
        summit = get_or_404(SafetySummit, summit_id, action="plan")
    labels = {"checklist": "Planning checklist"}
    saved = {"checklist": "; ".join(i.label for i in checklist.ticked(summit.checklist))}
    yours = {"checklist": "; ".join(i.label for i in checklist.ticked(chosen))}
    changes = conflict("safety_summit", summit, saved, yours, labels, form)
    return _render_detail(summit, checklist_form=form, checklist_changes=changes)


@bp.route("/summits/<uuid:summit_id>/status", methods=["POST"])
@login_required
def status(summit_id):
    """Planning → held → closed, by the organisers."""
    summit = get_or_404(SafetySummit, summit_id, action="set_status")
    form = StatusForm()
    step = service.NEXT_STATUS.get(summit.status)
    if not (form.validate_on_submit() and step and form.status.data == step[0].value):
        flash(f"This summit is {summit.status.label.lower()}: that change is not possible now.")
        return to_detail(summit.id)
    with saving() as save:
        now = service.move_on(summit)
    if save.stale:
        flash("Someone else changed this summit at the same moment. Check it, then try again.")
        return to_detail(summit_id)
    flash(f"The summit is now: {now.label}.", "success")
    return to_detail(summit.id)
