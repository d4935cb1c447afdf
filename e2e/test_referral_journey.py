"""The daily work of a school and the front door, end to end, with the keyboard only:

a member of staff logs a concern → the DSL triages it and asks the front door for advice, ticking the
levels-of-need indicators → the front door answers "proceed to referral" with its view of the level →
the DSL submits the referral, pre-filled from the request (its ticks too) → the front door acknowledges
it, asks for more information, and decides with a reason → the DSL sees the decision on the pupil's
chronology.

Every page on the way is screenshotted and checked with axe-core (``checkpoint``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.test_invitation_journey import main_nav_link, press_enter_on, sign_in, sign_out, success_banner, type_into
from portal.clock import UK, utcnow
from tests.support import PASSWORD
from tests.world import create_authority, create_organisation, create_user

PUPIL = ("Kacey", "Marsh")


SCHOOL = "Kingsmere Primary School"


@pytest.fixture(scope="module")
def people(live_server):
    """An authority of its own (the other journeys change their authority's settings), with a school, its
    member of staff and DSL, a front-door officer, and a pupil on the school's register."""
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from tenants.context import tenant_scope

    app = live_server.app
    authority_id = create_authority(app, "Kingsmere Safeguarding Children Partnership", "kingsmere", require_two_factor=False)
    school_id = create_organisation(app, authority_id, SCHOOL, "school", urn="654321", phase="primary")
    front_door_org = create_organisation(app, authority_id, "Kingsmere Children's Services Front Door", "social_care")
    staff = create_user(app, authority_id, "sam.teacher@kingsmere.example.org", "staff", school_id, full_name="Sam Taylor")
    dsl = create_user(app, authority_id, "morgan.dsl@kingsmere.example.org", "dsl", school_id, full_name="Morgan Price")
    officer = create_user(app, authority_id, "riley.frontdoor@kingsmere.example.org", "front_door", front_door_org, full_name="Riley Okoro")
    with app.app_context(), tenant_scope(authority_id):
        pupil = Pupil(organisation_id=school_id, legal_forename=PUPIL[0], legal_surname=PUPIL[1], date_of_birth=date(2016, 5, 9), year_group="5")
        db.session.add(pupil)
        db.session.commit()
    return {"staff": staff, "dsl": dsl, "officer": officer}


def check(page: Page, target: Locator) -> None:
    """Select a radio or tick a checkbox with the keyboard (focus, then Space)."""
    target.focus()
    expect(target).to_be_focused()
    page.keyboard.press("Space")
    expect(target).to_be_checked()


def follow(page: Page, link: Locator) -> None:
    """Open a link (or a link styled as a button) with Enter, and wait for the page it opens: not the one
    still showing when Enter is pressed (a loaded machine can take a moment to leave it)."""
    if (link.get_attribute("href") or "").startswith("#"):  # a link within the page: nothing to wait for
        press_enter_on(page, link)
        return
    page.evaluate("() => { window.__leaving = true; }")
    press_enter_on(page, link)
    page.wait_for_function("() => window.__leaving !== true")
    page.wait_for_load_state("load")


def signed_in_as(new_page, person, checkpoint, who: str) -> Page:
    page = new_page()
    page.goto("/sign-in")
    sign_in(page, person.email, PASSWORD)
    page.wait_for_url("**/home")
    checkpoint(page, f"{who} home")
    return page


def test_concern_to_advice_to_referral_to_decision_on_the_chronology(new_page, people, checkpoint):
    pupil_name = f"{PUPIL[0]} {PUPIL[1]}"
    happened = (utcnow() - timedelta(hours=1)).astimezone(UK)  # an hour ago by the clock the portal runs on, in UK time

    # A member of staff logs a concern.
    staff = signed_in_as(new_page, people["staff"], checkpoint, "staff")
    follow(staff, main_nav_link(staff, "Concerns"))
    checkpoint(staff, "staff concerns")
    follow(staff, staff.get_by_role("button", name="Log a concern"))
    type_into(staff, staff.get_by_label("Child's name"), PUPIL[0])
    with staff.expect_navigation():  # the search is a page load: wait for it before the screenshot
        press_enter_on(staff, staff.get_by_role("button", name="Search"))
    checkpoint(staff, "staff finds the child")
    follow(staff, staff.get_by_role("link", name=pupil_name))
    check(staff, staff.get_by_label("Neglect (hunger, hygiene, clothing, supervision)"))
    type_into(staff, staff.get_by_label("What did you see or hear?"), "Came in without a coat again and ate three pieces of toast at breakfast club.")
    type_into(staff, staff.get_by_label("What did the child say, in their own words? (optional)"), "There wasn't any tea last night.")
    type_into(staff, staff.get_by_label("Day"), str(happened.day))
    type_into(staff, staff.get_by_label("Month"), str(happened.month))
    type_into(staff, staff.get_by_label("Year"), str(happened.year))
    type_into(staff, staff.get_by_label("Time it happened"), happened.strftime("%H:%M"))
    checkpoint(staff, "staff concern form")
    press_enter_on(staff, staff.get_by_role("button", name="Log the concern"))
    expect(success_banner(staff)).to_be_visible()
    checkpoint(staff, "staff concern logged")
    sign_out(staff, checkpoint, "staff signed out")

    # The DSL is told, triages the concern and asks the front door for advice.
    dsl = signed_in_as(new_page, people["dsl"], checkpoint, "dsl")
    follow(dsl, main_nav_link(dsl, "Concerns"))
    checkpoint(dsl, "dsl concerns")
    follow(dsl, dsl.get_by_role("link", name=pupil_name).first)
    checkpoint(dsl, "dsl concern")
    follow(dsl, dsl.get_by_role("button", name="Triage this concern"))
    type_into(dsl, dsl.get_by_label("What action have you taken?"), "Spoke to the child and the class teacher; breakfast club place confirmed.")
    check(dsl, dsl.get_by_label("Advice asked of the front door"))
    checkpoint(dsl, "dsl triage form")
    press_enter_on(dsl, dsl.get_by_role("button", name="Save triage"))
    expect(success_banner(dsl)).to_be_visible()
    checkpoint(dsl, "dsl concern triaged")
    follow(dsl, dsl.get_by_role("link", name=f"Ask the front door for advice about {pupil_name}"))
    checkpoint(dsl, "dsl advice form")
    type_into(
        dsl, dsl.get_by_label("What do you want to ask the front door?"), "Third neglect concern this month. Does this meet the threshold for a referral?"
    )
    check(dsl, dsl.get_by_label("Neglect", exact=True))
    check(dsl, dsl.get_by_label("Low-level neglect: often hungry, tired or unkempt"))
    check(dsl, dsl.get_by_role("group", name="What level of need do you think this is? (optional)").get_by_label("Not sure"))
    check(dsl, dsl.get_by_label("Routine: within one working day"))
    press_enter_on(dsl, dsl.get_by_role("button", name="Send to the front door"))
    expect(success_banner(dsl)).to_be_visible()
    checkpoint(dsl, "dsl advice sent")

    # The front door takes the request and answers "proceed to referral".
    officer = signed_in_as(new_page, people["officer"], checkpoint, "front door")
    follow(officer, main_nav_link(officer, "Advice queue"))
    checkpoint(officer, "advice queue")
    follow(officer, officer.get_by_role("link", name=SCHOOL).first)
    press_enter_on(officer, officer.get_by_role("button", name="Take this request"))
    expect(success_banner(officer)).to_be_visible()
    checkpoint(officer, "advice taken")
    follow(officer, officer.get_by_role("button", name="Answer this request"))
    expect(officer.locator("#levels-of-need ~ dl").first).to_contain_text("Low-level neglect: often hungry, tired or unkempt")
    check(officer, officer.get_by_label("Proceed to a referral"))
    check(officer, officer.get_by_role("group", name="What level of need does the front door think this is?").get_by_label("Child in need", exact=True))
    type_into(officer, officer.get_by_label("Your answer to the school"), "Yes: with the child's own account and the pattern this month, please refer.")
    checkpoint(officer, "answer form")
    press_enter_on(officer, officer.get_by_role("button", name="Send the answer"))
    expect(success_banner(officer)).to_be_visible()
    checkpoint(officer, "advice answered")

    # The DSL starts the referral from the answer; it opens pre-filled, and they submit it.
    follow(dsl, main_nav_link(dsl, "Advice"))
    checkpoint(dsl, "dsl advice requests")
    follow(dsl, dsl.get_by_role("link", name=re.compile("open this request")).first)
    expect(dsl.get_by_text("please refer")).to_be_visible()
    checkpoint(dsl, "dsl reads the answer")
    follow(dsl, dsl.get_by_role("button", name="Start the referral"))
    checkpoint(dsl, "dsl starts the referral")
    press_enter_on(dsl, dsl.get_by_role("button", name="Start the referral"))
    dsl.wait_for_url("**/edit")
    expect(dsl.get_by_label("What happened?")).to_contain_text("Third neglect concern this month")
    expect(dsl.get_by_label("Neglect", exact=True)).to_be_checked()
    check(dsl, dsl.get_by_role("group", name="Is the child in immediate danger?").get_by_label("No"))
    check(dsl, dsl.get_by_role("group", name="Do the child's parents or carers know about this referral?").get_by_label("Yes"))
    check(dsl, dsl.get_by_label("Yes, and they gave it"))
    expect(dsl.get_by_label("Low-level neglect: often hungry, tired or unkempt")).to_be_checked()  # carried from the advice request
    check(dsl, dsl.get_by_label("Persistent neglect despite early help"))
    check(dsl, dsl.get_by_role("group", name="What level of need does the school think this is?").get_by_label("Child in need", exact=True))
    checkpoint(dsl, "dsl referral form")
    press_enter_on(dsl, dsl.get_by_role("button", name="Submit referral"))
    expect(dsl.get_by_role("heading", level=1)).to_contain_text("submitted")
    checkpoint(dsl, "dsl referral submitted")

    # The front door acknowledges it and asks for more information.
    follow(officer, main_nav_link(officer, "Referral queue"))
    checkpoint(officer, "referral queue")
    follow(officer, officer.get_by_role("link", name=pupil_name).first)
    press_enter_on(officer, officer.get_by_role("button", name="Acknowledge the referral"))
    expect(success_banner(officer)).to_be_visible()
    checkpoint(officer, "referral acknowledged")
    follow(officer, officer.get_by_role("button", name="Ask the school for more information"))
    type_into(officer, officer.get_by_role("textbox").first, "Has the family had early help before? Who else lives at home?")
    checkpoint(officer, "information request form")
    press_enter_on(officer, officer.get_by_role("button", name="Send"))
    expect(success_banner(officer)).to_be_visible()

    # The DSL gives the information.
    follow(dsl, main_nav_link(dsl, "Referrals"))
    checkpoint(dsl, "dsl referrals")
    follow(dsl, dsl.get_by_role("link", name=pupil_name).first)
    checkpoint(dsl, "dsl sees the request for information")
    follow(dsl, dsl.get_by_role("button", name="Give the information asked for"))
    type_into(dsl, dsl.get_by_role("textbox").first, "Early help in 2024 for six months. Mum, and an older brother aged 17.")
    press_enter_on(dsl, dsl.get_by_role("button", name="Send"))
    expect(success_banner(dsl)).to_be_visible()
    checkpoint(dsl, "dsl information given")

    # The front door decides; a decision without a reason is refused first.
    officer.reload()
    follow(officer, officer.get_by_role("button", name="Record the decision"))
    check(officer, officer.get_by_label("Child-in-need assessment (section 17)"))
    check(officer, officer.get_by_role("group", name="What level of need has the front door found?").get_by_label("Child in need", exact=True))
    press_enter_on(officer, officer.get_by_role("button", name="Record the decision"))
    expect(officer.locator(".govuk-error-summary")).to_contain_text("Enter the reason for the decision")
    checkpoint(officer, "decision without a reason")
    type_into(
        officer,
        officer.get_by_label("Reason for the decision"),
        "Pattern of neglect with the child's own account: a child-in-need assessment will start this week.",
    )
    press_enter_on(officer, officer.get_by_role("button", name="Record the decision"))
    expect(success_banner(officer)).to_be_visible()
    checkpoint(officer, "decision recorded")
    sign_out(officer, checkpoint, "front door signed out")

    # The DSL sees the decision, with its reason, on the pupil's chronology.
    dsl.reload()
    decision = dsl.locator("#decision")
    expect(decision).to_contain_text("Child-in-need assessment (section 17)")
    expect(decision).to_contain_text("a child-in-need assessment will start this week")
    checkpoint(dsl, "dsl sees the decision")
    follow(dsl, dsl.get_by_role("link", name=f"{PUPIL[0]} {PUPIL[1]}'s chronology"))
    expect(dsl.get_by_role("heading", level=1)).to_contain_text(pupil_name)
    expect(dsl.get_by_role("heading", name="Referral decision: Child-in-need assessment (section 17)")).to_be_visible()
    expect(dsl.get_by_role("heading", name=re.compile("^Concern logged"))).to_be_visible()
    expect(dsl.get_by_role("heading", name="Front-door advice: Proceed to a referral")).to_be_visible()
    checkpoint(dsl, "dsl chronology")
    sign_out(dsl, checkpoint, "dsl signed out")
