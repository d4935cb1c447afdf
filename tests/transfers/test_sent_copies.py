"""What a school keeps of a file it sent, once the new school has it: by default only the record of the
transfer and its receipt; a read-only copy for as many days as the authority's administrator chooses. The
school's own records of the child are not touched."""

from __future__ import annotations

from datetime import timedelta

from portal.clock import travel, utcnow
from tests.admin.pages import field_error, input_value, page_text
from tests.support import audit_events, detached_rows, signed_in_client
from tests.transfers.test_transfers import _incoming, _scope, _sent_pupil


def _dispose(app, side) -> None:
    from portal.extensions import db
    from portal.transfers.jobs import dispose_sent_copies

    with _scope(app, side):
        dispose_sent_copies()
        db.session.commit()


def _received(app, world):
    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    [incoming] = _incoming(app, world.a)
    assert signed_in_client(app, world.a.dsl2).post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"}).status_code == 302
    return sender, pupil_id, transfer_url


def test_by_default_the_school_keeps_the_record_and_receipt_not_the_file(app, world):
    from portal.casework.models import ChronologyEntry
    from portal.transfers.models import TransferFile

    sender, pupil_id, transfer_url = _received(app, world)
    before = len(detached_rows(app, ChronologyEntry, world.a.authority_id, pupil_id=pupil_id))
    _dispose(app, world.a)
    [sent] = detached_rows(app, TransferFile, world.a.authority_id)
    assert sent.disposed_at is not None and sent.note is None and set(sent.content) == {"disposed", "counts"}
    assert sent.content["counts"] == {"chronology": 3, "concerns": 1, "referrals": 0, "manual_entries": 1, "attachments": 1}
    page = page_text(sender.get(transfer_url))
    assert "Received" in page and "3 chronology entries, 1 concern, 0 referrals, 1 record of a call or meeting, 1 attachment." in page
    assert "Your school's copy of the file was removed" in page and "Download the file as it was sent" not in page
    assert sender.get(f"{transfer_url}/file.pdf").status_code == 302
    # The school's own records of the child stay (their disposal is a matter of retention).
    assert len(detached_rows(app, ChronologyEntry, world.a.authority_id, pupil_id=pupil_id)) == before
    assert len(audit_events(app, world.a.authority_id, "transfer.sent_copy_removed")) == 1
    _dispose(app, world.a)  # once
    assert len(audit_events(app, world.a.authority_id, "transfer.sent_copy_removed")) == 1


def test_the_administrator_chooses_a_copy_for_some_days(app, world):
    from portal.transfers.models import TransferFile

    admin = signed_in_client(app, world.a.admin)
    page = admin.get("/settings/transfers")
    assert "Only the record of the transfer and its receipt (recommended)" in page_text(page)
    version = input_value(page, "version")
    missing = admin.post("/settings/transfers", data={"keep": "copy", "days": "", "version": version})
    assert field_error(missing, "days") == "Enter for how many days a copy is kept, like 365"
    too_many = admin.post("/settings/transfers", data={"keep": "copy", "days": "4000", "version": version})
    assert field_error(too_many, "days") == "The number of days must be between 1 and 3650"
    saved = admin.post("/settings/transfers", data={"keep": "copy", "days": "30", "version": version})
    assert saved.status_code == 302
    assert "a school keeps a read-only copy for 30 days after the receipt" in page_text(admin.get("/settings/transfers"))
    [changed] = audit_events(app, world.a.authority_id, "transfer.sent_copy_setting_changed")
    assert changed.details == {"sent_copy_days": 30}
    assert signed_in_client(app, world.a.dsl1).get("/settings/transfers").status_code in (403, 404)

    sender, pupil_id, transfer_url = _received(app, world)
    _dispose(app, world.a)
    [sent] = detached_rows(app, TransferFile, world.a.authority_id)
    assert sent.disposed_at is None and sender.get(f"{transfer_url}/file.pdf").status_code == 200
    with travel(utcnow() + timedelta(days=30, minutes=1)):
        _dispose(app, world.a)
    [sent] = detached_rows(app, TransferFile, world.a.authority_id)
    assert sent.disposed_at is not None
