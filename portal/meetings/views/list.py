"""The meetings a person may see, and opening a new one."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user, login_required

from forms import choices
from portal.accounts.models import Role
from portal.authorities.models import Organisation, OrganisationKind
from portal.clock import utcnow
from portal.extensions import db
from portal.meetings import service
from portal.meetings.blueprint import bp
from portal.meetings.forms import NewMeetingForm
from portal.meetings.models import MeetingFormat, PartnershipMeeting
from portal.meetings.views.common import to_detail
from portal.partnership.models import Invitation, InvitationStatus, Participant
from portal.policies import invitable_organisations, roles_required, visible_query

social_care_only = roles_required(Role.FRONT_DOOR, Role.ASSESSOR)


@bp.route("/meetings")
@login_required
def index():
    """The meetings this person may see: upcoming (and not yet dated) first, then past ones."""
    now = utcnow()
    meetings = db.session.execute(visible_query(PartnershipMeeting)).unique().scalars().all()
    mine = visible_query(Participant).where(
        Participant.user_id == current_user.id, Participant.meeting_id.is_not(None), Participant.information_sharing_accepted_at.is_not(None)
    )
    accepted = {p.meeting_id for p in db.session.execute(mine).unique().scalars()}
    orgs = sorted(invitable_organisations(current_user))
    invited = visible_query(Invitation).where(
        Invitation.meeting_id.is_not(None), Invitation.status == InvitationStatus.INVITED, Invitation.organisation_id.in_(orgs)
    )
    waiting = {i.meeting_id for i in db.session.execute(invited).unique().scalars()} if orgs else set()
    upcoming = sorted((m for m in meetings if m.meets_at is None or m.meets_at >= now), key=lambda m: (m.meets_at is None, m.meets_at or now, m.title))
    past = sorted((m for m in meetings if m.meets_at is not None and m.meets_at < now), key=lambda m: m.meets_at, reverse=True)
    return render_template(
        "meetings/index.html",
        upcoming=upcoming,
        past=past,
        accepted=accepted,
        waiting=waiting,
        may_open=current_user.has_role(Role.FRONT_DOOR, Role.ASSESSOR),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@social_care_only
def new():
    schools = (
        db.session.execute(
            visible_query(Organisation)
            .where(Organisation.kind.in_([k for k in OrganisationKind if k.is_education]), Organisation.archived_at.is_(None))
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )
    form = NewMeetingForm()
    form.school.choices = choices([("", "Select a school")] + [(s.id, s.name) for s in schools])
    if request.method == "GET":
        form.format.data = MeetingFormat.AT_SCHOOL.value
        form.school.data = request.args.get("school", "")
    if form.validate_on_submit():
        school = next(s for s in schools if str(s.id) == form.school.data)
        meeting = service.open_meeting(
            school,
            title=form.title.data,
            meets_at=form.meets_at,
            format=MeetingFormat(form.format.data),
            location=form.location.data,
            actor_id=current_user.id,
        )
        db.session.commit()
        flash("The meeting has been opened and the school has been told. Accept the information-sharing agreement to work on its papers.", "success")
        return to_detail(meeting.id)
    return render_template("meetings/new.html", form=form)
