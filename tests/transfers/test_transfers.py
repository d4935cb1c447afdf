"""A child-protection file follows the child to a new school of the authority: the leaving recorded, the
5-school-day clock (reminders once each, across weekends, bank holidays and the authority's half terms),
the whole file sent as it was, opened, accepted for the right pupil (never a duplicate) or rejected with a
reason, reviewed; the sender sees each step; the PDFs; the transfer lead's overdue list."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pypdf
from sqlalchemy import func, select

from portal.clock import travel, uk_today
from tests.admin.pages import field_error, page_text
from tests.concerns.conftest import concern_form
from tests.factories import make_pupil
from tests.support import audit_events, detached_rows, page_queries, signed_in_client
from tests.world import create_user

TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NOTE = "Child protection plan under neglect since September. Social worker Sam Patel, 01632 960 123. Check in with her every morning."
SEEN = "Came to school hungry and without a coat again."


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _scope(app, side, person=None):
    from tests.factories import _scope as scope

    return scope(app, side, person)


def _school_name(app, side, school: str = "school2") -> str:
    from portal.authorities.models import Organisation
    from portal.extensions import db

    with _scope(app, side):
        return db.session.get(Organisation, getattr(side, school)).name


def _leaving_form(side, *, to: str = "school2", confirmed: str = "yes", leaving_on: date | None = None) -> dict:
    day = leaving_on or uk_today() + timedelta(days=10)
    return {"leaving_on": [str(day.day), str(day.month), str(day.year)], "destination": str(getattr(side, to)), "confirmed": confirmed}


def _record_leaving(client, side, pupil_id, **form) -> str:
    response = client.post(f"/pupils/{pupil_id}/leaving", data=_leaving_form(side, **form))
    assert response.status_code == 302, page_text(response)
    assert re.fullmatch(r"/transfers/[0-9a-f-]{36}", response.headers["Location"])
    return response.headers["Location"]


def _transfers(app, side):
    from portal.transfers.models import PupilTransfer

    return detached_rows(app, PupilTransfer, side.authority_id)


def _incoming(app, side):
    from portal.transfers.models import IncomingTransfer

    return detached_rows(app, IncomingTransfer, side.authority_id)


def _notes(app, side, person=None):
    """(title, link) of the notifications of ``person`` (or everyone's: (user, title, link))."""
    from portal.extensions import db
    from portal.notifications.models import Notification

    with _scope(app, side):
        query = select(Notification.user_id, Notification.title, Notification.link).order_by(Notification.created_at)
        rows = db.session.execute(query).all()
    if person is None:
        return [tuple(r) for r in rows]
    return [(r.title, r.link) for r in rows if r.user_id == person.id]


def _pupils_at(app, side, school: str = "school2") -> list:
    from portal.pupils.models import Pupil

    return detached_rows(app, Pupil, side.authority_id, organisation_id=getattr(side, school))


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _attach(app, side, concern_id, data: bytes = TINY_PDF, filename: str = "body map.pdf"):
    from werkzeug.datastructures import FileStorage

    from portal.casework import attachments
    from portal.extensions import db

    with _scope(app, side, side.dsl1):
        upload = FileStorage(io.BytesIO(data), filename=filename, content_type="application/pdf")
        attachments.save(upload, organisation_id=side.school1, concern_id=concern_id, uploaded_by_id=side.dsl1.id)
        db.session.commit()


def _sent_pupil(app, world, *, note: str = NOTE, significant: bool = False, **pupil):
    """A pupil of school1 with a concern (and its attachment) and a manual entry, whose file dsl1 has sent to
    school2: (the sender's client, the pupil's id, the transfer page's path)."""
    from portal.concerns.models import Concern

    pupil_id = make_pupil(app, world.a, upn="A123456789012", **pupil)
    staff = signed_in_client(app, world.a.staff1)
    assert staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form(seen_or_heard=SEEN)).status_code == 302
    [concern] = detached_rows(app, Concern, world.a.authority_id, pupil_id=pupil_id)
    _attach(app, world.a, concern.id)
    sender = signed_in_client(app, world.a.dsl1)
    day = uk_today() - timedelta(days=3)
    manual = {
        "kind": "cp_conference",
        "occurred_on": [str(day.day), str(day.month), str(day.year)],
        "occurred_time": "10:00",
        "involved": "Sam Patel, social worker; mum",
        "summary": "Conference agreed a child protection plan under neglect.",
        "actions": "Attendance records to Sam weekly.",
    }
    assert sender.post(f"/pupils/{pupil_id}/chronology/new", data=manual).status_code == 302
    if significant:  # the DSL marks the conference a significant event
        from portal.casework.models import ChronologyEntry, EntryKind

        [line] = detached_rows(app, ChronologyEntry, world.a.authority_id, pupil_id=pupil_id, kind=EntryKind.MANUAL)
        assert sender.post(f"/chronology/{line.id}/significant", data={"significant": "yes"}).status_code == 302
    transfer_url = _record_leaving(sender, world.a, pupil_id)
    response = sender.post(f"{transfer_url}/send", data={"note": note})
    assert response.status_code == 302 and response.headers["Location"] == transfer_url
    return sender, pupil_id, transfer_url


