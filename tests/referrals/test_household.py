"""The referral's household, family and professionals: the child's address, who they live with and
consent on the draft's form; household members, significant adults, siblings and other agencies on small
pages of their own (add, change, remove after asking), what the front door sees, what the chronology
keeps, and who may change them when."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.admin.pages import page_text
from tests.factories import make_pupil, make_referral, make_referral_agency, make_referral_person
from tests.referrals.support import chronology_titles, error_next_to, form, referral, referrals
from tests.support import audit_events, sign_in

INFORMATION_REQUESTED = (("submit", "dsl1"), ("acknowledge", "front_door"), ("request_information", "front_door"))


def _client(app, person):
    client = app.test_client()
    sign_in(client, person)
    return client


def _rows(app, side, model, referral_id):
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(model).where(model.referral_id == referral_id).order_by(model.created_at)).scalars().all()
        db.session.expunge_all()
        return rows


def _people(app, side, referral_id):
    from portal.referrals.models import ReferralPerson

    return _rows(app, side, ReferralPerson, referral_id)


def _agencies(app, side, referral_id):
    from portal.referrals.models import ReferralAgency

    return _rows(app, side, ReferralAgency, referral_id)


def _chronology_substance(app, side, pupil_id, title):
    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        entry = db.session.execute(select(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil_id, ChronologyEntry.title == title)).scalar_one()
        return {line["label"]: line["text"] for line in entry.substance}


PERSON = {"name": "Dawn Example", "relationship": "Mother", "lives_in_household": "yes", "parental_responsibility": "yes", "version": ""}


# The draft's form: the child, consent ------------------------------------------------------------------


def test_a_new_draft_starts_from_what_the_register_holds_about_the_child(app, world):
    """Does a draft about a pupil the register marks EAL and SEN start with those under communication needs
    and disability, for the DSL to complete (and nothing for a pupil without them)?"""
    flagged = make_pupil(app, world.a, eal=True, sen=True)
    plain = make_pupil(app, world.a, legal_forename="Sam")
    client = _client(app, world.a.dsl1)
    for pupil_id in (flagged, plain):
        client.post(f"/referrals/new?pupil_id={pupil_id}")
    drafts: dict = {r.pupil_id: r for r in referrals(app, world.a)}
    assert drafts[flagged].communication_needs == "English is an additional language (school register)."
    assert drafts[flagged].disability == "Special educational needs (school register)."
    assert (drafts[plain].communication_needs, drafts[plain].disability) == (None, None)
    page = page_text(client.get(f"/referrals/{drafts[flagged].id}/edit"))
    assert "English is an additional language (school register)." in page


def test_the_childs_address_and_who_they_live_with_are_saved_with_the_draft(app, world):
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    client = _client(app, world.a.dsl1)
    data = form(
        address="14 Larch Close\r\nAvonford",
        lives_with="Mum and her partner",
        ethnicity="White British",
        religion="None",
        communication_needs="Uses Makaton",
        save="Save as draft",
    )
    assert client.post(f"/referrals/{referral_id}/edit", data=data).status_code == 302
    saved = referral(app, world.a, referral_id)
    assert (saved.address, saved.lives_with, saved.ethnicity, saved.religion, saved.communication_needs) == (
        "14 Larch Close\nAvonford",
        "Mum and her partner",
        "White British",
        "None",
        "Uses Makaton",
    )
    html = client.get(f"/referrals/{referral_id}/edit").get_data(as_text=True)
    assert "14 Larch Close" in html and 'value="White British"' in html


def test_submission_is_refused_until_consent_is_answered_and_nothing_typed_is_lost(app, world):
    """Is a referral without the consent question answered refused, the message next to the question, the
    rest saved as the draft; and "not sought" refused until the reason is given?"""
    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id)
    client = _client(app, world.a.dsl1)
    response = client.post(f"/referrals/{referral_id}/edit", data=form(consent=None, lives_with="Mum and Jack", submit_referral="Submit referral"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_next_to(html, "consent") == "Select whether consent to the referral was sought from the parents or carers"
    assert 'href="#consent"' in html and "Mum and Jack" in html
    saved = referral(app, world.a, referral_id)
    assert saved.status.value == "draft" and saved.lives_with == "Mum and Jack" and saved.consent is None

    response = client.post(f"/referrals/{referral_id}/edit", data=form(consent="not_sought", version=str(saved.version), submit_referral="Submit referral"))
    assert error_next_to(response.get_data(as_text=True), "consent_not_sought_reason").startswith("Enter why consent was not sought")
    saved = referral(app, world.a, referral_id)
    assert saved.status.value == "draft" and saved.consent.value == "not_sought"

    reason = "Asking could put the child at risk from mum's partner."
    response = client.post(
        f"/referrals/{referral_id}/edit",
        data=form(
            consent="not_sought",
            consent_not_sought_reason=reason,
            consent_refused_note="ignored",
            version=str(saved.version),
            submit_referral="Submit referral",
        ),
    )
    assert response.status_code == 302
    sent = referral(app, world.a, referral_id)
    assert sent.status.value == "submitted" and sent.consent_not_sought_reason == reason and sent.consent_refused_note is None


# Adding, changing and removing people and agencies -------------------------------------------------------


def test_a_household_button_on_the_form_saves_the_draft_first_then_opens_its_page(app, world):
    """Selecting "Add a household member" on the draft's form: is what was typed saved, then the page opened?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    client = _client(app, world.a.dsl1)
    response = client.post(f"/referrals/{referral_id}/edit", data=form(what_happened="Typed before adding mum.", then="household_new"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral_id}/household/new")
    assert referral(app, world.a, referral_id).what_happened == "Typed before adding mum."
    person_id = make_referral_person(app, world.a, referral_id)
    response = client.post(f"/referrals/{referral_id}/edit", data=form(version="2", then=f"person_remove:{person_id}"))
    assert response.headers["Location"].endswith(f"/referrals/{referral_id}/people/{person_id}/remove")
    # Anything else is only a save.
    response = client.post(f"/referrals/{referral_id}/edit", data=form(version="3", then="elsewhere:https://example.com"))
    assert response.headers["Location"].endswith(f"/referrals/{referral_id}/edit")


def test_adding_a_household_member_with_mistakes_shows_each_next_to_its_field_and_keeps_what_was_typed(app, world):
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    client = _client(app, world.a.dsl1)
    response = client.post(
        f"/referrals/{referral_id}/household/new",
        data={"name": "Craig Sutton", "relationship": "", "date_of_birth": ["31", "2", "1990"], "contact_details": "07700 900123", "version": ""},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_next_to(html, "relationship") == "Enter their relationship to the child"
    assert error_next_to(html, "lives_in_household") == "Select whether they live in the child's household"
    assert error_next_to(html, "parental_responsibility") == "Select whether they have parental responsibility, or that it is not known"
    assert error_next_to(html, "date_of_birth") == "The date of birth must be a real date, like 27 3 2012"
    assert 'value="Craig Sutton"' in html and "07700 900123" in html and 'value="31"' in html
    assert "There is a problem" in html
    assert _people(app, world.a, referral_id) == []


def test_adding_changing_and_removing_a_household_member_of_a_draft(app, world):
    """Is a household member added, changed and (after asking) removed, each audited, returning to the draft,
    and kept off the chronology while the referral is a draft?"""
    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id)
    client = _client(app, world.a.dsl1)
    response = client.post(
        f"/referrals/{referral_id}/household/new",
        data=dict(PERSON, date_of_birth=["3", "4", "1992"], first_language="Polish", interpreter_needed="y", contact_details="07700 900123"),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral_id}/edit#household")
    [mum] = _people(app, world.a, referral_id)
    assert (mum.kind.value, mum.name, mum.relationship, mum.date_of_birth, mum.lives_in_household, mum.parental_responsibility.value) == (
        "household",
        "Dawn Example",
        "Mother",
        date(1992, 4, 3),
        True,
        "yes",
    )
    assert (mum.first_language, mum.interpreter_needed, mum.contact_details) == ("Polish", True, "07700 900123")
    page = page_text(client.get(f"/referrals/{referral_id}/edit"))
    assert "Dawn Example (Mother)" in page and "Polish" in page

    html = client.get(f"/referrals/{referral_id}/people/{mum.id}").get_data(as_text=True)
    assert 'value="Dawn Example"' in html and 'value="1992"' in html
    response = client.post(f"/referrals/{referral_id}/people/{mum.id}", data=dict(PERSON, name="Dawn Smith", parental_responsibility="not_known", version="1"))
    assert response.status_code == 302
    [mum] = _people(app, world.a, referral_id)
    assert (mum.name, mum.parental_responsibility.value, mum.date_of_birth) == ("Dawn Smith", "not_known", None)

    assert "Are you sure you want to remove Dawn Smith from the referral?" in page_text(client.get(f"/referrals/{referral_id}/people/{mum.id}/remove"))
    assert _people(app, world.a, referral_id) != []
    response = client.post(f"/referrals/{referral_id}/people/{mum.id}/remove")
    assert response.status_code == 302 and _people(app, world.a, referral_id) == []

    actions = [e.action for e in audit_events(app, world.a.authority_id) if e.action.startswith("referral.person")]
    assert actions == ["referral.person_added", "referral.person_changed", "referral.person_removed"]
    assert not any(t.startswith("Referral: household") for t in chronology_titles(app, world.a, pupil_id))


def test_a_stale_change_of_a_person_is_refused(app, world):
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    person_id = make_referral_person(app, world.a, referral_id)
    first, second = _client(app, world.a.dsl1), _client(app, world.a.head1)
    assert first.post(f"/referrals/{referral_id}/people/{person_id}", data=dict(PERSON, name="First", version="1")).status_code == 302
    response = second.post(f"/referrals/{referral_id}/people/{person_id}", data=dict(PERSON, name="Second", version="1"), follow_redirects=True)
    assert "Someone else changed this person at the same moment" in page_text(response)
    [person] = _people(app, world.a, referral_id)
    assert person.name == "First"


def test_a_sibling_is_chosen_only_from_the_schools_own_register(app, world):
    """Does the sibling page offer the school's own pupils with the child's surname (never another school's,
    nor the child), link the one chosen (name, date of birth and school from the register), and refuse
    another school's pupil sent by hand?"""
    pupil_id = make_pupil(app, world.a, legal_forename="Ruby", legal_surname="Ingram")
    brother = make_pupil(app, world.a, legal_forename="Jack", legal_surname="Ingram", date_of_birth=date(2020, 9, 14))
    elsewhere = make_pupil(app, world.a, school="school2", legal_forename="Mia", legal_surname="Ingram")
    other = make_pupil(app, world.a, legal_forename="Leo", legal_surname="Ashdown")
    referral_id = make_referral(app, world.a, pupil_id)
    client = _client(app, world.a.dsl1)
    html = client.get(f"/referrals/{referral_id}/siblings/new").get_data(as_text=True)
    assert f'value="{brother}"' in html and "Jack Ingram, born 14 September 2020" in html
    for hidden in (elsewhere, other, pupil_id):
        assert str(hidden) not in html.split("<select", 1)[1].split("</select>", 1)[0]
    assert "Mia" not in html

    response = client.post(f"/referrals/{referral_id}/siblings/new", data={"pupil": str(elsewhere), "name": "", "version": ""})
    assert response.status_code == 400
    assert error_next_to(response.get_data(as_text=True), "pupil") == "Choose a pupil from the list, or that the sibling is not linked"
    response = client.post(f"/referrals/{referral_id}/siblings/new", data={"pupil": "", "name": "", "version": ""})
    assert error_next_to(response.get_data(as_text=True), "name") == "Enter the sibling's full name, or choose them from your register"
    assert _people(app, world.a, referral_id) == []

    assert (
        client.post(f"/referrals/{referral_id}/siblings/new", data={"pupil": str(brother), "name": "", "relationship": "Brother", "version": ""}).status_code
        == 302
    )
    [sibling] = _people(app, world.a, referral_id)
    assert (sibling.kind.value, sibling.name, sibling.date_of_birth, sibling.school, sibling.sibling_pupil_id) == (
        "sibling",
        "Jack Ingram",
        date(2020, 9, 14),
        "Avonford Primary School",
        brother,
    )
    # An unlinked sibling at another school, by name.
    data = {"pupil": "", "name": "Kai Ingram", "school": "Brackley College", "version": ""}
    assert client.post(f"/referrals/{referral_id}/siblings/new", data=data).status_code == 302
    assert [p.sibling_pupil_id for p in _people(app, world.a, referral_id)] == [brother, None]


def test_an_agency_needs_its_type_and_a_name_or_organisation(app, world):
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    client = _client(app, world.a.dsl1)
    response = client.post(f"/referrals/{referral_id}/agencies/new", data={"agency_type": "other", "other_type": "", "contact_details": "0113 496 0000"})
    html = response.get_data(as_text=True)
    assert error_next_to(html, "other_type") == "Enter which agency it is"
    assert error_next_to(html, "professional_name") == "Enter the professional's name or their organisation"
    assert "0113 496 0000" in html and _agencies(app, world.a, referral_id) == []
    response = client.post(
        f"/referrals/{referral_id}/agencies/new", data={"agency_type": "gp", "other_type": "dropped", "organisation": "Avonford Medical Centre"}
    )
    assert response.status_code == 302
    [gp] = _agencies(app, world.a, referral_id)
    assert (gp.agency_type.value, gp.other_type, gp.organisation) == ("gp", None, "Avonford Medical Centre")
    assert "GP" in page_text(client.get(f"/referrals/{referral_id}/edit"))
    client.post(f"/referrals/{referral_id}/agencies/{gp.id}", data={"agency_type": "school_nurse", "professional_name": "Sam Nurse", "version": "1"})
    assert client.post(f"/referrals/{referral_id}/agencies/{gp.id}/remove").status_code == 302
    assert _agencies(app, world.a, referral_id) == []
    actions = [e.action for e in audit_events(app, world.a.authority_id) if e.action.startswith("referral.agency")]
    assert actions == ["referral.agency_added", "referral.agency_changed", "referral.agency_removed"]


def test_a_person_of_another_referral_is_not_found_through_this_one(app, world):
    """Is a person or agency of one referral 404 (audited) through another referral of the same school?"""
    mine = make_referral(app, world.a, make_pupil(app, world.a))
    theirs = make_referral(app, world.a, make_pupil(app, world.a, legal_forename="Other"))
    person_id = make_referral_person(app, world.a, theirs)
    agency_id = make_referral_agency(app, world.a, theirs)
    client = _client(app, world.a.dsl1)
    assert client.get(f"/referrals/{mine}/people/{person_id}").status_code == 404
    assert client.post(f"/referrals/{mine}/people/{person_id}/remove").status_code == 404
    assert client.get(f"/referrals/{mine}/agencies/{agency_id}").status_code == 404
    assert len(_people(app, world.a, theirs)) == 1
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "access.not_found")][-1] == str(agency_id)


