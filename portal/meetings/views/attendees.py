"""Inviting organisations to a meeting, and its attendees: adding and removing people, recording who
attended."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from forms import choices
from portal import locking
from portal.accounts.models import Membership, Role, User
from portal.authorities.models import Organisation, OrganisationKind
from portal.extensions import db
from portal.locking import saving
from portal.meetings import service
from portal.meetings.blueprint import bp
from portal.meetings.forms import AttendanceForm, AttendeeForm, InviteForm
from portal.meetings.models import PartnershipMeeting
from portal.meetings.views.common import listed, meeting_or_404, papers_first
from portal.partnership import service as partnership
from portal.partnership.models import InvitationStatus, ParticipantRole
from portal.policies import visible_query

#: Who may be added to a meeting from an organisation taking part (never a governor or an administrator).
ATTENDING_ROLES = (Role.DSL, Role.HEAD, Role.STAFF, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER)

ATTENDANCE_LABELS = {"attended": "Who attended"}


def _invitable(meeting: PartnershipMeeting) -> list[Organisation]:
    """Organisations that may still be invited: any but the meeting's school and those invited already."""
    invited = {i.organisation_id for i in partnership.invitations(meeting)} | {meeting.organisation_id}
    query = visible_query(Organisation).where(Organisation.archived_at.is_(None)).order_by(Organisation.name)
    return [o for o in db.session.execute(query).scalars() if o.id not in invited]


def _taking_part(meeting: PartnershipMeeting) -> list:
    """Organisations whose people may be added: the school, children's social care, and those that
    accepted the invitation."""
    social_care = [o.id for o in db.session.execute(visible_query(Organisation).where(Organisation.kind == OrganisationKind.SOCIAL_CARE)).scalars()]
    accepted = [i.organisation_id for i in partnership.invitations(meeting) if i.status == InvitationStatus.ACCEPTED]
    return sorted({meeting.organisation_id, *social_care, *accepted})


def _people(meeting: PartnershipMeeting) -> list[tuple[str, str]]:
    """``(user id, "Name, Organisation")`` of the active people who may be added (not listed yet).

    People's names and organisations are a directory here, not an account page: the query goes through
    the tenant layer, like ``partnership.service.organisation_contacts``."""
    rows = db.session.execute(
        select(User.id, User.full_name, Organisation.name)
        .join(Membership, (Membership.user_id == User.id) & (Membership.authority_id == User.authority_id))
        .join(Organisation, (Organisation.id == Membership.organisation_id) & (Organisation.authority_id == Membership.authority_id))
        .where(
            Membership.organisation_id.in_(_taking_part(meeting)),
            Membership.role.in_(ATTENDING_ROLES),
            User.deactivated_at.is_(None),
            User.password_hash.is_not(None),
        )
        .order_by(User.full_name, Organisation.name)
    ).all()
    already = {p.user_id for p in partnership.participants(meeting)}
    people: dict = {}
    for user_id, name, organisation in rows:
        if user_id not in already:
            people.setdefault(str(user_id), f"{name}, {organisation}")
    return list(people.items())


def _invite_choices(form: InviteForm, meeting: PartnershipMeeting) -> list[Organisation]:
    organisations = _invitable(meeting)
    form.organisation.choices = choices([("", "Select an organisation")] + [(o.id, f"{o.name} ({o.kind.label})") for o in organisations])
    return organisations


def _render_attendees(meeting: PartnershipMeeting, *, invite_form=None, add_form=None, attendance_form=None, conflict=None):
    participants = listed(meeting)
    invite_form = invite_form or InviteForm(formdata=None)
    _invite_choices(invite_form, meeting)
    add_form = add_form or AttendeeForm(formdata=None)
    add_form.user.choices = choices([("", "Select a person")] + _people(meeting))
    if attendance_form is None:
        attendance_form = AttendanceForm(formdata=None)
        attendance_form.attended.data = [str(p.id) for p in participants if p.attended]
        attendance_form.version.data = str(meeting.version)
    attendance_form.attended.choices = choices((p.id, p.user.full_name) for p in participants)
    return render_template(
        "meetings/attendees.html",
        meeting=meeting,
        participants=participants,
        invitations=partnership.invitations(meeting),
        invite_form=invite_form,
        add_form=add_form,
        attendance_form=attendance_form,
        conflict=conflict,
    )