# Recording the leaving ---------------------------------------------------------------------------------


def test_a_dsl_records_that_a_pupil_is_leaving_and_sees_when_the_file_is_due(app, world):
    """Confirmed on Wednesday 10 March 2027 at 10:00: the file is due by the end of Wednesday 17 March (the
    weekend skipped), shown on the transfer's page and the school's list; the leaving joins the chronology."""
    pupil_id = make_pupil(app, world.a)
    with travel(utc(2027, 3, 10, 10, 0)):
        dsl = signed_in_client(app, world.a.dsl1)
        transfer_url = _record_leaving(dsl, world.a, pupil_id, leaving_on=date(2027, 3, 19))
        page = page_text(dsl.get(transfer_url))
        listing = page_text(dsl.get("/transfers"))
        chronology = page_text(dsl.get(f"/pupils/{pupil_id}/chronology"))
    school2 = _school_name(app, world.a)
    assert "Leaving: file not sent yet" in page
    assert "By the end of Wednesday 17 March 2027" in page
    assert "Leaving on 19 March 2027" in page
    assert "Files to send (1)" in listing and "By the end of Wednesday 17 March 2027" in listing
    assert f"Leaving for {school2}" in chronology
    [event] = audit_events(app, world.a.authority_id, "transfer.leaving_recorded")
    assert event.details == {"pupil_id": str(pupil_id), "destination": str(world.a.school2), "confirmed": True}


def test_the_leaving_form_says_what_is_missing_next_to_each_field(app, world):
    """An empty form, or the pupil's own school as the destination, is shown again with the message next to
    the field, and nothing is recorded."""
    pupil_id = make_pupil(app, world.a)
    dsl = signed_in_client(app, world.a.dsl1)
    empty = dsl.post(f"/pupils/{pupil_id}/leaving", data={})
    assert empty.status_code in (200, 400)
    assert field_error(empty, "leaving_on") == "Enter the date the pupil leaves"
    assert field_error(empty, "destination") == "Select the school the pupil is going to"
    assert field_error(empty, "confirmed") == "Select whether the new school has confirmed the place"

    own = dsl.post(f"/pupils/{pupil_id}/leaving", data=_leaving_form(world.a, to="school1"))
    assert field_error(own, "destination") == "Select the school the pupil is going to"
    assert _transfers(app, world.a) == []


def test_the_clock_waits_for_the_place_to_be_confirmed(app, world):
    """Not confirmed: no due date and no sending; once confirmed (on Thursday 11 February 2027, with the
    authority's half term 15 to 19 February), the file is due by the end of Thursday 25 February."""
    from portal.casework.models import SchoolHoliday
    from portal.extensions import db

    with _scope(app, world.a):
        db.session.add(SchoolHoliday(name="February half term", first_day=date(2027, 2, 15), last_day=date(2027, 2, 19)))
        db.session.commit()
    pupil_id = make_pupil(app, world.a)
    with travel(utc(2027, 2, 10, 9, 0)):
        dsl = signed_in_client(app, world.a.dsl1)
        transfer_url = _record_leaving(dsl, world.a, pupil_id, confirmed="no")
        waiting = page_text(dsl.get(transfer_url))
        refused = dsl.post(f"{transfer_url}/send", data={"note": NOTE})
    assert "Starts when the place is confirmed" in waiting and "Send the file" not in waiting
    assert refused.status_code in (302, 403)
    assert _incoming(app, world.a) == []
    with travel(utc(2027, 2, 11, 16, 0)):
        dsl = signed_in_client(app, world.a.dsl1)
        assert dsl.post(f"{transfer_url}/confirm").status_code == 302
        confirmed = page_text(dsl.get(transfer_url))
    assert "By the end of Thursday 25 February 2027" in confirmed and "Send the file" in confirmed