# Once the referral has been sent --------------------------------------------------------------------


def test_while_information_is_requested_changes_go_on_the_chronology_and_then_stop(app, world):
    """While the front door asks for more information, can the school add an agency from the referral's page,
    each change on the child's chronology; and once the information is provided, is nothing more changed?"""
    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id, steps=INFORMATION_REQUESTED)
    client = _client(app, world.a.dsl1)
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert f'href="/referrals/{referral_id}/agencies/new"' in page
    response = client.post(
        f"/referrals/{referral_id}/agencies/new", data={"agency_type": "camhs", "professional_name": "Jo Lane", "organisation": "Avonford CAMHS"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral_id}#household")
    assert "Referral: agency or professional added" in chronology_titles(app, world.a, pupil_id)
    substance = _chronology_substance(app, world.a, pupil_id, "Referral: agency or professional added")
    assert substance == {"Details": "Child and adolescent mental health services (CAMHS): Jo Lane, Avonford CAMHS"}

    client.post(f"/referrals/{referral_id}/provide-information", data={"comment": "Added CAMHS under agencies."})
    assert referral(app, world.a, referral_id).status.value == "information_provided"
    response = client.post(f"/referrals/{referral_id}/agencies/new", data={"agency_type": "gp", "organisation": "Too late"}, follow_redirects=True)
    assert "can no longer be changed" in page_text(response)
    assert [a.organisation for a in _agencies(app, world.a, referral_id)] == ["Avonford CAMHS"]
    assert f'href="/referrals/{referral_id}/agencies/new"' not in client.get(f"/referrals/{referral_id}").get_data(as_text=True)


def test_a_submitted_referral_cannot_be_changed_until_information_is_requested(app, world):
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), steps=(("submit", "dsl1"),))
    person_id = make_referral_person(app, world.a, referral_id)
    client = _client(app, world.a.dsl1)
    response = client.post(f"/referrals/{referral_id}/people/{person_id}/remove")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral_id}")
    assert len(_people(app, world.a, referral_id)) == 1


