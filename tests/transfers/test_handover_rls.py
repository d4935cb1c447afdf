"""The hand-over between authorities, proven on PostgreSQL with row-level security: raw SQL as the
application role sees a hand-over only from the authority that posted it or the one it is addressed to;
each side marks only its own columns; nobody posts in another's name, rewrites what travelled or removes
it; the establishments directory gives schools' name, URN and authority, nothing more."""

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import InternalError, ProgrammingError

from tests.transfers.test_handover import _sent_to_b
from tests.world import create_authority

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def app_engine(database):
    """A plain connection as the application role, outside the portal's session."""
    engine = create_engine(database.app_url)
    yield engine
    engine.dispose()


def _as(conn, authority_id):
    conn.execute(text("SELECT set_config('app.authority_id', :a, true)"), {"a": str(authority_id) if authority_id else ""})


def _refused(engine, authority_id, statement, params=None, match="") -> None:
    with engine.connect() as conn:
        with pytest.raises((ProgrammingError, InternalError), match=match):
            with conn.begin():
                _as(conn, authority_id)
                conn.execute(text(statement), params or {})


def test_each_authority_sees_and_marks_only_its_side_of_a_hand_over(app, world, app_engine):
    _sent_to_b(app, world)
    outsider = create_authority(app, "Carrow Safeguarding Children Partnership", "carrow")
    with app_engine.connect() as conn:
        seen = {}
        for who, authority_id in (("nobody", None), ("a", world.a.authority_id), ("b", world.b.authority_id), ("c", outsider)):
            with conn.begin():
                _as(conn, authority_id)
                seen[who] = conn.execute(text("SELECT count(*) FROM transfer_handovers")).scalar()
        assert seen == {"nobody": 0, "a": 1, "b": 1, "c": 0}
        with conn.begin():
            _as(conn, outsider)
            assert conn.execute(text("UPDATE transfer_handovers SET status = 'accepted'")).rowcount == 0
        with conn.begin():  # the receiver writes the receipt; the sender collects it
            _as(conn, world.b.authority_id)
            assert conn.execute(text("UPDATE transfer_handovers SET status = 'opened', status_at = now(), version = version + 1")).rowcount == 1
        with conn.begin():
            _as(conn, world.a.authority_id)
            assert conn.execute(text("UPDATE transfer_handovers SET collected_status = 'opened', version = version + 1")).rowcount == 1
        with conn.begin():  # the receiving authority still sees nothing else of the sender
            _as(conn, world.b.authority_id)
            assert conn.execute(text("SELECT count(*) FROM pupil_transfers")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM transfer_files")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM pupils WHERE authority_id = :a"), {"a": world.a.authority_id}).scalar() == 0

    b, a = world.b.authority_id, world.a.authority_id
    _refused(app_engine, b, "UPDATE transfer_handovers SET collected_status = 'accepted'", match="cannot mark the sender's side")
    _refused(app_engine, a, "UPDATE transfer_handovers SET status = 'accepted'", match="cannot write the receipt")
    _refused(app_engine, b, "UPDATE transfer_handovers SET package = '{}'", match="permission denied")
    _refused(app_engine, a, "UPDATE transfer_handovers SET to_authority_id = :c", {"c": world.b.authority_id}, match="permission denied")
    _refused(app_engine, a, "DELETE FROM transfer_handovers", match="permission denied")
    _refused(
        app_engine,
        b,
        "INSERT INTO transfer_handovers (id, from_authority_id, to_authority_id, to_organisation_id, source_transfer_id, package, status, version, created_at) "
        "VALUES (:id, :a, :b, :school, :id, '{}', 'posted', 1, now())",
        {"id": uuid.uuid4(), "a": a, "b": b, "school": world.b.school1},
        match="row-level security",
    )


def test_the_establishments_directory_gives_schools_by_name_urn_and_authority_only(app, world, app_engine):
    with app_engine.connect() as conn, conn.begin():
        _as(conn, world.a.authority_id)
        result = conn.execute(text("SELECT * FROM portal_establishments()"))
        columns, rows = list(result.keys()), result.all()
        organisations = conn.execute(text("SELECT count(*) FROM organisations WHERE authority_id = :b"), {"b": world.b.authority_id}).scalar()
    assert columns == ["authority_id", "organisation_id", "name", "urn", "authority_name"]
    assert {r.organisation_id for r in rows} == {world.a.school1, world.a.school2, world.b.school1, world.b.school2}
    assert organisations == 0  # the table itself stays behind row-level security


def test_a_file_sent_can_only_have_its_copy_removed_never_be_rewritten(app, world, app_engine):
    """The application role may remove the sending school's copy once (contents counted, note gone); it may
    not rewrite what was sent, bring a removed copy back, nor remove the row."""
    from tests.transfers.test_transfers import _sent_pupil

    _sent_pupil(app, world)
    a = world.a.authority_id
    _refused(app_engine, a, "UPDATE transfer_files SET content = '{\"chronology\": []}'", match="can only have its copy removed")
    _refused(app_engine, a, "UPDATE transfer_files SET note = 'Rewritten'", match="can only have its copy removed")
    _refused(app_engine, a, "UPDATE transfer_files SET pdf_key = 'x'", match="permission denied")
    _refused(app_engine, a, "DELETE FROM transfer_files", match="permission denied")
    with app_engine.connect() as conn, conn.begin():
        _as(conn, a)
        removed = conn.execute(text('UPDATE transfer_files SET content = \'{"disposed": true, "counts": {}}\', note = NULL, disposed_at = now()'))
        assert removed.rowcount == 1
    _refused(app_engine, a, "UPDATE transfer_files SET content = '{\"disposed\": true}', disposed_at = now()", match="can only have its copy removed")