def _tick(app, side, moment):
    """Run the clock's job at ``moment``, as the scheduler would."""
    from portal.extensions import db
    from portal.transfers.jobs import check_clock

    with travel(moment), _scope(app, side):
        check_clock()
        db.session.commit()


def _name_transfer_lead(app, side, email="transfer.lead@example.org"):
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db

    lead = create_user(app, side.authority_id, email, "front_door", side.social_care)
    with _scope(app, side):
        db.session.add(AuthorityDuty(user_id=lead.id, duty=Duty.TRANSFER_LEAD))
        db.session.commit()
    return lead


def test_reminders_go_once_each_across_easter(app, world):
    """Confirmed Wednesday 24 March 2027 at 14:00 (Good Friday 26 March, Easter Monday 29 March, the clocks
    forward on 28 March): the school's DSLs and head are reminded at the start of Wednesday 31 March (the
    3rd school day), the head told at the start of Friday 2 April (the 5th), the transfer lead once it is
    overdue (after the end of Friday 2 April). Each once, however often the clock runs."""
    lead = _name_transfer_lead(app, world.a)
    gone = _name_transfer_lead(app, world.a, "former.lead@example.org")  # named, then deactivated: never told
    from portal.accounts.models import User
    from portal.extensions import db

    with _scope(app, world.a):
        db.session.get(User, gone.id).deactivated_at = utc(2027, 1, 4, 9, 0)
        db.session.commit()
    pupil_id = make_pupil(app, world.a)
    with travel(utc(2027, 3, 24, 14, 0)):
        transfer_url = _record_leaving(signed_in_client(app, world.a.dsl1), world.a, pupil_id)
    school2 = _school_name(app, world.a)

    _tick(app, world.a, utc(2027, 3, 30, 22, 59))  # 23:59 on Tuesday 30 March (BST): the 2nd school day
    assert _notes(app, world.a) == []
    for moment in (utc(2027, 3, 30, 23, 0), utc(2027, 3, 31, 9, 0), utc(2027, 4, 1, 22, 0)):
        _tick(app, world.a, moment)
    reminder = (f"A child-protection file must be sent to {school2} by the end of Friday 2 April 2027", transfer_url)
    assert _notes(app, world.a, world.a.dsl1) == [reminder]
    assert _notes(app, world.a, world.a.head1) == [reminder]

    for moment in (utc(2027, 4, 1, 23, 0), utc(2027, 4, 2, 12, 0), utc(2027, 4, 2, 23, 0)):
        _tick(app, world.a, moment)
    told = (f"A child-protection file has still to be sent to {school2} by the end of Friday 2 April 2027", transfer_url)
    assert _notes(app, world.a, world.a.head1) == [reminder, told]
    assert _notes(app, world.a, lead) == []  # the end of the 5th school day is not yet overdue

    for moment in (utc(2027, 4, 2, 23, 1), utc(2027, 4, 5, 9, 0)):
        _tick(app, world.a, moment)
    school1 = _school_name(app, world.a, "school1")
    assert _notes(app, world.a, lead) == [(f"Overdue: {school1} has not sent a child-protection file within 5 school days", "/transfers/overdue")]
    assert _notes(app, world.a, gone) == []
    assert _notes(app, world.a, world.a.dsl1) == [reminder]
    assert [e.details["told"] for e in audit_events(app, world.a.authority_id, "transfer.reminder_sent")] == [["dsls"], ["head"], ["transfer_lead"]]


def test_a_file_sent_on_time_is_not_chased(app, world):
    """Sent on the 2nd school day: no reminder at all."""
    lead = _name_transfer_lead(app, world.a)
    with travel(utc(2027, 3, 10, 10, 0)):
        _sent_pupil(app, world)
    for moment in (utc(2027, 3, 15, 9, 0), utc(2027, 3, 17, 9, 0), utc(2027, 3, 22, 9, 0)):
        _tick(app, world.a, moment)
    chasers = ("A child-protection file must be sent", "A child-protection file has still to be sent", "Overdue")
    assert [n for n in _notes(app, world.a) if n[1].startswith(chasers)] == []
    assert _notes(app, world.a, lead) == []


