"""Notifications: each person their own. Sent emails are internal records."""

from __future__ import annotations

from portal.notifications.models import Notification, OutboundEmail
from portal.policies import Policy, never, nobody

POLICIES: dict[type, Policy] = {
    Notification: Policy(visible=lambda user: Notification.user_id == user.id, allows=lambda user, action, obj: obj.user_id == user.id),
    OutboundEmail: Policy(visible=nobody, allows=never),
}
