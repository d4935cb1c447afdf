"""The audited actions of this feature: school partnership meetings."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """School partnership meetings. (With the actions every feature records: portal.audit.actions.)"""

    MEETING_RETURN_SAVED = "meeting.return_saved"
    MEETING_RETURN_SUBMITTED = "meeting.return_submitted"
