"""A child-protection file sent to a school or college not on the portal: its DSL is emailed a one-time link
(no child named in the email), opens it with the access code the sending DSL gives by phone, downloads the
file in one ZIP and confirms receipt. The link opens only its own file, and stops after the receipt, the
sender's revocation or new link, too many wrong codes, or 14 days; every view is audited."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

from portal.clock import travel, uk_today, utcnow
from tests.admin.pages import field_error, page_text
from tests.factories import make_pupil
from tests.support import audit_events, detached_rows, main_headings, signed_in_client
from tests.transfers.test_transfers import NOTE, SEEN, _attach, _notes, _pdf_text, _transfers

OUTSIDE = {"outside_name": "St Aidan's College", "outside_urn": "654321", "outside_dsl": "Morgan Reese", "outside_email": "m.reese@st-aidans.example.org"}


def _leaving(**changes) -> dict:
    day = uk_today() + timedelta(days=10)
    form = {"leaving_on": [str(day.day), str(day.month), str(day.year)], "destination": "outside", "confirmed": "yes", **OUTSIDE}
    form.update(changes)
    return form


def _code(response) -> str:
    match = re.search(r"data-access-code>([A-Z0-9]{4}-[A-Z0-9]{4})<", response.get_data(as_text=True))
    assert match, page_text(response)
    return match.group(1)


def _links(mailbox) -> list[str]:
    """The file links emailed so far (paths), oldest first."""
    found = []
    for message in mailbox():
        body = message.get_body(preferencelist=("plain",)).get_content()
        found += re.findall(r"https?://[^/\s]+(/cp-file/\S+)", body)
    return found


def _sent_outside(app, world, mailbox, *, forename: str = "Jordan"):
    """A pupil of school1 with a concern and its attachment, whose file dsl1 has sent to a college not on the
    portal: (sender's client, transfer path, emailed link path, access code)."""
    from portal.concerns.models import Concern
    from tests.concerns.conftest import concern_form

    pupil_id = make_pupil(app, world.a, legal_forename=forename)
    staff = signed_in_client(app, world.a.staff1)
    assert staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form(seen_or_heard=SEEN)).status_code == 302
    concern = [c for c in detached_rows(app, Concern, world.a.authority_id) if c.pupil_id == pupil_id][0]
    _attach(app, world.a, concern.id)
    sender = signed_in_client(app, world.a.dsl1)
    response = sender.post(f"/pupils/{pupil_id}/leaving", data=_leaving())
    assert response.status_code == 302, page_text(response)
    transfer_url = response.headers["Location"]
    before = len(_links(mailbox))
    sent = sender.post(f"{transfer_url}/send", data={"note": NOTE})
    assert sent.status_code == 200 and sent.headers["Cache-Control"] == "no-store"
    links = _links(mailbox)
    assert len(links) == before + 1
    return sender, transfer_url, links[-1], _code(sent)


def test_the_leaving_form_asks_for_the_college_and_its_dsl_next_to_each_field(app, world):
    pupil_id = make_pupil(app, world.a)
    dsl = signed_in_client(app, world.a.dsl1)
    response = dsl.post(f"/pupils/{pupil_id}/leaving", data=_leaving(outside_name="", outside_dsl=" ", outside_email="", outside_urn="12"))
    assert response.status_code == 200
    assert field_error(response, "outside_name") == "Enter the name of the school or college"
    assert field_error(response, "outside_dsl") == "Enter the name of its designated safeguarding lead"
    assert field_error(response, "outside_email") == "Enter the email address of its designated safeguarding lead"
    assert field_error(response, "outside_urn") == "Enter the URN as 6 digits, like 123456, or leave it empty"
    response = dsl.post(f"/pupils/{pupil_id}/leaving", data=_leaving(outside_email="not an address"))
    assert field_error(response, "outside_email") == "Enter an email address in the correct format, like name@example.org"
    assert _transfers(app, world.a) == []


