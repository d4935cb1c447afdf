"""A DSL asks the front door for advice: naming the child or not, finding the child on the school's
register, attaching files, and the messages shown when something is missing."""

from __future__ import annotations

import io
import re

from portal.advice.models import AdviceRequest, AdviceStatus
from portal.casework.models import Attachment, ChronologyEntry
from tests.admin.pages import field_error, page_text
from tests.factories import make_pupil
from tests.support import audit_events

NEW = "/advice/new"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _ask(client, **fields):
    data = {
        "name_child": "no",
        "question": "A Year 6 pupil has come to school hungry on four days this week. Should we refer?",
        "categories": ["neglect"],
        "urgency": "routine",
    }
    data.update(fields)
    return client.post(NEW, data=data)


def _checked(response, name: str) -> list[str]:
    """The values of the checked radios or checkboxes called ``name``."""
    markup = response.get_data(as_text=True)
    tags = [t for t in re.findall(r"<input\b[^>]*>", markup) if f'name="{name}"' in t and "checked" in t]
    return [re.search(r'value="([^"]*)"', t).group(1) for t in tags]


def test_dsl_asks_about_a_named_child(app, world, signed_in, front_door2, titles, rows):
    """Is a request naming the child saved, audited, put on the child's chronology, and sent to every
    front-door officer without the child's name in the notification?"""
    pupil_id = make_pupil(app, world.a, legal_forename="Kai", legal_surname="Brennan", year_group="6")
    dsl = signed_in(world.a.dsl1)
    form = dsl.get(f"{NEW}?pupil_id={pupil_id}")
    assert form.status_code == 200
    assert "Child: Kai Brennan, Year 6" in page_text(form)
    assert _checked(form, "name_child") == ["yes"]

    response = _ask(dsl, name_child="yes", pupil=str(pupil_id), categories=["neglect", "online_harm"], urgency="today")
    assert response.status_code == 302
    [advice] = rows(AdviceRequest, world.a.authority_id)
    assert response.headers["Location"].endswith(f"/advice/{advice.id}")
    assert advice.pupil_id == pupil_id
    assert advice.organisation_id == world.a.school1
    assert advice.requested_by_id == world.a.dsl1.id
    assert advice.categories == ["neglect", "online_harm"]
    assert advice.urgency.value == "today"
    assert advice.status == AdviceStatus.WAITING

    [event] = audit_events(app, world.a.authority_id, "advice.requested")
    assert event.actor_id == world.a.dsl1.id
    assert event.object_id == str(advice.id)
    assert event.details == {"urgency": "today", "named": "yes", "need_guidance_version": 1, "indicators": [], "dsl_view_level": "not_sure"}

    [line] = rows(ChronologyEntry, world.a.authority_id, pupil_id=pupil_id)
    assert (line.kind.value, line.title, line.object_id) == ("advice", "Advice asked of the front door", advice.id)

    expected = ["New request for advice from Avonford Primary School (urgent)"]
    assert titles(world.a.front_door) == expected
    assert titles(front_door2) == expected
    assert titles(world.a.dsl1) == []

    page = page_text(dsl.get(response.headers["Location"]))
    assert "Your request has been sent to the front door" in page
    assert "Kai Brennan, Year 6" in page
    assert "Neglect, Online harm" in page
    assert "Urgent: today, please" in page


