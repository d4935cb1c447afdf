"""Could the schema be spread over several database machines by authority (Citus, distribution column
``authority_id``)? A distributed table needs the distribution column in its primary key and in every
unique constraint, and its foreign keys to other distributed tables must include it (co-located).

This catalogue reads the models' metadata and lists each tenant table that could not be distributed as
it stands, and why. What it finds today, each declared below with the reason it is so:

* every tenant table's primary key is ``id`` alone — but every one also has ``UNIQUE (authority_id,
  id)``, which all the composite foreign keys reference, so distributing is swapping each primary key
  for that pair, table by table, with no change to any foreign key (checked here);
* nine unique constraints without ``authority_id`` (declared in :data:`GLOBAL_UNIQUE` with reasons).

A new tenant table, unique constraint or foreign key that breaks a rule fails here."""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, UniqueConstraint

#: Unique constraints on tenant tables without authority_id, and why each is unique across authorities.
GLOBAL_UNIQUE = {
    ("users", ("email",)): "the sign-in directory: one address, one account, whichever authority",
    ("account_tokens", ("token_hash",)): "an emailed link is looked up before its authority is known",
    ("user_sessions", ("secret_hash",)): "a session cookie is looked up before its authority is known (the cookie names it, the hash is unique anyway)",
    ("map_links", ("token_hash",)): "a tablet's link is looked up by its token",
    ("attachments", ("storage_key",)): "a random 256-bit file name: unique across authorities by construction",
    ("chronology_exports", ("storage_key",)): "a random 256-bit file name",
    ("forum_resource_versions", ("storage_key",)): "a random 256-bit file name",
    ("safety_maps", ("storage_key",)): "a random 256-bit file name",
    ("assessment_reports", ("storage_key",)): "a random 256-bit file name",
}
#: Tables without authority_id, and what they would be on Citus.
NOT_DISTRIBUTED = {
    "authorities": "the tenants themselves: a reference table (copied to every machine)",
    "transfer_handovers": "a file handed from one authority to another: a reference table, read by both",
}


def _metadata():
    from portal import create_app
    from portal.extensions import db

    create_app({"PORTAL_ENV": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return db.metadata


def _uniques(table):
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            yield tuple(c.name for c in constraint.columns)
    for index in table.indexes:
        if index.unique:
            yield tuple(c.name for c in index.columns)


def distribution_problems(metadata, *, not_distributed: dict, global_unique: dict) -> list[str]:
    """What stands between ``metadata``'s tenant tables and distribution by authority_id, table by table."""
    tenant = {t.name: t for t in metadata.sorted_tables if "authority_id" in t.c}
    problems = []
    for name, table in sorted(tenant.items()):
        uniques = list(_uniques(table))
        if ("authority_id", "id") not in uniques and ("id", "authority_id") not in uniques:
            problems.append(f"{name}: no UNIQUE (authority_id, id) to become its distributed primary key")
        primary = tuple(c.name for c in table.primary_key.columns)
        if "authority_id" not in primary and primary != ("id",):
            problems.append(f"{name}: a primary key {primary} that lacks authority_id")
        for columns in uniques:
            if "authority_id" not in columns and (name, columns) not in global_unique:
                problems.append(f"{name}: UNIQUE {columns} without authority_id (not declared)")
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name in tenant and "authority_id" not in {c.name for c in fk.columns}:
                problems.append(f"{name}: foreign key {[c.name for c in fk.columns]} to {fk.referred_table.name} not co-located")
    for name, table in metadata.tables.items():
        if name not in tenant and name not in not_distributed:
            problems.append(f"{name}: neither a tenant table nor declared as a reference table")
        if name in not_distributed:
            for fk in table.foreign_key_constraints:
                if fk.referred_table.name in tenant:
                    problems.append(f"{name} (a reference table) refers to the distributed table {fk.referred_table.name}")
    return problems


def test_the_catalogue_of_what_stands_between_the_schema_and_distribution():
    metadata = _metadata()
    problems = distribution_problems(metadata, not_distributed=NOT_DISTRIBUTED, global_unique=GLOBAL_UNIQUE)
    assert problems == [], "\n".join(problems)
    tenant = {t.name: t for t in metadata.sorted_tables if "authority_id" in t.c}
    assert len(tenant) > 70
    declared_present = {(t, cols) for t, table in tenant.items() for cols in _uniques(table) if (t, cols) in GLOBAL_UNIQUE}
    assert declared_present == set(GLOBAL_UNIQUE), "a declared exception no longer exists: remove it"


def test_the_catalogue_finds_what_it_looks_for():
    """A table with a unique constraint without authority_id, a foreign key to a tenant table without
    it, no (authority_id, id) pair, and an undeclared table without authority_id: each reported."""
    from sqlalchemy import Column, MetaData, Table, Uuid

    metadata = MetaData()
    Table("parents", metadata, Column("id", Uuid, primary_key=True), Column("authority_id", Uuid), UniqueConstraint("authority_id", "id"))
    Table(
        "children",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("authority_id", Uuid),
        Column("parent_id", Uuid),
        Column("code", Uuid),
        UniqueConstraint("code"),
        ForeignKeyConstraint(["parent_id"], ["parents.id"]),
    )
    Table("settings", metadata, Column("id", Uuid, primary_key=True))
    assert distribution_problems(metadata, not_distributed={}, global_unique={}) == [
        "children: no UNIQUE (authority_id, id) to become its distributed primary key",
        "children: UNIQUE ('code',) without authority_id (not declared)",
        "children: foreign key ['parent_id'] to parents not co-located",
        "settings: neither a tenant table nor declared as a reference table",
    ]
