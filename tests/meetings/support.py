"""Factories and read-backs for the school partnership meeting tests (and the isolation registry).

A meeting is made through the ORM inside the authority's tenant context: at school1, opened by the front
door (its organiser), with whoever is named having accepted the information-sharing agreement.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select

from portal.clock import utcnow


def _scope(app, side):
    from contextlib import ExitStack

    from tenants.context import tenant_scope

    stack = ExitStack()
    stack.enter_context(app.app_context())
    stack.enter_context(tenant_scope(side.authority_id))
    return stack


def make_meeting(
    app,
    side,
    *,
    accepted: tuple[str, ...] = ("front_door",),
    invited: dict[str, str] | None = None,
    attendees: tuple[str, ...] = (),
    meets_at: datetime | None = None,
    school: str = "school1",
    title: str = "School partnership meeting: the park behind the leisure centre",
) -> uuid.UUID:
    """A meeting at ``school``; ``accepted`` people accepted the agreement (listed as attendees, the front
    door as organiser); ``invited`` maps organisation keys (``police``, ``health``) to an invitation status;
    ``attendees`` are listed without accepting."""
    from portal.authorities.models import Organisation
    from portal.extensions import db
    from portal.meetings.models import MeetingReturn, PartnershipMeeting
    from portal.meetings.texts import default_information_sharing_agreement, default_terms_of_reference
    from portal.partnership.models import Invitation, InvitationStatus, Participant, ParticipantRole

    lead = side.front_door
    with _scope(app, side):
        school_name = db.session.get(Organisation, getattr(side, school)).name
        meeting = PartnershipMeeting(
            organisation_id=getattr(side, school),
            title=title,
            meets_at=meets_at,
            terms_of_reference=default_terms_of_reference(school_name),
            information_sharing_agreement=default_information_sharing_agreement(school_name),
            created_by_id=lead.id,
        )
        db.session.add(meeting)
        db.session.flush()
        db.session.add(MeetingReturn(meeting_id=meeting.id))
        now = utcnow()
        for key, status in (invited or {}).items():
            answered = status != "invited"
            db.session.add(
                Invitation(
                    meeting_id=meeting.id,
                    organisation_id=getattr(side, key),
                    status=InvitationStatus(status),
                    invited_by_id=lead.id,
                    responded_by_id=lead.id if answered else None,
                    responded_at=now if answered else None,
                )
            )
        for key in dict.fromkeys(("front_door",) + tuple(accepted) + tuple(attendees)):
            person = side.people[key]
            db.session.add(
                Participant(
                    meeting_id=meeting.id,
                    user_id=person.id,
                    role=ParticipantRole.ORGANISER if key == "front_door" else ParticipantRole.ATTENDEE,
                    added_by_id=lead.id,
                    information_sharing_accepted_at=now if key in accepted else None,
                )
            )
        db.session.commit()
        return meeting.id


def make_action(
    app, side, meeting_id, *, owner: str | None = None, organisation: str | None = None, due_on: date, status: str = "not_started", **fields
) -> uuid.UUID:
    """An action owned by a person (a key of ``side.people``) or an organisation (a key like ``police``)."""
    from portal.extensions import db
    from portal.partnership.models import ActionStatus, PlanAction

    with _scope(app, side):
        row = PlanAction(
            meeting_id=meeting_id,
            description=fields.pop("description", "Walk the route from the bus stop to the park with the youth service"),
            owner_user_id=side.people[owner].id if owner else None,
            owner_organisation_id=getattr(side, organisation) if organisation else None,
            due_on=due_on,
            status=ActionStatus(status),
            completed_at=utcnow() if status == "done" else None,
            created_by_id=side.front_door.id,
            **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def invitation_id(app, side, meeting_id, organisation: str) -> uuid.UUID:
    from portal.extensions import db
    from portal.partnership.models import Invitation

    with _scope(app, side):
        return db.session.execute(
            select(Invitation.id).where(Invitation.meeting_id == meeting_id, Invitation.organisation_id == getattr(side, organisation))
        ).scalar_one()


def rows(app, side, model, **filters) -> list:
    from tests.support import detached_rows

    return detached_rows(app, model, side.authority_id, **filters)


def meeting(app, side, meeting_id):
    from portal.meetings.models import PartnershipMeeting
    from tests.world import load

    return load(app, PartnershipMeeting, meeting_id, side.authority_id)


def meeting_return(app, side, meeting_id):
    from portal.meetings.models import MeetingReturn

    [row] = rows(app, side, MeetingReturn, meeting_id=meeting_id)
    return row


def participant(app, side, meeting_id, person):
    from portal.partnership.models import Participant

    found = rows(app, side, Participant, meeting_id=meeting_id, user_id=person.id)
    return found[0] if found else None


def school_name(app, side, school: str = "school1") -> str:
    from portal.authorities.models import Organisation
    from tests.world import load

    return load(app, Organisation, getattr(side, school), side.authority_id).name


def meeting_form(app, side, **changes) -> dict:
    """The lead's form for a meeting made by ``make_meeting`` (unchanged), with ``changes``."""
    from portal.meetings.texts import default_information_sharing_agreement, default_terms_of_reference

    name = school_name(app, side)
    data = {
        "title": "School partnership meeting: the park behind the leisure centre",
        "meets_on": ["12", "3", "2027"],
        "meets_time": "15:30",
        "format": "at_school",
        "location": "The library",
        "terms_of_reference": default_terms_of_reference(name),
        "information_sharing_agreement": default_information_sharing_agreement(name),
        "agenda": "1. Introductions\n2. The school's return\n3. Actions",
        "status": "planned",
        "version": "1",
    }
    data.update(changes)
    return data


def agreement(app, side, meeting_id=None, school: str = "school1") -> dict:
    """What the agreement form posts: ticked, with the digest of the agreement shown (the meeting's, or
    the default text for ``school`` when no meeting is named)."""
    from portal.meetings.models import PartnershipMeeting
    from portal.meetings.service import agreement_digest
    from portal.meetings.texts import default_information_sharing_agreement

    shown = (
        meeting(app, side, meeting_id)
        if meeting_id
        else PartnershipMeeting(information_sharing_agreement=default_information_sharing_agreement(school_name(app, side, school)))
    )
    return {"accept": "y", "digest": agreement_digest(shown)}


def notification_bodies(app, side) -> list:
    """The bodies of every notification of ``side`` (``None`` where there is none)."""
    from portal.extensions import db
    from portal.notifications.models import Notification

    with _scope(app, side):
        return db.session.execute(select(Notification.body)).scalars().all()
