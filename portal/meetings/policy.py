"""School partnership meetings: who sees one, who reads its papers (their own acceptance of the
information-sharing agreement), who leads it and who takes part."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from portal.extensions import db
from portal.meetings.models import MeetingReturn, PartnershipMeeting
from portal.partnership.audiences import holds_role_in, participations
from portal.partnership.models import Invitation, InvitationStatus, Participant, ParticipantRole
from portal.policies import Policy, casework_schools, invitable_organisations, is_social_care, never, within


def meeting_visible(user) -> ColumnElement[bool]:
    if is_social_care(user):
        return true()
    return or_(
        within(PartnershipMeeting.organisation_id, casework_schools(user)),
        # An organisation invited (to answer) or that accepted; not one that declined.
        PartnershipMeeting.id.in_(
            select(Invitation.meeting_id).where(
                within(Invitation.organisation_id, invitable_organisations(user)),
                Invitation.meeting_id.is_not(None),
                Invitation.status != InvitationStatus.DECLINED,
            )
        ),
        PartnershipMeeting.id.in_(participations(user, Participant.meeting_id)),
    )


def meeting_papers(user) -> ColumnElement[bool]:
    """The meetings whose papers ``user`` may read: visible, and the agreement accepted by them."""
    if not user.is_authenticated:
        return false()
    accepted = participations(user, Participant.meeting_id).where(Participant.information_sharing_accepted_at.is_not(None))
    return and_(meeting_visible(user), PartnershipMeeting.id.in_(accepted))


def meeting_lead(user, meeting) -> bool:
    """Children's social care leads the meeting (and named organisers)."""
    return is_social_care(user) or holds_role_in(user, Participant.meeting_id, meeting.id, ParticipantRole.ORGANISER)


def meeting_party(user, meeting) -> bool:
    """Who takes part (and so may accept the agreement): social care, the school's DSLs and head, people
    added to the meeting, and members of an organisation that accepted its invitation (not one that was
    only invited, or declined)."""
    if is_social_care(user) or meeting.organisation_id in casework_schools(user):
        return True
    if holds_role_in(user, Participant.meeting_id, meeting.id, *ParticipantRole):
        return True
    accepted = select(Invitation.id).where(
        Invitation.meeting_id == meeting.id,
        Invitation.status == InvitationStatus.ACCEPTED,
        within(Invitation.organisation_id, invitable_organisations(user)),
    )
    return db.session.execute(accepted.limit(1)).first() is not None


def _meeting_allows(user, action, obj) -> bool:
    if action in {"edit", "invite", "add_attendee", "record_minutes", "add_action", "set_status"}:
        return meeting_lead(user, obj)
    if action == "edit_return":
        return obj.organisation_id in casework_schools(user) or meeting_lead(user, obj)
    if action == "read_papers":
        return db.session.execute(select(PartnershipMeeting.id).where(PartnershipMeeting.id == obj.id, meeting_papers(user))).first() is not None
    if action == "accept_agreement":
        return meeting_party(user, obj)
    if action == "respond":
        return bool(invitable_organisations(user))
    return False


POLICIES: dict[type, Policy] = {
    PartnershipMeeting: Policy(visible=meeting_visible, allows=_meeting_allows),
    MeetingReturn: Policy(visible=lambda user: MeetingReturn.meeting_id.in_(select(PartnershipMeeting.id).where(meeting_papers(user))), allows=never),
}
