"""End-to-end: the chronology as the record. A DSL opens a pupil's chronology and reads what was seen and
said, records a phone call with the social worker that happened outside the portal, corrects it (the
change kept in its history), marks two entries as significant events, narrows the chronology to them, and
downloads the summary chronology as a PDF — with the keyboard, axe-core on every page."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pypdf
import pytest
from playwright.sync_api import expect

from e2e.test_assessment_journey import _first_page_as_png
from e2e.test_context_journey import submit, type_date
from e2e.test_invitation_journey import main_nav_link, press_enter_on, success_banner, type_into
from e2e.test_referral_journey import check, follow, signed_in_as
from portal.clock import UK, utcnow
from tests.world import create_authority, create_organisation, create_user

SCHOOL = "Ashdown Primary School"
PUPIL = ("Ellie", "Marsden")
SEEN = "Came in with a bruise on her cheek and flinched when the teacher raised a hand to the board."
WORDS = "Mum's boyfriend gets cross when I'm slow."
CALL = "Sam Patel (social worker) said a strategy discussion is booked for Thursday; the school is invited."


@pytest.fixture(scope="module")
def people(live_server):
    """An authority of its own, a school, its DSL and member of staff, and a pupil with a concern logged
    yesterday (through the concerns service, as the concern page would)."""
    from portal.concerns import service
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from tenants.context import tenant_scope

    app = live_server.app
    authority_id = create_authority(app, "Ashdown Safeguarding Children Partnership", "ashdown", require_two_factor=False)
    school_id = create_organisation(app, authority_id, SCHOOL, "school", urn="612345", phase="primary")
    staff = create_user(app, authority_id, "alex.teacher@ashdown.example.org", "staff", school_id, full_name="Alex Teacher")
    dsl = create_user(app, authority_id, "jamie.dsl@ashdown.example.org", "dsl", school_id, full_name="Jamie Lord")
    with app.app_context(), tenant_scope(authority_id, staff.id):
        pupil = Pupil(organisation_id=school_id, legal_forename=PUPIL[0], legal_surname=PUPIL[1], date_of_birth=date(2017, 2, 3), year_group="4")
        db.session.add(pupil)
        db.session.flush()
        service.log_concern(
            pupil,
            raised_by_id=staff.id,
            category="physical_abuse",
            category_label="Physical abuse",
            seen_or_heard=SEEN,
            child_words=WORDS,
            occurred_at=utcnow() - timedelta(days=1),
            location="Classroom 3",
            urgent=False,
        )
        db.session.commit()
    return {"dsl": dsl}


def test_a_dsl_records_a_call_marks_significant_events_and_downloads_the_summary(new_page, people, checkpoint):
    dsl = signed_in_as(new_page, people["dsl"], checkpoint, "dsl")
    follow(dsl, main_nav_link(dsl, "Pupils"))
    follow(dsl, dsl.get_by_role("link", name=f"{PUPIL[0]} {PUPIL[1]}"))
    follow(dsl, dsl.get_by_role("link", name="View chronology"))
    expect(dsl.get_by_role("heading", level=1)).to_contain_text(f"{PUPIL[0]} {PUPIL[1]}")
    concern = dsl.locator("li", has=dsl.get_by_role("heading", name="Concern logged: Physical abuse"))
    expect(concern).to_contain_text(SEEN)
    expect(concern).to_contain_text(WORDS)
    expect(concern).to_contain_text("Classroom 3")
    checkpoint(dsl, "the chronology with what was seen and said")

    # A phone call with the social worker, recorded on the chronology.
    follow(dsl, dsl.get_by_role("button", name="Add an entry"))
    submit(dsl, "Save the entry")
    expect(dsl.locator(".govuk-error-summary")).to_contain_text("Select what it was")
    checkpoint(dsl, "an entry with nothing filled in")
    check(dsl, dsl.get_by_label("Phone call", exact=True))
    called = (utcnow() - timedelta(hours=2)).astimezone(UK)
    type_date(dsl, called.date())
    type_into(dsl, dsl.get_by_label("Time it happened"), called.strftime("%H:%M"))
    type_into(dsl, dsl.get_by_label("Who was involved?"), "Sam Patel, social worker (children's social care)")
    type_into(dsl, dsl.get_by_label("What was said or decided?"), CALL)
    checkpoint(dsl, "the phone call filled in")
    submit(dsl, "Save the entry")
    expect(success_banner(dsl)).to_contain_text("Phone call")
    call = dsl.locator("li", has=dsl.get_by_role("heading", name="Phone call"))
    expect(call).to_contain_text(CALL)
    checkpoint(dsl, "the call on the chronology")

    # Corrected: the change is kept in the entry's history.
    follow(dsl, call.get_by_role("link", name="Open the entry and its history"))
    follow(dsl, dsl.get_by_role("button", name="Correct this entry"))
    type_into(dsl, dsl.get_by_label("Actions (optional)"), "DSL to attend the strategy discussion on Thursday.")
    submit(dsl, "Save the entry")
    expect(success_banner(dsl)).to_contain_text("The change is kept in its history")
    expect(dsl.locator("#history ~ table").first).to_contain_text("DSL to attend the strategy discussion on Thursday.")
    checkpoint(dsl, "the entry and its history")
    follow(dsl, dsl.get_by_role("link", name="Back to the chronology"))

    # Two significant events, then the chronology narrowed to them.
    for title in ("Phone call", "Concern logged: Physical abuse"):
        line = dsl.locator("li", has=dsl.get_by_role("heading", name=title))
        with dsl.expect_navigation():  # the page after the post, not the one still showing when Enter is pressed
            press_enter_on(dsl, line.get_by_role("button", name="Mark as significant", exact=False))
        expect(success_banner(dsl)).to_contain_text("now marked as a significant event")
        expect(dsl.locator("li", has=dsl.get_by_role("heading", name=title))).to_contain_text("Significant event")
    checkpoint(dsl, "two significant events")
    check(dsl, dsl.get_by_label("Significant events only", exact=True))
    submit(dsl, "Apply filter")
    expect(dsl.get_by_role("heading", name="All entries, significant events only, newest first")).to_be_visible()
    expect(dsl.locator(".app-chronology > li")).to_have_count(2)
    checkpoint(dsl, "significant events only")

    # The summary chronology as a PDF: the significant events, with what was seen, said and decided.
    check(dsl, dsl.get_by_label("Significant events only (the summary chronology for a conference)"))
    submit(dsl, "Export as PDF")
    expect(dsl.get_by_role("heading", name="Your PDF is ready")).to_be_visible(timeout=20_000)
    checkpoint(dsl, "the summary chronology is ready")
    with dsl.expect_download() as download:
        press_enter_on(dsl, dsl.get_by_role("button", name="Download the chronology", exact=False))
    assert "marsden" not in download.value.suggested_filename.lower() and "ellie" not in download.value.suggested_filename.lower()
    assert download.value.suggested_filename.startswith("chronology-p-") and "significant-events" in download.value.suggested_filename
    pdf = open(download.value.path(), "rb").read()
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "OFFICIAL-SENSITIVE" in text and "Significant events" in text
    for expected in (SEEN, WORDS, CALL, "DSL to attend the strategy discussion on Thursday."):
        assert " ".join(expected.split()) in text, expected
    _first_page_as_png(pdf, checkpoint.folder / f"{checkpoint.count + 1:02d}-the-summary-chronology-first-page.png")
