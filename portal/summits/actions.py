"""The audited actions of this feature: safety summits and safety maps."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Safety summits and safety maps. (With the actions every feature records: portal.audit.actions.)"""

    SUMMIT_FINDING_ADDED = "summit.finding_added"
    YOU_SAID_WE_DID_ADDED = "summit.you_said_we_did"
    SAFETY_MAP_UPLOADED = "safety_map.uploaded"
    MAP_MARKER_PLACED = "safety_map.marker_placed"
    MAP_MARKER_LIMITED = "safety_map.marker_limited"
    MAP_MARKER_REMOVED = "safety_map.marker_removed"
    MAP_LINK_CREATED = "safety_map.link_created"
    MAP_LINK_REVOKED = "safety_map.link_revoked"
    MAP_LINK_OPENED = "safety_map.link_opened"
    MAP_LINK_REFUSED = "safety_map.link_refused"
