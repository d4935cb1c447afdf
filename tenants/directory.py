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
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, scoped_session

from tenants.context import platform_scope


def find_sign_in(session: Session | scoped_session[Any], email: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """Return ``(authority_id, user_id)`` for ``email``, or ``None`` if no account has it."""
    normalised = (email or "").strip().lower()
    if not normalised:
        return None
    with platform_scope("sign-in directory: find the authority of an email address"):
        if session.get_bind().dialect.name == "postgresql":
            row = session.execute(text("SELECT authority_id, user_id FROM portal_login_lookup(:email)"), {"email": normalised}).first()
        else:
            row = session.execute(text("SELECT authority_id, id FROM users WHERE email = :email"), {"email": normalised}).first()
        session.rollback()
    if row is None:
        return None
    authority_id, user_id = row
    return uuid.UUID(str(authority_id)), uuid.UUID(str(user_id))


def authority_ids(session: Session | scoped_session[Any]) -> list[uuid.UUID]:
    """The id of every authority, in a stable order: for what runs for each of them (the schedule, the
    outbox relay). Ids only; read in the platform scope."""
    with platform_scope("every authority's id, for the schedule and the outbox relay"):
        rows = session.execute(text("SELECT id FROM authorities ORDER BY id")).scalars().all()
        session.rollback()
    return [uuid.UUID(str(row)) for row in rows]


def authority_slugs(session: Session | scoped_session[Any]) -> list[tuple[uuid.UUID, str]]:
    """Each authority's id and slug (its short name), by slug: for operators' commands."""
    with platform_scope("every authority's id and slug, for an operator's command"):
        rows = session.execute(text("SELECT id, slug FROM authorities ORDER BY slug")).all()
        session.rollback()
    return [(uuid.UUID(str(row[0])), row[1]) for row in rows]
