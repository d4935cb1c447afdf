"""Layer 3: PostgreSQL row-level security, which stops a leak even when the code sends raw SQL."""

import uuid

import pytest
from flask import Blueprint, jsonify
from flask_login import login_required
from sqlalchemy import create_engine, text
from sqlalchemy.exc import InternalError, ProgrammingError

from portal.extensions import db
from tenants.orm import TENANT_TABLES
from tenants.schema import rls_problems
from tests.database import APP_ROLE
from tests.support import sign_in

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def app_engine(database):
    """A plain connection as the application role, outside the portal's session (no tenant set)."""
    engine = create_engine(database.app_url)
    yield engine
    engine.dispose()


def _as_authority(conn, authority_id):
    conn.execute(text("SELECT set_config('app.authority_id', :a, true)"), {"a": str(authority_id) if authority_id else ""})


def test_every_table_with_authority_id_has_forced_rls_and_a_policy(app, database):
    """Does the catalogue show row-level security enabled AND forced, with USING and WITH CHECK, on every
    table that has an authority_id column?"""
    engine = database.owner_engine()
    try:
        with engine.connect() as conn:
            problems = rls_problems(conn)
            covered = set(
                conn.execute(
                    text(
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = current_schema() AND c.relrowsecurity AND c.relforcerowsecurity"
                    )
                ).scalars()
            )
    finally:
        engine.dispose()
    assert problems == []
    assert TENANT_TABLES <= covered


def test_rls_check_notices_a_table_without_force(app, database):
    """Would the catalogue check fail if a table lost FORCE ROW LEVEL SECURITY? (The check can fail.)"""
    engine = database.owner_engine()
    try:
        with engine.connect() as conn:
            trans = conn.begin()
            conn.execute(text("ALTER TABLE organisations NO FORCE ROW LEVEL SECURITY"))
            problems = rls_problems(conn)
            trans.rollback()
    finally:
        engine.dispose()
    assert problems == ["organisations: row-level security not forced"]