def test_the_transfer_lead_sees_overdue_files_by_reference_only(app, world):
    """The lead's list names the school, the pupil's reference (never their name), where they are going and
    how many school days late; another authority's overdue file is not there; the lead cannot open it."""
    lead = _name_transfer_lead(app, world.a)
    pupil_id = make_pupil(app, world.a, legal_forename="Perdita", legal_surname="Quill")
    other = make_pupil(app, world.b, legal_forename="Bartholomew")
    with travel(utc(2027, 3, 10, 10, 0)):
        transfer_url = _record_leaving(signed_in_client(app, world.a.dsl1), world.a, pupil_id)
        _record_leaving(signed_in_client(app, world.b.dsl1), world.b, other)
    with travel(utc(2027, 3, 19, 10, 0)):  # Friday: two school days after Wednesday 17 March
        client = signed_in_client(app, lead)
        page = page_text(client.get("/transfers/overdue"))
        detail = client.get(transfer_url)
        lead_menu = client.get("/home").get_data(as_text=True)
        dsl_menu = signed_in_client(app, world.a.dsl1).get("/home").get_data(as_text=True)
    assert 'href="/transfers/overdue"' in lead_menu and 'href="/transfers/overdue"' not in dsl_menu  # in the lead's menu only
    from portal.pupils.models import Pupil

    [pupil] = detached_rows(app, Pupil, world.a.authority_id, id=pupil_id)
    row = re.search(rf"{re.escape(_school_name(app, world.a, 'school1'))} (P-\w+) {re.escape(_school_name(app, world.a))} Wednesday 17 March 2027 (\d+)", page)
    assert row is not None, page
    assert row.groups() == (pupil.reference, "2")
    assert "Perdita" not in page and "Quill" not in page and "Bartholomew" not in page
    assert "1 overdue" in page
    assert detail.status_code == 404
    assert audit_events(app, world.a.authority_id, "transfer.overdue_viewed")[-1].details == {"shown": 1}


# Sending, opening, accepting, reviewing ----------------------------------------------------------------


def test_the_whole_file_arrives_as_it_was_sent(app, world):
    """The receiving DSLs are told; the file holds the pupil, the note, every line with its substance, the
    conference recorded by hand and the attachment (its own copy, the same bytes). A change at the old school
    afterwards does not alter what was sent."""
    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    school1 = _school_name(app, world.a, "school1")
    [incoming] = _incoming(app, world.a)
    assert _notes(app, world.a, world.a.dsl2) == [(f"A child-protection file has been sent to you by {school1}", f"/incoming/{incoming.id}")]

    receiver = signed_in_client(app, world.a.dsl2)
    page = page_text(receiver.get(f"/incoming/{incoming.id}"))
    assert "Child-protection file of Jordan Example" in page and "A123456789012" in page
    assert NOTE in page
    assert "Concern logged" in page and SEEN in page
    assert "Conference agreed a child protection plan under neglect." in page and "Sam Patel, social worker; mum" in page
    assert "body map.pdf" in page

    attachment = receiver.get(f"/incoming/{incoming.id}/attachments/0")
    assert attachment.status_code == 200 and attachment.data == TINY_PDF
    from portal.casework.models import Attachment

    [original] = detached_rows(app, Attachment, world.a.authority_id)
    assert incoming.attachments[0]["storage_key"] != original.storage_key  # the receiving school's own copy

    # The old school corrects the conference's record after sending: what was sent stays as it was.
    from portal.casework.models import ManualEntry

    [entry] = detached_rows(app, ManualEntry, world.a.authority_id)
    day = uk_today() - timedelta(days=3)
    corrected = {
        "kind": "cp_conference",
        "occurred_on": [str(day.day), str(day.month), str(day.year)],
        "occurred_time": "10:00",
        "involved": "Someone else entirely",
        "summary": "A different account.",
        "actions": "",
        "version": "1",
    }
    assert sender.post(f"/chronology/entries/{entry.id}/edit", data=corrected).status_code == 302
    again = page_text(receiver.get(f"/incoming/{incoming.id}"))
    assert "Conference agreed a child protection plan under neglect." in again and "A different account." not in again


