"""A child-protection file handed to a school of another authority on the portal: the only path by which a
child's data crosses authorities. Avonford's DSL chooses a Brackley school from the establishments
directory (name, URN and authority only) and sends the file; Brackley's intake takes in exactly that
package; its DSL accepts or rejects it; Avonford collects the receipt. Both audit chains record it, and
neither authority sees anything else of the other."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.clock import uk_today
from tests.admin.pages import page_text
from tests.concerns.conftest import concern_form
from tests.factories import make_pupil
from tests.support import audit_events, detached_rows, signed_in_client
from tests.transfers.test_transfers import NOTE, SEEN, _attach, _notes, _scope

TO_B = "other:{authority}:{school}"


def _school_name(app, side, school="school1") -> str:
    from portal.authorities.models import Organisation
    from portal.extensions import db

    with _scope(app, side):
        return db.session.get(Organisation, getattr(side, school)).name


def _run(app, side, job) -> None:
    """Run a transfer job for one authority, as the schedule would."""
    from portal.extensions import db

    with _scope(app, side):
        job()
        db.session.commit()


def _sent_to_b(app, world, *, forename="Jordan", upn="A123456789012"):
    """A pupil of Avonford's school1 (a concern with its attachment) whose file dsl1 sends to Brackley's
    school1: (the sender's client, the transfer page's path)."""
    from portal.concerns.models import Concern

    pupil_id = make_pupil(app, world.a, legal_forename=forename, upn=upn)
    staff = signed_in_client(app, world.a.staff1)
    assert staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form(seen_or_heard=SEEN)).status_code == 302
    concern = [c for c in detached_rows(app, Concern, world.a.authority_id) if c.pupil_id == pupil_id][0]
    _attach(app, world.a, concern.id)
    sender = signed_in_client(app, world.a.dsl1)
    day = uk_today() + timedelta(days=7)
    form = {
        "leaving_on": [str(day.day), str(day.month), str(day.year)],
        "destination": TO_B.format(authority=world.b.authority_id, school=world.b.school1),
        "confirmed": "yes",
    }
    response = sender.post(f"/pupils/{pupil_id}/leaving", data=form)
    assert response.status_code == 302, page_text(response)
    transfer_url = response.headers["Location"]
    assert sender.post(f"{transfer_url}/send", data={"note": NOTE}).status_code == 302
    return sender, transfer_url


def _handovers(app, side):
    from portal.extensions import db
    from portal.transfers import handover

    with _scope(app, side):
        rows = db.session.execute(handover.addressed_to_us()).scalars().all()
        sent = db.session.execute(handover.sent_by_us()).scalars().all()
        db.session.expunge_all()
        return rows, sent


def test_the_directory_offers_other_authorities_schools_by_name_urn_and_authority_only(app, world):
    pupil_id = make_pupil(app, world.a)
    page = signed_in_client(app, world.a.dsl1).get(f"/pupils/{pupil_id}/leaving")
    markup = page.get_data(as_text=True)
    b_school = _school_name(app, world.b)
    assert f'value="{TO_B.format(authority=world.b.authority_id, school=world.b.school1)}"' in markup
    assert f"{b_school} (URN {ord('b')}0001), Brackley Safeguarding Children Partnership" in page_text(page)
    assert "Brackley Children's Services Front Door" not in markup  # schools only
    import re

    brackley = [text for text in re.findall(r"<option[^>]*>([^<]*)</option>", markup) if "Brackley" in text]
    assert len(brackley) == 2 and markup.count("Brackley") == 4  # its two schools with their authority's name: nothing else of it


def test_a_file_crosses_to_another_authority_by_the_hand_over_only(app, world):
    from portal.pupils.models import Pupil
    from portal.transfers.actions import Action
    from portal.transfers.jobs import collect_receipts, take_handovers
    from portal.transfers.models import IncomingTransfer, PupilTransfer

    sender, transfer_url = _sent_to_b(app, world)
    b_school = _school_name(app, world.b)
    assert "Brackley Safeguarding Children Partnership" in page_text(sender.get(transfer_url))
    # Posted by Avonford, not yet taken in: Brackley's school has nothing yet.
    assert detached_rows(app, IncomingTransfer, world.b.authority_id) == []
    _run(app, world.b, take_handovers)
    _run(app, world.b, take_handovers)  # run twice: taken in once
    [incoming] = detached_rows(app, IncomingTransfer, world.b.authority_id)
    assert incoming.from_authority == "Avonford Safeguarding Children Partnership" and incoming.handover_id is not None
    a_school = _school_name(app, world.a)
    assert (f"A child-protection file has been sent to you by {a_school} (Avonford Safeguarding Children Partnership)", f"/incoming/{incoming.id}") in _notes(
        app, world.b, world.b.dsl1
    )

    receiver = signed_in_client(app, world.b.dsl1)
    page = page_text(receiver.get(f"/incoming/{incoming.id}"))
    assert "Child-protection file of Jordan Example" in page and NOTE in page and SEEN in page and "Avonford Safeguarding Children Partnership" in page
    attachment = receiver.get(f"/incoming/{incoming.id}/attachments/0")
    assert attachment.status_code == 200 and attachment.data.startswith(b"%PDF")
    assert receiver.get(f"/incoming/{incoming.id}/file.pdf").status_code == 200
    # Brackley's people cannot open Avonford's record of it, nor Avonford's people Brackley's copy.
    assert receiver.get(transfer_url).status_code == 404
    assert sender.get(f"/incoming/{incoming.id}").status_code == 404

    _run(app, world.a, collect_receipts)
    assert "Opened by the new school" in page_text(sender.get(transfer_url))
    assert receiver.post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"}).status_code == 302
    [pupil] = detached_rows(app, Pupil, world.b.authority_id, upn="A123456789012")
    chronology = page_text(receiver.get(f"/pupils/{pupil.id}/chronology"))
    assert f"(at {a_school})" in chronology and SEEN in chronology

    _run(app, world.a, collect_receipts)
    _run(app, world.a, collect_receipts)  # collected once
    page = page_text(sender.get(transfer_url))
    assert "Received" in page and f"by {world.b.dsl1.full_name}, Designated safeguarding lead" in page
    assert (f"{b_school} has received a child-protection file you sent", transfer_url) in _notes(app, world.a, world.a.dsl1)
    # With the receipt collected, Avonford's school keeps only the record of the transfer and its receipt.
    [sent] = detached_rows(app, PupilTransfer, world.a.authority_id)
    assert "This school now keeps only the record of the transfer and its receipt" in page_text(sender.get(f"/pupils/{sent.pupil_id}"))
    assert SEEN not in page_text(sender.get(f"/pupils/{sent.pupil_id}/chronology"))

    # Both chains: Avonford handed it over and collected the receipt; Brackley took it in and accepted it.
    assert len(audit_events(app, world.a.authority_id, Action.HANDED_OVER)) == 1
    assert [e.details["status"] for e in audit_events(app, world.a.authority_id, Action.RECEIPT_COLLECTED)] == ["opened", "accepted"]
    assert len(audit_events(app, world.b.authority_id, Action.TAKEN_IN)) == 1
    assert len(audit_events(app, world.b.authority_id, Action.TRANSFER_ACCEPTED)) == 1
    assert audit_events(app, world.b.authority_id, Action.HANDED_OVER) == [] and audit_events(app, world.a.authority_id, Action.TAKEN_IN) == []

    # Exactly one package crossed, and each side sees only its own records.
    addressed_to_b, sent_by_b = _handovers(app, world.b)
    addressed_to_a, sent_by_a = _handovers(app, world.a)
    assert len(addressed_to_b) == 1 and sent_by_b == [] and addressed_to_a == [] and len(sent_by_a) == 1
    assert addressed_to_b[0].package["file"]["pupil"]["legal_forename"] == "Jordan"
    from portal.extensions import db

    with _scope(app, world.b):
        assert db.session.execute(select(func.count()).select_from(PupilTransfer)).scalar() == 0
    with _scope(app, world.a):
        assert db.session.execute(select(func.count()).select_from(IncomingTransfer)).scalar() == 0


def test_a_file_rejected_by_the_other_authoritys_school_comes_back_with_the_reason(app, world):
    from portal.transfers.jobs import collect_receipts, take_handovers
    from portal.transfers.models import IncomingTransfer

    sender, transfer_url = _sent_to_b(app, world)
    _run(app, world.b, take_handovers)
    [incoming] = detached_rows(app, IncomingTransfer, world.b.authority_id)
    receiver = signed_in_client(app, world.b.dsl1)
    assert receiver.post(f"/incoming/{incoming.id}/reject", data={"reason": "No pupil of that name is joining us."}).status_code == 302
    _run(app, world.a, collect_receipts)
    page = page_text(sender.get(transfer_url))
    assert "Rejected by the new school" in page and "No pupil of that name is joining us." in page


def test_a_school_closed_before_the_file_arrives_makes_it_undeliverable(app, world):
    from portal.authorities.models import Organisation
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.transfers.jobs import collect_receipts, take_handovers
    from portal.transfers.models import IncomingTransfer

    sender, transfer_url = _sent_to_b(app, world)
    with _scope(app, world.b):
        db.session.get(Organisation, world.b.school1).archived_at = utcnow()
        db.session.commit()
    _run(app, world.b, take_handovers)
    assert detached_rows(app, IncomingTransfer, world.b.authority_id) == []
    _run(app, world.a, collect_receipts)
    assert "The school is not on the portal any more" in page_text(sender.get(transfer_url))
