"""The organisations screens: list, add, validate, edit, archive and restore, and two administrators
editing the same organisation at once."""

from __future__ import annotations

from portal.authorities.models import Organisation
from tests.admin.pages import field_error, input_value, page_text, table_rows
from tests.support import audit_events
from tests.world import load

ADD = "/admin/organisations/new"


def _names(response) -> list[str]:
    return [row[0] for row in table_rows(response)]


def _edit_fields(response) -> dict:
    """What a browser would send back from the edit form as it was drawn (the radios and select as saved)."""
    return {name: input_value(response, name) for name in ("name", "urn", "contact_email", "version")}


def test_list_shows_only_this_authoritys_organisations(admin, world):
    """Does the organisations list show A's schools and agencies, and none of B's?"""
    response = admin.get("/admin/organisations")
    assert response.status_code == 200
    names = _names(response)
    assert sorted(names) == sorted(
        ["Avonford Primary School", "Avonford High School", "Avonford Children's Services Front Door", "Avonford Police", "Avonford School Nursing Service"]
    )
    assert "Brackley" not in page_text(response)


def test_add_a_school_with_urn_and_phase(app, admin, world):
    """Can an administrator add a school with its URN and phase, see it listed, and is it audited?"""
    response = admin.post(ADD, data={"name": "Avonford Infant School", "kind": "school", "urn": "123456", "phase": "primary"})
    assert response.status_code == 302
    listing = admin.get(response.headers["Location"])
    assert "Avonford Infant School has been added." in page_text(listing)
    row = next(r for r in table_rows(listing) if r[0] == "Avonford Infant School")
    assert row[1:4] == ["School", "123456", "Primary"]
    created = audit_events(app, world.a.authority_id, "organisation.created")
    assert len(created) == 1
    assert created[0].actor_id == world.a.admin.id
    assert created[0].details == {"kind": "school"}


def test_missing_name_is_shown_next_to_the_name(admin, count, world):
    """Is a name left empty, or only spaces, refused next to the name field, with nothing added?"""
    for name in ("", "   "):
        response = admin.post(ADD, data={"name": name, "kind": "school", "urn": "", "phase": ""})
        assert response.status_code == 200, repr(name)
        assert field_error(response, "name") == "Enter the organisation's name", repr(name)
    assert count(Organisation, world.a.authority_id) == 5


def test_missing_kind_is_shown_next_to_the_kind(admin, count, world):
    """Is leaving out the kind of organisation refused next to the kind question, with nothing added?"""
    response = admin.post(ADD, data={"name": "Avonford Youth Service", "urn": "", "phase": ""})
    assert response.status_code == 200
    assert field_error(response, "kind") == "Select what kind of organisation it is"
    assert field_error(response, "name") is None
    assert count(Organisation, world.a.authority_id) == 5


def test_urn_must_be_six_digits(admin, count, world):
    """Is a URN that is not 6 digits refused, with the rule shown next to the URN?"""
    for urn in ("12345", "1234567", "12345A"):
        response = admin.post(ADD, data={"name": "Avonford Infant School", "kind": "school", "urn": urn, "phase": "primary"})
        assert response.status_code == 200, urn
        assert field_error(response, "urn") == "URN must be 6 digits, like 100234", urn
    assert count(Organisation, world.a.authority_id) == 5


def test_police_cannot_have_a_urn(admin, count, world):
    """Is a URN on a police organisation refused, saying only education settings have one?"""
    response = admin.post(ADD, data={"name": "Avonford Transport Police", "kind": "police", "urn": "123456", "phase": ""})
    assert response.status_code == 200
    assert field_error(response, "urn") == "Only schools, early years settings and colleges have a URN"
    assert count(Organisation, world.a.authority_id) == 5


def test_duplicate_urn_in_the_same_authority_is_refused(admin, count, world):
    """Is a URN another of A's organisations already has refused next to the URN field?"""
    taken = load(admin.application, Organisation, world.a.school1, world.a.authority_id).urn
    response = admin.post(ADD, data={"name": "Avonford Infant School", "kind": "school", "urn": taken, "phase": "primary"})
    assert response.status_code == 200
    assert "already has this URN" in field_error(response, "urn")
    assert count(Organisation, world.a.authority_id) == 5


