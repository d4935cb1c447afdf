"""The audited actions of this feature: disagreements, their stages, their clock and their settings."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Disagreements with a decision (resolving professional differences). (With the actions every feature
    records: portal.audit.actions.)"""

    DISAGREEMENT_RAISED = "disagreement.raised"
    DISAGREEMENT_RESPONDED = "disagreement.responded"
    DISAGREEMENT_ESCALATED = "disagreement.escalated"
    DISAGREEMENT_ACCEPTED = "disagreement.accepted"
    DISAGREEMENT_LAPSED = "disagreement.not_escalated_in_time"
    DISAGREEMENT_REMINDED = "disagreement.clock_reminder"
    DISAGREEMENT_OVERDUE = "disagreement.clock_escalated"
    DISAGREEMENT_SETTINGS_CHANGED = "disagreement.settings_changed"
