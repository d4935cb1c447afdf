"""The audited actions of this feature: what the workspaces share: opening, invitations, participants, plan actions."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """What the workspaces share: opening, invitations, participants, plan actions. (With the actions every feature records: portal.audit.actions.)"""

    WORKSPACE_OPENED = "workspace.opened"
    WORKSPACE_UPDATED = "workspace.updated"
    WORKSPACE_INVITED = "workspace.invited"
    WORKSPACE_INVITATION_ANSWERED = "workspace.invitation_answered"
    PARTICIPANT_ADDED = "workspace.participant_added"
    PARTICIPANT_REMOVED = "workspace.participant_removed"
    INFORMATION_SHARING_ACCEPTED = "workspace.information_sharing_accepted"
    PLAN_ACTION_ADDED = "plan_action.added"
    PLAN_ACTION_UPDATED = "plan_action.updated"
    PLAN_ACTION_OVERDUE = "plan_action.overdue_notified"
