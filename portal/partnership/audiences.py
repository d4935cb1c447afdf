"""Who takes part in a workspace (a safety summit, a partnership meeting, a context panel meeting): the
listings every workspace's policy builds on."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from portal.extensions import db
from portal.meetings.models import PartnershipMeeting
from portal.partnership.models import Invitation, InvitationStatus, Participant
from portal.policies import is_panel_member, is_social_care, within
from portal.summits.models import SafetySummit


def participations(user, column, *roles) -> Select:
    """Ids of the workspaces (``column``: ``Participant.summit_id``, ``.meeting_id`` or ``.panel_meeting_id``)
    where ``user`` is listed, and only while they still belong to an organisation taking part: the host
    school (a summit), the school (a meeting), or an organisation whose invitation was accepted. Children's
    social care (and, for the panel, its named members) keep their listings. Someone who leaves a school
    loses what their listing gave them."""
    if not user.is_authenticated:
        return select(column).where(false())
    query = select(column).where(Participant.user_id == user.id, column.is_not(None))
    if roles:
        query = query.where(Participant.role.in_(roles))
    if is_social_care(user) or (column.key == "panel_meeting_id" and is_panel_member(user)):
        return query
    orgs = user.organisation_ids()
    invitation = getattr(Invitation, column.key)
    conditions = [column.in_(select(invitation).where(within(Invitation.organisation_id, orgs), Invitation.status == InvitationStatus.ACCEPTED))]
    if column.key == "summit_id":
        conditions.append(column.in_(select(SafetySummit.id).where(within(SafetySummit.host_organisation_id, orgs))))
    elif column.key == "meeting_id":
        conditions.append(column.in_(select(PartnershipMeeting.id).where(within(PartnershipMeeting.organisation_id, orgs))))
    return query.where(or_(*conditions))


def holds_role_in(user, column, workspace_id, *roles) -> bool:
    if not user.is_authenticated:
        return False
    return db.session.execute(participations(user, column, *roles).where(column == workspace_id).limit(1)).first() is not None
