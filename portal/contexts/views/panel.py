"""The context panel's meetings: the list, scheduling and editing one, its page (agenda, referrals
waiting, partners invited and who attended), listing a referral on its agenda, inviting partner
organisations and their answers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from forms import choices
from portal import locking
from portal.audit.service import record_now
from portal.authorities.models import Organisation, OrganisationKind
from portal.clock import UK, uk_datetime
from portal.contexts import service
from portal.contexts.actions import Action
from portal.contexts.blueprint import bp
from portal.contexts.forms import InviteForm, ListForm, PanelMeetingForm, RespondForm
from portal.contexts.models import ContextReferral, ContextReferralStatus, PanelMeeting
from portal.contexts.people import panel_people
from portal.contexts.policy import works_on_contexts
from portal.contexts.views.common import gate, one, organisations, start_of_today, upcoming_meetings
from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.notifications.service import page_path
from portal.partnership import service as partnership
from portal.partnership.models import Invitation, InvitationStatus
from portal.policies import get_or_404, invitable_organisations, is_panel_member, policy_for, visible_query

AWAITING = ContextReferralStatus.AWAITING_DECISION
_PARTNER_KINDS = [OrganisationKind.POLICE, OrganisationKind.HEALTH, OrganisationKind.VOLUNTARY, OrganisationKind.OTHER]
MEETING_LABELS = {"meets_at": "Date and time", "venue": "Where", "chair": "Chair", "notes": "Notes"}


@bp.route("/context-panel")
@gate(works_on_contexts)
def panel():
    """The panel meetings this person may see: upcoming (soonest first), then past (newest first)."""
    today = start_of_today()
    upcoming = upcoming_meetings()
    past = (
        db.session.execute(
            visible_query(PanelMeeting)
            .where(PanelMeeting.meets_at < today)
            .options(selectinload(PanelMeeting.chair))
            .order_by(PanelMeeting.meets_at.desc(), PanelMeeting.id)
            .limit(50)
        )
        .scalars()
        .all()
    )
    on_agenda = dict(
        db.session.execute(
            select(ContextReferral.panel_meeting_id, func.count(ContextReferral.id))
            .where(policy_for(ContextReferral).visible(current_user), ContextReferral.panel_meeting_id.is_not(None))
            .group_by(ContextReferral.panel_meeting_id)
        ).all()
    )
    waiting = None
    if is_panel_member(current_user):
        waiting = db.session.execute(
            select(func.count(ContextReferral.id)).where(ContextReferral.status == AWAITING, ContextReferral.panel_meeting_id.is_(None))
        ).scalar()
    return render_template("contexts/panel.html", upcoming=upcoming, past=past, on_agenda=on_agenda, waiting=waiting)


def _meeting_values(meets_at, venue, chair_name, notes) -> dict:
    return {"meets_at": uk_datetime(meets_at) if meets_at else None, "venue": venue, "chair": chair_name, "notes": notes}


def _panel_form(meeting: PanelMeeting | None):
    form = PanelMeetingForm()
    names = {str(u.id): u.full_name for u in panel_people()}
    form.chair.choices = choices([("", "Not chosen yet")] + list(names.items()))
    if request.method == "GET" and meeting is not None:
        form.meets_on.data = meeting.meets_at.astimezone(UK).date()
        form.meets_time.data = meeting.meets_at.astimezone(UK).strftime("%H:%M")
        form.venue.data = meeting.venue
        form.chair.data = str(meeting.chair_id) if meeting.chair_id else ""
        form.notes.data = meeting.notes
        form.version.data = str(meeting.version)
    changes = None
    if form.validate_on_submit():
        chair = form.chair.data if form.chair.data in names else None
        if meeting is not None and form.version.version != meeting.version:
            changes = _meeting_conflict(meeting, form, names.get(chair))
        else:
            creating = meeting is None
            with saving() as save:
                meeting = service.save_panel_meeting(
                    meeting,
                    meets_at=form.meets_at,
                    venue=form.venue.data,
                    chair_id=as_uuid(chair) if chair else None,
                    notes=form.notes.data,
                    actor_id=current_user.id,
                )
            if save.stale:
                changes = _meeting_conflict(meeting, form, names.get(chair))
            else:
                flash(f"The panel meeting on {uk_datetime(meeting.meets_at)} has been {'scheduled' if creating else 'saved'}.", "success")
                return redirect(url_for("contexts.panel_detail", panel_meeting_id=meeting.id))
    return render_template("contexts/panel_form.html", form=form, meeting=meeting, changes=changes)


def _meeting_conflict(meeting: PanelMeeting, form: PanelMeetingForm, chair_name):
    """Someone saved the meeting since this form was drawn: refuse, and say what changed."""
    meeting_id = meeting.id
    locking.stale_refused("panel_meeting", meeting_id)
    meeting = db.session.get(PanelMeeting, meeting_id)
    form.version.data = str(meeting.version)
    saved = _meeting_values(meeting.meets_at, meeting.venue, meeting.chair.full_name if meeting.chair else None, meeting.notes)
    yours = _meeting_values(form.meets_at, form.venue.data.strip(), chair_name, (form.notes.data or "").strip() or None)
    return locking.what_changed(saved, yours, MEETING_LABELS)


@bp.route("/context-panel/new", methods=["GET", "POST"])
@gate(is_panel_member)
def panel_new():
    return _panel_form(None)


@bp.route("/context-panel/<uuid:panel_meeting_id>/edit", methods=["GET", "POST"])
@login_required
def panel_edit(panel_meeting_id):
    return _panel_form(get_or_404(PanelMeeting, panel_meeting_id, action="edit"))


def _invitable_partners(meeting: PanelMeeting, invitations) -> list[Organisation]:
    invited = {i.organisation_id for i in invitations}
    return [o for o in organisations(Organisation.kind.in_(_PARTNER_KINDS), Organisation.archived_at.is_(None)) if o.id not in invited]


def _render_panel(meeting: PanelMeeting, invite_form: InviteForm | None = None):
    member = is_panel_member(current_user)
    agenda = (
        db.session.execute(
            visible_query(ContextReferral).where(ContextReferral.panel_meeting_id == meeting.id).order_by(ContextReferral.created_at, ContextReferral.id)
        )
        .unique()
        .scalars()
        .all()
    )
    waiting = []
    if member:
        waiting = (
            db.session.execute(
                visible_query(ContextReferral)
                .where(ContextReferral.status == AWAITING, or_(ContextReferral.panel_meeting_id.is_(None), ContextReferral.panel_meeting_id != meeting.id))
                .order_by(ContextReferral.created_at, ContextReferral.id)
            )
            .unique()
            .scalars()
            .all()
        )
    invitations = partnership.invitations(meeting)
    if member and invite_form is None:
        invite_form = InviteForm(formdata=None)
    if invite_form is not None:
        invite_form.organisation.choices = choices([("", "Choose an organisation")] + [(o.id, o.name) for o in _invitable_partners(meeting, invitations)])
    mine = invitable_organisations(current_user)
    others_listed = {r.panel_meeting_id for r in waiting if r.panel_meeting_id}
    listed_at = (
        {m.id: m for m in db.session.execute(visible_query(PanelMeeting).where(PanelMeeting.id.in_(sorted(others_listed)))).scalars()} if others_listed else {}
    )
    return render_template(
        "contexts/panel_detail.html",
        meeting=meeting,
        member=member,
        agenda=agenda,
        waiting=waiting,
        listed_at=listed_at,
        invitations=invitations,
        my_invitations=[i for i in invitations if i.organisation_id in mine],
        attended=[p for p in partnership.participants(meeting) if p.attended],
        invite_form=invite_form,
    )


@bp.route("/context-panel/<uuid:panel_meeting_id>")
@login_required
def panel_detail(panel_meeting_id):
    """A panel meeting: its agenda, the referrals waiting to be listed (panel members), the partner
    organisations invited and their answers, and who attended."""
    return _render_panel(get_or_404(PanelMeeting, panel_meeting_id))


@bp.route("/context-referrals/<uuid:context_referral_id>/list", methods=["POST"])
@login_required
def panel_list(context_referral_id):
    """List a referral awaiting a decision on a panel meeting's agenda (the meeting chosen in the form).
    A page drawn before someone else listed (or otherwise changed) the referral is refused."""
    referral = get_or_404(ContextReferral, context_referral_id, action="list_on_panel")
    form = ListForm()
    meeting = get_or_404(PanelMeeting, form.panel_meeting_id.data, action="list")
    if form.back.data == "panel":
        back = url_for("contexts.panel_detail", panel_meeting_id=meeting.id, _anchor="agenda")
    else:
        back = url_for("contexts.detail", context_referral_id=context_referral_id)
    if form.version.version != referral.version:
        _list_refused(referral.id)
        return redirect(back)
    when = uk_datetime(meeting.meets_at)
    with saving() as save:
        service.list_on_panel(referral, meeting, actor_id=current_user.id)
    if save.stale:
        _list_refused(context_referral_id)
    else:
        flash(f"The context referral about {referral.organisation.name} is on the agenda for {when}.", "success")
    return redirect(back)


def _list_refused(referral_id) -> None:
    """Someone changed the referral since the page was drawn: nothing is listed; say where it is now."""
    locking.stale_refused("context_referral", referral_id)
    referral = db.session.get(ContextReferral, referral_id)
    listed = one(visible_query(PanelMeeting).where(PanelMeeting.id == referral.panel_meeting_id)) if referral.panel_meeting_id else None
    now = f"It is now listed for the panel meeting on {uk_datetime(listed.meets_at)}." if listed else "It is not listed for a panel meeting now."
    if not referral.is_open:
        now = "It has been decided."
    flash(
        f"Someone else changed this context referral after you opened the page, so it has not been listed. {now} Check it, then list it again if you need to."
    )


@bp.route("/context-panel/<uuid:panel_meeting_id>/invite", methods=["POST"])
@login_required
def panel_invite(panel_meeting_id):
    meeting = get_or_404(PanelMeeting, panel_meeting_id, action="invite")
    form = InviteForm()
    partners = {str(o.id) for o in _invitable_partners(meeting, partnership.invitations(meeting))}
    if not form.validate_on_submit() or form.organisation.data not in partners:
        if form.organisation.data and not form.organisation.errors:
            form.organisation.errors = ["Select a partner organisation that has not been invited yet"]
        return _render_panel(meeting, form)
    invitation = partnership.invite(
        meeting,
        as_uuid(form.organisation.data),
        actor_id=current_user.id,
        title=f"context panel meeting on {uk_datetime(meeting.meets_at)}",
        link=page_path("contexts.panel_detail", panel_meeting_id=meeting.id),
    )
    db.session.commit()
    flash(f"{invitation.organisation.name} has been invited. Its people have been told.", "success")
    return redirect(url_for("contexts.panel_detail", panel_meeting_id=meeting.id, _anchor="invited"))


@bp.route("/context-panel/invitations/<uuid:invitation_id>", methods=["GET", "POST"])
@login_required
def panel_respond(invitation_id):
    """A partner organisation invited to a panel meeting says whether it will attend."""
    invitation = get_or_404(Invitation, invitation_id, action="respond")
    if invitation.panel_meeting_id is None:  # an invitation to another kind of workspace
        record_now(Action.NOT_FOUND, object_type="invitation", object_id=invitation.id, details={"action": "respond"})
        abort(404)
    meeting = get_or_404(PanelMeeting, invitation.panel_meeting_id)
    form = RespondForm()
    if request.method == "GET" and invitation.status != InvitationStatus.INVITED:
        form.answer.data = "accept" if invitation.status == InvitationStatus.ACCEPTED else "decline"
        form.note.data = invitation.response_note
    if form.validate_on_submit():
        accept = form.answer.data == "accept"
        partnership.respond(
            invitation,
            accept=accept,
            actor_id=current_user.id,
            note=form.note.data,
            inviter_title=f"context panel meeting on {uk_datetime(meeting.meets_at)}",
            link=page_path("contexts.panel_detail", panel_meeting_id=meeting.id),
        )
        db.session.commit()
        if accept:
            flash("Thank you: the panel knows your organisation will attend.", "success")
            return redirect(url_for("contexts.panel_detail", panel_meeting_id=meeting.id))
        flash("Thank you: the panel knows your organisation cannot attend.", "success")
        return redirect(url_for("contexts.panel"))
    return render_template("contexts/panel_respond.html", form=form, invitation=invitation, meeting=meeting)
