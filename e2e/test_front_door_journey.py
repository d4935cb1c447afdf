"""The front door decides on what it needs, end to end, with the keyboard only:

a DSL submits a full referral, sharing the child's chronology → the front door reads the chronology from
the referral and decides.

Every page on the way is screenshotted and checked with axe-core (``checkpoint``).
"""

from __future__ import annotations

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


def test_a_full_referral_with_the_chronology_shared_and_the_front_doors_decision(new_page, people, checkpoint):
    pupil_name = f"{PUPIL[0]} {PUPIL[1]}"

    # The DSL starts a referral for Ruby from the register and sends it, sharing her chronology.
    dsl = signed_in_as(new_page, people["dsl"], checkpoint, "dsl")
    follow(dsl, main_nav_link(dsl, "Referrals"))
    follow(dsl, dsl.get_by_role("button", name="Start a referral"))
    type_into(dsl, dsl.get_by_label("Search by name"), PUPIL[0])
    with dsl.expect_navigation():
        press_enter_on(dsl, dsl.get_by_role("button", name="Search"))
    follow(dsl, dsl.get_by_role("link", name=f"Refer {pupil_name}"))
    press_enter_on(dsl, dsl.get_by_role("button", name="Start the referral"))
    dsl.wait_for_url("**/edit")
    check(dsl, dsl.get_by_label("Physical abuse", exact=True))
    type_into(dsl, dsl.get_by_label("What happened?"), "Finger-shaped bruising on her upper arm; today she told her teacher mum's boyfriend grabbed her.")
    type_into(dsl, dsl.get_by_label("What has the child said? Use their words"), "He grabs me when I don't go to my room quick enough.")
    check(dsl, dsl.get_by_role("group", name="Is the child in immediate danger?").get_by_label("No", exact=True))
    check(dsl, dsl.get_by_role("group", name="Do the child's parents or carers know about this referral?").get_by_label("No", exact=True))
    type_into(dsl, dsl.get_by_label("Why not?"), "Telling mum could put Ruby at risk from her partner.")
    check(dsl, dsl.get_by_label("Child protection", exact=True))
    shared = dsl.get_by_role("group", name=f"Can the front door read {pupil_name}'s chronology with this referral?")
    expect(shared.get_by_label("Yes", exact=True)).to_be_checked()
    checkpoint(dsl, "dsl full referral form")
    press_enter_on(dsl, dsl.get_by_role("button", name="Submit referral"))
    expect(dsl.get_by_role("heading", level=1)).to_contain_text("submitted")
    checkpoint(dsl, "dsl referral submitted")

    # The front door reads the chronology from the referral, acknowledges it and decides.
    officer = signed_in_as(new_page, people["officer"], checkpoint, "front door")
    follow(officer, main_nav_link(officer, "Referral queue"))
    follow(officer, officer.get_by_role("link", name=pupil_name).first)
    follow(officer, officer.get_by_role("link", name=f"Read {pupil_name}'s chronology"))
    expect(officer.get_by_role("heading", level=1)).to_have_text(f"{pupil_name}'s chronology")
    expect(officer.get_by_text("A bruise on her upper arm, in the shape of fingers; she said she fell.")).to_be_visible()
    checkpoint(officer, "front door reads the shared chronology")
    follow(officer, officer.get_by_role("link", name="Back to the referral"))
    press_enter_on(officer, officer.get_by_role("button", name="Acknowledge the referral"))
    expect(success_banner(officer)).to_be_visible()
    follow(officer, officer.get_by_role("button", name="Record the decision"))
    check(officer, officer.get_by_label("No further action"))
    type_into(officer, officer.get_by_label("Reason for the decision"), "Mum has separated from her partner, who has left the home; no further action.")
    checkpoint(officer, "front door decision form")
    press_enter_on(officer, officer.get_by_role("button", name="Record the decision"))
    expect(success_banner(officer)).to_be_visible()
    checkpoint(officer, "front door decision recorded")
