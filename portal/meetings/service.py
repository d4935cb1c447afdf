"""What changes a school partnership meeting: opening one (from the "new meeting" page or the context
panel's decision), editing its details and information-sharing agreement, the minutes, the school's
pre-meeting return, who attended, the people taking part and its actions.

Each function audits the change and tells the people it concerns; the caller has checked the person's right
through ``portal.policies`` and commits. The steps every workspace shares (invitations, participants,
accepting the agreement, adding an action) are ``portal.partnership.service``'s.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm.attributes import flag_modified

from portal.audit.service import record
from portal.authorities.models import Organisation
from portal.casework.people import notify_all, school_casework_ids
from portal.clock import utcnow
from portal.extensions import db
from portal.meetings.actions import Action
from portal.meetings.models import MeetingFormat, MeetingReturn, PartnershipMeeting
from portal.meetings.texts import default_information_sharing_agreement, default_terms_of_reference
from portal.notifications.service import page_path
from portal.partnership import service as partnership
from portal.partnership.actions import Action as WorkspaceAction
from portal.partnership.models import ActionStatus, Participant, ParticipantRole, PlanAction
from portal.text import clean_text


class Refused(ValueError):
    """A change the meeting's rules do not allow; the message says why, for the page."""


def meeting_link(meeting: PartnershipMeeting) -> str:
    """The meeting's page, as notifications link to it."""
    return page_path("meetings.detail", meeting_id=meeting.id)


def agreement_digest(meeting: PartnershipMeeting) -> str:
    """A short fingerprint of the agreement's text: an acceptance counts only for the version the person
    read (the page carries it, and a version changed meanwhile is not accepted)."""
    return hashlib.sha256(meeting.information_sharing_agreement.encode()).hexdigest()[:16]


def accept_agreement(meeting: PartnershipMeeting, user_id, *, digest: str | None) -> None:
    """The person accepts the agreement they read (``digest``: of the version the page showed them), and
    so joins the meeting if they were not listed; refused (:class:`Refused`) when it has changed since."""
    if digest != agreement_digest(meeting):
        raise Refused("The information-sharing agreement has changed since you opened the page. Read it again, then accept it")
    partnership.accept_agreement(meeting, user_id)


def leads(meeting: PartnershipMeeting) -> list:
    """Who leads the meeting: its organisers (or, if none is listed, whoever opened it)."""
    organisers = [p.user_id for p in partnership.participants(meeting) if p.role == ParticipantRole.ORGANISER]
    return organisers or [meeting.created_by_id]


def _audit_update(meeting: PartnershipMeeting, details: dict) -> None:
    record(WorkspaceAction.WORKSPACE_UPDATED, object_type="partnership_meeting", object_id=meeting.id, organisation_id=meeting.organisation_id, details=details)


# Opening a meeting ---------------------------------------------------------------------------------