def test_a_college_not_on_the_portal_receives_the_file_through_the_link_and_confirms_receipt(app, world, mailbox):
    sender, transfer_url, link, code = _sent_outside(app, world, mailbox)
    [email] = [m for m in mailbox() if "/cp-file/" in m.get_body(preferencelist=("plain",)).get_content()]
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert email["To"] == OUTSIDE["outside_email"] and "Morgan Reese" in body
    assert "Jordan" not in body and "Example" not in body and code not in body and code.replace("-", "") not in body
    page = page_text(sender.get(transfer_url))
    assert "Sent: not opened yet" in page and "Works until" in page and "m.reese@st-aidans.example.org" in page

    college = app.test_client()
    asked = college.get(link)
    assert asked.status_code == 200 and "Enter the access code" in page_text(asked)
    assert asked.headers["Referrer-Policy"] == "same-origin" and asked.headers["Cache-Control"] == "no-store"
    assert "Jordan" not in page_text(asked)  # nothing of the child before the code
    wrong = college.post(link, data={"code": "AAAA-AAAA"})
    assert wrong.status_code == 200 and field_error(wrong, "code") == "The access code is not right. Check it with the school that sent the file: 4 tries left"
    assert college.get(f"{link}/download").status_code == 302  # not before the code
    opened = college.post(link, data={"code": code.lower().replace("-", " ")})
    assert opened.status_code == 302

    page = page_text(college.get(link))
    assert "Child-protection file of Jordan Example" in page and NOTE in page and SEEN in page and "body map.pdf" in page
    assert "Opened by the new school" in page_text(sender.get(transfer_url))

    download = college.get(f"{link}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "jordan" not in download.headers["Content-Disposition"].lower()
    bundle = zipfile.ZipFile(io.BytesIO(download.data))
    names = bundle.namelist()
    assert len(names) == 2 and names[1] == "attachments/01-body map.pdf"
    pdf = _pdf_text(bundle.read(names[0]))
    assert "Jordan Example" in pdf and SEEN in pdf

    today = uk_today()
    missing = college.post(f"{link}/receipt", data={"name": "", "role": "DSL", "school": "St Aidan's College", "received_on": ["", "", ""]})
    assert missing.status_code == 200
    assert field_error(missing, "name") == "Enter your full name"
    assert field_error(missing, "received_on") == "Enter the date you received the file"
    tomorrow = today + timedelta(days=1)
    future = college.post(
        f"{link}/receipt",
        data={
            "name": "Morgan Reese",
            "role": "DSL",
            "school": "St Aidan's College",
            "received_on": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)],
        },
    )
    assert field_error(future, "received_on") == "The date received must be today or in the past"
    done = college.post(
        f"{link}/receipt",
        data={
            "name": "Morgan Reese",
            "role": "Designated safeguarding lead",
            "school": "St Aidan's College",
            "received_on": [str(today.day), str(today.month), str(today.year)],
        },
    )
    assert done.status_code == 200 and "Receipt confirmed" in page_text(done)
    assert main_headings(done.get_data(as_text=True)) == 1 and main_headings(asked.get_data(as_text=True)) == 1

    page = page_text(sender.get(transfer_url))
    assert "Received" in page and "by Morgan Reese, Designated safeguarding lead, St Aidan's College" in page and "Receipt confirmed" in page
    assert ("St Aidan's College has confirmed receipt of a child-protection file you sent", transfer_url) in _notes(app, world.a, world.a.dsl1)
    gone = college.get(link)
    assert gone.status_code == 410 and "Receipt of this file has been confirmed" in page_text(gone)
    assert college.get(f"{link}/download").status_code == 410
    # The sending school's own records of the child close with the receipt (the authority's default).
    from portal.transfers.models import PupilTransfer

    [transfer] = detached_rows(app, PupilTransfer, world.a.authority_id)
    assert "This school now keeps only the record of the transfer and its receipt" in page_text(sender.get(f"/pupils/{transfer.pupil_id}"))
    assert SEEN not in page_text(sender.get(f"/pupils/{transfer.pupil_id}/chronology"))

    from portal.transfers.actions import Action

    views = [e.details["page"] for e in audit_events(app, world.a.authority_id, Action.LINK_VIEWED)]
    assert views.count("code") >= 1 and views.count("file") >= 2 and views.count("download") == 1
    assert len(audit_events(app, world.a.authority_id, Action.LINK_CODE_WRONG)) == 1
    assert len(audit_events(app, world.a.authority_id, Action.LINK_OPENED)) == 1
    assert len(audit_events(app, world.a.authority_id, Action.LINK_RECEIPT)) == 1
    assert [e.details["problem"] for e in audit_events(app, world.a.authority_id, Action.LINK_REFUSED)] == ["ended", "ended"]