def test_the_sender_sees_the_file_opened_then_received(app, world):
    """Sent: "not opened yet"; opened by the new school's DSL; accepted: "Received", when, by whom and in what
    role, and the sending DSLs are told."""
    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    assert "Sent: not opened yet" in page_text(sender.get(transfer_url))
    [incoming] = _incoming(app, world.a)
    receiver = signed_in_client(app, world.a.dsl2)
    receiver.get(f"/incoming/{incoming.id}")
    assert "Opened by the new school" in page_text(sender.get(transfer_url))

    # Not accepted yet: the sender reminds the new school's DSLs.
    assert sender.post(f"{transfer_url}/remind").status_code == 302
    reminder = f"Reminder: a child-protection file from {_school_name(app, world.a, 'school1')} is waiting for you to accept it"
    assert (reminder, f"/incoming/{incoming.id}") in _notes(app, world.a, world.a.dsl2)
    assert len(audit_events(app, world.a.authority_id, "transfer.receiver_reminded")) == 1

    response = receiver.post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"})
    assert response.status_code == 302
    assert sender.post(f"{transfer_url}/remind").status_code == 403  # received: nothing to chase
    page = page_text(sender.get(transfer_url))
    assert "Received" in page and f"by {world.a.dsl2.full_name}, Designated safeguarding lead" in page
    school2 = _school_name(app, world.a)
    assert (f"{school2} has received a child-protection file you sent", transfer_url) in _notes(app, world.a, world.a.dsl1)
    listing = page_text(sender.get("/transfers"))
    assert "Received, rejected or sent elsewhere (1)" in listing and "Files to send (0)" in listing


def test_accepting_adds_the_history_to_the_childs_chronology_marked_as_from_the_previous_school(app, world):
    """No pupil on the register matches: the pupil is added, once, and the old school's lines appear in their
    chronology here at the times they happened, each marked as from the previous school, with the receipt."""
    _sender, _pupil_id, _url = _sent_pupil(app, world, significant=True)
    [incoming] = _incoming(app, world.a)
    receiver = signed_in_client(app, world.a.dsl2)
    page = page_text(receiver.get(f"/incoming/{incoming.id}"))
    assert "Add the pupil to your register" in page
    assert receiver.post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"}).status_code == 302
    assert receiver.post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"}).status_code == 302  # sent twice

    [pupil] = _pupils_at(app, world.a)
    assert (pupil.legal_forename, pupil.upn) == ("Jordan", "A123456789012")
    chronology = page_text(receiver.get(f"/pupils/{pupil.id}/chronology"))
    school1 = _school_name(app, world.a, "school1")
    assert f"Concern logged: Neglect (hunger, hygiene, clothing, supervision) (at {school1})" in chronology and SEEN in chronology
    assert f"Recorded by {world.a.staff1.full_name}, at {school1}" in chronology
    assert f"Child-protection file received from {school1}" in chronology
    assert "From the previous school" in chronology
    from portal.casework.models import ChronologyEntry

    lines = detached_rows(app, ChronologyEntry, world.a.authority_id, pupil_id=pupil.id)
    concern_line = next(line for line in lines if line.title.startswith("Concern logged"))
    [original] = [
        line for line in detached_rows(app, ChronologyEntry, world.a.authority_id) if line.title == concern_line.title.removesuffix(f" (at {school1})")
    ]
    assert concern_line.occurred_at == original.occurred_at
    # The conference the old school marked as a significant event is one here too; nothing else is.
    assert sorted(line.title for line in lines if line.significant) == [f"Child protection conference (at {school1})"]


def test_a_file_is_matched_by_upn_and_never_makes_a_second_pupil(app, world):
    """The register already has the pupil (same UPN, a different spelling of the name): they are offered, adding
    a new pupil is refused with the message next to the question, and accepting files it for them."""
    existing = make_pupil(app, world.a, school="school2", legal_forename="Jordon", legal_surname="Example", upn="A123456789012")
    _sent_pupil(app, world)
    [incoming] = _incoming(app, world.a)
    receiver = signed_in_client(app, world.a.dsl2)
    page = page_text(receiver.get(f"/incoming/{incoming.id}"))
    assert "Jordon Example" in page and "(the same upn)" in page
    assert "Add the pupil to your register" not in page

    refused = receiver.post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"})
    assert field_error(refused, "pupil") == "Choose the pupil on your register this file is for"
    assert len(_pupils_at(app, world.a)) == 1

    assert receiver.post(f"/incoming/{incoming.id}/accept", data={"pupil": str(existing)}).status_code == 302
    assert [p.id for p in _pupils_at(app, world.a)] == [existing]
    [incoming] = _incoming(app, world.a)
    assert incoming.pupil_id == existing and incoming.status.value == "accepted"


