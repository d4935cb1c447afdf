"""The audited actions of this feature: threshold indicators, context referrals and the context panel."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Threshold indicators, context referrals and the context panel. (With the actions every feature records: portal.audit.actions.)"""

    # Contextual safeguarding: context referrals, the panel, partnership meetings, summits, safety maps.
    THRESHOLDS_CHANGED = "authority.thresholds_changed"
    CONTEXT_REFERRAL_RAISED = "context_referral.raised"
    CONTEXT_REFERRAL_LISTED = "context_referral.listed_for_panel"
    CONTEXT_REFERRAL_DECIDED = "context_referral.decided"
    PANEL_MEETING_SAVED = "panel_meeting.saved"
    PANEL_ATTENDANCE_RECORDED = "panel_meeting.attendance"
