"""What the workspaces share: invitations and participants (visible with their workspace) and plan
actions (with the summit's content, the meeting's papers or the assessment), who owns an action and who
may update it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, or_, select

from portal.accounts.models import User
from portal.assessments.models import SchoolAssessment
from portal.assessments.policy import assessment_assessor, assessment_visible
from portal.contexts.models import PanelMeeting
from portal.contexts.policy import panel_visible
from portal.extensions import db
from portal.meetings.models import PartnershipMeeting
from portal.meetings.policy import meeting_lead, meeting_papers, meeting_visible
from portal.partnership.models import Invitation, Participant, PlanAction
from portal.policies import Policy, invitable_organisations, never
from portal.summits.models import SafetySummit
from portal.summits.policy import summit_content_ids, summit_organiser, summit_visible


def _workspace_child_visible(model) -> Callable[[User], ColumnElement[bool]]:
    """Invitations and participants: visible with their workspace."""

    def visible(user) -> ColumnElement[bool]:
        return or_(
            model.summit_id.in_(select(SafetySummit.id).where(summit_visible(user))),
            model.meeting_id.in_(select(PartnershipMeeting.id).where(meeting_visible(user))),
            model.panel_meeting_id.in_(select(PanelMeeting.id).where(panel_visible(user))),
        )

    return visible


def _plan_action_visible(user) -> ColumnElement[bool]:
    return or_(
        PlanAction.summit_id.in_(summit_content_ids(user)),
        PlanAction.meeting_id.in_(select(PartnershipMeeting.id).where(meeting_papers(user))),
        PlanAction.assessment_id.in_(select(SchoolAssessment.id).where(assessment_visible(user))),
    )


def action_owner(user, action_row) -> bool:
    """The person who owns an action, or a member of the organisation that owns it."""
    if not user.is_authenticated:
        return False
    if action_row.owner_user_id is not None:
        return action_row.owner_user_id == user.id
    return action_row.owner_organisation_id in user.organisation_ids()


def _plan_action_allows(user, action, obj) -> bool:
    if action == "update":
        if action_owner(user, obj):
            return True
        if obj.summit_id is not None:
            return summit_organiser(user, db.session.get(SafetySummit, obj.summit_id))
        if obj.assessment_id is not None:
            return assessment_assessor(user, db.session.get(SchoolAssessment, obj.assessment_id))
        return meeting_lead(user, db.session.get(PartnershipMeeting, obj.meeting_id))
    return False


POLICIES: dict[type, Policy] = {
    Invitation: Policy(
        visible=_workspace_child_visible(Invitation),
        allows=lambda user, action, obj: action == "respond" and obj.organisation_id in invitable_organisations(user),
    ),
    Participant: Policy(visible=_workspace_child_visible(Participant), allows=never),
    PlanAction: Policy(visible=_plan_action_visible, allows=_plan_action_allows),
}