def test_the_front_door_sees_the_household_read_only_and_its_view_is_audited(app, world):
    from portal.referrals.models import AgencyType

    referral_id = make_referral(
        app, world.a, make_pupil(app, world.a), steps=INFORMATION_REQUESTED, address="14 Larch Close", lives_with="Mum and Jack", ethnicity="White British"
    )
    make_referral_person(app, world.a, referral_id, name="Craig Sutton", relationship="Mum's partner")
    make_referral_person(app, world.a, referral_id, "sibling", name="Jack Example")
    make_referral_agency(app, world.a, referral_id, agency_type=AgencyType.SCHOOL_NURSE)
    before = len(audit_events(app, world.a.authority_id, "record.viewed"))
    response = _client(app, world.a.front_door).get(f"/referrals/{referral_id}")
    assert response.status_code == 200
    text = page_text(response)
    for shown in ("14 Larch Close", "Mum and Jack", "White British", "Craig Sutton (Mum's partner)", "Jack Example (Brother)", "School nurse", "Dr Amir Shah"):
        assert shown in text, shown
    html = response.get_data(as_text=True)
    assert "/people/" not in html and "/agencies/" not in html and "Add a sibling" not in html
    viewed = audit_events(app, world.a.authority_id, "record.viewed")
    assert len(viewed) == before + 1 and viewed[-1].object_id == str(referral_id)


