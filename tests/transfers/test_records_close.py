"""Once the new school has received a child's file, the school that sent it keeps only the record of the
transfer and its receipt (the authority's default): its concerns, chronology, manual entries, attachments,
advice and referrals about the child are closed to everyone there. When the authority keeps a read-only
copy for some days, the records stay readable — and nothing can be added — until then."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.clock import travel, utcnow
from tests.admin.pages import input_value, page_text
from tests.support import audit_events, detached_rows, signed_in_client
from tests.transfers.test_transfers import SEEN, _incoming, _sent_pupil


def _received(app, world):
    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    [incoming] = _incoming(app, world.a)
    assert signed_in_client(app, world.a.dsl2).post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"}).status_code == 302
    return sender, pupil_id, transfer_url


def _records(app, world, pupil_id):
    """The school's concern, its attachment and the manual entry about the pupil."""
    from portal.casework.models import Attachment, ManualEntry
    from portal.concerns.models import Concern

    [concern] = detached_rows(app, Concern, world.a.authority_id, pupil_id=pupil_id)
    [attachment] = detached_rows(app, Attachment, world.a.authority_id, concern_id=concern.id)
    [manual] = detached_rows(app, ManualEntry, world.a.authority_id, pupil_id=pupil_id)
    return concern, attachment, manual


def _keep_copy_for(app, world, days: int) -> None:
    admin = signed_in_client(app, world.a.admin)
    version = input_value(admin.get("/settings/transfers"), "version")
    assert admin.post("/settings/transfers", data={"keep": "copy", "days": str(days), "version": version}).status_code == 302


def test_by_default_the_sending_school_keeps_only_the_record_of_the_transfer_and_its_receipt(app, world):
    from portal.pupils.models import Pupil

    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    concern, attachment, manual = _records(app, world, pupil_id)
    # Until the new school has it, the records stay the school's.
    assert sender.get(f"/concerns/{concern.id}").status_code == 200
    [incoming] = _incoming(app, world.a)
    assert signed_in_client(app, world.a.dsl2).post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"}).status_code == 302

    page = page_text(sender.get(f"/pupils/{pupil_id}"))
    assert "child-protection file was received by their new school" in page
    assert "This school now keeps only the record of the transfer and its receipt" in page
    assert "Log a concern" not in page and "Refer to children's social care" not in page
    chronology = sender.get(f"/pupils/{pupil_id}/chronology")
    assert chronology.status_code == 200
    text = page_text(chronology)
    assert "are closed" in text and SEEN not in text and "Conference agreed" not in text and "Add an entry" not in text
    for path in (f"/concerns/{concern.id}", f"/attachments/{attachment.id}", f"/chronology/entries/{manual.id}", f"/concerns/{concern.id}/triage"):
        assert sender.get(path).status_code == 404, path
    assert sender.get(f"/pupils/{pupil_id}/chronology/new").status_code == 403
    assert sender.post(f"/pupils/{pupil_id}/chronology/export", data={"scope": "all"}).status_code == 403
    assert sender.get(f"/pupils/{pupil_id}/leaving").status_code == 200  # the register's page, not the file
    # The person who logged the concern no longer sees it either, nor can log one about the child.
    staff = signed_in_client(app, world.a.staff1)
    assert staff.get(f"/concerns/{concern.id}").status_code == 404
    assert staff.get(f"/concerns/new?pupil_id={pupil_id}").status_code == 403
    assert "No child on your school's register matches" in page_text(staff.get("/concerns/new?q=Example"))
    # The record of the transfer and its receipt stay.
    kept = page_text(sender.get(transfer_url))
    assert "Received" in kept and world.a.dsl2.full_name in kept
    # The new school has the history.
    [pupil] = detached_rows(app, Pupil, world.a.authority_id, organisation_id=world.a.school1)
    assert pupil.left_at is not None and pupil.file_transferred_at == pupil.records_closed_at
    [closed] = audit_events(app, world.a.authority_id, "transfer.sending_school_records_closed")
    assert closed.details["read_only_days"] == 0 and closed.object_id == str(pupil_id)
    refusals = [e.details.get("action") for e in audit_events(app, world.a.authority_id, "access.not_found")]
    assert sorted(refusals) == ["download", "triage", "view", "view", "view"]