def open_meeting(
    school: Organisation,
    *,
    actor_id,
    title: str | None = None,
    meets_at: datetime | None = None,
    format: MeetingFormat = MeetingFormat.AT_SCHOOL,
    location: str | None = None,
    details: dict | None = None,
    tell_school: bool = True,
    audit_organiser: bool = True,
) -> PartnershipMeeting:
    """A new meeting with the school: the default terms of reference and agreement, an empty pre-meeting
    return, the person opening it as its organiser; audited.

    The two ways a meeting is opened choose what differs: the "new meeting" page gives the title typed
    (else the default) and when and where it meets, has the school's DSLs and head told to complete the
    return (``tell_school``) and audits the organiser as a participant added (``audit_organiser``); the
    context panel's decision names the referral in the audit event (``details``) and does neither, as the
    decision itself is audited and told to the school.
    """
    meeting = PartnershipMeeting(
        organisation_id=school.id,
        title=clean_text(title) or f"School partnership meeting: {school.name}",
        meets_at=meets_at,
        format=format,
        location=clean_text(location),
        terms_of_reference=default_terms_of_reference(school.name),
        information_sharing_agreement=default_information_sharing_agreement(school.name),
        created_by_id=actor_id,
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add(MeetingReturn(meeting_id=meeting.id))
    if audit_organiser:
        partnership.add_participant(meeting, actor_id, ParticipantRole.ORGANISER, actor_id=actor_id)
    else:
        db.session.add(Participant(meeting_id=meeting.id, user_id=actor_id, role=ParticipantRole.ORGANISER, added_by_id=actor_id))
        db.session.flush()
    record(WorkspaceAction.WORKSPACE_OPENED, object_type="partnership_meeting", object_id=meeting.id, organisation_id=school.id, details=details)
    if tell_school:
        notify_all(
            school_casework_ids(school.id),
            f"School partnership meeting with {school.name}: please complete the pre-meeting return",
            link=meeting_link(meeting),
            exclude={actor_id},
        )
    return meeting


# The meeting's details and papers ------------------------------------------------------------------


def _reset_acceptances(meeting: PartnershipMeeting, editor_id) -> int:
    """A changed agreement: everyone but the editor accepts the new version before seeing the papers again."""
    reset = [p for p in partnership.participants(meeting) if p.user_id != editor_id and p.information_sharing_accepted_at is not None]
    for row in reset:
        row.information_sharing_accepted_at = None
    notify_all(
        [p.user_id for p in reset],
        f"The information-sharing agreement of {meeting.title} has changed: accept the new version to see the meeting's papers",
        link=meeting_link(meeting),
    )
    return len(reset)


def save_meeting(meeting: PartnershipMeeting, changed: dict, *, editor_id) -> int:
    """Save the lead's changes (``changed``: each field that changed and its new value), audited by name.
    A changed agreement has to be accepted again by everyone else: returns how many were asked to."""
    for name, value in changed.items():
        setattr(meeting, name, value)
    reset = _reset_acceptances(meeting, editor_id) if "information_sharing_agreement" in changed else 0
    _audit_update(meeting, {"fields": list(changed), "acceptances_reset": reset})
    return reset


def save_minutes(meeting: PartnershipMeeting, minutes: str | None, *, actor_id) -> None:
    """Save the minutes; the first time there are any, everyone taking part is told they are ready."""
    first = not meeting.minutes and minutes
    meeting.minutes = minutes
    _audit_update(meeting, {"fields": ["minutes"]})
    if first:
        notify_all(
            [p.user_id for p in partnership.participants(meeting)], f"Minutes of {meeting.title} are ready", link=meeting_link(meeting), exclude={actor_id}
        )


def new_return(meeting: PartnershipMeeting) -> MeetingReturn:
    """An empty pre-meeting return for a meeting opened without one."""
    row = MeetingReturn(meeting_id=meeting.id)
    db.session.add(row)
    db.session.flush()
    return row


def save_return(meeting: PartnershipMeeting, row: MeetingReturn, answers: dict, *, sending: bool, actor_id) -> None:
    """Save the school's return (``answers``: field -> text); ``sending`` sends it to the meeting, and its
    leads are told."""
    for name, value in answers.items():
        setattr(row, name, value)
    row.updated_by_id = actor_id
    details = {"meeting": str(meeting.id)}
    record(Action.MEETING_RETURN_SAVED, object_type="meeting_return", object_id=row.id, organisation_id=meeting.organisation_id, details=details)
    if sending:
        row.submitted_at, row.submitted_by_id = utcnow(), actor_id
        record(Action.MEETING_RETURN_SUBMITTED, object_type="meeting_return", object_id=row.id, organisation_id=meeting.organisation_id, details=details)
        notify_all(
            leads(meeting),
            f"{meeting.organisation.name} has sent its pre-meeting return: {meeting.title}",
            link=meeting_link(meeting),
            exclude={actor_id},
        )


# The people taking part ----------------------------------------------------------------------------


def record_attendance(meeting: PartnershipMeeting, listed: list[Participant], ticked: set[str]) -> None:
    """Who attended (``ticked``: the ids of the people listed who did). Attendance is part of the
    meeting's version, so a save made from an older page is refused like any other."""
    for row in listed:
        row.attended = str(row.id) in ticked
    flag_modified(meeting, "status")  # the meeting's version moves on
    _audit_update(meeting, {"fields": ["attendance"], "attended": len(ticked)})


def add_person(meeting: PartnershipMeeting, user_id, role: ParticipantRole, *, actor_id) -> Participant:
    """Add a person to the meeting (or change their role); they are told."""
    row = partnership.add_participant(meeting, user_id, role, actor_id=actor_id)
    notify_all([user_id], f"You have been added to {meeting.title}", link=meeting_link(meeting), exclude={actor_id})
    return row


def remove_person(meeting: PartnershipMeeting, row: Participant, *, actor_id) -> None:
    """Take a person off the meeting; never its only organiser (:class:`Refused`)."""
    organisers = [p for p in partnership.participants(meeting) if p.role == ParticipantRole.ORGANISER]
    if row.role == ParticipantRole.ORGANISER and len(organisers) == 1:
        raise Refused(f"{row.user.full_name} is the meeting's only organiser. Add another organiser first.")
    partnership.remove_participant(meeting, row, actor_id=actor_id)


# Actions -------------------------------------------------------------------------------------------


def update_action(
    meeting: PartnershipMeeting,
    row: PlanAction,
    *,
    status: ActionStatus,
    progress_note: str | None,
    actor_id,
    description: str | None = None,
    owner: dict | None = None,
    due_on=None,
) -> None:
    """Its owner updates an action's status and progress; the lead may change its text, owner and due
    date too. A new owner is told, and the leads hear when it is done."""
    was_done = row.status == ActionStatus.DONE
    partnership.change_action(
        row, status=status, progress_note=progress_note, description=description, owner=owner, due_on=due_on, actor_id=actor_id, link=meeting_link(meeting)
    )
    if row.status == ActionStatus.DONE and not was_done:
        notify_all(leads(meeting), f"An action of {meeting.title} is done", link=meeting_link(meeting), exclude={actor_id})
