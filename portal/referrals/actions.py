"""The audited actions of this feature: referrals, their workflow and the one-working-day clock."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Referrals, their workflow and the one-working-day clock. (With the actions every feature records: portal.audit.actions.)"""

    REFERRAL_CREATED = "referral.created"
    REFERRAL_UPDATED = "referral.updated"
    REFERRAL_DELETED = "referral.draft_deleted"
    REFERRAL_TRANSITION = "referral.transition"
    REFERRAL_MESSAGE = "referral.message"
    REFERRAL_WARNED = "referral.clock_warning"
    REFERRAL_ESCALATED = "referral.clock_escalated"
    #: The front door read the child's chronology the school shared with the referral.
    CHRONOLOGY_READ = "referral.chronology_read"
    REFERRAL_PERSON_ADDED = "referral.person_added"
    REFERRAL_PERSON_CHANGED = "referral.person_changed"
    REFERRAL_PERSON_REMOVED = "referral.person_removed"
    REFERRAL_AGENCY_ADDED = "referral.agency_added"
    REFERRAL_AGENCY_CHANGED = "referral.agency_changed"
    REFERRAL_AGENCY_REMOVED = "referral.agency_removed"
