"""The audited actions of this feature: advice requests to the front door."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Advice requests to the front door. (With the actions every feature records: portal.audit.actions.)"""

    ADVICE_REQUESTED = "advice.requested"
    ADVICE_TAKEN = "advice.taken"
    ADVICE_ANSWERED = "advice.answered"
    ADVICE_MESSAGE = "advice.message"
