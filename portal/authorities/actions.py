"""The audited actions of this feature: the authority, its organisations, its people's memberships and duties, and its settings."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """The authority, its organisations, its people's memberships and duties, and its settings. (With the actions every feature records: portal.audit.actions.)"""

    MEMBERSHIP_ADDED = "membership.added"
    MEMBERSHIP_REMOVED = "membership.removed"
    DUTY_ASSIGNED = "duty.assigned"
    DUTY_REMOVED = "duty.removed"
    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_UPDATED = "organisation.updated"
    ORGANISATION_ARCHIVED = "organisation.archived"
    ORGANISATION_RESTORED = "organisation.restored"
    SETTINGS_CHANGED = "authority.settings_changed"
    AUTHORITY_CREATED = "authority.created"