def test_application_role_owns_nothing_and_cannot_bypass(app, app_engine):
    """Is the application's role neither superuser nor BYPASSRLS, and the owner of no table?"""
    with app_engine.connect() as conn:
        role = conn.execute(text("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
        owned = conn.execute(text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")).scalar()
    assert role.rolname == APP_ROLE
    assert role.rolsuper is False and role.rolbypassrls is False
    assert owned == 0


def test_raw_select_without_tenant_setting_returns_nothing(app, world, app_engine):
    """Does a raw SELECT with no tenant setting return no rows at all, though both authorities have data?"""
    with app_engine.connect() as conn:
        for table in ("users", "organisations", "memberships", "audit_events"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
        conn.rollback()
        with conn.begin():
            _as_authority(conn, None)  # an empty setting matches nothing either
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 0


def test_raw_select_with_authority_a_sees_none_of_b(app, world, app_engine):
    """With authority A's setting, does a raw SELECT return A's rows and none of B's?"""
    with app_engine.connect() as conn, conn.begin():
        _as_authority(conn, world.a.authority_id)
        authorities = set(conn.execute(text("SELECT DISTINCT authority_id FROM users")).scalars())
        emails = set(conn.execute(text("SELECT email FROM users")).scalars())
    assert authorities == {world.a.authority_id}
    assert world.a.dsl1.email in emails and world.b.dsl1.email not in emails


def test_insert_or_move_into_another_authority_is_refused(app, world, app_engine):
    """Does WITH CHECK refuse writing a row for B, or moving A's row to B, while the setting says A?"""
    with app_engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="row-level security"):
            with conn.begin():
                _as_authority(conn, world.a.authority_id)
                conn.execute(
                    text("INSERT INTO organisations (id, authority_id, name, kind, version, created_at) VALUES (:id, :b, 'Smuggled', 'other', 1, now())"),
                    {"id": uuid.uuid4(), "b": world.b.authority_id},
                )
        with pytest.raises(ProgrammingError, match="row-level security"):
            with conn.begin():
                _as_authority(conn, world.a.authority_id)
                conn.execute(text("UPDATE organisations SET authority_id = :b WHERE id = :id"), {"b": world.b.authority_id, "id": world.a.school1})


def test_application_role_cannot_change_or_delete_audit_rows(app, world, app_engine):
    """Is the audit log append-only for the application's role (no UPDATE, no DELETE)?"""
    with app_engine.connect() as conn:
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(ProgrammingError, match="permission denied"):
                with conn.begin():
                    _as_authority(conn, world.a.authority_id)
                    conn.execute(text(statement))


def test_a_chronology_line_can_be_marked_but_what_happened_stays_as_written(app, world, app_engine):
    """The application role may mark a line significant; it may not rewrite a concern's line, move it to
    another child, or delete it (only a manual entry's line is corrected, with its history kept)."""
    from tests.factories import make_concern, make_pupil

    pupil_id = make_pupil(app, world.a)
    make_concern(app, world.a, pupil_id)
    other_pupil = make_pupil(app, world.a, legal_forename="Other")
    where = {"p": pupil_id}
    with app_engine.connect() as conn:
        with conn.begin():
            _as_authority(conn, world.a.authority_id)
            marked = conn.execute(text("UPDATE chronology_entries SET significant = true WHERE pupil_id = :p"), where)
            assert marked.rowcount == 1
        refusals = [
            ("UPDATE chronology_entries SET title = 'Nothing happened' WHERE pupil_id = :p", "Only a manual entry"),
            ("UPDATE chronology_entries SET occurred_at = now() WHERE pupil_id = :p", "Only a manual entry"),
            ('UPDATE chronology_entries SET substance = \'[{"label": "Said", "text": "Nothing"}]\' WHERE pupil_id = :p', "Only a manual entry"),
            (f"UPDATE chronology_entries SET pupil_id = '{other_pupil}' WHERE pupil_id = :p", "permission denied"),
            ("UPDATE chronology_entries SET kind = 'manual' WHERE pupil_id = :p", "permission denied"),
            ("DELETE FROM chronology_entries WHERE pupil_id = :p", "permission denied"),
        ]
        for statement, refusal in refusals:
            with pytest.raises((ProgrammingError, InternalError), match=refusal):
                with conn.begin():
                    _as_authority(conn, world.a.authority_id)
                    conn.execute(text(statement), where)
        with conn.begin():
            _as_authority(conn, world.a.authority_id)
            line = conn.execute(text("SELECT title, significant FROM chronology_entries WHERE pupil_id = :p"), where).one()
    assert line == ("Concern logged", True)


def test_sign_in_directory_reveals_only_ids(app, world, app_engine):
    """Can the application, with no tenant, learn which authority an email belongs to, and nothing more?"""
    with app_engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM portal_login_lookup(:e)"), {"e": world.b.dsl1.email.upper()}).one()
        assert tuple(row._mapping.keys()) == ("authority_id", "user_id")
        assert (row.authority_id, row.user_id) == (world.b.authority_id, world.b.dsl1.id)
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 0


probe = Blueprint("rls_probe", __name__)


@probe.route("/_probe/raw")
def raw_rows():
    """Raw SQL in a request: what the database lets this request see, whatever the ORM does."""
    authority_ids = db.session.execute(text("SELECT DISTINCT authority_id::text FROM organisations")).scalars().all()
    setting = db.session.execute(text("SELECT current_setting('app.authority_id', true)")).scalar()
    backend_pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    return jsonify(authority_ids=sorted(authority_ids), setting=setting or "", pid=backend_pid)


@probe.route("/_probe/fail")
@login_required
def fail():
    db.session.execute(text("SELECT count(*) FROM organisations")).scalar()
    raise RuntimeError("a request that fails half way")


def test_pooled_connection_carries_nothing_between_requests(make_app, world):
    """With one pooled connection: a request for A, one that fails, then one for B and one anonymous —
    does B see only B, and the anonymous request nothing, on the very same connection?"""
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_pre_ping": True}, PROPAGATE_EXCEPTIONS=False)
    app.register_blueprint(probe)
    client_a, client_b, anonymous = app.test_client(), app.test_client(), app.test_client()
    sign_in(client_a, world.a.admin)
    sign_in(client_b, world.b.admin)

    first = client_a.get("/_probe/raw").get_json()
    assert first["authority_ids"] == [str(world.a.authority_id)]
    assert client_a.get("/_probe/fail").status_code == 500
    second = client_b.get("/_probe/raw").get_json()
    assert second["authority_ids"] == [str(world.b.authority_id)]
    third = anonymous.get("/_probe/raw").get_json()
    assert third == {"authority_ids": [], "setting": "", "pid": first["pid"]}
    assert second["pid"] == first["pid"]  # it really was the same connection
