"""The sign-in directory: which authority an email address signs in to.

Before sign-in there is no tenant, yet the portal must find the account an email belongs to. This is the
one sanctioned cross-tenant read, and it reveals only two ids:

* on PostgreSQL, through ``portal_login_lookup(email)``, a ``SECURITY DEFINER`` function created by the
  migrations (the ``users`` table stays behind row-level security for the application role);
* on SQLite (the embedded default, which has no row-level security), through one query in the
  platform scope.

Everything after it (checking the password, loading the user) happens inside that authority's context.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tenants.context import platform_scope


def find_sign_in(session, email: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """Return ``(authority_id, user_id)`` for ``email``, or ``None`` if no account has it."""
    normalised = (email or "").strip().lower()
    if not normalised:
        return None
    with platform_scope("sign-in directory: find the authority of an email address"):
        if session.get_bind().dialect.name == "postgresql":
            row = session.execute(
                text("SELECT authority_id, user_id FROM portal_login_lookup(:email)"), {"email": normalised}
            ).first()
        else:
            row = session.execute(
                text("SELECT authority_id, id FROM users WHERE email = :email"), {"email": normalised}
            ).first()
        session.rollback()
    if row is None:
        return None
    authority_id, user_id = row
    return uuid.UUID(str(authority_id)), uuid.UUID(str(user_id))
