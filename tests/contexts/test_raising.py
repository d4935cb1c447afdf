"""Raising a context referral: who may, what the form asks and refuses, the two steps of the suggested
level, naming pupils, and a referral raised from a safety summit with its evidence."""

from __future__ import annotations

import pytest

from portal.contexts.models import ContextReferral, ContextReferralIndicator, ContextReferralPupil
from tests.admin.pages import page_text
from tests.contexts.support import form, indicator_ids, make_summit, notifications, rows
from tests.factories import make_pupil
from tests.referrals.support import error_next_to
from tests.support import audit_events, signed_in_client

NEW = "/context-referrals/new"


def _form(side, **changes):
    return form(organisation=str(side.school1), **changes)


def test_missing_and_wrong_answers_are_refused_next_to_their_fields_and_kept(app, world):
    """Does an empty or wrong first step say what is missing next to each question, keep what was typed,
    and save nothing?"""
    client = signed_in_client(app, world.a.dsl1)
    response = client.post(NEW, data={"organisation": str(world.a.school1), "check": "Continue", "concern": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_next_to(html, "subject") == "Select what you are referring: the school, a peer group or a place"
    assert error_next_to(html, "concern") == "Enter the concern"
    assert error_next_to(html, "categories") == "Select at least one kind of harm"

    data = _form(world.a, subject="location", place="", young_people_count="about six", check="Continue")
    response = client.post(NEW, data=data)
    html = response.get_data(as_text=True)
    assert error_next_to(html, "place") == "Describe the place"
    assert error_next_to(html, "young_people_count") == "Enter the number of young people as a whole number between 0 and 10,000, like 6"
    assert "Older men wait by the gates at lunchtime" in page_text(response)  # what was typed is kept
    assert rows(app, world.a, ContextReferral) == []


def test_the_first_step_suggests_a_level_and_the_second_asks_whether_they_agree(app, world):
    """Does the first submit show "The indicators you checked suggest: <level>" and the agree questions
    with nothing typed lost; does the send need an answer and a reason; and is the referral saved with its
    indicators, audited and sent to the front door and the panel members?"""
    client = signed_in_client(app, world.a.dsl1)
    checked = indicator_ids(app, world.a, "child_in_need")[:1] + indicator_ids(app, world.a, "child_protection")[1:2]
    step1 = client.post(NEW, data=_form(world.a, indicators=checked, check="Continue", agrees=None, level_reason=None))
    page = page_text(step1)
    assert "The indicators you checked suggest: Child protection" in page
    assert "Do you agree with this level?" in page and "Why do you think this is the right level?" in page
    assert "A group of Year 9 girls who leave together at lunchtime." in page
    html = step1.get_data(as_text=True)
    assert all(error_next_to(html, field) == "" for field in ("agrees", "level_reason"))  # asked, not refused yet
    assert (
        'name="suggested" type="hidden" value="child_protection"' in html
        or 'value="child_protection" name="suggested"' in html
        or 'name="suggested" value="child_protection"' in html
    )
    assert rows(app, world.a, ContextReferral) == []


@pytest.fixture
def panel_member(app, world):
    """A health partner named as a context panel member in the authority's settings."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db
    from tests.factories import _scope

    with _scope(app, world.a):
        db.session.add(AuthorityDuty(user_id=world.a.partner2.id, duty=Duty.CONTEXT_PANEL_MEMBER))
        db.session.commit()
    return world.a.partner2


def test_sending_saves_the_referral_with_its_indicators_audited_and_the_panel_is_told(app, world, panel_member):
    client = signed_in_client(app, world.a.dsl1)
    checked = indicator_ids(app, world.a, "child_in_need")[:2]
    missing = client.post(NEW, data=_form(world.a, indicators=checked, suggested="child_in_need", agrees=None, level_reason=" ", send="Send"))
    html = missing.get_data(as_text=True)
    assert error_next_to(html, "agrees") == "Select whether you agree with the suggested level"
    assert error_next_to(html, "level_reason") == "Enter why you think this is the right level"

    disagree = client.post(NEW, data=_form(world.a, indicators=checked, suggested="child_in_need", agrees="no", send="Send"))
    assert error_next_to(disagree.get_data(as_text=True), "level") == "Select the level you think it is"

    response = client.post(NEW, data=_form(world.a, indicators=checked, suggested="child_in_need", agrees="no", level="early_help", send="Send"))
    [referral] = rows(app, world.a, ContextReferral)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/context-referrals/{referral.id}")
    assert (referral.organisation_id, referral.subject.value, referral.subject_description) == (
        world.a.school1,
        "peer_group",
        "A group of Year 9 girls who leave together at lunchtime.",
    )
    assert (referral.young_people_count, referral.year_groups, referral.categories) == (6, ["9"], ["sexual_exploitation"])
    assert (referral.suggested_level.value, referral.agrees_with_suggestion, referral.referrer_level.value) == ("child_in_need", False, "early_help")
    assert referral.raised_by_id == world.a.dsl1.id and referral.raised_by_organisation_id == world.a.school1
    assert sorted(str(r.indicator_id) for r in rows(app, world.a, ContextReferralIndicator)) == sorted(checked)
    [event] = audit_events(app, world.a.authority_id, "context_referral.raised")
    assert event.object_id == str(referral.id) and event.details["threshold_version"] == 1
    assert notifications(app, world.a, world.a.front_door) == ["New context referral about Avonford Primary School"]
    assert notifications(app, world.a, panel_member) == ["New context referral about Avonford Primary School"]
    assert notifications(app, world.a, world.a.head1) == []  # raised by the school itself
    page = page_text(client.get(response.headers["Location"]))
    assert "Your context referral about Avonford Primary School has been sent to the context panel." in page
    assert "Checked against version 1" in page and "School has a high rate of fixed-term exclusions or managed moves" in page


def test_agreeing_keeps_the_suggested_level_and_a_change_of_indicators_is_noticed(app, world):
    """If the indicators change after the suggestion was shown, is the send refused with the new
    suggestion; when they agree, is the referrer's level the suggested one?"""
    client = signed_in_client(app, world.a.dsl1)
    protection = indicator_ids(app, world.a, "child_protection")[:1]
    changed = client.post(NEW, data=_form(world.a, indicators=protection, suggested="universal", send="Send"))
    assert error_next_to(changed.get_data(as_text=True), "agrees") == "The indicators you checked now suggest: Child protection. Say again whether you agree"
    assert rows(app, world.a, ContextReferral) == []

    client.post(NEW, data=_form(world.a, indicators=protection, suggested="child_protection", send="Send"))
    [referral] = rows(app, world.a, ContextReferral)
    assert (referral.suggested_level.value, referral.agrees_with_suggestion, referral.referrer_level.value) == ("child_protection", True, "child_protection")


def test_the_front_door_raises_about_any_school_and_the_school_is_told(app, world):
    client = signed_in_client(app, world.a.front_door)
    page = client.get(NEW)
    assert "Avonford Primary School" in page_text(page) and "Avonford High School" in page_text(page)
    response = client.post(NEW, data=form(organisation=str(world.a.school2), suggested="universal", send="Send"))
    assert response.status_code == 302
    [referral] = rows(app, world.a, ContextReferral)
    assert referral.organisation_id == world.a.school2 and referral.raised_by_organisation_id == world.a.social_care
    assert notifications(app, world.a, world.a.dsl2) == ["A context referral has been raised about Avonford High School"]
    assert notifications(app, world.a, world.a.dsl1) == []


def test_a_dsl_raises_only_about_their_own_school(app, world):
    client = signed_in_client(app, world.a.dsl1)
    assert "Avonford High School" not in page_text(client.get(NEW))
    response = client.post(NEW, data=form(organisation=str(world.a.school2), suggested="universal", send="Send"))
    assert error_next_to(response.get_data(as_text=True), "organisation") == "Select the school the referral is about"
    assert rows(app, world.a, ContextReferral) == []


@pytest.mark.parametrize("person_key", ["partner", "staff1", "governor1", "admin"])
def test_people_who_cannot_raise_are_refused(app, world, person_key):
    client = signed_in_client(app, world.a.people[person_key])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data=form(organisation=str(world.a.school1), suggested="universal", send="Send")).status_code == 403
    assert rows(app, world.a, ContextReferral) == []


# Naming pupils --------------------------------------------------------------------------------------


def test_the_dsl_names_pupils_from_their_own_register_only(app, world):
    """Does the DSL find pupils on their own school's register (not another school's), name them, and is
    a pupil of another school refused with a message (nothing saved)?"""
    own = make_pupil(app, world.a, legal_forename="Amira", legal_surname="Khan", year_group="9")
    other = make_pupil(app, world.a, school="school2", legal_forename="Amira", legal_surname="Jones", year_group="9")
    client = signed_in_client(app, world.a.dsl1)
    found = client.post(NEW, data=_form(world.a, pupil_search="amira", find="Find pupils"))
    page = page_text(found)
    assert "Amira Khan, Year 9" in page and "Amira Jones" not in page
    assert "Older men wait by the gates at lunchtime" in page  # nothing typed is lost
    assert error_next_to(found.get_data(as_text=True), "concern") == ""  # a search is not a submission

    refused = client.post(NEW, data=_form(world.a, pupils=[str(own), str(other)], suggested="universal", send="Send"))
    assert error_next_to(refused.get_data(as_text=True), "pupils") == (
        "Only pupils on the register of Avonford Primary School can be named. Remove the others, or describe them without names."
    )
    assert rows(app, world.a, ContextReferral) == []

    client.post(NEW, data=_form(world.a, pupils=[str(own)], suggested="universal", send="Send"))
    [referral] = rows(app, world.a, ContextReferral)
    assert [p.pupil_id for p in rows(app, world.a, ContextReferralPupil)] == [own]
    assert "Amira Khan" in page_text(client.get(f"/context-referrals/{referral.id}"))


def test_only_a_dsl_or_head_of_the_school_can_name_pupils(app, world):
    pupil = make_pupil(app, world.a)
    client = signed_in_client(app, world.a.front_door)
    assert "Search the school register" not in page_text(client.get(NEW))
    response = client.post(NEW, data=_form(world.a, pupils=[str(pupil)], suggested="universal", send="Send"))
    assert error_next_to(response.get_data(as_text=True), "pupils").startswith("Only the school's DSL or head can name pupils")
    assert rows(app, world.a, ContextReferral) == []


# From a safety summit -------------------------------------------------------------------------------


def test_an_organiser_raises_from_a_summit_with_its_evidence(app, world):
    """Is the evidence prefilled from the summit's findings and the unsafe squares of its maps, can the
    organiser choose among the host and the schools that accepted, and is the referral linked back?"""
    summit_id = make_summit(app, world.a, invited=(("school2", "accepted"),))
    client = signed_in_client(app, world.a.dsl1)
    page = client.get(f"{NEW}?summit_id={summit_id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "Evidence from the summit" in text
    assert "Girls feel unsafe at the bus station after school." in text
    assert "Square C2: 3 unsafe markers (the bus station)" in text and "Square A1: 1 unsafe marker" in text
    assert "the library" not in text  # safe markers are not unsafe places
    assert "Avonford Primary School" in text and "Avonford High School" in text

    evidence = "Findings: the bus station feels unsafe. Square C2: 3 unsafe markers."
    response = client.post(
        f"{NEW}?summit_id={summit_id}", data=form(organisation=str(world.a.school2), summit_evidence=evidence, suggested="universal", send="Send")
    )
    assert response.status_code == 302
    [referral] = rows(app, world.a, ContextReferral)
    assert (referral.organisation_id, referral.source_summit_id, referral.summit_evidence) == (world.a.school2, summit_id, evidence)
    assert referral.raised_by_organisation_id == world.a.school1
    assert notifications(app, world.a, world.a.dsl2) == ["A context referral has been raised about Avonford High School"]
    detail = client.get(response.headers["Location"])
    assert "Raised from the safety summit Summer safety summit" in page_text(detail)
    assert f'href="/summits/{summit_id}"' in detail.get_data(as_text=True)


def test_only_the_summits_organisers_raise_from_it_and_a_school_outside_it_gets_404(app, world):
    joined = make_summit(app, world.a, invited=(("school2", "accepted"),))
    outside = make_summit(app, world.a, invited=())
    client = signed_in_client(app, world.a.dsl2)
    assert client.get(f"{NEW}?summit_id={joined}").status_code == 403  # joined, but not an organiser
    assert client.get(f"{NEW}?summit_id={outside}").status_code == 404
    assert signed_in_client(app, world.a.partner).get(f"{NEW}?summit_id={joined}").status_code == 404
    assert signed_in_client(app, world.b.front_door).get(f"{NEW}?summit_id={joined}").status_code == 404


def test_a_named_organiser_from_a_partner_agency_raises_from_the_summit(app, world):
    """A police officer named as the summit's organiser raises it from the police (no names)."""
    from portal.extensions import db
    from portal.partnership.models import Participant, ParticipantRole
    from tests.factories import _scope

    summit_id = make_summit(app, world.a, invited=(("police", "accepted"),))
    with _scope(app, world.a):
        db.session.add(Participant(summit_id=summit_id, user_id=world.a.partner.id, role=ParticipantRole.ORGANISER, added_by_id=world.a.dsl1.id))
        db.session.commit()
    client = signed_in_client(app, world.a.partner)
    page = page_text(client.get(f"{NEW}?summit_id={summit_id}"))
    assert "Avonford Primary School" in page and "Search the school register" not in page
    client.post(f"{NEW}?summit_id={summit_id}", data=form(organisation=str(world.a.school1), suggested="universal", send="Send"))
    [referral] = rows(app, world.a, ContextReferral)
    assert referral.raised_by_organisation_id == world.a.police
    assert notifications(app, world.a, world.a.dsl1) == ["A context referral has been raised about Avonford Primary School"]


def test_pupils_found_on_the_register_while_raising_are_an_audited_read(app, world):
    """Is showing pupils' names from the register on the referral form audited (how many, not who)?"""
    make_pupil(app, world.a, legal_forename="Amira", legal_surname="Khan", year_group="9")
    client = signed_in_client(app, world.a.dsl1)
    client.get(NEW)
    assert [e for e in audit_events(app, world.a.authority_id, "record.viewed") if e.object_type == "pupil_search"] == []
    client.post(NEW, data=_form(world.a, pupil_search="amira", find="Find pupils"))
    [event] = [e for e in audit_events(app, world.a.authority_id, "record.viewed") if e.object_type == "pupil_search"]
    assert event.details == {"page": "contexts.new", "shown": 1, "named": 0}
    assert "Amira" not in str(event.details)
