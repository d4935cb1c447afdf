"""The audited actions of this feature: the levels-of-need guidance."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """The levels-of-need guidance. (With the actions every feature records: portal.audit.actions.)"""

    NEED_GUIDANCE_CHANGED = "authority.need_guidance_changed"