def test_what_the_chronology_keeps_of_a_submitted_referral_includes_the_household(app, world):
    from portal.referrals.models import AgencyType, Consent

    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(
        app,
        world.a,
        pupil_id,
        address="14 Larch Close\nAvonford",
        lives_with="Mum, her partner and Jack",
        consent=Consent.NOT_SOUGHT,
        consent_not_sought_reason="It would put the child at risk.",
    )
    make_referral_person(app, world.a, referral_id, name="Dawn Example", relationship="Mother", date_of_birth=date(1992, 4, 3), contact_details="07700 900123")
    make_referral_person(app, world.a, referral_id, "sibling", name="Jack Example", relationship="Brother", school="Avonford Primary School")
    make_referral_agency(app, world.a, referral_id)
    make_referral_agency(
        app, world.a, referral_id, agency_type=AgencyType.OTHER, other_type="Young carers' service", professional_name=None, organisation="Avonford Carers"
    )
    make_referral(app, world.a, pupil_id)  # (another draft, nothing to do with it)
    from tests.factories import _scope

    with _scope(app, world.a, world.a.dsl1):
        from portal.extensions import db
        from portal.referrals.models import Referral
        from portal.referrals.service import transition

        transition(db.session.execute(select(Referral).where(Referral.id == referral_id)).unique().scalar_one(), "submit", actor_id=world.a.dsl1.id)
        db.session.commit()
    substance = _chronology_substance(app, world.a, pupil_id, "Submitted by the school")
    assert substance["The child's address"] == "14 Larch Close\nAvonford"
    assert substance["Lives with"] == "Mum, her partner and Jack"
    assert substance["Household members and significant adults"] == (
        "Dawn Example (Mother), born 3 April 1992; lives with the child: yes; parental responsibility: yes; contact: 07700 900123"
    )
    assert substance["Siblings"] == "Jack Example (Brother); school: Avonford Primary School"
    assert substance["Other agencies and professionals"] == "GP: Dr Amir Shah, Example Medical Centre\nYoung carers' service: Avonford Carers"
    assert substance["Consent to the referral"] == "Not sought: It would put the child at risk."


