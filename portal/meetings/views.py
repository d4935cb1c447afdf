"""Pages of the school partnership meetings module.

Children's social care leads a meeting with the school as an active partner; partner agencies and other
schools take part when their organisation accepts an invitation. Everyone who may see a meeting sees
its details, terms of reference and information-sharing agreement; its papers (the school's pre-meeting
return, agenda, minutes, attendees and actions) only after they accepted the agreement themselves.
Every object comes through ``portal.policies``; the shared steps through ``portal.partnership.service``.
"""

from __future__ import annotations

import hashlib
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from forms import choices
from portal import locking
from portal.accounts.models import Membership, Role, User
from portal.audit.service import record, record_now, render_audited
from portal.authorities.models import Organisation, OrganisationKind
from portal.casework.people import notify_all, school_casework_ids
from portal.clock import uk_datetime, uk_today, utcnow
from portal.contexts.models import ContextReferral
from portal.extensions import db
from portal.meetings.actions import Action
from portal.meetings.forms import (
    ActionForm,
    AgreementForm,
    AttendanceForm,
    AttendeeForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    NewMeetingForm,
    RespondForm,
    ReturnForm,
)
from portal.meetings.models import MeetingFormat, MeetingReturn, MeetingStatus, PartnershipMeeting
from portal.meetings.texts import default_information_sharing_agreement, default_terms_of_reference
from portal.notifications.service import page_path
from portal.partnership import service
from portal.partnership.actions import Action as WorkspaceAction
from portal.partnership.forms import owner_choices, owner_ids, owner_value
from portal.partnership.models import ActionStatus, Invitation, InvitationStatus, Participant, ParticipantRole, PlanAction
from portal.policies import get_or_404, invitable_organisations, policy_for, roles_required, visible_query
from portal.text import clean_text

bp = Blueprint("meetings", __name__, template_folder="templates")

social_care_only = roles_required(Role.FRONT_DOOR, Role.ASSESSOR)

#: Who may be added to a meeting from an organisation taking part (never a governor or an administrator).
ATTENDING_ROLES = (Role.DSL, Role.HEAD, Role.STAFF, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER)

MEETING_LABELS = {
    "title": "Title",
    "meets_at": "Date and time",
    "format": "Where it is held",
    "location": "Room or joining details",
    "terms_of_reference": "Terms of reference",
    "information_sharing_agreement": "Information-sharing agreement",
    "agenda": "Agenda",
    "follow_up_on": "Follow-up meeting date",
    "status": "Status",
}
MINUTES_LABELS = {"minutes": "Minutes"}
RETURN_LABELS = {
    "trends_and_themes": "Trends and themes affecting students",
    "places": "Places",
    "peer_groups": "Peer groups",
    "strengths": "Strengths",
}
ATTENDANCE_LABELS = {"attended": "Who attended"}
ACTION_LABELS = {"description": "What needs to be done", "owner": "Owner", "due_on": "Due date", "status": "Status", "progress_note": "Progress"}


# Small helpers -------------------------------------------------------------------------------------


def _meeting(meeting_id, action: str = "view") -> PartnershipMeeting:
    return get_or_404(PartnershipMeeting, meeting_id, action=action)


def _may(action: str, obj) -> bool:
    return policy_for(type(obj)).allows(current_user, action, obj)


def _link(meeting: PartnershipMeeting) -> str:
    return page_path("meetings.detail", meeting_id=meeting.id)


def _detail_redirect(meeting_id, anchor: str | None = None):
    return redirect(url_for("meetings.detail", meeting_id=meeting_id, _anchor=anchor))


def _text(value: str | None) -> str:
    """Typed text as saved: browsers send a textarea's lines ending in CR LF; the portal keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


def agreement_digest(meeting: PartnershipMeeting) -> str:
    return hashlib.sha256(meeting.information_sharing_agreement.encode()).hexdigest()[:16]


def _papers_first(meeting: PartnershipMeeting):
    """``None`` when this person may read the meeting's papers; otherwise a redirect to the agreement."""
    if _may("read_papers", meeting):
        return None
    flash("Accept the information-sharing agreement before you see or work on this meeting's papers.")
    return _detail_redirect(meeting.id, "agreement")


