"""The audit log: append-only, hash-chained per authority, verifiable by `flask audit verify`."""

import threading

import pytest
from sqlalchemy import select, text

from portal.accounts.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.service import GENESIS_HASH, record, record_now, verify_chain
from portal.authorities.actions import Action as AuthorityAction
from portal.authorities.models import Organisation, OrganisationKind
from portal.extensions import db
from tenants import tenant_scope
from tests.support import audit_events, sign_in


@pytest.fixture
def busy_log(app, world):
    """Some history in both authorities: five sign-ins in A, two in B."""
    for key in ("admin", "dsl1", "dsl2", "head1", "staff1"):
        sign_in(app.test_client(), getattr(world.a, key))
    for key in ("admin", "dsl1"):
        sign_in(app.test_client(), getattr(world.b, key))
    return world


def _tamper(database, authority_id, statement, **params):
    """Change the audit table behind the portal's back, as the owner (as an attacker with the database would)."""
    engine = database.owner_engine()
    try:
        with engine.begin() as conn:
            if database.is_postgresql:
                conn.execute(text("SELECT set_config('app.authority_id', :a, true)"), {"a": str(authority_id)})
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


def test_each_authority_has_its_own_chain(app, world, busy_log):
    """Does each authority's log start at 1 from the genesis hash, each row pointing at the one before?"""
    for side in (world.a, world.b):
        events = audit_events(app, side.authority_id)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert len(events) >= 2 and events[0].prev_hash == GENESIS_HASH
        assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
        assert {e.authority_id for e in events} == {side.authority_id}


def test_sign_ins_and_failures_are_recorded_with_who_and_where(app, world):
    """Are a sign-in and a failed sign-in recorded with the user, the time, the IP address and the browser?"""
    client = app.test_client()
    client.post("/sign-in", data={"email": world.a.dsl1.email, "password": "not the password"}, headers={"User-Agent": "Test browser"})
    sign_in(client, world.a.dsl1)
    failed = audit_events(app, world.a.authority_id, Action.SIGN_IN_FAILED)[-1]
    signed_in = audit_events(app, world.a.authority_id, Action.SIGN_IN)[-1]
    assert failed.object_id == str(world.a.dsl1.id) and failed.details["reason"] == "password"
    assert failed.ip_address == "127.0.0.1" and failed.user_agent == "Test browser"
    assert signed_in.actor_id == world.a.dsl1.id and signed_in.occurred_at is not None


def test_verify_reports_an_intact_chain(app, world, busy_log):
    """Does `flask audit verify` say every authority's chain is intact, and exit 0?"""
    sign_in(app.test_client(), world.b.admin)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "avonford:" in result.output and "brackley:" in result.output
    assert result.output.count("chain intact") == 2


def test_verify_finds_a_changed_row(app, world, busy_log, database):
    """If someone edits a row in the database, does `flask audit verify` name that row and exit 1?"""
    sign_in(app.test_client(), world.a.dsl1)
    _tamper(database, world.a.authority_id, "UPDATE audit_events SET ip_address = '10.9.9.9' WHERE seq = 3")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "avonford: BROKEN" in result.output and "seq 3" in result.output and "contents changed" in result.output
    assert "brackley:" in result.output and "chain intact" in result.output  # B's chain is unaffected


def test_verify_finds_a_removed_row(app, world, busy_log, database):
    """If someone deletes a row, is the gap reported at the first missing place?"""
    _tamper(database, world.a.authority_id, "DELETE FROM audit_events WHERE seq = 2")
    checked, chain_break = _verify(app, world.a.authority_id)
    assert checked == 1 and chain_break.seq == 2 and "missing" in chain_break.reason


def test_verify_finds_a_rewritten_chain_tail(app, world, busy_log, database):
    """If someone rewrites a row and recomputes its own hash, is the next row's link found broken?"""
    events = audit_events(app, world.a.authority_id)
    forged = events[3]
    forged.action = "organisation.archived"
    from portal.audit.service import event_hash

    _tamper(
        database, world.a.authority_id, "UPDATE audit_events SET action = :a, hash = :h WHERE seq = :s", a=forged.action, h=event_hash(forged), s=forged.seq
    )
    checked, chain_break = _verify(app, world.a.authority_id)
    assert chain_break.seq == forged.seq + 1 and "prev_hash" in chain_break.reason


def _verify(app, authority_id):
    with app.app_context():
        return verify_chain(authority_id)


