"""Layers 2 and 3 of isolation: keys and row-level security, as used by migrations and checked by tests.

Layer 2 (schema): tenant-owned tables carry ``UNIQUE (authority_id, id)`` and reference their parents
with composite foreign keys ``(authority_id, parent_id)`` (see ``tenants.orm.parent_key``), so a row can
never point at another authority's row. :func:`schema_problems` checks a ``MetaData`` for it.

Layer 3 (PostgreSQL): every tenant-owned table has row-level security enabled and forced, with one
policy whose ``USING`` and ``WITH CHECK`` both compare ``authority_id`` with the transaction's
``app.authority_id`` setting. ``NULLIF(..., '')`` makes an unset or empty setting match nothing. The
application connects as a role that owns no table and is neither superuser nor ``BYPASSRLS``;
migrations run as the owner and grant the application role only what it needs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, UniqueConstraint, text

TENANT_PREDICATE = "authority_id = NULLIF(current_setting('app.authority_id', true), '')::uuid"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _quoted_role(role: str) -> str:
    if not _ROLE_NAME.match(role):
        raise ValueError(f"Unsafe database role name: {role!r}")
    return f'"{role}"'


def app_role() -> str:
    """The application's database role, from the settings (``DATABASE_APP_ROLE``)."""
    from flask import current_app

    return str(current_app.config["DATABASE_APP_ROLE"])


def quoted_app_role() -> str:
    """The application role's name, checked and quoted for use in SQL."""
    return _quoted_role(app_role())


def is_postgresql(bind: Connection | Engine) -> bool:
    return bool(bind.dialect.name == "postgresql")


def enable_tenant_rls(bind: Connection, table: str) -> None:
    """Enable and force row-level security on ``table`` with the tenant policy (PostgreSQL only)."""
    if not is_postgresql(bind):
        return
    bind.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
    bind.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
    bind.execute(text(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"'))
    bind.execute(text(f'CREATE POLICY tenant_isolation ON "{table}" USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})'))


def secure_tenant_tables(bind: Connection, tables: Iterable[str], append_only: Collection[str] = ()) -> None:
    """A migration's new tenant tables: row-level security on each, and the application role's grants
    (SELECT and INSERT only for the ``append_only`` ones). PostgreSQL only; refuses to run as the
    application role (``ensure_app_role_exists``)."""
    if not is_postgresql(bind):
        return
    ensure_app_role_exists(bind)
    for table in tables:
        enable_tenant_rls(bind, table)
        grant_to_app(bind, table, "SELECT, INSERT" if table in append_only else "SELECT, INSERT, UPDATE, DELETE")


def grant_to_app(bind: Connection, table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> None:
    """Grant the application role ``privileges`` on ``table`` (PostgreSQL only)."""
    if not is_postgresql(bind):
        return
    allowed = {"SELECT", "INSERT", "UPDATE", "DELETE"}
    asked = {p.strip().upper() for p in privileges.split(",")}
    if not asked <= allowed:
        raise ValueError(f"Unexpected privileges {asked - allowed}")
    bind.execute(text(f'GRANT {", ".join(sorted(asked))} ON "{table}" TO {_quoted_role(app_role())}'))


def grant_columns_to_app(bind: Connection, table: str, privilege: str, columns: Iterable[str]) -> None:
    """Grant the application role ``privilege`` (``UPDATE``) on some columns of ``table`` only, so that the
    rest of each row stays as it was written (PostgreSQL only)."""
    if not is_postgresql(bind):
        return
    if privilege.upper() != "UPDATE":
        raise ValueError(f"Unexpected column privilege {privilege!r}")
    names = list(columns)
    if not names or not all(_ROLE_NAME.match(name) for name in names):
        raise ValueError(f"Unsafe column names: {names!r}")
    listed = ", ".join(f'"{name}"' for name in names)
    bind.execute(text(f'GRANT UPDATE ({listed}) ON "{table}" TO {_quoted_role(app_role())}'))


def ensure_app_role_exists(bind: Connection) -> None:
    """Stop a PostgreSQL migration early, with a clear message, when the application role is missing."""
    if not is_postgresql(bind):
        return
    role = app_role()
    found = bind.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if found is None:
        raise RuntimeError(
            f"The application database role {role!r} does not exist. Create it first (README.md, 'Running on PostgreSQL'): CREATE ROLE {role} LOGIN;"
        )
    if found.rolsuper or found.rolbypassrls:
        raise RuntimeError(f"The application role {role!r} must be neither superuser nor BYPASSRLS.")
    if bind.execute(text("SELECT current_user")).scalar() == role:
        raise RuntimeError(
            f"Migrations are running as the application role {role!r}. Run them as the owner of the tables "
            "(set DATABASE_OWNER_URL); the application role must own nothing."
        )


def schema_problems(metadata: MetaData, tenant_tables: set[str]) -> list[str]:
    """What in ``metadata`` breaks the layer-2 rules; an empty list when nothing does."""
    problems = []
    for name in sorted(tenant_tables):
        table = metadata.tables[name]
        if "authority_id" not in table.c or table.c.authority_id.nullable:
            problems.append(f"{name}: authority_id missing or nullable")
        uniques = [tuple(c.name for c in constraint.columns) for constraint in table.constraints if isinstance(constraint, UniqueConstraint)]
        if ("authority_id", "id") not in uniques:
            problems.append(f"{name}: no UNIQUE (authority_id, id)")
        for fk in table.foreign_key_constraints:
            target = fk.referred_table.name
            if target in tenant_tables:
                local = [c.name for c in fk.columns]
                remote = [e.column.name for e in fk.elements]
                if "authority_id" not in local or remote[local.index("authority_id")] != "authority_id":
                    problems.append(f"{name}: foreign key to {target} {local} is not composite with authority_id")
    return problems


def rls_problems(bind: Connection) -> list[str]:
    """Tables with an ``authority_id`` column that lack RLS, FORCE, or a policy with USING and WITH CHECK."""
    rows = bind.execute(
        text(
            """
            SELECT c.relname,
                   c.relrowsecurity,
                   c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policies p
                           WHERE p.schemaname = n.nspname AND p.tablename = c.relname
                             AND p.qual IS NOT NULL AND p.with_check IS NOT NULL
                             AND p.qual LIKE '%app.authority_id%'
                             AND p.with_check LIKE '%app.authority_id%') AS has_policy
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'authority_id' AND NOT a.attisdropped
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
            ORDER BY c.relname
            """
        )
    ).all()
    problems = []
    for name, enabled, forced, has_policy in rows:
        if not enabled:
            problems.append(f"{name}: row-level security not enabled")
        if not forced:
            problems.append(f"{name}: row-level security not forced")
        if not has_policy:
            problems.append(f"{name}: no tenant policy with both USING and WITH CHECK")
    return problems


#: Indexes made by hand in a migration, for PostgreSQL only (full-text search on expressions): the models
#: do not declare them, so comparing the schema with the models leaves them out.
HAND_MADE_INDEX_PREFIX = "ix_search_"


def include_in_comparison(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object`` for autogenerate and schema checks: everything but the hand-made
    PostgreSQL search indexes."""
    return not (type_ == "index" and reflected and compare_to is None and (name or "").startswith(HAND_MADE_INDEX_PREFIX))
