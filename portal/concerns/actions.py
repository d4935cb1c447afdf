"""The audited actions of this feature: concerns and their triage; the authority's concern categories."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Concerns and their triage; the authority's concern categories. (With the actions every feature records: portal.audit.actions.)"""

    CONCERN_LOGGED = "concern.logged"
    CONCERN_TRIAGED = "concern.triaged"
    CONCERNS_LINKED = "concern.linked"
    CONCERN_CATEGORY_ADDED = "concern.category_added"
    CONCERN_CATEGORY_ARCHIVED = "concern.category_archived"