def test_without_a_upn_a_file_is_matched_by_name_and_date_of_birth(app, world):
    """No UPN: the same legal name (in any case) and date of birth is offered; someone of the same name born
    on another day is not."""
    from portal.extensions import db
    from portal.transfers.models import IncomingTransfer

    same = make_pupil(app, world.a, school="school2", legal_forename="JORDAN", legal_surname="example", upn=None)
    make_pupil(app, world.a, school="school2", date_of_birth=date(2014, 3, 14), upn=None)
    pupil_id = make_pupil(app, world.a, upn=None)
    dsl = signed_in_client(app, world.a.dsl1)
    transfer_url = _record_leaving(dsl, world.a, pupil_id)
    assert dsl.post(f"{transfer_url}/send", data={"note": ""}).status_code == 302
    [incoming] = _incoming(app, world.a)
    from portal.transfers import service

    with _scope(app, world.a, world.a.dsl2):
        found = service.matches(db.session.get(IncomingTransfer, incoming.id))
        assert [(m.pupil.id, m.reason) for m in found] == [(same, "The same name and date of birth")]


def test_a_file_not_for_the_school_is_rejected_with_a_reason_the_sender_sees(app, world):
    """Rejecting needs a reason (next to the field); the sender sees it and is told, and can then record the
    leaving for the right school."""
    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    [incoming] = _incoming(app, world.a)
    receiver = signed_in_client(app, world.a.dsl2)
    empty = receiver.post(f"/incoming/{incoming.id}/reject", data={"reason": "  "})
    assert field_error(empty, "reason") == "Enter why this file is not for your school"

    reason = "We have no pupil of that name joining us: try Riverside."
    assert receiver.post(f"/incoming/{incoming.id}/reject", data={"reason": reason}).status_code == 302
    page = page_text(sender.get(transfer_url))
    assert "Rejected by the new school" in page and reason in page
    school2 = _school_name(app, world.a)
    assert (f"{school2} has rejected a child-protection file you sent", transfer_url) in _notes(app, world.a, world.a.dsl1)
    assert _pupils_at(app, world.a) == []
    again = sender.post(f"/pupils/{pupil_id}/leaving", data=_leaving_form(world.a))
    assert again.status_code == 302


def test_the_receiving_dsl_reviews_the_file(app, world):
    """Accepted files wait in "Files to review" until the DSL records what they will do (required, next to the
    field); the review shows who and when."""
    _sent_pupil(app, world)
    [incoming] = _incoming(app, world.a)
    receiver = signed_in_client(app, world.a.dsl2)
    receiver.post(f"/incoming/{incoming.id}/accept", data={"pupil": "add"})
    assert "Files to review (1)" in page_text(receiver.get("/transfers"))

    empty = receiver.post(f"/incoming/{incoming.id}/review", data={"actions": ""})
    assert field_error(empty, "actions") == "Enter what you will do, or that nothing more is needed"
    plan = "Meet Jordan on the first morning; call Sam Patel this week."
    assert receiver.post(f"/incoming/{incoming.id}/review", data={"actions": plan}).status_code == 302
    page = page_text(receiver.get(f"/incoming/{incoming.id}"))
    assert f"by {world.a.dsl2.full_name}: {plan}" in page
    assert "Files to review (0)" in page_text(receiver.get("/transfers"))


def test_a_withdrawn_transfer_sends_nothing(app, world):
    pupil_id = make_pupil(app, world.a)
    dsl = signed_in_client(app, world.a.dsl1)
    transfer_url = _record_leaving(dsl, world.a, pupil_id)
    assert dsl.post(f"{transfer_url}/withdraw").status_code == 302
    assert "Withdrawn" in page_text(dsl.get(transfer_url))
    assert dsl.post(f"{transfer_url}/send", data={"note": NOTE}).status_code in (403, 404)
    assert _incoming(app, world.a) == []
    assert _notes(app, world.a, world.a.dsl2) == []