def test_an_audited_change_and_its_audit_row_roll_back_together(app, world):
    """If a change is rolled back, does its audit row go with it (no record of something that did not happen)?"""
    before = len(audit_events(app, world.a.authority_id))
    with app.app_context(), tenant_scope(world.a.authority_id):
        organisation = Organisation(name="Never saved", kind=OrganisationKind.OTHER)
        db.session.add(organisation)
        db.session.flush()
        record(AuthorityAction.ORGANISATION_CREATED, object_type="organisation", object_id=organisation.id)
        db.session.rollback()
    assert len(audit_events(app, world.a.authority_id)) == before


def test_a_refusal_is_kept_although_the_request_fails(app, world):
    """Is an event recorded with record_now kept even though the unsaved work around it is discarded?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        db.session.add(Organisation(name="Discarded", kind=OrganisationKind.OTHER))
        record_now(Action.ACCESS_DENIED, object_type="page", details={"endpoint": "x"})
        db.session.rollback()
        kept = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
        discarded = db.session.execute(select(Organisation).where(Organisation.name == "Discarded")).first()
    assert kept == Action.ACCESS_DENIED and discarded is None


def test_concurrent_writers_never_take_the_same_place(app, world):
    """When several requests write audit events for one authority at once, is the chain still whole?"""
    errors = []

    def writer(n):
        try:
            with app.app_context(), tenant_scope(world.a.authority_id):
                for i in range(5):
                    record(Action.RECORD_VIEWED, object_type="probe", object_id=f"{n}-{i}")
                    db.session.commit()
        except Exception as exc:  # reported below, so the test fails with the reason
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checked, chain_break = _verify(app, world.a.authority_id)
    assert chain_break is None
    probes = [e for e in audit_events(app, world.a.authority_id) if e.object_type == "probe"]
    assert len(probes) == 20


@pytest.mark.postgres_only
def test_an_audited_page_being_drawn_holds_no_lock_on_the_chain(app, world):
    """A request that has recorded its read but not yet committed (its page still being drawn) does not
    hold up another request of the same authority: the second records, commits and is in the chain while
    the first is still open; the first then takes the next place. (The lock is taken at commit.)"""
    recorded, second_done, errors = threading.Event(), threading.Event(), []

    def slow_page():
        try:
            with app.app_context(), tenant_scope(world.a.authority_id):
                record(Action.RECORD_VIEWED, object_type="probe", object_id="slow")
                db.session.execute(select(AuditEvent.id).limit(1)).all()  # the page's own reads, in its transaction
                recorded.set()
                assert second_done.wait(10), "the other request was held up"
                db.session.commit()
        except Exception as exc:
            errors.append(exc)
            recorded.set()

    first = threading.Thread(target=slow_page)
    first.start()
    assert recorded.wait(10)

    def quick_page():
        try:
            with app.app_context(), tenant_scope(world.a.authority_id):
                record(Action.RECORD_VIEWED, object_type="probe", object_id="quick")
                db.session.commit()
                second_done.set()
        except Exception as exc:
            errors.append(exc)

    other = threading.Thread(target=quick_page)
    other.start()
    other.join(15)
    first.join(15)
    assert errors == [] and second_done.is_set()
    probes = [(e.object_id, e.seq) for e in audit_events(app, world.a.authority_id) if e.object_type == "probe"]
    assert [p[0] for p in probes] == ["quick", "slow"] and probes[1][1] == probes[0][1] + 1
    assert _verify(app, world.a.authority_id)[1] is None


def test_the_events_of_one_transaction_take_consecutive_places_in_the_order_recorded(app, world):
    """Three events recorded in one transaction are sealed at its commit in the order they were recorded;
    a scope left without committing takes its events with it."""
    with app.app_context(), tenant_scope(world.a.authority_id):
        for n in range(3):
            record(Action.RECORD_VIEWED, object_type="probe", object_id=str(n))
        assert db.session.execute(select(AuditEvent.id).where(AuditEvent.object_type == "probe")).first() is None  # not before the commit
        db.session.commit()
    with app.app_context(), tenant_scope(world.a.authority_id):
        record(Action.RECORD_VIEWED, object_type="probe", object_id="left without committing")
    with app.app_context(), tenant_scope(world.a.authority_id):
        db.session.commit()
    probes = [(e.object_id, e.seq) for e in audit_events(app, world.a.authority_id) if e.object_type == "probe"]
    assert [p[0] for p in probes] == ["0", "1", "2"] and [p[1] for p in probes] == list(range(probes[0][1], probes[0][1] + 3))
    assert _verify(app, world.a.authority_id)[1] is None
