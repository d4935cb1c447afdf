"""Layer 2: keys. Every tenant table has UNIQUE (authority_id, id) and composite foreign keys, so the
database itself refuses a row pointing at another authority's parent."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import String, Text, Uuid, inspect, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Membership, Role
from portal.extensions import db
from portal.policies import registered
from tenants import tenant_scope
from tenants.orm import TENANT_MODELS, TENANT_TABLES
from tenants.schema import HAND_MADE_INDEX_PREFIX, include_in_comparison, schema_problems


def test_every_tenant_table_has_composite_keys(app):
    """Does every tenant-owned table carry authority_id, UNIQUE (authority_id, id) and composite foreign keys?"""
    assert len(TENANT_TABLES) >= 11
    assert schema_problems(db.metadata, TENANT_TABLES) == []


def test_every_primary_key_is_a_uuid(app):
    """Are all ids random UUIDs (never sequential integers that can be guessed in a URL)?"""
    for table in db.metadata.sorted_tables:
        primary_key = list(table.primary_key.columns)
        assert len(primary_key) == 1 and isinstance(primary_key[0].type, Uuid), table.name


def test_every_tenant_model_has_a_policy(app):
    """Does portal.policies state who may see and do what for every tenant-owned model?"""
    missing = [model.__name__ for model in TENANT_MODELS if model not in registered()]
    assert missing == []


def test_database_refuses_a_membership_pointing_at_another_authoritys_organisation(app, world):
    """Does the database (not just the ORM) refuse a membership of A's user in B's school?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        db.session.add(Membership(user_id=world.a.dsl1.id, organisation_id=world.b.school1, role=Role.DSL))
        with pytest.raises(IntegrityError) as refused:
            db.session.flush()
        db.session.rollback()
    message = str(refused.value).lower()
    assert "foreign key" in message
    with app.app_context(), tenant_scope(world.a.authority_id):
        organisations = db.session.execute(select(Membership.organisation_id).where(Membership.user_id == world.a.dsl1.id)).scalars().all()
    assert organisations == [world.a.school1]


def _compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Alembic's comparison, but for a string's declared length on SQLite, which keeps strings whatever
    their length (so 0016 widens the sealed two-factor column on PostgreSQL only)."""
    declared = getattr(metadata_type, "impl", metadata_type)
    if context.dialect.name == "sqlite" and isinstance(inspected_type, String) and isinstance(declared, String) and not isinstance(declared, Text):
        return False
    return None


def test_migrations_match_the_models(app, database):
    """Is the schema the migrations built exactly what the models declare (so migrations are the only source)?"""
    engine = database.owner_engine()
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": _compare_type, "include_object": include_in_comparison})
            differences = compare_metadata(context, db.metadata)
        search_indexes = {
            index["name"]
            for table in ("forum_posts", "forum_threads", "forum_resources")
            for index in inspect(engine).get_indexes(table)
            if index["name"].startswith(HAND_MADE_INDEX_PREFIX)
        }
    finally:
        engine.dispose()
    assert differences == []
    # The hand-made full-text search indexes left out of the comparison exist (PostgreSQL only).
    expected = {"ix_search_forum_posts", "ix_search_forum_threads", "ix_search_forum_resources"} if engine.dialect.name == "postgresql" else set()
    assert search_indexes == expected


def test_tenant_tables_in_the_database_match_the_declared_ones(app, database):
    """Is every table with an authority_id column declared tenant-owned in the code (and the reverse)?"""
    engine = database.owner_engine()
    try:
        inspector = inspect(engine)
        with_column = {t for t in inspector.get_table_names() if any(c["name"] == "authority_id" for c in inspector.get_columns(t))}
    finally:
        engine.dispose()
    assert with_column == TENANT_TABLES
