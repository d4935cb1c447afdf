"""The identifiable-child check on shared resources: a new resource (title, description, note and the file's
name), a new version (its note and file name) and an edit of the details are stopped when they may identify a
child, with the matches shown and nothing typed lost, until changed or confirmed on the page that showed the
matches; a confirmation is audited with the kinds and how many, never the words."""

from __future__ import annotations

import html
import re
from io import BytesIO

from portal.forums.models import ForumResource, ForumResourceVersion
from tests.admin.pages import field_error, input_value, page_text
from tests.casework.conftest import TINY_PDF
from tests.factories import make_pupil
from tests.forums.test_resources import make_resource, resource_form, version_form
from tests.support import audit_events, detached_rows, signed_in_client

CONFIRM_ERROR = "Change what you wrote so no child can be identified from it, or confirm it is not about a real child"
CONFIRM_LABEL = "I confirm this is not about a real child and no child can be identified from it"


def textarea(response, name: str) -> str:
    return html.unescape(re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', response.get_data(as_text=True), re.S).group(1).strip())


def test_a_new_resource_that_may_identify_a_child_is_stopped_keeping_what_was_typed_until_confirmed(app, world):
    a = world.a
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")  # on dsl1's school's register
    dsl1 = signed_in_client(app, a.dsl1)
    typed = resource_form(
        title="Support plan template",
        description="Worked example: born 14/03/2015.",
        note="UPN A123456789012 removed?",
        file=(BytesIO(TINY_PDF), "Jordan_Example.pdf"),
    )
    response = dsl1.post("/network/resources/new", data=typed, content_type="multipart/form-data")
    assert response.status_code == 200 and page_text(response).startswith("Error:")
    text = page_text(response)
    assert "Your resource may identify a child" in text
    assert "Jordan Example : Matches the name of a pupil on your school's register." in text
    assert "14/03/2015 :" in text and "A123456789012 : Has the shape of a unique pupil number (UPN)." in text
    assert field_error(response, "confirm") == CONFIRM_ERROR and CONFIRM_LABEL in text
    assert "Your file has not been uploaded yet: select it again before you select Add the resource." in text
    assert input_value(response, "title") == "Support plan template"
    assert textarea(response, "description") == "Worked example: born 14/03/2015."
    assert textarea(response, "note") == "UPN A123456789012 removed?"
    assert detached_rows(app, ForumResource, a.authority_id) == []

    signature = input_value(response, "child_check")
    confirmed = {**typed, "file": (BytesIO(TINY_PDF), "Jordan_Example.pdf"), "confirm": "y", "child_check": signature}
    response = dsl1.post("/network/resources/new", data=confirmed, content_type="multipart/form-data")
    assert response.status_code == 302
    [resource] = detached_rows(app, ForumResource, a.authority_id)
    [event] = audit_events(app, a.authority_id, "forum.child_check_confirmed")
    assert (event.object_type, event.object_id, event.actor_id) == ("forum_resource", str(resource.id), a.dsl1.id)
    assert event.details == {"kinds": ["date_of_birth", "name", "upn"], "count": 3}
    assert all("Jordan" not in str(e.details) and "A123456789012" not in str(e.details) for e in audit_events(app, a.authority_id))


def test_a_resource_with_nothing_that_may_identify_a_child_is_added_without_the_confirmation(app, world):
    a = world.a
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    response = signed_in_client(app, a.dsl1).post("/network/resources/new", data=resource_form(), content_type="multipart/form-data")
    assert response.status_code == 302 and len(detached_rows(app, ForumResource, a.authority_id)) == 1
    assert audit_events(app, a.authority_id, "forum.child_check_confirmed") == []


def test_a_new_version_whose_note_or_file_name_may_identify_a_child_is_stopped_until_confirmed(app, world):
    a = world.a
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    resource_id, _first = make_resource(app, a)
    dsl1 = signed_in_client(app, a.dsl1)
    upload = version_form(filename="plan-for-jordan-example.pdf", note="Updated after the review.")
    response = dsl1.post(f"/network/resources/{resource_id}/versions", data=upload, content_type="multipart/form-data")
    assert response.status_code == 200
    text = page_text(response)
    assert "Your new version may identify a child" in text and "jordan-example : Matches the name of a pupil" in text
    assert field_error(response, "confirm") == CONFIRM_ERROR
    assert "select it again before you select Upload the new version" in text
    assert textarea(response, "note") == "Updated after the review."
    assert len(detached_rows(app, ForumResourceVersion, a.authority_id, resource_id=resource_id)) == 1

    upload = version_form(filename="plan-for-jordan-example.pdf", note="Updated after the review.")
    response = dsl1.post(
        f"/network/resources/{resource_id}/versions",
        data={**upload, "confirm": "y", "child_check": input_value(response, "child_check")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert len(detached_rows(app, ForumResourceVersion, a.authority_id, resource_id=resource_id)) == 2
    [event] = audit_events(app, a.authority_id, "forum.child_check_confirmed")
    assert (event.object_type, event.object_id, event.details) == ("forum_resource", str(resource_id), {"kinds": ["name"], "count": 1})


def test_an_edit_of_the_details_is_checked_too(app, world):
    a = world.a
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    resource_id, _first = make_resource(app, a)
    dsl1 = signed_in_client(app, a.dsl1)
    form = {"title": "Online safety policy template", "description": "As used with Jordan Example.", "category": "", "version": "1"}
    response = dsl1.post(f"/network/resources/{resource_id}/edit", data=form)
    assert response.status_code == 200 and field_error(response, "confirm") == CONFIRM_ERROR
    assert "Jordan Example : Matches the name of a pupil" in page_text(response) and "select it again" not in page_text(response)
    assert textarea(response, "description") == "As used with Jordan Example."
    assert detached_rows(app, ForumResource, a.authority_id)[0].description == "A model policy for primary schools."

    response = dsl1.post(f"/network/resources/{resource_id}/edit", data={**form, "confirm": "y", "child_check": input_value(response, "child_check")})
    assert response.status_code == 302
    assert detached_rows(app, ForumResource, a.authority_id)[0].description == "As used with Jordan Example."
    [event] = audit_events(app, a.authority_id, "forum.child_check_confirmed")
    assert (event.object_type, event.object_id, event.details) == ("forum_resource", str(resource_id), {"kinds": ["name"], "count": 1})


def test_a_confirmation_sent_before_the_warning_was_shown_saves_no_resource(app, world):
    a = world.a
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    resource_id, _first = make_resource(app, a)
    dsl1 = signed_in_client(app, a.dsl1)
    response = dsl1.post("/network/resources/new", data=resource_form(title="Plan for Jordan Example", confirm="y"), content_type="multipart/form-data")
    assert response.status_code == 200 and field_error(response, "confirm") == CONFIRM_ERROR
    response = dsl1.post(
        f"/network/resources/{resource_id}/versions", data={**version_form(note="For Jordan Example"), "confirm": "y"}, content_type="multipart/form-data"
    )
    assert response.status_code == 200 and field_error(response, "confirm") == CONFIRM_ERROR
    edit = {"title": "Plan for Jordan Example", "description": "", "category": "", "version": "1", "confirm": "y"}
    response = dsl1.post(f"/network/resources/{resource_id}/edit", data=edit)
    assert response.status_code == 200 and field_error(response, "confirm") == CONFIRM_ERROR
    assert [r.title for r in detached_rows(app, ForumResource, a.authority_id)] == ["Online safety policy template"]
    assert len(detached_rows(app, ForumResourceVersion, a.authority_id)) == 1
    assert audit_events(app, a.authority_id, "forum.child_check_confirmed") == []
