"""The front door decides on what it needs, end to end, with the keyboard only:

a DSL submits a full referral — household, significant adults and agencies, consent, the levels-of-need
indicators and the school's view — sharing the child's chronology → the front door reads the chronology
from the referral and decides "no further action" at a lower level than the school's → the DSL raises a
disagreement → a front-door manager changes the decision at stage 1 → the DSL sees the new decision and
its reason.

Every page on the way is screenshotted and checked with axe-core (``checkpoint``).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from e2e.test_invitation_journey import main_nav_link, press_enter_on, success_banner, type_into
from e2e.test_referral_journey import check, follow, signed_in_as
from tests.world import create_authority, create_organisation, create_user

SCHOOL = "Oakfield Primary School"
PUPIL = ("Ruby", "Hartley")


@pytest.fixture(scope="module")
def people(live_server):
    """An authority of its own, with a school, its DSL, two front-door officers (one decides, the other
    answers a disagreement), and a pupil with a line on her chronology."""
    from portal.casework import chronology
    from portal.casework.models import EntryKind
    from portal.concerns.models import Concern
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from tenants.context import tenant_scope

    app = live_server.app
    authority_id = create_authority(app, "Oakfield Safeguarding Children Partnership", "oakfield", require_two_factor=False)
    school_id = create_organisation(app, authority_id, SCHOOL, "school", urn="765432", phase="primary")
    front_door_org = create_organisation(app, authority_id, "Oakfield Children's Services Front Door", "social_care")
    dsl = create_user(app, authority_id, "jo.dsl@oakfield.example.org", "dsl", school_id, full_name="Jo Adeyemi")
    officer = create_user(app, authority_id, "kim.frontdoor@oakfield.example.org", "front_door", front_door_org, full_name="Kim Walsh")
    manager = create_user(app, authority_id, "pat.manager@oakfield.example.org", "front_door", front_door_org, full_name="Pat Singh")
    with app.app_context(), tenant_scope(authority_id):
        pupil = Pupil(organisation_id=school_id, legal_forename=PUPIL[0], legal_surname=PUPIL[1], date_of_birth=date(2016, 2, 11), year_group="5")
        db.session.add(pupil)
        db.session.flush()
        from portal.clock import utcnow

        concern = Concern(
            organisation_id=school_id,
            pupil_id=pupil.id,
            raised_by_id=dsl.id,
            category="physical_abuse",
            seen_or_heard="A bruise on her upper arm, in the shape of fingers; she said she fell.",
            occurred_at=utcnow(),
        )
        db.session.add(concern)
        db.session.flush()
        chronology.add(
            pupil_id=pupil.id,
            organisation_id=school_id,
            kind=EntryKind.CONCERN,
            title="Concern logged: physical abuse",
            substance=chronology.lines(("What was seen or heard", concern.seen_or_heard)),
            object_type="concern",
            object_id=concern.id,
            actor_id=dsl.id,
        )
        db.session.commit()
    return {"dsl": dsl, "officer": officer, "manager": manager}


def _save_and_return(page) -> None:
    press_enter_on(page, page.get_by_role("button", name="Save and return to the referral"))
    page.wait_for_url("**/edit**")
    expect(success_banner(page)).to_be_visible()


def test_a_full_referral_the_shared_chronology_a_disagreement_and_a_changed_decision(new_page, people, checkpoint):
    pupil_name = f"{PUPIL[0]} {PUPIL[1]}"

    # The DSL starts a referral for Ruby from the register.
    dsl = signed_in_as(new_page, people["dsl"], checkpoint, "dsl")
    follow(dsl, main_nav_link(dsl, "Referrals"))
    follow(dsl, dsl.get_by_role("button", name="Start a referral"))
    type_into(dsl, dsl.get_by_label("Search by name"), PUPIL[0])
    with dsl.expect_navigation():
        press_enter_on(dsl, dsl.get_by_role("button", name="Search"))
    follow(dsl, dsl.get_by_role("link", name=f"Refer {pupil_name}"))
    press_enter_on(dsl, dsl.get_by_role("button", name="Start the referral"))
    dsl.wait_for_url("**/edit")

    # About the child, then her household and the professionals who know her (each on its own page; the
    # draft is saved first, so nothing typed is lost).
    type_into(dsl, dsl.get_by_label("The child's address"), "14 Mill Row, Oakfield OK3 2JP")
    type_into(dsl, dsl.get_by_label("Who does the child live with?"), "Mum, and mum's partner most nights")
    # Enter in a text box saves the draft (it neither sends the referral nor opens a household page).
    type_into(dsl, dsl.get_by_label("Ethnicity (optional)"), "White British")
    with dsl.expect_navigation():
        dsl.keyboard.press("Enter")
    expect(success_banner(dsl)).to_contain_text("Your draft has been saved")
    expect(dsl.get_by_label("Ethnicity (optional)")).to_have_value("White British")
    expect(dsl.get_by_label("The child's address")).to_have_value("14 Mill Row, Oakfield OK3 2JP")
    press_enter_on(dsl, dsl.get_by_role("button", name="Add a household member or significant adult"))
    dsl.wait_for_url("**/household/new**")
    checkpoint(dsl, "dsl adds a household member")
    type_into(dsl, dsl.get_by_label("Full name"), "Dawn Hartley")
    type_into(dsl, dsl.get_by_label("Relationship to the child"), "Mother")
    check(dsl, dsl.get_by_role("group", name="Do they live in the child's household?").get_by_label("Yes", exact=True))
    check(dsl, dsl.get_by_role("group", name="Do they have parental responsibility for the child?").get_by_label("Yes", exact=True))
    type_into(dsl, dsl.get_by_label("Contact details (optional)"), "07700 900123")
    _save_and_return(dsl)
    expect(dsl.get_by_label("The child's address")).to_have_value("14 Mill Row, Oakfield OK3 2JP")
    press_enter_on(dsl, dsl.get_by_role("button", name="Add a household member or significant adult"))
    dsl.wait_for_url("**/household/new**")
    type_into(dsl, dsl.get_by_label("Full name"), "Lee Carter")
    type_into(dsl, dsl.get_by_label("Relationship to the child"), "Mum's partner")
    check(dsl, dsl.get_by_role("group", name="Do they live in the child's household?").get_by_label("Yes", exact=True))
    check(dsl, dsl.get_by_role("group", name="Do they have parental responsibility for the child?").get_by_label("No", exact=True))
    _save_and_return(dsl)
    press_enter_on(dsl, dsl.get_by_role("button", name="Add an agency or professional"))
    dsl.wait_for_url("**/agencies/new**")
    check(dsl, dsl.get_by_label("GP", exact=True))
    type_into(dsl, dsl.get_by_label("Name of the professional"), "Dr Amara Osei")
    type_into(dsl, dsl.get_by_label("Organisation"), "Oakfield Health Centre")
    checkpoint(dsl, "dsl adds an agency")
    _save_and_return(dsl)
    expect(dsl.locator("#household")).to_be_visible()
    expect(dsl.get_by_role("heading", name="Lee Carter (Mum's partner)")).to_be_visible()

    # What the school is worried about, consent, the levels of need, and the chronology shared.
    check(dsl, dsl.get_by_label("Physical abuse", exact=True))
    type_into(dsl, dsl.get_by_label("What happened?"), "Finger-shaped bruising on her upper arm; today she told her teacher mum's boyfriend grabbed her.")
    type_into(dsl, dsl.get_by_label("What has the child said? Use their words"), "He grabs me when I don't go to my room quick enough.")
    check(dsl, dsl.get_by_role("group", name="Is the child in immediate danger?").get_by_label("No", exact=True))
    check(dsl, dsl.get_by_role("group", name="Do the child's parents or carers know about this referral?").get_by_label("No", exact=True))
    type_into(dsl, dsl.get_by_label("Why not?"), "Telling mum could put Ruby at risk from her partner.")
    check(dsl, dsl.get_by_label("No, consent was not sought"))
    type_into(dsl, dsl.get_by_label("Why was consent not sought?"), "Asking mum would alert her partner, who Ruby says hurt her.")
    check(dsl, dsl.get_by_label("Disclosure of physical or sexual abuse"))
    check(dsl, dsl.get_by_role("group", name="What level of need does the school think this is?").get_by_label("Child protection", exact=True))
    shared = dsl.get_by_role("group", name=f"Can the front door read {pupil_name}'s chronology with this referral?")
    expect(shared.get_by_label("Yes", exact=True)).to_be_checked()
    checkpoint(dsl, "dsl full referral form")
    press_enter_on(dsl, dsl.get_by_role("button", name="Submit referral"))
    expect(dsl.get_by_role("heading", level=1)).to_contain_text("submitted")
    checkpoint(dsl, "dsl referral submitted")

    # The front door sees the household and agencies, reads the chronology from the referral, and decides
    # "no further action" at a lower level than the school's.
    officer = signed_in_as(new_page, people["officer"], checkpoint, "front door")
    follow(officer, main_nav_link(officer, "Referral queue"))
    follow(officer, officer.get_by_role("link", name=pupil_name).first)
    expect(officer.get_by_role("heading", name="Lee Carter (Mum's partner)")).to_be_visible()
    expect(officer.get_by_text("Oakfield Health Centre")).to_be_visible()
    expect(officer.get_by_text("Disclosure of physical or sexual abuse")).to_be_visible()
    checkpoint(officer, "front door reads the full referral")
    follow(officer, officer.get_by_role("link", name=f"Read {pupil_name}'s chronology"))
    expect(officer.get_by_role("heading", level=1)).to_have_text(f"{pupil_name}'s chronology")
    expect(officer.get_by_text("A bruise on her upper arm, in the shape of fingers; she said she fell.")).to_be_visible()
    checkpoint(officer, "front door reads the shared chronology")
    follow(officer, officer.get_by_role("link", name="Back to the referral"))
    press_enter_on(officer, officer.get_by_role("button", name="Acknowledge the referral"))
    expect(success_banner(officer)).to_be_visible()
    follow(officer, officer.get_by_role("button", name="Record the decision"))
    check(officer, officer.get_by_label("No further action"))
    check(officer, officer.get_by_role("group", name="What level of need has the front door found?").get_by_label("Universal", exact=False))
    type_into(officer, officer.get_by_label("Reason for the decision"), "Mum says her partner has moved out; no further action by children's social care.")
    checkpoint(officer, "front door decision form")
    press_enter_on(officer, officer.get_by_role("button", name="Record the decision"))
    expect(success_banner(officer)).to_be_visible()
    checkpoint(officer, "front door decision recorded")

    # The DSL disagrees: a reason is required.
    dsl.goto(dsl.url.replace("/submitted", ""))
    expect(dsl.locator("#decision")).to_contain_text("No further action")
    checkpoint(dsl, "dsl sees the decision")
    follow(dsl, dsl.get_by_role("button", name="Disagree with this decision"))
    press_enter_on(dsl, dsl.get_by_role("button", name="Raise the disagreement"))
    expect(dsl.locator(".govuk-error-summary")).to_contain_text("Enter why you disagree with the decision")
    checkpoint(dsl, "dsl disagreement without a reason")
    type_into(
        dsl,
        dsl.get_by_label("Why do you disagree with the decision?"),
        "Ruby says he still stays most nights; she disclosed being grabbed, with finger-shaped bruising seen by staff.",
    )
    type_into(dsl, dsl.get_by_label("What do you want to happen? (optional)"), "A strategy discussion with the police.")
    press_enter_on(dsl, dsl.get_by_role("button", name="Raise the disagreement"))
    expect(success_banner(dsl)).to_contain_text("Your disagreement has been sent")
    checkpoint(dsl, "dsl disagreement raised")

    # A front-door manager (not the officer who decided) changes the decision at stage 1.
    manager = signed_in_as(new_page, people["manager"], checkpoint, "front-door manager")
    follow(manager, main_nav_link(manager, "Disagreements"))
    checkpoint(manager, "disagreements to answer")
    follow(manager, manager.get_by_role("link", name=pupil_name))
    follow(manager, manager.get_by_role("button", name="Respond at stage 1"))
    check(manager, manager.get_by_label("Decision changed"))
    check(manager, manager.get_by_label("Strategy discussion / section 47 enquiry"))
    check(manager, manager.get_by_role("group", name=re.compile("the level of need the front door now finds")).get_by_label("Child protection", exact=True))
    type_into(
        manager,
        manager.get_by_label("Your response to the school"),
        "Having read the school's chronology and Ruby's account again, the threshold for a strategy discussion is met.",
    )
    checkpoint(manager, "stage 1 response form")
    press_enter_on(manager, manager.get_by_role("button", name="Send the response"))
    expect(success_banner(manager)).to_be_visible()
    checkpoint(manager, "stage 1 response sent")

    # The DSL sees the new decision and its reason.
    dsl.goto(dsl.url.split("/disagreements")[0] if "/disagreements" in dsl.url else dsl.url)
    follow(dsl, main_nav_link(dsl, "Referrals"))
    follow(dsl, dsl.get_by_role("link", name=pupil_name).first)
    decision = dsl.locator("#decision")
    expect(decision).to_contain_text("Strategy discussion / section 47 enquiry")
    expect(decision).to_contain_text("the threshold for a strategy discussion is met")
    expect(decision).to_contain_text("by Pat Singh")
    expect(decision).to_contain_text("in answer to the school's disagreement. First decided")
    expect(dsl.get_by_text("Decision changed at stage 1 of a disagreement").first).to_be_visible()
    checkpoint(dsl, "dsl sees the changed decision")