def test_a_read_only_copy_for_the_days_the_authority_sets_then_closed(app, world):
    _keep_copy_for(app, world, 30)
    sender, pupil_id, transfer_url = _received(app, world)
    concern, attachment, manual = _records(app, world, pupil_id)

    page = page_text(sender.get(f"/pupils/{pupil_id}"))
    assert "read-only until" in page and "View the chronology (read-only)" in page
    chronology = page_text(sender.get(f"/pupils/{pupil_id}/chronology"))
    assert "Conference agreed a child protection plan under neglect." in chronology
    assert "Add an entry" not in chronology and "Mark as significant" not in chronology
    assert sender.get(f"/concerns/{concern.id}").status_code == 200
    assert sender.get(f"/attachments/{attachment.id}").status_code == 200
    # Read-only: nothing is added or changed.
    assert sender.get(f"/concerns/{concern.id}/triage").status_code == 403
    assert sender.get(f"/chronology/entries/{manual.id}/edit").status_code == 403
    assert sender.get(f"/pupils/{pupil_id}/chronology/new").status_code == 403
    assert sender.get(f"/advice/new?pupil_id={pupil_id}").status_code == 403
    [closed] = audit_events(app, world.a.authority_id, "transfer.sending_school_records_closed")
    assert closed.details["read_only_days"] == 30

    with travel(utcnow() + timedelta(days=30, minutes=1)):
        sender = signed_in_client(app, world.a.dsl1)  # a month on: signed in again
        assert sender.get(f"/concerns/{concern.id}").status_code == 404
        assert sender.get(f"/chronology/entries/{manual.id}").status_code == 404
        text = page_text(sender.get(f"/pupils/{pupil_id}/chronology"))
        assert "are closed" in text and "they were kept read-only until" in text and "Conference agreed" not in text


def test_the_front_door_keeps_its_own_record_of_a_referral(app, world):
    """A referral the school made stays with the front door (its records are its own); the school's side closes."""
    from portal.referrals.models import Referral
    from tests.factories import make_referral

    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    referral_id = make_referral(app, world.a, pupil_id, steps=(("submit", "dsl1"),))
    assert sender.get(f"/referrals/{referral_id}").status_code == 200
    [incoming] = _incoming(app, world.a)
    assert signed_in_client(app, world.a.dsl2).post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"}).status_code == 302
    assert sender.get(f"/referrals/{referral_id}").status_code == 404
    assert signed_in_client(app, world.a.people["front_door"]).get(f"/referrals/{referral_id}").status_code == 200
    assert len(detached_rows(app, Referral, world.a.authority_id, id=referral_id)) == 1


@pytest.mark.postgres_only
def test_closed_records_are_found_by_their_index(app, world, database):
    """Every list of a school's casework leaves out the children whose records have closed; PostgreSQL
    finds those children from the partial index ``ix_pupils_records_closed`` (a few rows), not by reading
    every pupil of the authority (it did: about 8 ms a list at 50,000 pupils, growing with them)."""
    from sqlalchemy import text

    params = {"a": str(world.a.authority_id), "school": str(world.a.school1)}
    engine = database.owner_engine()
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT set_config('app.authority_id', :a, true)"), params)
            # A school's worth of pupils, two of whose files went to a new school.
            conn.execute(
                text(
                    "INSERT INTO pupils (id, authority_id, organisation_id, legal_forename, legal_surname, date_of_birth, year_group, "
                    "sen, looked_after, child_protection_plan, eal, records_closed_at, updated_at, version, created_at) "
                    "SELECT gen_random_uuid(), CAST(:a AS uuid), CAST(:school AS uuid), 'Pupil' || g, 'Surname' || g, DATE '2015-09-01', '5', "
                    "false, false, false, false, CASE WHEN g <= 2 THEN now() END, now(), 1, now() FROM generate_series(1, 3000) g"
                ),
                params,
            )
            conn.execute(text("ANALYZE pupils"))
            plan = conn.execute(text("EXPLAIN SELECT id FROM pupils WHERE authority_id = :a AND records_closed_at <= now()"), params).scalars().all()
            conn.execute(text("DELETE FROM pupils WHERE legal_forename LIKE 'Pupil%' AND legal_surname LIKE 'Surname%'"))
    finally:
        engine.dispose()
    assert any("ix_pupils_records_closed" in line for line in plan), "\n".join(plan)
