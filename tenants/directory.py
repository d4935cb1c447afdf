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


def other_authorities_schools(session: Session | scoped_session[Any], authority_id: uuid.UUID) -> list[tuple[uuid.UUID, uuid.UUID, str, str | None, str]]:
    """The establishments directory of the other authorities on the portal: for each open school of an
    authority other than ``authority_id``, ``(authority id, school id, school name, URN, authority name)``,
    by authority then school name. Nothing else of those authorities is read.

    For a DSL choosing where a leaving pupil's file goes, in the middle of their request: it reads in the
    request's own transaction, so its tenant stays in force for everything else. On PostgreSQL through
    ``portal_establishments()``, a ``SECURITY DEFINER`` function made by the migrations (``organisations``
    stays behind row-level security for the application role: only these five columns of schools come
    back); on SQLite (no row-level security) through one query of the same columns."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT authority_id, organisation_id, name, urn, authority_name FROM portal_establishments() WHERE authority_id <> :authority"),
            {"authority": str(authority_id)},
        ).all()
    else:
        rows = conn.execute(
            text(
                "SELECT o.authority_id, o.id, o.name, o.urn, a.name FROM organisations AS o JOIN authorities AS a ON a.id = o.authority_id "
                "WHERE o.kind = 'school' AND o.archived_at IS NULL AND o.authority_id <> :authority ORDER BY a.name, o.name"
            ),
            {"authority": authority_id.hex},
        ).all()
    return [(uuid.UUID(str(r[0])), uuid.UUID(str(r[1])), r[2], r[3], r[4]) for r in rows]
