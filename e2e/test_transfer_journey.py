"""End-to-end: a child-protection file follows the child. The DSL of the old school records a call with the
social worker on the pupil's chronology, marks it and the concern as significant events, records that the
pupil is leaving for another school of the authority (the place confirmed), sees when the file is due, and sends it
with a note; the new school's DSL opens it, accepts it (adding the pupil to the register), finds the history
in the child's chronology there, and records their review; the old school's DSL sees it received — with the
keyboard, axe-core on every page. A second journey sends a file to a college not on the portal: its DSL opens
the emailed link with the access code given by phone, downloads the file and confirms receipt."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from e2e.test_assessment_journey import _first_page_as_png
from e2e.test_context_journey import choose, submit, type_date
from e2e.test_invitation_journey import main_nav_link, press_enter_on, success_banner, type_into
from e2e.test_referral_journey import check, follow, signed_in_as
from portal.clock import UK, uk_today, utcnow
from tests.world import create_authority, create_organisation, create_user

OLD_SCHOOL, NEW_SCHOOL = "Hollins Primary School", "Hollins Park Academy"
PUPIL = ("Kai", "Brennan")
SECOND_PUPIL = ("Ava", "Lindqvist")
COLLEGE, COLLEGE_DSL, COLLEGE_EMAIL = "Brook Lane Sixth Form College", "Morgan Reese", "m.reese@brook-lane.example.org"
SEEN = "Said he had not eaten since lunchtime yesterday; his shoes were split at the toes."
NOTE = "Child in need plan. Social worker Dee Shah. Breakfast club every day has helped: please keep it going."
CALL = "Dee Shah confirmed the child in need plan continues after the move; she will tell the new school's DSL."
REVIEW = "Meet Kai on his first morning; call Dee Shah this week; breakfast club place booked."


@pytest.fixture(scope="module")
def people(live_server):
    """An authority of its own with two schools, a DSL at each, and a pupil of the old school with a concern
    logged yesterday (through the concerns service, as the concern page would)."""
    from portal.concerns import service
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from tenants.context import tenant_scope

    app = live_server.app
    authority_id = create_authority(app, "Hollins Safeguarding Children Partnership", "hollins", require_two_factor=False)
    old_school = create_organisation(app, authority_id, OLD_SCHOOL, "school", urn="613001", phase="primary")
    new_school = create_organisation(app, authority_id, NEW_SCHOOL, "school", urn="613002", phase="secondary")
    create_organisation(app, authority_id, "Hollins Green Primary School", "school", urn="613003", phase="primary")  # a school not chosen
    staff = create_user(app, authority_id, "lee.teacher@hollins.example.org", "staff", old_school, full_name="Lee Teacher")
    sender = create_user(app, authority_id, "priya.dsl@hollins.example.org", "dsl", old_school, full_name="Priya Nair")
    receiver = create_user(app, authority_id, "tom.dsl@hollins.example.org", "dsl", new_school, full_name="Tom Okafor")
    with app.app_context(), tenant_scope(authority_id, staff.id):
        pupil = Pupil(organisation_id=old_school, legal_forename=PUPIL[0], legal_surname=PUPIL[1], date_of_birth=date(2015, 6, 2), year_group="6")
        db.session.add(pupil)
        second = Pupil(
            organisation_id=old_school, legal_forename=SECOND_PUPIL[0], legal_surname=SECOND_PUPIL[1], date_of_birth=date(2010, 1, 20), year_group="11"
        )
        db.session.add(second)
        db.session.flush()
        service.log_concern(
            second,
            raised_by_id=staff.id,
            category="neglect",
            category_label="Neglect",
            seen_or_heard=SEEN,
            child_words="",
            occurred_at=utcnow() - timedelta(days=2),
            location="Classroom",
            urgent=False,
        )
        service.log_concern(
            pupil,
            raised_by_id=staff.id,
            category="neglect",
            category_label="Neglect",
            seen_or_heard=SEEN,
            child_words="",
            occurred_at=utcnow() - timedelta(days=1),
            location="Playground",
            urgent=False,
        )
        db.session.commit()
    return {"sender": sender, "receiver": receiver}


def test_a_child_protection_file_is_sent_accepted_and_reviewed(new_page, people, checkpoint):
    name = f"{PUPIL[0]} {PUPIL[1]}"
    sender = signed_in_as(new_page, people["sender"], checkpoint, "the old school's DSL")
    follow(sender, main_nav_link(sender, "Pupils"))
    follow(sender, sender.get_by_role("link", name=name))

    # Before the pupil goes: a call with the social worker on the chronology, and two significant events.
    follow(sender, sender.get_by_role("link", name="View chronology"))
    follow(sender, sender.get_by_role("button", name="Add an entry"))
    check(sender, sender.get_by_label("Phone call", exact=True))
    called = (utcnow() - timedelta(hours=2)).astimezone(UK)
    type_date(sender, called.date())
    type_into(sender, sender.get_by_label("Time it happened"), called.strftime("%H:%M"))
    type_into(sender, sender.get_by_label("Who was involved?"), "Dee Shah, social worker (children's social care)")
    type_into(sender, sender.get_by_label("What was said or decided?"), CALL)
    submit(sender, "Save the entry")
    expect(success_banner(sender)).to_contain_text("Phone call")
    for title in ("Phone call", "Concern logged: Neglect"):
        line = sender.locator("li", has=sender.get_by_role("heading", name=title))
        with sender.expect_navigation():
            press_enter_on(sender, line.get_by_role("button", name="Mark as significant", exact=False))
        expect(success_banner(sender)).to_contain_text("now marked as a significant event")
    checkpoint(sender, "the chronology with a call and two significant events")
    follow(sender, sender.get_by_role("link", name=f"Back to {PUPIL[0]}"))
    follow(sender, sender.get_by_role("link", name="Record that this pupil is leaving", exact=False))

    submit(sender, "Record the leaving")
    expect(sender.locator(".govuk-error-summary")).to_contain_text("Enter the date the pupil leaves")
    checkpoint(sender, "the leaving form with nothing filled in")
    type_date(sender, uk_today() + timedelta(days=12))
    choose(sender, sender.get_by_label("Which school are they going to?"), NEW_SCHOOL)
    check(sender, sender.get_by_label("Yes, it is confirmed"))
    submit(sender, "Record the leaving")
    expect(success_banner(sender)).to_contain_text(f"leaving for {NEW_SCHOOL} has been recorded")
    expect(sender.locator(".govuk-summary-list")).to_contain_text("By the end of")
    checkpoint(sender, "the transfer with the file due")

    type_into(sender, sender.get_by_label("What should the new school know now? (optional)"), NOTE)
    submit(sender, "Send the file")
    expect(success_banner(sender)).to_contain_text(f"sent to {NEW_SCHOOL}")
    expect(sender.locator(".govuk-summary-list")).to_contain_text("Sent: not opened yet")
    checkpoint(sender, "the file sent")

    receiver = signed_in_as(new_page, people["receiver"], checkpoint, "the new school's DSL")
    follow(receiver, main_nav_link(receiver, "Transfers"))
    expect(receiver.get_by_role("heading", name="Files sent to your school (1)")).to_be_visible()
    checkpoint(receiver, "a file waiting")
    follow(receiver, receiver.get_by_role("link", name=name))
    expect(receiver.get_by_role("heading", level=1)).to_contain_text(name)
    expect(receiver.locator(".govuk-inset-text")).to_contain_text(NOTE)
    expect(receiver.locator(".app-chronology")).to_contain_text(SEEN)
    checkpoint(receiver, "the file as it was sent")
    with receiver.expect_download() as download:
        press_enter_on(receiver, receiver.get_by_role("link", name="Download the file (PDF)"))
    assert "kai" not in download.value.suggested_filename.lower() and "brennan" not in download.value.suggested_filename.lower()
    pdf = open(download.value.path(), "rb").read()
    _first_page_as_png(pdf, checkpoint.folder / f"{checkpoint.count + 1:02d}-the-file-received-first-page.png")
    check(receiver, receiver.get_by_label("Add the pupil to your register", exact=False))
    submit(receiver, "Accept the file")
    expect(success_banner(receiver)).to_contain_text("its history is now in their chronology")
    checkpoint(receiver, "the file accepted")

    submit(receiver, "Record the review")
    expect(receiver.locator(".govuk-error-summary")).to_contain_text("Enter what you will do")
    checkpoint(receiver, "a review with nothing filled in")
    type_into(receiver, receiver.get_by_label("What will you do?"), REVIEW)
    submit(receiver, "Record the review")
    expect(success_banner(receiver)).to_contain_text("Your review of the file has been recorded")
    expect(receiver.locator("main")).to_contain_text(REVIEW)
    follow(receiver, receiver.get_by_role("link", name=f"{name}'s chronology"))
    concern = receiver.locator("li", has=receiver.get_by_role("heading", name=f"Concern logged: Neglect (at {OLD_SCHOOL})"))
    expect(concern).to_contain_text(SEEN)
    expect(concern).to_contain_text("From the previous school")
    expect(concern).to_contain_text("Significant event")
    call = receiver.locator("li", has=receiver.get_by_role("heading", name=f"Phone call (at {OLD_SCHOOL})"))
    expect(call).to_contain_text(CALL)
    expect(call).to_contain_text("Significant event")
    checkpoint(receiver, "the history in the chronology at the new school")

    sender.reload()
    expect(sender.locator(".govuk-summary-list")).to_contain_text("Received")
    expect(sender.locator(".govuk-summary-list")).to_contain_text("by Tom Okafor, Designated safeguarding lead")
    checkpoint(sender, "the old school sees the file received")


def test_a_file_reaches_a_college_not_on_the_portal_through_the_link(new_page, people, checkpoint, live_server):
    import io
    import re
    import zipfile

    import pypdf

    name = f"{SECOND_PUPIL[0]} {SECOND_PUPIL[1]}"
    sender = signed_in_as(new_page, people["sender"], checkpoint, "the old school's DSL")
    follow(sender, main_nav_link(sender, "Pupils"))
    follow(sender, sender.get_by_role("link", name=name))
    follow(sender, sender.get_by_role("link", name="Record that this pupil is leaving", exact=False))
    type_date(sender, uk_today() + timedelta(days=5))
    choose(sender, sender.get_by_label("Which school are they going to?"), "not on the portal")
    check(sender, sender.get_by_label("Yes, it is confirmed"))
    submit(sender, "Record the leaving")
    expect(sender.locator(".govuk-error-summary")).to_contain_text("Enter the name of the school or college")
    expect(sender.locator("#outside_email-error")).to_contain_text("Enter the email address of its designated safeguarding lead")
    checkpoint(sender, "the college's details missing")
    type_into(sender, sender.get_by_label("Name of the school or college"), COLLEGE)
    type_into(sender, sender.get_by_label("Name of its designated safeguarding lead"), COLLEGE_DSL)
    type_into(sender, sender.get_by_label("Their email address"), COLLEGE_EMAIL)
    submit(sender, "Record the leaving")
    expect(success_banner(sender)).to_contain_text(f"leaving for {COLLEGE} has been recorded")
    submit(sender, "Send the file")
    expect(sender.get_by_role("heading", name="Give the access code by phone")).to_be_visible()
    code = sender.locator("[data-access-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    checkpoint(sender, "the access code to give by phone")
    follow(sender, sender.get_by_role("link", name="Go to the transfer", exact=False))
    expect(sender.locator(".govuk-summary-list").first).to_contain_text("Sent: not opened yet")
    checkpoint(sender, "the link sent, waiting for the receipt")

    [email] = live_server.emails_to(COLLEGE_EMAIL)
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert SECOND_PUPIL[0] not in body and code not in body
    link = re.search(r"(http://\S+/cp-file/\S+)", body).group(1)

    college = new_page()  # a browser of its own: nobody signed in
    college.goto(link)
    expect(college.get_by_role("heading", name="Enter the access code")).to_be_visible()
    checkpoint(college, "the college asked for the access code")
    type_into(college, college.get_by_label("Access code"), "ABCD-EFGH")
    submit(college, "Continue")
    expect(college.locator("#code-error")).to_contain_text("The access code is not right")
    checkpoint(college, "a wrong access code")
    type_into(college, college.get_by_label("Access code"), code, replace=True)
    submit(college, "Continue")
    expect(college.get_by_role("heading", level=1)).to_contain_text(name)
    checkpoint(college, "the file opened with the code")
    with college.expect_download() as download:
        press_enter_on(college, college.get_by_role("link", name="Download the whole file", exact=False))
    assert download.value.suggested_filename.startswith("cp-file-p-") and "ava" not in download.value.suggested_filename.lower()
    bundle = zipfile.ZipFile(open(download.value.path(), "rb"))
    pdf = bundle.read(bundle.namelist()[0])
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "OFFICIAL-SENSITIVE" in text and " ".join(SEEN.split()) in text and name in text
    _first_page_as_png(pdf, checkpoint.folder / f"{checkpoint.count + 1:02d}-the-file-as-sent-first-page.png")

    submit(college, "Confirm receipt")
    expect(college.locator(".govuk-error-summary")).to_contain_text("Enter your full name")
    checkpoint(college, "the receipt with nothing filled in")
    type_into(college, college.get_by_label("Your full name"), COLLEGE_DSL)
    type_into(college, college.get_by_label("Your role"), "Designated safeguarding lead")
    type_into(college, college.get_by_label("Your school or college"), COLLEGE)
    type_date(college, uk_today())
    submit(college, "Confirm receipt")
    expect(college.locator(".govuk-panel")).to_contain_text("Receipt confirmed")
    checkpoint(college, "receipt confirmed")
    gone = college.goto(link)
    assert gone.status == 410
    college.script_errors.clear()  # the browser logs the 410 it was rightly given
    expect(college.get_by_role("heading", name="This link no longer works")).to_be_visible()
    checkpoint(college, "the link after the receipt")

    sender.reload()
    expect(sender.locator(".govuk-summary-list").first).to_contain_text(f"by {COLLEGE_DSL}, Designated safeguarding lead, {COLLEGE}")
    checkpoint(sender, "the old school sees the receipt")
