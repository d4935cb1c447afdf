"""A partner's invitation into the DSL network ends with their partner role.

The network lead invites partners one by one (``ForumGuest``). When an administrator removes a person's
last partner role, or deactivates their account, the invitation is withdrawn there and then (audited), so
a partner role given again later, at any agency, does not silently bring them back into the network: the
network lead invites them again if they should be in it.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.service import record
from portal.extensions import db
from portal.forums.actions import Action
from portal.forums.models import ForumGuest


def withdraw_if_no_longer_partner(user, *, because: str) -> bool:
    """Delete ``user``'s invitation if they hold no partner role or their account is deactivated. Returns
    whether one was withdrawn. The caller commits."""
    if user.deactivated_at is None and any(m.role is Role.PARTNER for m in user.memberships):
        return False
    guest = db.session.execute(select(ForumGuest).where(ForumGuest.user_id == user.id)).scalar_one_or_none()
    if guest is None:
        return False
    record(Action.FORUM_GUEST_REMOVED, object_type="forum_guest", object_id=guest.id, details={"user": str(user.id), "because": because})
    db.session.delete(guest)
    db.session.flush()
    return True