# PDFs, delivery, cost ----------------------------------------------------------------------------------


def test_both_schools_download_the_file_as_a_pdf(app, world):
    """The sender's PDF of what was sent and the receiver's copy hold the note and each line's substance; the
    file names carry a reference, never the child's name; each download is audited."""
    sender, pupil_id, transfer_url = _sent_pupil(app, world)
    sent = sender.get(f"{transfer_url}/file.pdf")
    assert sent.status_code == 200 and sent.mimetype == "application/pdf"
    disposition = sent.headers["Content-Disposition"]
    assert re.search(r"filename=cp-file-p-[0-9a-f]{8}-sent-", disposition) and "jordan" not in disposition.lower()
    text = _pdf_text(sent.data)
    assert "Jordan Example" in text and NOTE in text and SEEN in text and "Conference agreed a child protection plan" in text

    [incoming] = _incoming(app, world.a)
    received = signed_in_client(app, world.a.dsl2).get(f"/incoming/{incoming.id}/file.pdf")
    assert received.status_code == 200 and _pdf_text(received.data) == text
    assert "jordan" not in received.headers["Content-Disposition"].lower()
    assert len(audit_events(app, world.a.authority_id, "record.exported")) == 2


def test_a_delivery_run_twice_delivers_once(app, world):
    from jobs.models import OutboxJob
    from portal.extensions import db
    from portal.transfers.jobs import deliver
    from portal.transfers.models import TransferFile

    _sent_pupil(app, world)
    [sent] = detached_rows(app, TransferFile, world.a.authority_id)
    with _scope(app, world.a):
        deliver(str(sent.id))
        db.session.commit()
        done = db.session.execute(select(func.count()).select_from(OutboxJob).where(OutboxJob.name == "transfers.deliver")).scalar()
    assert len(_incoming(app, world.a)) == 1 and done == 1
    assert len([n for n in _notes(app, world.a, world.a.dsl2)]) == 1


def test_the_transfers_page_costs_the_same_queries_with_2_transfers_as_with_8(app, world):
    """The school's list (files to send, sent, received, and files sent to it) issues as many SQL statements
    for 8 transfers each way as for 2."""
    dsl = signed_in_client(app, world.a.dsl1)

    def add(count):
        for n in range(count):
            outgoing = make_pupil(app, world.a, legal_forename=f"Out{n}")
            url = _record_leaving(dsl, world.a, outgoing)
            if n % 2:
                dsl.post(f"{url}/send", data={"note": ""})
            incoming = make_pupil(app, world.a, school="school2", legal_forename=f"In{n}")
            other = signed_in_client(app, world.a.dsl2)
            url = _record_leaving(other, world.a, incoming, to="school1")
            other.post(f"{url}/send", data={"note": ""})

    add(2)
    dsl.get("/transfers")
    small, small_page = page_queries(app, dsl, "/transfers")
    add(6)
    large, large_page = page_queries(app, dsl, "/transfers")
    assert "Files to send (1)" in page_text(small_page) and "Files to send (4)" in page_text(large_page)
    assert "Files sent to your school (2)" in page_text(small_page) and "Files sent to your school (8)" in page_text(large_page)
    assert small == large


def test_the_overdue_list_costs_the_same_queries_with_2_files_as_with_8(app, world):
    """The transfer lead's list of overdue files issues as many SQL statements whatever its length."""
    lead = _name_transfer_lead(app, world.a)

    def overdue(count: int) -> None:
        with travel(utc(2027, 3, 10, 10, 0)):
            dsl = signed_in_client(app, world.a.dsl1)
            for _ in range(count):
                _record_leaving(dsl, world.a, make_pupil(app, world.a, legal_forename=f"Pupil {uuid.uuid4().hex[:6]}"))

    overdue(2)
    with travel(utc(2027, 3, 19, 10, 0)):
        few, page = page_queries(app, signed_in_client(app, lead), "/transfers/overdue")
        assert "2 overdue" in page_text(page)
    overdue(6)
    with travel(utc(2027, 3, 19, 10, 0)):
        many, page = page_queries(app, signed_in_client(app, lead), "/transfers/overdue")
        assert "8 overdue" in page_text(page)
    assert many == few