def _save_attendance(meeting: PartnershipMeeting):
    """Who attended, saved against the meeting's version: a save made from an older page (someone else
    recorded attendance, or changed the meeting, meanwhile) is refused and what was ticked is kept."""
    people = partnership.participants(meeting)
    form = AttendanceForm()
    form.attended.choices = choices((p.id, p.user.full_name) for p in people)
    if not form.validate_on_submit():
        return _render_attendees(meeting, attendance_form=form)
    ticked = set(form.attended.data or [])

    def attended(which) -> dict:
        return {"attended": ", ".join(sorted(p.user.full_name for p in partnership.participants(meeting) if which(p)))}

    def what_changed():
        return locking.what_changed(attended(lambda p: p.attended), attended(lambda p: str(p.id) in ticked), ATTENDANCE_LABELS)

    if form.version.version != meeting.version:
        conflict = what_changed()
    else:
        with saving() as save:
            service.record_attendance(meeting, people, ticked)
        if not save.stale:
            flash("Who attended has been saved.", "success")
            return redirect(url_for("meetings.attendees", meeting_id=meeting.id))
        conflict = what_changed()
    locking.stale_refused("partnership_meeting", meeting.id)
    form.version.data = str(meeting.version)
    return _render_attendees(meeting, attendance_form=form, conflict=conflict)


@bp.route("/meetings/<uuid:meeting_id>/invite", methods=["POST"])
@login_required
def invite(meeting_id):
    meeting = meeting_or_404(meeting_id, "invite")
    if (gate := papers_first(meeting)) is not None:
        return gate
    form = InviteForm()
    organisations = _invite_choices(form, meeting)
    valid = form.validate_on_submit()
    organisation = next((o for o in organisations if str(o.id) == form.organisation.data), None)
    if valid and organisation is None:  # the shared form leaves the choice to the page
        form.organisation.errors.append("Select an organisation from the list: it may have been invited already")
    if not valid or organisation is None:
        return _render_attendees(meeting, invite_form=form)
    partnership.invite(meeting, organisation.id, actor_id=current_user.id, title=meeting.title, link=service.meeting_link(meeting))
    db.session.commit()
    flash(f"{organisation.name} has been invited. Its contacts have been told.", "success")
    return redirect(url_for("meetings.attendees", meeting_id=meeting.id))


@bp.route("/meetings/<uuid:meeting_id>/attendees", methods=["GET", "POST"])
@login_required
def attendees(meeting_id):
    """Add a person (attendee or organiser), record who attended, remove a person."""
    meeting = meeting_or_404(meeting_id, "add_attendee")
    if (gate := papers_first(meeting)) is not None:
        return gate
    if request.method == "GET":
        return _render_attendees(meeting)
    intent = request.form.get("intent")
    back = redirect(url_for("meetings.attendees", meeting_id=meeting.id))
    if intent == "attendance":
        return _save_attendance(meeting)
    if intent == "remove":
        row = next((p for p in partnership.participants(meeting) if str(p.id) == request.form.get("participant")), None)
        if row is None:
            flash("That person is no longer listed for this meeting.")
            return back
        name = row.user.full_name
        try:
            service.remove_person(meeting, row, actor_id=current_user.id)
        except service.Refused as refused:
            flash(str(refused))
            return back
        db.session.commit()
        flash(f"{name} has been removed from the meeting.", "success")
        return back
    form = AttendeeForm()
    form.user.choices = choices([("", "Select a person")] + _people(meeting))
    if not form.validate_on_submit():
        return _render_attendees(meeting, add_form=form)
    row = service.add_person(meeting, uuid.UUID(form.user.data), ParticipantRole(form.role.data), actor_id=current_user.id)
    db.session.commit()
    flash(f"{row.user.full_name} has been added to the meeting.", "success")
    return back
