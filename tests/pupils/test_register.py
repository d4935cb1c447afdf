"""The pupil register pages: listing, searching and paging a school's pupils, adding a pupil, a pupil's
page, correcting their details, and two people correcting the same pupil at once."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from portal.clock import uk_today
from tests.admin.pages import field_error, input_value, page_text, table_rows
from tests.factories import make_concern, make_pupil, make_referral
from tests.support import audit_events, page_queries
from tests.world import add_membership

NEW = "/pupils/new"


def _form(**overrides) -> dict:
    data = {
        "legal_forename": "Amira",
        "legal_surname": "Sample",
        "preferred_name": "",
        "date_of_birth": ["2", "9", "2013"],
        "year_group": "8",
        "upn": "",
    }
    data.update(overrides)
    return data


def _detail_links(response) -> list[str]:
    return re.findall(r'href="/pupils/([0-9a-f-]{36})"', response.get_data(as_text=True))


def _next_link(response) -> str | None:
    match = re.search(r'<div class="govuk-pagination__next">\s*<a[^>]*href="([^"]+)"', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


# Adding a pupil -----------------------------------------------------------------------------------------


def test_dsl_adds_a_pupil_who_is_listed_and_audited(app, world, dsl, register):
    """Can a DSL add a pupil with a preferred name, UPN and flags, see them on the register with their
    legal name beside the preferred one and the flags as tags, and is it audited?"""
    response = dsl.post(NEW, data=_form(preferred_name="Ami", upn="A123456789012", flags=["looked_after", "eal"]))
    assert response.status_code == 302
    page = dsl.get(response.headers["Location"])
    assert "The pupil has been added to the register." in page_text(page)

    [pupil] = register(world.a)
    assert (pupil.legal_forename, pupil.preferred_name, pupil.date_of_birth, pupil.year_group, pupil.upn) == (
        "Amira",
        "Ami",
        date(2013, 9, 2),
        "8",
        "A123456789012",
    )
    assert (pupil.looked_after, pupil.eal, pupil.sen, pupil.child_protection_plan) == (True, True, False, False)

    [row] = table_rows(dsl.get("/pupils"))
    assert row == ["Ami Sample Legal name: Amira Sample", "2 September 2013", "Year 8", "Looked after EAL"]
    created = audit_events(app, world.a.authority_id, "pupil.created")
    assert [(e.actor_id, e.object_id, e.organisation_id) for e in created] == [(world.a.dsl1.id, str(pupil.id), world.a.school1)]


def test_missing_and_wrong_fields_are_shown_next_to_each_field(dsl, world, register):
    """Is each missing or wrong answer explained next to its field, what was typed kept, and nothing saved?"""
    response = dsl.post(NEW, data=_form(legal_forename="  ", legal_surname="", date_of_birth=["31", "2", "2015"], upn="a1234 5678 9012x", preferred_name="Ami"))
    assert response.status_code == 200
    assert field_error(response, "legal_forename") == "Enter the pupil's legal first name"
    assert field_error(response, "legal_surname") == "Enter the pupil's legal surname"
    assert field_error(response, "date_of_birth") == "Date of birth must be a real date, like 14 3 2015"
    assert field_error(response, "upn") == "Enter a UPN in the correct format, like A123456789012"
    assert "There is a problem" in page_text(response)
    assert input_value(response, "preferred_name") == "Ami"
    assert input_value(response, "upn") == "A123456789012X"
    assert register(world.a) == []


def test_date_of_birth_messages(awkward_moment, dsl, world, register):
    """Is a date of birth that is missing, partial, in the future or outside school age refused with a
    message that says which?"""
    today = uk_today()
    tomorrow = today + timedelta(days=1)  # not "the same day next year": there is no 29 February 2029
    cases = [
        (["", "", ""], "Enter the pupil's date of birth"),
        (["14", "", "2015"], "Date of birth must include a month"),
        (["", "", "2015"], "Date of birth must include a day and a month"),
        (["14", "3", "15"], "Date of birth must be a real date, like 14 3 2015"),
        ([str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)], "Date of birth must be in the past"),
        (["1", "1", str(today.year - 1)], "Date of birth would make the pupil 1 year old: a pupil must be aged 2 to 25"),
        (["1", "1", str(today.year - 30)], "Date of birth would make the pupil 30 years old: a pupil must be aged 2 to 25"),
    ]
    for parts, message in cases:
        response = dsl.post(NEW, data=_form(date_of_birth=parts))
        assert response.status_code == 200, parts
        assert field_error(response, "date_of_birth") == message, parts
    # What was typed is shown again in the three boxes.
    response = dsl.post(NEW, data=_form(date_of_birth=["31", "2", "2015"]))
    assert re.findall(r'name="date_of_birth"[^>]*value="(\d+)"', response.get_data(as_text=True)) == ["31", "2", "2015"]
    assert register(world.a) == []


def test_upn_check_letter_is_checked(dsl, world, register):
    """Is a UPN whose check letter does not match refused, and the same digits with the right letter
    (typed in lower case with spaces) accepted?"""
    response = dsl.post(NEW, data=_form(upn="B123456789012"))
    assert response.status_code == 200
    assert field_error(response, "upn").startswith("Enter a real UPN: the check letter")
    assert register(world.a) == []

    response = dsl.post(NEW, data=_form(upn="h801 2000 0100 1"))
    assert response.status_code == 302
    assert [p.upn for p in register(world.a)] == ["H801200001001"]


def test_a_upn_already_on_the_register_is_refused_next_to_the_upn(app, world, dsl, register):
    """Is a second pupil with a UPN already used at the school refused next to the UPN (while another
    school may use it)?"""
    make_pupil(app, world.a, upn="A123456789012")
    response = dsl.post(NEW, data=_form(upn="A123456789012"))
    assert response.status_code == 200
    assert field_error(response, "upn") == "Another pupil at this school already has this UPN"
    assert len(register(world.a)) == 1

    make_pupil(app, world.a, school="school2", upn="H801200001001")
    assert dsl.post(NEW, data=_form(upn="H801200001001")).status_code == 302


# The register ------------------------------------------------------------------------------------------


def test_register_shows_only_the_schools_pupils_on_roll_and_searches(app, world, dsl):
    """Does the register list the school's pupils on roll (not another school's, nor those who left
    unless asked), and find them by name or UPN?"""
    from portal.clock import utcnow

    make_pupil(app, world.a, legal_forename="Jordan", legal_surname="Example", upn="A123456789012")
    make_pupil(app, world.a, legal_forename="Alexandra", legal_surname="Smith", preferred_name="Lexi")
    make_pupil(app, world.a, legal_forename="Former", legal_surname="Pupil", left_at=utcnow())
    make_pupil(app, world.a, school="school2", legal_forename="Other", legal_surname="School")
    make_pupil(app, world.b, legal_forename="Brackley", legal_surname="Child")

    def names(url):
        return [row[0] for row in table_rows(dsl.get(url))]

    assert names("/pupils") == ["Jordan Example", "Lexi Smith Legal name: Alexandra Smith"]
    assert names("/pupils?left=1") == ["Jordan Example", "Former Pupil Left", "Lexi Smith Legal name: Alexandra Smith"]
    assert names("/pupils?q=lexi") == ["Lexi Smith Legal name: Alexandra Smith"]
    assert names("/pupils?q=alex+smi") == ["Lexi Smith Legal name: Alexandra Smith"]
    assert names("/pupils?q=a123+4567+89012") == ["Jordan Example"]
    assert names("/pupils?q=former&left=1") == ["Former Pupil Left"]
    assert table_rows(dsl.get("/pupils?q=100%25")) == [["No pupils match your search."]]


def test_a_dsl_of_two_schools_chooses_the_register(app, world, signed_in):
    """Can someone who is DSL at two schools switch between their registers, and only theirs?"""
    add_membership(app, world.a.dsl2, "dsl", world.a.school1)
    make_pupil(app, world.a, legal_forename="First", legal_surname="School")
    make_pupil(app, world.a, school="school2", legal_forename="Second", legal_surname="School")
    client = signed_in(world.a.dsl2)
    primary = client.get(f"/pupils?school={world.a.school1}")
    assert [r[0] for r in table_rows(primary)] == ["First School"]
    high = client.get(f"/pupils?school={world.a.school2}")
    assert [r[0] for r in table_rows(high)] == ["Second School"]
    assert "Avonford High School" in page_text(high) and "Avonford Primary School" in page_text(high)  # the chooser

    # Added at the school chosen.
    assert client.post(f"/pupils/new?school={world.a.school2}", data=_form()).status_code == 302
    assert [r[0] for r in table_rows(client.get(f"/pupils?school={world.a.school2}"))] == ["Amira Sample", "Second School"]


def test_register_pages_continue_without_repeats(world, dsl, many_pupils):
    """With more pupils than fit on a page, does each next page continue in name order where the last
    one stopped, with every pupil shown exactly once?"""
    many_pupils(world.a, 123)
    seen, names, url, pages = [], [], "/pupils", 0
    while url:
        response = dsl.get(url)
        assert response.status_code == 200
        seen += _detail_links(response)
        names += [row[0] for row in table_rows(response)]
        url = _next_link(response)
        pages += 1
    assert pages == 3
    assert len(seen) == 123 and len(set(seen)) == 123
    assert names == sorted(names, key=lambda n: (n.split()[1], n.split()[0]))
    assert "123 pupils" in page_text(dsl.get("/pupils"))


def test_register_issues_the_same_queries_for_5_and_60_pupils(app, world, dsl, many_pupils):
    """Does the register page cost the same number of SQL queries whatever the number of pupils (no
    query per row)?"""

    def queries() -> tuple[int, int]:
        count, response = page_queries(app, dsl, "/pupils")
        return count, len(table_rows(response))

    many_pupils(world.a, 5)
    dsl.get("/pupils")  # anything done once per client (not per page) is out of the way
    few, few_rows = queries()
    many_pupils(world.a, 55)
    many, many_rows = queries()
    assert (few_rows, many_rows) == (5, 50)
    assert few == many


# A pupil's page -----------------------------------------------------------------------------------------


def test_pupil_page_shows_details_counts_and_is_audited(app, world, dsl):
    """Does the pupil's page show their details and flags and how many concerns and referrals are still
    open, and is the view audited?"""
    pupil_id = make_pupil(app, world.a, preferred_name="Jo", upn="A123456789012", child_protection_plan=True, sen=True)
    other_id = make_pupil(app, world.a, legal_forename="Other")
    make_concern(app, world.a, pupil_id)
    make_concern(app, world.a, pupil_id)
    make_concern(app, world.a, other_id)
    make_referral(app, world.a, pupil_id)
    make_referral(app, world.a, pupil_id, steps=(("submit", "dsl1"),))

    response = dsl.get(f"/pupils/{pupil_id}")
    assert response.status_code == 200
    text = page_text(response)
    for expected in ("Jo Example", "Jordan Example", "14 March 2015", "Year 6", "A123456789012", "Child protection plan", "Special educational needs (SEN)"):
        assert expected in text, expected
    assert "Looked after" not in text
    assert "Concerns waiting for the DSL 2" in text
    assert "Referrals not yet decided (including drafts) 2" in text
    viewed = audit_events(app, world.a.authority_id, "record.viewed")
    assert [(e.object_type, e.object_id) for e in viewed] == [("pupil", str(pupil_id))]


def test_staff_may_not_open_a_pupil(app, world, signed_in):
    """Is a member of staff (who may log concerns about the school's pupils) refused the pupil's page
    and the register, audited?"""
    pupil_id = make_pupil(app, world.a)
    staff = signed_in(world.a.staff1)
    assert staff.get(f"/pupils/{pupil_id}").status_code == 403
    assert staff.get("/pupils").status_code == 403
    denied = audit_events(app, world.a.authority_id, "access.denied")
    assert [e.actor_id for e in denied] == [world.a.staff1.id, world.a.staff1.id]


# Correcting a pupil -------------------------------------------------------------------------------------


def _edit_data(response) -> dict:
    """What a browser sends back from the edit form as drawn (text inputs, date boxes, version)."""
    markup = response.get_data(as_text=True)
    data = {name: input_value(response, name) for name in ("legal_forename", "legal_surname", "preferred_name", "upn", "version")}
    data["date_of_birth"] = re.findall(r'name="date_of_birth"[^>]*value="(\d+)"', markup)
    data["year_group"] = re.search(r'<option value="([^"]*)" selected', markup).group(1)
    data["flags"] = re.findall(r'name="flags" type="checkbox" value="(\w+)" checked', markup)
    return data


def test_dsl_corrects_a_pupil_and_marks_them_as_left(app, world, dsl, register):
    """Can a DSL correct a pupil's details and record that they left, audited with the names of the
    changed fields only (no values)?"""
    pupil_id = make_pupil(app, world.a, sen=True)
    form = dsl.get(f"/pupils/{pupil_id}/edit")
    assert form.status_code == 200
    data = _edit_data(form)
    assert data["flags"] == ["sen"] and data["date_of_birth"] == ["14", "03", "2015"] and data["year_group"] == "6"
    data.update(legal_surname="Example-Jones", flags=["sen", "eal"], left="y")
    response = dsl.post(f"/pupils/{pupil_id}/edit", data=data)
    assert response.status_code == 302
    assert "The pupil's details have been updated." in page_text(dsl.get(response.headers["Location"]))

    [pupil] = register(world.a)
    assert (pupil.legal_surname, pupil.eal, pupil.sen, pupil.left_at is not None, pupil.version) == ("Example-Jones", True, True, True, 2)
    [updated] = audit_events(app, world.a.authority_id, "pupil.updated")
    assert updated.details == {"fields": ["eal", "left_at", "legal_surname"]}
    assert table_rows(dsl.get("/pupils")) == [["There are no pupils on roll. Add a pupil, or import the register from your school’s MIS."]]
    [row] = table_rows(dsl.get("/pupils?left=1"))
    assert row[0] == "Jordan Example-Jones Left"


def test_edit_errors_keep_what_was_typed_and_change_nothing(app, world, dsl, register):
    """Is a bad correction refused next to the field, with everything typed kept and nothing saved?"""
    pupil_id = make_pupil(app, world.a)
    data = _edit_data(dsl.get(f"/pupils/{pupil_id}/edit"))
    data.update(legal_forename="Jordana", upn="B123456789012")
    response = dsl.post(f"/pupils/{pupil_id}/edit", data=data)
    assert response.status_code == 200
    assert field_error(response, "upn").startswith("Enter a real UPN")
    assert input_value(response, "legal_forename") == "Jordana"
    [pupil] = register(world.a)
    assert (pupil.legal_forename, pupil.upn, pupil.version) == ("Jordan", None, 1)


def test_two_people_correcting_a_pupil_at_once(app, world, dsl, signed_in, register):
    """When the head saves a change while the DSL is editing, is the DSL's save refused with what is saved
    now shown, their own changes kept in the form, and nothing overwritten; and does saving again work?"""
    pupil_id = make_pupil(app, world.a)
    dsl_form = _edit_data(dsl.get(f"/pupils/{pupil_id}/edit"))
    head = signed_in(world.a.head1)
    head_form = _edit_data(head.get(f"/pupils/{pupil_id}/edit"))
    head_form.update(preferred_name="JJ")
    assert head.post(f"/pupils/{pupil_id}/edit", data=head_form).status_code == 302

    dsl_form.update(legal_surname="Example-Smith", year_group="7")
    response = dsl.post(f"/pupils/{pupil_id}/edit", data=dsl_form)
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this pupil’s details" in text
    assert "Preferred first name JJ" in text  # saved now
    assert input_value(response, "legal_surname") == "Example-Smith"  # what they typed
    assert input_value(response, "version") == "2"
    [pupil] = register(world.a)
    assert (pupil.preferred_name, pupil.legal_surname, pupil.year_group) == ("JJ", "Example", "6")

    resend = _edit_data(response)
    assert resend["year_group"] == "7"
    assert dsl.post(f"/pupils/{pupil_id}/edit", data=resend).status_code == 302
    [pupil] = register(world.a)
    # Their save, made knowingly against what is saved now, wins: the preferred name they left empty too.
    assert (pupil.preferred_name, pupil.legal_surname, pupil.year_group, pupil.version) == (None, "Example-Smith", "7", 3)


def test_no_childs_name_travels_in_the_session_cookie(app, world, dsl):
    """The confirmation after adding a pupil is carried to the next page in the (signed, not encrypted)
    session cookie: does it leave the child's name out?"""
    response = dsl.post(NEW, data=_form(legal_forename="Zebedee", legal_surname="Quartermain"))
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")]
    assert cookies, "the confirmation is in the session cookie"
    value = cookies[-1].split(";", 1)[0].split("=", 1)[1]
    session = app.session_interface.get_signing_serializer(app).loads(value)
    flashes = str(session.get("_flashes"))
    assert "has been added" in flashes
    assert "Zebedee" not in flashes and "Quartermain" not in flashes
