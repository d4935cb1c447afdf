"""A meeting's page, accepting its information-sharing agreement, and an organisation's answer to its
invitation."""

from __future__ import annotations

from flask import abort, flash
from flask_login import current_user, login_required

from portal.audit.service import record, record_now, render_audited
from portal.clock import uk_today
from portal.contexts.models import ContextReferral
from portal.extensions import db
from portal.meetings import service
from portal.meetings.actions import Action
from portal.meetings.blueprint import bp
from portal.meetings.forms import AgreementForm, RespondForm
from portal.meetings.models import PartnershipMeeting
from portal.meetings.views.common import listed, may, meeting_or_404, meeting_return, to_detail
from portal.partnership import service as partnership
from portal.partnership.models import Invitation, InvitationStatus
from portal.policies import get_or_404, invitable_organisations, visible_query


def _my_invitations(meeting: PartnershipMeeting) -> list[Invitation]:
    """Invitations of this meeting to the organisations this person answers for."""
    mine = invitable_organisations(current_user)
    return [i for i in partnership.invitations(meeting) if i.organisation_id in mine]


def _render_detail(meeting: PartnershipMeeting, *, agreement_form: AgreementForm | None = None, respond_form: RespondForm | None = None):
    papers = may("read_papers", meeting)
    agreement_form = agreement_form or AgreementForm(formdata=None)
    agreement_form.digest.data = service.agreement_digest(meeting)
    context = {
        "meeting": meeting,
        "papers": papers,
        "may_accept": not papers and may("accept_agreement", meeting),
        "my_invitations": _my_invitations(meeting),
        "agreement_form": agreement_form,
        "respond_form": respond_form or RespondForm(formdata=None),
        "lead": may("edit", meeting),
        # The context referral whose panel decision opened the meeting (for those who may see it).
        "referrals": db.session.execute(visible_query(ContextReferral).where(ContextReferral.meeting_id == meeting.id)).unique().scalars().all(),
    }
    if papers:
        actions = partnership.actions(meeting)
        context.update(
            meeting_return=meeting_return(meeting),
            participants=listed(meeting),
            invitations=partnership.invitations(meeting),
            actions=actions,
            may_edit_return=may("edit_return", meeting),
            may_update={a.id for a in actions if may("update", a)},
            today=uk_today(),
        )
        # The papers may name young people: who read them is recorded.
        record(
            Action.RECORD_VIEWED, object_type="partnership_meeting", object_id=meeting.id, organisation_id=meeting.organisation_id, details={"page": "papers"}
        )
    return render_audited("meetings/detail.html", **context)


@bp.route("/meetings/<uuid:meeting_id>")
@login_required
def detail(meeting_id):
    return _render_detail(meeting_or_404(meeting_id))


@bp.route("/meetings/<uuid:meeting_id>/accept-agreement", methods=["POST"])
@login_required
def accept_agreement(meeting_id):
    """This person accepts the information-sharing agreement they read (not a version changed meanwhile)."""
    meeting = meeting_or_404(meeting_id, "accept_agreement")
    form = AgreementForm()
    if form.validate_on_submit():
        try:
            service.accept_agreement(meeting, current_user.id, digest=form.digest.data)
        except service.Refused as refused:  # the digest is missing, or a version changed meanwhile
            form.accept.errors.append(str(refused))
        else:
            db.session.commit()
            flash("You have accepted the information-sharing agreement. The meeting's papers are below.", "success")
            return to_detail(meeting.id)
    return _render_detail(meeting, agreement_form=form)


@bp.route("/meetings/invitations/<uuid:invitation_id>/respond", methods=["POST"])
@login_required
def respond(invitation_id):
    """An organisation invited to a meeting accepts or declines (answered once, by one of its contacts)."""
    invitation = get_or_404(Invitation, invitation_id, action="respond")
    if invitation.meeting_id is None:  # an invitation to a summit or a panel: not this page's
        record_now(Action.NOT_FOUND, object_type="invitation", object_id=invitation_id, details={"action": "respond"})
        abort(404)
    meeting = meeting_or_404(invitation.meeting_id)
    if invitation.status != InvitationStatus.INVITED:
        flash(f"{invitation.organisation.name} has already answered this invitation: {invitation.status.label.lower()}.")
        return to_detail(meeting.id)
    form = RespondForm()
    if not form.validate_on_submit():
        return _render_detail(meeting, respond_form=form)
    accept = form.answer.data == "accept"
    partnership.respond(
        invitation, accept=accept, actor_id=current_user.id, note=form.note.data, inviter_title=meeting.title, link=service.meeting_link(meeting)
    )
    db.session.commit()
    if accept:
        flash(f"{invitation.organisation.name} has accepted the invitation. Accept the information-sharing agreement to see the meeting's papers.", "success")
    else:
        flash(f"{invitation.organisation.name} has declined the invitation. The meeting's lead has been told.", "success")
    return to_detail(meeting.id)