def test_the_demo_referral_has_a_household(app):
    """Does `flask demo seed` give the demo referral about the first Oakfield pupil a household, a sibling
    linked to his record, a GP and a school nurse, and consent not sought with a reason?"""
    from portal.authorities.models import Authority
    from portal.extensions import db
    from portal.referrals.models import Consent, PersonKind, Referral, ReferralAgency, ReferralPerson, ReferralStatus
    from tenants.context import tenant_scope

    app.test_cli_runner().invoke(args=["demo", "seed"])
    with app.app_context():
        authorities = [a.id for a in db.session.execute(select(Authority)).scalars()]
    found = False
    for authority_id in authorities:
        with app.app_context(), tenant_scope(authority_id):
            sent = db.session.execute(select(Referral).where(Referral.status == ReferralStatus.SUBMITTED)).unique().scalars().all()
            for item in sent:
                people = db.session.execute(select(ReferralPerson).where(ReferralPerson.referral_id == item.id)).scalars().all()
                agencies = db.session.execute(select(ReferralAgency).where(ReferralAgency.referral_id == item.id)).scalars().all()
                if not people:
                    continue
                found = True
                assert [p.relationship for p in people] == ["Mother", "Mum's partner", "Brother"]
                [sibling] = [p for p in people if p.kind == PersonKind.SIBLING]
                assert sibling.sibling_pupil_id is not None
                assert sorted(a.agency_type.value for a in agencies) == ["gp", "school_nurse"]
                assert item.consent == Consent.NOT_SOUGHT and item.consent_not_sought_reason
    assert found


def test_deleting_a_draft_deletes_its_household_and_agencies(app, world):
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    make_referral_person(app, world.a, referral_id)
    make_referral_person(app, world.a, referral_id, "sibling")
    make_referral_agency(app, world.a, referral_id)
    response = _client(app, world.a.dsl1).post(f"/referrals/{referral_id}/delete")
    assert response.status_code == 302 and referral(app, world.a, referral_id) is None
    assert _people(app, world.a, referral_id) == [] and _agencies(app, world.a, referral_id) == []