def test_dsl_asks_without_naming_the_child(app, world, signed_in, front_door2, titles, rows):
    """Is an anonymous consultation saved with no pupil, even when the form was opened from a pupil, kept
    off every chronology, and shown as "No child named"?"""
    pupil_id = make_pupil(app, world.a, legal_forename="Kai", legal_surname="Brennan")
    dsl = signed_in(world.a.dsl1)
    response = _ask(dsl, name_child="no", pupil=str(pupil_id))
    assert response.status_code == 302
    [advice] = rows(AdviceRequest, world.a.authority_id)
    assert advice.pupil_id is None
    assert advice.organisation_id == world.a.school1
    assert audit_events(app, world.a.authority_id, "advice.requested")[0].details == {
        "urgency": "routine",
        "named": "no",
        "need_guidance_version": 1,
        "indicators": [],
        "dsl_view_level": "not_sure",
    }
    assert rows(ChronologyEntry, world.a.authority_id) == []
    assert titles(world.a.front_door) == ["New request for advice from Avonford Primary School"]
    assert titles(front_door2) == ["New request for advice from Avonford Primary School"]

    for client in (dsl, signed_in(world.a.front_door)):
        page = page_text(client.get(f"/advice/{advice.id}"))
        assert "No child named (anonymous consultation)" in page
        assert "Kai" not in page and "Brennan" not in page


def test_the_form_explains_anonymous_consultations_and_groups_extra_familial_harm(world, signed_in):
    """Does the form tell the DSL what to leave out when not naming the child, and mark the extra-familial harms?"""
    page = signed_in(world.a.dsl1).get(NEW)
    assert page.status_code == 200
    text = page_text(page)
    assert "Describe the situation without details that identify the child or family" in text
    assert "Online harm Extra-familial: harm outside the family home" in text
    assert "Neglect Extra-familial" not in text
    markup = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in markup and "novalidate" in markup


def test_a_question_and_a_kind_of_harm_are_required(app, world, signed_in, rows):
    """Are a missing question (or one of spaces) and no kind of harm refused next to their fields, keeping
    what was chosen, with nothing saved and nobody told?"""
    dsl = signed_in(world.a.dsl1)
    for question in ("", "   "):
        response = _ask(dsl, question=question, categories=[], urgency="today")
        assert response.status_code == 200
        assert field_error(response, "question") == "Enter your question for the front door"
        assert field_error(response, "categories") == "Select at least one kind of harm"
        assert "There is a problem" in page_text(response)
        assert _checked(response, "urgency") == ["today"]
        assert _checked(response, "name_child") == ["no"]
    response = _ask(dsl, urgency="", name_child="")
    assert field_error(response, "urgency") == "Select how soon you need an answer"
    assert field_error(response, "name_child") == "Select whether you want to name the child"
    assert "hungry on four days" in response.get_data(as_text=True)
    assert rows(AdviceRequest, world.a.authority_id) == []
    assert audit_events(app, world.a.authority_id, "advice.requested") == []


def test_naming_the_child_needs_a_child_chosen(world, signed_in, rows):
    """Is "Yes, name the child" with no child chosen refused next to the search, keeping the question?"""
    response = _ask(signed_in(world.a.dsl1), name_child="yes")
    assert response.status_code == 200
    assert field_error(response, "pupil_search") == "Search for the child by name, then select them"
    assert "hungry on four days" in response.get_data(as_text=True)
    assert rows(AdviceRequest, world.a.authority_id) == []


def test_search_finds_only_the_schools_own_pupils_and_keeps_the_question(app, world, signed_in, rows):
    """Does the name search list the DSL's own pupils only, keep what was typed, and can the DSL then choose
    the child found?"""
    ours = make_pupil(app, world.a, legal_forename="Jordan", legal_surname="Ashby")
    make_pupil(app, world.a, school="school2", legal_forename="Jordan", legal_surname="Farrow")
    make_pupil(app, world.a, legal_forename="Riley", legal_surname="Stone")
    dsl = signed_in(world.a.dsl1)
    response = _ask(dsl, name_child="yes", pupil_search="jordan", search="Search", urgency="today")
    assert response.status_code == 200
    text = page_text(response)
    assert "Jordan Ashby, Year 6" in text
    assert "Farrow" not in text and "Riley" not in text
    assert "hungry on four days" in response.get_data(as_text=True)
    assert _checked(response, "urgency") == ["today"]
    assert rows(AdviceRequest, world.a.authority_id) == []

    nothing = _ask(dsl, name_child="yes", pupil_search="zebedee", search="Search")
    assert "No pupils at your school match “zebedee”" in page_text(nothing)

    not_chosen = _ask(dsl, name_child="yes", pupil_search="jordan")
    assert field_error(not_chosen, "pupil") == "Select the child"
    assert "Jordan Ashby, Year 6" in page_text(not_chosen)

    saved = _ask(dsl, name_child="yes", pupil=str(ours))
    assert saved.status_code == 302
    assert [a.pupil_id for a in rows(AdviceRequest, world.a.authority_id)] == [ours]