def test_same_urn_as_another_authoritys_school_is_allowed(app, admin, count, world):
    """Can A use a URN that only an organisation in authority B has?"""
    b_urn = load(app, Organisation, world.b.school1, world.b.authority_id).urn
    response = admin.post(ADD, data={"name": "Avonford Cross-border Academy", "kind": "school", "urn": b_urn, "phase": "secondary"})
    assert response.status_code == 302
    assert count(Organisation, world.a.authority_id, urn=b_urn) == 1
    assert count(Organisation, world.b.authority_id, urn=b_urn) == 1


def test_edit_saves_and_is_audited(app, admin, world):
    """Does editing an organisation save the new name and contact email, and is the change audited?"""
    url = f"/admin/organisations/{world.a.school2}/edit"
    form = admin.get(url)
    assert form.status_code == 200
    data = _edit_fields(form) | {
        "kind": "school",
        "phase": "secondary",
        "name": "Avonford Academy",
        "contact_email": "Safeguarding@Avonford-Academy.example.org",
    }
    response = admin.post(url, data=data)
    assert response.status_code == 302
    listing = admin.get("/admin/organisations")
    assert "Avonford Academy" in _names(listing)
    assert "Avonford High School" not in _names(listing)
    saved = load(app, Organisation, world.a.school2, world.a.authority_id)
    assert saved.contact_email == "safeguarding@avonford-academy.example.org"
    updated = audit_events(app, world.a.authority_id, "organisation.updated")
    assert [e.object_id for e in updated] == [str(world.a.school2)]


def test_archive_hides_and_restore_brings_back(admin, world):
    """Does archiving take an organisation off the list (shown, marked Archived, only when asked for), and restoring put it back?"""
    response = admin.post(f"/admin/organisations/{world.a.police}/archive")
    assert response.status_code == 302
    assert "Avonford Police" not in _names(admin.get("/admin/organisations"))

    with_archived = admin.get("/admin/organisations?archived=1")
    row = next(r for r in table_rows(with_archived) if r[0].startswith("Avonford Police"))
    assert row[0] == "Avonford Police Archived"

    response = admin.post(f"/admin/organisations/{world.a.police}/restore")
    assert response.status_code == 302
    assert "Avonford Police" in _names(admin.get("/admin/organisations"))
    row = next(r for r in table_rows(admin.get("/admin/organisations?archived=1")) if r[0].startswith("Avonford Police"))
    assert row[0] == "Avonford Police"


def test_archive_and_restore_are_audited(app, admin, world):
    """Are archiving and restoring each recorded in the audit log against the organisation?"""
    admin.post(f"/admin/organisations/{world.a.police}/archive")
    admin.post(f"/admin/organisations/{world.a.police}/restore")
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "organisation.archived")] == [str(world.a.police)]
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "organisation.restored")] == [str(world.a.police)]


def test_second_save_on_a_stale_version_is_refused_then_succeeds(app, admin, admin2, world):
    """When two administrators edit the same organisation, is the later save refused, keeping what they
    typed and saving none of it, and does saving again then work?"""
    url = f"/admin/organisations/{world.a.school1}/edit"
    first_form, second_form = admin2.get(url), admin.get(url)
    version = input_value(first_form, "version")
    assert input_value(second_form, "version") == version

    first = _edit_fields(first_form) | {"kind": "school", "phase": "primary", "name": "Avonford Primary Academy"}
    assert admin2.post(url, data=first).status_code == 302

    second = _edit_fields(second_form) | {
        "kind": "school",
        "phase": "primary",
        "name": "Avonford Primary and Nursery",
        "contact_email": "dsl@avonford-primary.example.org",
    }
    refused = admin.post(url, data=second)
    assert refused.status_code == 200
    text = page_text(refused)
    assert "Someone else changed this organisation" in text
    assert input_value(refused, "name") == "Avonford Primary and Nursery"
    assert input_value(refused, "contact_email") == "dsl@avonford-primary.example.org"
    assert "Saved now Name Avonford Primary Academy" in text  # what is saved now, to compare
    saved = load(app, Organisation, world.a.school1, world.a.authority_id)
    assert (saved.name, saved.contact_email) == ("Avonford Primary Academy", None)
    assert len(audit_events(app, world.a.authority_id, "organisation.updated")) == 1

    again = _edit_fields(refused) | {"kind": "school", "phase": "primary"}
    assert admin.post(url, data=again).status_code == 302
    saved = load(app, Organisation, world.a.school1, world.a.authority_id)
    assert (saved.name, saved.contact_email) == ("Avonford Primary and Nursery", "dsl@avonford-primary.example.org")
    assert len(audit_events(app, world.a.authority_id, "organisation.updated")) == 2
