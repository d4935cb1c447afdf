"""A file sent to the wrong school: the receiving school that rejects it, or from which the sender withdraws
it, keeps who sent what when and why it went, not the child's file; the sender sends it to the right school
(a new transfer, a fresh snapshot), and the first transfer's record stays as "sent to another school
instead"."""

from __future__ import annotations

from datetime import timedelta

from portal.clock import uk_today
from tests.admin.pages import field_error, page_text
from tests.support import audit_events, detached_rows, signed_in_client
from tests.transfers.test_handover import _run, _sent_to_b
from tests.transfers.test_outside_link import OUTSIDE, _links
from tests.transfers.test_transfers import SEEN, _incoming, _notes, _sent_pupil, _transfers


def _elsewhere(**changes) -> dict:
    day = uk_today() + timedelta(days=10)
    return {"leaving_on": [str(day.day), str(day.month), str(day.year)], "destination": "outside", "confirmed": "yes", **OUTSIDE, **changes}


def test_a_rejected_file_leaves_nothing_of_the_child_at_the_wrong_school(app, world):
    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    [incoming] = _incoming(app, world.a)
    receiver = signed_in_client(app, world.a.dsl2)
    assert receiver.post(f"/incoming/{incoming.id}/reject", data={"reason": "Not joining us."}).status_code == 302
    page = page_text(receiver.get(f"/incoming/{incoming.id}"))
    assert "A child-protection file not for your school" in page and "Not joining us." in page
    assert "Jordan" not in page and SEEN not in page
    assert receiver.get(f"/incoming/{incoming.id}/file.pdf").status_code in (403, 404)
    assert receiver.get(f"/incoming/{incoming.id}/attachments/0").status_code in (403, 404)
    [kept] = _incoming(app, world.a)
    assert kept.content == {"discarded": True} and kept.attachments == [] and kept.note is None


def test_a_file_sent_to_the_wrong_school_is_withdrawn_and_sent_to_the_right_one(app, world, mailbox):
    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    [incoming] = _incoming(app, world.a)
    form = sender.get(f"{transfer_url}/redirect")
    assert form.status_code == 200 and "Send the file to another school" in page_text(form)
    missing = sender.post(f"{transfer_url}/redirect", data=_elsewhere(outside_email=""))
    assert field_error(missing, "outside_email") == "Enter the email address of its designated safeguarding lead"
    response = sender.post(f"{transfer_url}/redirect", data=_elsewhere())
    assert response.status_code == 302
    new_url = response.headers["Location"]
    assert new_url != transfer_url
    assert "Sent to another school instead" in page_text(sender.get(transfer_url))
    assert "Received, rejected or sent elsewhere (1)" in page_text(sender.get("/transfers"))
    assert "By the end of" in page_text(sender.get(new_url))  # the clock runs for the new school

    # The wrong school keeps nothing of the child, and is told.
    receiver = signed_in_client(app, world.a.dsl2)
    page = page_text(receiver.get(f"/incoming/{incoming.id}"))
    assert "Withdrawn by the sending school" in page and "Jordan" not in page
    assert any("withdrawn a child-protection file" in title for title, _ in _notes(app, world.a, world.a.dsl2))
    assert "Files sent to your school (0)" in page_text(receiver.get("/transfers"))

    # Sent again, as it is now, to the right school.
    sent = sender.post(f"{new_url}/send", data={"note": ""})
    assert sent.status_code == 200 and "Give the access code by phone" in page_text(sent)
    assert len(_links(mailbox)) == 1
    statuses = sorted(t.status.value for t in _transfers(app, world.a))
    assert statuses == ["redirected", "sent"]
    assert len(audit_events(app, world.a.authority_id, "transfer.redirected")) == 1


def test_a_file_is_not_redirected_once_received_or_while_another_authority_holds_it(app, world):
    from portal.transfers.jobs import collect_receipts, take_handovers
    from portal.transfers.models import IncomingTransfer

    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    [incoming] = _incoming(app, world.a)
    assert signed_in_client(app, world.a.dsl2).post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"}).status_code == 302
    assert sender.get(f"{transfer_url}/redirect").status_code == 403  # visible to the sender, not to be redirected

    sender_b, cross_url = _sent_to_b(app, world, forename="Riley", upn="B123456789012")
    assert sender_b.get(f"{cross_url}/redirect").status_code == 200  # the form; sending is refused while it is held
    refused = sender_b.post(f"{cross_url}/redirect", data=_elsewhere())
    assert refused.status_code == 302 and refused.headers["Location"] == cross_url
    told = page_text(sender_b.get(cross_url))
    assert "to reject the file first: it is held by another authority" in told and "Send it to another school" not in told
    _run(app, world.b, take_handovers)
    [held] = detached_rows(app, IncomingTransfer, world.b.authority_id)
    assert signed_in_client(app, world.b.dsl1).post(f"/incoming/{held.id}/reject", data={"reason": "Wrong school."}).status_code == 302
    _run(app, world.a, collect_receipts)
    assert sender_b.post(f"{cross_url}/redirect", data=_elsewhere()).status_code == 302
    assert "Sent to another school instead" in page_text(sender_b.get(cross_url))
