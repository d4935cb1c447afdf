"""People's accounts: an administrator sees all of the authority's, anyone else only their own; sessions,
one-time tokens and recovery codes are internal records no page shows."""

from __future__ import annotations

from sqlalchemy import true

from portal.accounts.models import AccountToken, Membership, RecoveryCode, User, UserSession
from portal.policies import Policy, admin_may, is_admin, never, nobody

POLICIES: dict[type, Policy] = {
    # People's accounts: an administrator sees all of the authority's; anyone else only their own.
    User: Policy(
        visible=lambda user: true() if is_admin(user) else (User.id == user.id),
        allows=lambda user, action, obj: is_admin(user) and not (action in {"deactivate", "remove_admin"} and obj.id == user.id),
        sensitive=True,
    ),
    Membership: Policy(
        visible=lambda user: true() if is_admin(user) else (Membership.user_id == user.id),
        allows=admin_may,
    ),
    # Internal records: no page shows them.
    UserSession: Policy(visible=nobody, allows=never),
    AccountToken: Policy(visible=nobody, allows=never),
    RecoveryCode: Policy(visible=nobody, allows=never),
}