def _leads(meeting: PartnershipMeeting) -> list:
    """Who leads the meeting: its organisers (or, if none is listed, whoever opened it)."""
    organisers = [p.user_id for p in service.participants(meeting) if p.role == ParticipantRole.ORGANISER]
    return organisers or [meeting.created_by_id]


def _listed(meeting: PartnershipMeeting) -> list[Participant]:
    """The people taking part, organisers first."""
    return sorted(service.participants(meeting), key=lambda p: p.role != ParticipantRole.ORGANISER)


def _meeting_return(meeting: PartnershipMeeting) -> MeetingReturn | None:
    return db.session.execute(visible_query(MeetingReturn).where(MeetingReturn.meeting_id == meeting.id)).scalar_one_or_none()


def _my_invitations(meeting: PartnershipMeeting) -> list[Invitation]:
    """Invitations of this meeting to the organisations this person answers for."""
    mine = invitable_organisations(current_user)
    return [i for i in service.invitations(meeting) if i.organisation_id in mine]


# The list ------------------------------------------------------------------------------------------


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


# Opening a meeting ---------------------------------------------------------------------------------


def open_meeting(school: Organisation, *, title: str | None, actor_id) -> PartnershipMeeting:
    """A new meeting with the school: the default terms of reference and agreement, an empty return,
    the person opening it as its organiser. Audited; the school's DSLs and head are told."""
    meeting = PartnershipMeeting(
        organisation_id=school.id,
        title=clean_text(title) or f"School partnership meeting: {school.name}",
        terms_of_reference=default_terms_of_reference(school.name),
        information_sharing_agreement=default_information_sharing_agreement(school.name),
        created_by_id=actor_id,
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add(MeetingReturn(meeting_id=meeting.id))
    service.add_participant(meeting, actor_id, ParticipantRole.ORGANISER, actor_id=actor_id)
    record(WorkspaceAction.WORKSPACE_OPENED, object_type="partnership_meeting", object_id=meeting.id, organisation_id=school.id)
    notify_all(
        school_casework_ids(school.id),
        f"School partnership meeting with {school.name}: please complete the pre-meeting return",
        link=_link(meeting),
        exclude={actor_id},
    )
    return meeting


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
        meeting = open_meeting(school, title=form.title.data, actor_id=current_user.id)
        meeting.meets_at = form.meets_at
        meeting.format = MeetingFormat(form.format.data)
        meeting.location = clean_text(form.location.data)
        db.session.commit()
        flash("The meeting has been opened and the school has been told. Accept the information-sharing agreement to work on its papers.", "success")
        return _detail_redirect(meeting.id)
    return render_template("meetings/new.html", form=form)


# The meeting's page --------------------------------------------------------------------------------


def _render_detail(meeting: PartnershipMeeting, *, agreement_form: AgreementForm | None = None, respond_form: RespondForm | None = None):
    papers = _may("read_papers", meeting)
    agreement_form = agreement_form or AgreementForm(formdata=None)
    agreement_form.digest.data = agreement_digest(meeting)
    context = {
        "meeting": meeting,
        "papers": papers,
        "may_accept": not papers and _may("accept_agreement", meeting),
        "my_invitations": _my_invitations(meeting),
        "agreement_form": agreement_form,
        "respond_form": respond_form or RespondForm(formdata=None),
        "lead": _may("edit", meeting),
        # The context referral whose panel decision opened the meeting (for those who may see it).
        "referrals": db.session.execute(visible_query(ContextReferral).where(ContextReferral.meeting_id == meeting.id)).unique().scalars().all(),
    }
    if papers:
        actions = service.actions(meeting)
        context.update(
            meeting_return=_meeting_return(meeting),
            participants=_listed(meeting),
            invitations=service.invitations(meeting),
            actions=actions,
            may_edit_return=_may("edit_return", meeting),
            may_update={a.id for a in actions if _may("update", a)},
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
    return _render_detail(_meeting(meeting_id))


@bp.route("/meetings/<uuid:meeting_id>/accept-agreement", methods=["POST"])
@login_required
def accept_agreement(meeting_id):
    """This person accepts the information-sharing agreement they read (not a version changed meanwhile)."""
    meeting = _meeting(meeting_id, "accept_agreement")
    form = AgreementForm()
    if form.validate_on_submit():
        if form.digest.data != agreement_digest(meeting):  # missing, or a version changed meanwhile
            form.accept.errors.append("The information-sharing agreement has changed since you opened the page. Read it again, then accept it")
        else:
            service.accept_agreement(meeting, current_user.id)
            db.session.commit()
            flash("You have accepted the information-sharing agreement. The meeting's papers are below.", "success")
            return _detail_redirect(meeting.id)
    return _render_detail(meeting, agreement_form=form)


@bp.route("/meetings/invitations/<uuid:invitation_id>/respond", methods=["POST"])
@login_required
def respond(invitation_id):
    """An organisation invited to a meeting accepts or declines (answered once, by one of its contacts)."""
    invitation = get_or_404(Invitation, invitation_id, action="respond")
    if invitation.meeting_id is None:  # an invitation to a summit or a panel: not this page's
        record_now(Action.NOT_FOUND, object_type="invitation", object_id=invitation_id, details={"action": "respond"})
        abort(404)
    meeting = _meeting(invitation.meeting_id)
    if invitation.status != InvitationStatus.INVITED:
        flash(f"{invitation.organisation.name} has already answered this invitation: {invitation.status.label.lower()}.")
        return _detail_redirect(meeting.id)
    form = RespondForm()
    if not form.validate_on_submit():
        return _render_detail(meeting, respond_form=form)
    accept = form.answer.data == "accept"
    service.respond(invitation, accept=accept, actor_id=current_user.id, note=form.note.data, inviter_title=meeting.title, link=_link(meeting))
    db.session.commit()
    if accept:
        flash(f"{invitation.organisation.name} has accepted the invitation. Accept the information-sharing agreement to see the meeting's papers.", "success")
    else:
        flash(f"{invitation.organisation.name} has declined the invitation. The meeting's lead has been told.", "success")
    return _detail_redirect(meeting.id)


# Editing the meeting -------------------------------------------------------------------------------


def _meeting_values(meeting: PartnershipMeeting) -> dict:
    values = {name: getattr(meeting, name) for name in MEETING_LABELS}
    values["meets_at"] = uk_datetime(meeting.meets_at)
    return values


def _typed_meeting(form: MeetingForm) -> dict:
    return {
        "title": _text(form.title.data),
        "meets_at": uk_datetime(form.meets_at),
        "format": MeetingFormat(form.format.data),
        "location": clean_text(form.location.data),
        "terms_of_reference": _text(form.terms_of_reference.data),
        "information_sharing_agreement": _text(form.information_sharing_agreement.data),
        "agenda": clean_text(form.agenda.data),
        "follow_up_on": form.follow_up_on.data,
        "status": MeetingStatus(form.status.data),
    }


def _reset_acceptances(meeting: PartnershipMeeting) -> int:
    """A changed agreement: everyone but the editor accepts the new version before seeing the papers again."""
    reset = [p for p in service.participants(meeting) if p.user_id != current_user.id and p.information_sharing_accepted_at is not None]
    for row in reset:
        row.information_sharing_accepted_at = None
    notify_all(
        [p.user_id for p in reset],
        f"The information-sharing agreement of {meeting.title} has changed: accept the new version to see the meeting's papers",
        link=_link(meeting),
    )
    return len(reset)


@bp.route("/meetings/<uuid:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id):
    """The lead's form for the meeting's details, terms of reference, agreement, agenda and follow-up."""
    meeting = _meeting(meeting_id, "edit")
    if (gate := _papers_first(meeting)) is not None:
        return gate
    form = MeetingForm()
    if request.method == "GET":
        values = _meeting_values(meeting)
        for name in ("title", "location", "terms_of_reference", "information_sharing_agreement", "agenda", "follow_up_on"):
            getattr(form, name).data = values[name]
        form.show_when(meeting.meets_at)
        form.format.data, form.status.data = meeting.format.value, meeting.status.value
        form.version.data = str(meeting.version)
    conflict = None
    if form.validate_on_submit():
        typed = _typed_meeting(form)
        if form.version.version != meeting.version:
            conflict = locking.what_changed(_meeting_values(meeting), typed, MEETING_LABELS)
        else:
            saved = _meeting_values(meeting)
            changed = [name for name in MEETING_LABELS if saved[name] != typed[name]]
            try:
                for name in changed:
                    setattr(meeting, name, form.meets_at if name == "meets_at" else typed[name])
                reset = _reset_acceptances(meeting) if "information_sharing_agreement" in changed else 0
                record(
                    WorkspaceAction.WORKSPACE_UPDATED,
                    object_type="partnership_meeting",
                    object_id=meeting.id,
                    organisation_id=meeting.organisation_id,
                    details={"fields": changed, "acceptances_reset": reset},
                )
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                conflict = locking.what_changed(_meeting_values(meeting), typed, MEETING_LABELS)
            else:
                message = "The meeting has been saved."
                if reset:
                    message += f" The information-sharing agreement changed: {reset} {'person has' if reset == 1 else 'people have'} been asked to accept the new version."
                flash(message, "success")
                return _detail_redirect(meeting.id)
    if conflict is not None:
        locking.stale_refused("partnership_meeting", meeting.id)
        form.version.data = str(meeting.version)
    return render_template("meetings/edit.html", form=form, meeting=meeting, conflict=conflict)


@bp.route("/meetings/<uuid:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id):
    """The minutes (the meeting's own version: a change to the details meanwhile is a conflict too)."""
    meeting = _meeting(meeting_id, "record_minutes")
    if (gate := _papers_first(meeting)) is not None:
        return gate
    form = MinutesForm()
    if request.method == "GET":
        form.minutes.data = meeting.minutes
        form.version.data = str(meeting.version)
    conflict = None
    if form.validate_on_submit():
        typed = {"minutes": clean_text(form.minutes.data)}
        if form.version.version != meeting.version:
            conflict = locking.what_changed({"minutes": meeting.minutes}, typed, MINUTES_LABELS)
        else:
            first = not meeting.minutes and typed["minutes"]
            try:
                meeting.minutes = typed["minutes"]
                record(
                    WorkspaceAction.WORKSPACE_UPDATED,
                    object_type="partnership_meeting",
                    object_id=meeting.id,
                    organisation_id=meeting.organisation_id,
                    details={"fields": ["minutes"]},
                )
                if first:
                    notify_all(
                        [p.user_id for p in service.participants(meeting)],
                        f"Minutes of {meeting.title} are ready",
                        link=_link(meeting),
                        exclude={current_user.id},
                    )
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                conflict = locking.what_changed({"minutes": meeting.minutes}, typed, MINUTES_LABELS)
            else:
                flash("The minutes have been saved.", "success")
                return _detail_redirect(meeting.id, "minutes")
    if conflict is not None:
        locking.stale_refused("partnership_meeting", meeting.id)
        form.version.data = str(meeting.version)
    return render_template("meetings/minutes.html", form=form, meeting=meeting, conflict=conflict)


# The school's pre-meeting return -------------------------------------------------------------------


@bp.route("/meetings/<uuid:meeting_id>/return", methods=["GET", "POST"])
@login_required
def return_edit(meeting_id):
    """The school's DSL (or head, or the lead) writes the return; "Send to the meeting" tells the lead."""
    meeting = _meeting(meeting_id, "edit_return")
    if (gate := _papers_first(meeting)) is not None:
        return gate
    row = _meeting_return(meeting)
    if row is None:  # a meeting opened without one
        row = MeetingReturn(meeting_id=meeting.id)
        db.session.add(row)
        db.session.flush()
    form = ReturnForm()
    if request.method == "GET":
        for name in RETURN_LABELS:
            getattr(form, name).data = getattr(row, name)
        form.version.data = str(row.version)

    def saved() -> dict:
        return {name: getattr(row, name) for name in RETURN_LABELS}

    conflict = None
    if form.validate_on_submit():
        typed = {name: clean_text(getattr(form, name).data) for name in RETURN_LABELS}
        if form.version.version != row.version:
            conflict = locking.what_changed(saved(), typed, RETURN_LABELS)
        else:
            try:
                for name, value in typed.items():
                    setattr(row, name, value)
                row.updated_by_id = current_user.id
                details = {"meeting": str(meeting.id)}
                record(Action.MEETING_RETURN_SAVED, object_type="meeting_return", object_id=row.id, organisation_id=meeting.organisation_id, details=details)
                if form.sending:
                    row.submitted_at, row.submitted_by_id = utcnow(), current_user.id
                    record(
                        Action.MEETING_RETURN_SUBMITTED,
                        object_type="meeting_return",
                        object_id=row.id,
                        organisation_id=meeting.organisation_id,
                        details=details,
                    )
                    notify_all(
                        _leads(meeting),
                        f"{meeting.organisation.name} has sent its pre-meeting return: {meeting.title}",
                        link=_link(meeting),
                        exclude={current_user.id},
                    )
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                conflict = locking.what_changed(saved(), typed, RETURN_LABELS)
            else:
                if form.sending:
                    flash("The pre-meeting return has been sent to the meeting. The lead has been told.", "success")
                    return _detail_redirect(meeting.id, "return")
                flash(
                    "The pre-meeting return has been saved. It has not been sent to the meeting yet."
                    if row.submitted_at is None
                    else "The pre-meeting return has been saved.",
                    "success",
                )
                return redirect(url_for("meetings.return_edit", meeting_id=meeting.id))
    if conflict is not None:
        locking.stale_refused("meeting_return", row.id)
        form.version.data = str(row.version)
    return render_template("meetings/return.html", form=form, meeting=meeting, meeting_return=row, conflict=conflict)


# Invitations and attendees -------------------------------------------------------------------------


def _invitable(meeting: PartnershipMeeting) -> list[Organisation]:
    """Organisations that may still be invited: any but the meeting's school and those invited already."""
    invited = {i.organisation_id for i in service.invitations(meeting)} | {meeting.organisation_id}
    query = visible_query(Organisation).where(Organisation.archived_at.is_(None)).order_by(Organisation.name)
    return [o for o in db.session.execute(query).scalars() if o.id not in invited]


def _taking_part(meeting: PartnershipMeeting) -> list:
    """Organisations whose people may be added: the school, children's social care, and those that
    accepted the invitation."""
    social_care = [o.id for o in db.session.execute(visible_query(Organisation).where(Organisation.kind == OrganisationKind.SOCIAL_CARE)).scalars()]
    accepted = [i.organisation_id for i in service.invitations(meeting) if i.status == InvitationStatus.ACCEPTED]
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
    listed = {p.user_id for p in service.participants(meeting)}
    people: dict = {}
    for user_id, name, organisation in rows:
        if user_id not in listed:
            people.setdefault(str(user_id), f"{name}, {organisation}")
    return list(people.items())


def _invite_choices(form: InviteForm, meeting: PartnershipMeeting) -> list[Organisation]:
    organisations = _invitable(meeting)
    form.organisation.choices = choices([("", "Select an organisation")] + [(o.id, f"{o.name} ({o.kind.label})") for o in organisations])
    return organisations


def _render_attendees(meeting: PartnershipMeeting, *, invite_form=None, add_form=None, attendance_form=None, conflict=None):
    participants = _listed(meeting)
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
        invitations=service.invitations(meeting),
        invite_form=invite_form,
        add_form=add_form,
        attendance_form=attendance_form,
        conflict=conflict,
    )


def _save_attendance(meeting: PartnershipMeeting):
    """Who attended, saved against the meeting's version: a save made from an older page (someone else
    recorded attendance, or changed the meeting, meanwhile) is refused and what was ticked is kept."""
    listed = service.participants(meeting)
    form = AttendanceForm()
    form.attended.choices = choices((p.id, p.user.full_name) for p in listed)
    if not form.validate_on_submit():
        return _render_attendees(meeting, attendance_form=form)
    ticked = set(form.attended.data or [])

    def attended(which) -> dict:
        return {"attended": ", ".join(sorted(p.user.full_name for p in service.participants(meeting) if which(p)))}

    def what_changed():
        return locking.what_changed(attended(lambda p: p.attended), attended(lambda p: str(p.id) in ticked), ATTENDANCE_LABELS)

    conflict = None
    if form.version.version != meeting.version:
        conflict = what_changed()
    else:
        try:
            for row in listed:
                row.attended = str(row.id) in ticked
            flag_modified(meeting, "status")  # the meeting's version moves on: attendance is part of it
            details = {"fields": ["attendance"], "attended": len(ticked)}
            record(
                WorkspaceAction.WORKSPACE_UPDATED,
                object_type="partnership_meeting",
                object_id=meeting.id,
                organisation_id=meeting.organisation_id,
                details=details,
            )
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            conflict = what_changed()
        else:
            flash("Who attended has been saved.", "success")
            return redirect(url_for("meetings.attendees", meeting_id=meeting.id))
    locking.stale_refused("partnership_meeting", meeting.id)
    form.version.data = str(meeting.version)
    return _render_attendees(meeting, attendance_form=form, conflict=conflict)


@bp.route("/meetings/<uuid:meeting_id>/invite", methods=["POST"])
@login_required
def invite(meeting_id):
    meeting = _meeting(meeting_id, "invite")
    if (gate := _papers_first(meeting)) is not None:
        return gate
    form = InviteForm()
    organisations = _invite_choices(form, meeting)
    valid = form.validate_on_submit()
    organisation = next((o for o in organisations if str(o.id) == form.organisation.data), None)
    if valid and organisation is None:  # the shared form leaves the choice to the page
        form.organisation.errors.append("Select an organisation from the list: it may have been invited already")
    if not valid or organisation is None:
        return _render_attendees(meeting, invite_form=form)
    service.invite(meeting, organisation.id, actor_id=current_user.id, title=meeting.title, link=_link(meeting))
    db.session.commit()
    flash(f"{organisation.name} has been invited. Its contacts have been told.", "success")
    return redirect(url_for("meetings.attendees", meeting_id=meeting.id))


@bp.route("/meetings/<uuid:meeting_id>/attendees", methods=["GET", "POST"])
@login_required
def attendees(meeting_id):
    """Add a person (attendee or organiser), record who attended, remove a person."""
    meeting = _meeting(meeting_id, "add_attendee")
    if (gate := _papers_first(meeting)) is not None:
        return gate
    if request.method == "GET":
        return _render_attendees(meeting)
    intent = request.form.get("intent")
    back = redirect(url_for("meetings.attendees", meeting_id=meeting.id))
    if intent == "attendance":
        return _save_attendance(meeting)
    if intent == "remove":
        listed = service.participants(meeting)
        row = next((p for p in listed if str(p.id) == request.form.get("participant")), None)
        if row is None:
            flash("That person is no longer listed for this meeting.")
            return back
        if row.role == ParticipantRole.ORGANISER and sum(p.role == ParticipantRole.ORGANISER for p in listed) == 1:
            flash(f"{row.user.full_name} is the meeting's only organiser. Add another organiser first.")
            return back
        name = row.user.full_name
        service.remove_participant(meeting, row, actor_id=current_user.id)
        db.session.commit()
        flash(f"{name} has been removed from the meeting.", "success")
        return back
    form = AttendeeForm()
    form.user.choices = choices([("", "Select a person")] + _people(meeting))
    if not form.validate_on_submit():
        return _render_attendees(meeting, add_form=form)
    user_id = uuid.UUID(form.user.data)
    row = service.add_participant(meeting, user_id, ParticipantRole(form.role.data), actor_id=current_user.id)
    notify_all([user_id], f"You have been added to {meeting.title}", link=_link(meeting), exclude={current_user.id})
    db.session.commit()
    flash(f"{row.user.full_name} has been added to the meeting.", "success")
    return back


# Actions -------------------------------------------------------------------------------------------


def _owner_choices(meeting: PartnershipMeeting, current: PlanAction | None = None) -> list[tuple[str, str]]:
    """Who may own an action (and so is told of it): people who accepted the information-sharing
    agreement, then the school and the organisations that accepted the invitation."""
    people = [(p.user_id, p.user.full_name) for p in service.participants(meeting) if p.information_sharing_accepted_at is not None]
    accepted = [(i.organisation_id, i.organisation.name) for i in service.invitations(meeting) if i.status == InvitationStatus.ACCEPTED]
    return owner_choices(people, [(meeting.organisation_id, meeting.organisation.name), *accepted], current)


@bp.route("/meetings/<uuid:meeting_id>/actions/new", methods=["GET", "POST"])
@login_required
def action_new(meeting_id):
    meeting = _meeting(meeting_id, "add_action")
    if (gate := _papers_first(meeting)) is not None:
        return gate
    form = ActionForm()
    del form.status, form.progress_note, form.version
    form.owner.choices = choices([("", "Select the owner")] + _owner_choices(meeting))
    if form.validate_on_submit():
        service.add_action(
            meeting,
            description=form.description.data,
            due_on=form.due_on.data,
            actor_id=current_user.id,
            link=_link(meeting),
            **owner_ids(form.owner.data),
        )
        db.session.commit()
        flash("The action has been added. Its owner has been told.", "success")
        return _detail_redirect(meeting.id, "actions")
    return render_template("meetings/action_form.html", form=form, meeting=meeting, row=None, conflict=None)


@bp.route("/meetings/<uuid:meeting_id>/actions/<uuid:action_id>/edit", methods=["GET", "POST"])
@login_required
def action_edit(meeting_id, action_id):
    """The lead edits all of an action; its owner (the person, or a member of the organisation) updates
    its status and progress."""
    meeting = _meeting(meeting_id)
    row = get_or_404(PlanAction, action_id, action="update")
    if row.meeting_id != meeting.id:
        record_now(Action.NOT_FOUND, object_type="plan_action", object_id=action_id, details={"action": "update"})
        abort(404)
    lead = _may("add_action", meeting)
    form = ActionForm()
    if lead:
        form.owner.choices = choices(_owner_choices(meeting, row))
    else:
        del form.description, form.owner, form.due_on
    if request.method == "GET":
        if lead:
            form.description.data, form.owner.data, form.due_on.data = row.description, owner_value(row), row.due_on
        form.status.data, form.progress_note.data, form.version.data = row.status.value, row.progress_note, str(row.version)
    labels = ACTION_LABELS if lead else {k: ACTION_LABELS[k] for k in ("status", "progress_note")}
    owner_names = dict(_owner_choices(meeting, row)) if lead else {}

    def saved() -> dict:
        return {"description": row.description, "owner": row.owner_name, "due_on": row.due_on, "status": row.status, "progress_note": row.progress_note}

    conflict = None
    if form.validate_on_submit():
        typed = {"status": ActionStatus(form.status.data), "progress_note": clean_text(form.progress_note.data)}
        if lead:
            typed.update(description=_text(form.description.data), owner=owner_names.get(form.owner.data, ""), due_on=form.due_on.data)
        if form.version.version != row.version:
            conflict = locking.what_changed(saved(), typed, labels)
        else:
            try:
                was_done = row.status == ActionStatus.DONE
                new_owner = lead and form.owner.data != owner_value(row)
                if lead:
                    row.description = typed["description"]
                    for key, value in owner_ids(form.owner.data).items():
                        setattr(row, key, value)
                service.update_action(row, status=typed["status"], progress_note=typed["progress_note"], due_on=typed.get("due_on"))
                if new_owner:
                    ids = owner_ids(form.owner.data)
                    owners = [ids["owner_user_id"]] if ids["owner_user_id"] else service.organisation_contacts(ids["owner_organisation_id"])
                    notify_all(owners, f"An action is yours, due {row.due_on.strftime('%-d %B %Y')}", link=_link(meeting), exclude={current_user.id})
                if row.status == ActionStatus.DONE and not was_done:
                    notify_all(_leads(meeting), f"An action of {meeting.title} is done", link=_link(meeting), exclude={current_user.id})
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                conflict = locking.what_changed(saved(), typed, labels)
            else:
                flash("The action has been saved.", "success")
                return _detail_redirect(meeting.id, "actions")
    if conflict is not None:
        locking.stale_refused("plan_action", row.id)
        form.version.data = str(row.version)
    return render_template("meetings/action_form.html", form=form, meeting=meeting, row=row, conflict=conflict, lead=lead)