def test_a_link_opens_only_its_own_file(app, world, mailbox):
    """Opening one link with its code does not open another: the other still asks for its own code, and the
    first code does not open it. A link's secret presented as another authority's finds nothing."""
    _, _, link_a, code_a = _sent_outside(app, world, mailbox, forename="Jordan")
    _, _, link_b, code_b = _sent_outside(app, world, mailbox, forename="Riley")
    college = app.test_client()
    assert college.post(link_a, data={"code": code_a}).status_code == 302
    assert "Jordan Example" in page_text(college.get(link_a))
    other = college.get(link_b)
    assert "Enter the access code" in page_text(other) and "Riley" not in page_text(other)
    assert college.get(f"{link_b}/download").status_code == 302
    assert college.post(f"{link_b}/receipt", data={"name": "x"}).status_code == 302
    if code_a != code_b:
        refused = college.post(link_b, data={"code": code_a})
        assert field_error(refused, "code") is not None and "Riley" not in page_text(refused)

    secret = link_a.removeprefix("/cp-file/").split(".", 1)[1]
    assert college.get(f"/cp-file/{world.b.authority_id.hex}.{secret}").status_code == 404
    assert college.get(f"/cp-file/{world.a.authority_id.hex}.{'x' * 43}").status_code == 404
    assert college.get("/cp-file/not-a-link").status_code == 404


def test_the_sender_revokes_the_link_or_sends_a_new_one(app, world, mailbox):
    sender, transfer_url, link, code = _sent_outside(app, world, mailbox)
    assert sender.post(f"{transfer_url}/revoke-link").status_code == 302
    assert "Revoked by your school" in page_text(sender.get(transfer_url))
    college = app.test_client()
    revoked = college.get(link)
    assert revoked.status_code == 410 and "has stopped it" in page_text(revoked)
    assert college.post(link, data={"code": code}).status_code == 410

    again = sender.post(f"{transfer_url}/new-link")
    assert again.status_code == 200
    new_code = _code(again)
    new_link = _links(mailbox)[-1]
    assert new_link != link
    if new_code != code:
        assert field_error(college.post(new_link, data={"code": code}), "code") is not None
    assert college.post(new_link, data={"code": new_code}).status_code == 302
    assert "Child-protection file of Jordan Example" in page_text(college.get(new_link))

    # A new link replaces the working one.
    third = _code(sender.post(f"{transfer_url}/new-link"))
    replaced = college.get(new_link)
    assert replaced.status_code == 410 and "sent a new link" in page_text(replaced)
    assert college.post(_links(mailbox)[-1], data={"code": third}).status_code == 302


def test_a_link_stops_after_14_days(app, world, mailbox):
    _, transfer_url, link, code = _sent_outside(app, world, mailbox)
    college = app.test_client()
    with travel(utcnow() + timedelta(days=14, minutes=1)):
        expired = college.get(link)
        assert expired.status_code == 410 and "It expired on" in page_text(expired)
        assert college.post(link, data={"code": code}).status_code == 410
        assert "Expired" in page_text(signed_in_client(app, world.a.dsl1).get(transfer_url))


def test_a_link_stops_after_five_wrong_codes_and_the_sender_is_told(app, world, mailbox):
    sender, transfer_url, link, code = _sent_outside(app, world, mailbox)
    college = app.test_client()
    for left in (4, 3, 2, 1):
        response = college.post(link, data={"code": "ZZZZ-ZZZZ"})
        assert field_error(response, "code").endswith(f"{left} {'try' if left == 1 else 'tries'} left")
    stopped = college.post(link, data={"code": "ZZZZ-ZZZZ"})
    assert stopped.status_code == 410 and "too many wrong access codes" in page_text(stopped)
    assert college.post(link, data={"code": code}).status_code == 410
    assert any("stopped after too many wrong access codes" in title for title, _ in _notes(app, world.a, world.a.dsl1))
    assert "Stopped after too many wrong access codes" in page_text(sender.get(transfer_url))


def test_a_browser_signed_in_to_the_portal_is_asked_to_sign_out_first(app, world, mailbox):
    """The link is for someone outside the portal: a person signed in (of another authority, or the
    sending school's own) sees nothing of the file, is asked to sign out, and the refusal is audited in
    their authority."""
    _, _, link, code = _sent_outside(app, world, mailbox)
    for person, side in ((world.b.dsl1, world.b), (world.a.dsl2, world.a)):
        client = signed_in_client(app, person)
        for response in (client.get(link), client.post(link, data={"code": code}), client.get(f"{link}/download")):
            assert response.status_code == 403 and "Sign out of the portal to open this link" in page_text(response)
            assert "Jordan" not in page_text(response)
        assert [e.details for e in audit_events(app, side.authority_id, "transfer.link_refused")][-1] == {"problem": "signed_in"}
    assert "Enter the access code" in page_text(app.test_client().get(link))