def test_a_pupil_of_another_school_cannot_be_named(app, world, signed_in, rows):
    """Is a pupil of another school refused, whether opened by id (404) or posted in the form?"""
    theirs = make_pupil(app, world.a, school="school2")
    dsl = signed_in(world.a.dsl1)
    assert dsl.get(f"{NEW}?pupil_id={theirs}").status_code == 404
    response = _ask(dsl, name_child="yes", pupil=str(theirs))
    assert response.status_code == 200
    assert field_error(response, "pupil_search") == "Search for the child by name, then select them"
    assert rows(AdviceRequest, world.a.authority_id) == []


def test_attachments_are_kept_with_the_request(app, world, signed_in, rows):
    """Is a file chosen on the form kept with the request, audited, and listed on the request page?"""
    dsl = signed_in(world.a.dsl1)
    response = _ask(dsl, attachments=(io.BytesIO(PNG), "body-map.png"))
    assert response.status_code == 302
    [advice] = rows(AdviceRequest, world.a.authority_id)
    [attachment] = rows(Attachment, world.a.authority_id)
    assert attachment.advice_request_id == advice.id
    assert attachment.content_type == "image/png"
    assert [e.details["parent_id"] for e in audit_events(app, world.a.authority_id, "attachment.uploaded")] == [str(advice.id)]
    assert "body-map.png" in page_text(dsl.get(f"/advice/{advice.id}"))


def test_a_refused_file_is_named_and_nothing_is_saved(world, signed_in, rows):
    """Is a file that is not an accepted type refused next to the field, with the request not saved and
    the DSL told to choose their files again?"""
    response = _ask(signed_in(world.a.dsl1), attachments=(io.BytesIO(b"MZ\x90\x00 not really a document"), "notes.pdf"))
    assert response.status_code == 200
    assert field_error(response, "attachments").startswith("notes.pdf: The selected file must be")
    assert "choose them again" in page_text(response)
    assert rows(AdviceRequest, world.a.authority_id) == []


def test_a_dsl_of_two_schools_says_which_school_an_anonymous_request_is_from(app, world, signed_in, rows):
    """Must a DSL who works for two schools say which school an anonymous request is from, and is it saved there?"""
    from tests.world import add_membership

    add_membership(app, world.a.dsl1, "dsl", world.a.school2)
    dsl = signed_in(world.a.dsl1)
    response = _ask(dsl)
    assert response.status_code == 200
    assert field_error(response, "school") == "Select which school this is about"
    assert _ask(dsl, school=str(world.a.school2)).status_code == 302
    assert [a.organisation_id for a in rows(AdviceRequest, world.a.authority_id)] == [world.a.school2]


def test_opening_the_form_for_a_named_child_is_audited(app, world, signed_in):
    """The form opened from a child's record shows their name and year group: is that read recorded?"""
    pupil_id = make_pupil(app, world.a)
    dsl = signed_in(world.a.dsl1)
    assert "Jordan Example" in page_text(dsl.get(f"{NEW}?pupil_id={pupil_id}"))
    viewed = [e for e in audit_events(app, world.a.authority_id, "record.viewed") if e.object_type == "pupil"]
    assert [(e.actor_id, e.object_id, e.details) for e in viewed] == [(world.a.dsl1.id, str(pupil_id), {"page": "advice.new"})]
