"""The planning checklist: the things to consider, agreed and saved with optimistic locking."""

from __future__ import annotations

from portal.assessments.planning import KEYS, QUESTIONS
from tests.assessments.support import assessment, make_assessment
from tests.referrals.support import error_next_to
from tests.support import audit_events, signed_in_client, text_of


def _form(version="1", **answers):
    data = {key: "" for key in KEYS}
    data.update(answers, version=version)
    return data


def test_the_planning_lists_the_things_to_consider(app, world):
    assessment_id = make_assessment(app, world.a)
    page = text_of(signed_in_client(app, world.a.dsl1).get(f"/school-assessments/{assessment_id}"))
    assert "0 of 7 agreed" in page and "Change the planning" not in page
    for _, question in QUESTIONS:
        assert question in page
    assert signed_in_client(app, world.a.dsl1).get(f"/school-assessments/{assessment_id}/planning").status_code == 403
    client = signed_in_client(app, world.a.assessor)
    assert "Who holds overall responsibility for this school assessment?" in text_of(client.get(f"/school-assessments/{assessment_id}/planning"))
    response = client.post(f"/school-assessments/{assessment_id}/planning", data=_form(responsibility="The adolescent service manager", conducts="  "))
    assert response.status_code == 302
    saved = assessment(app, world.a, assessment_id)
    assert saved.planning == {"responsibility": "The adolescent service manager"} and saved.version == 2
    [event] = audit_events(app, world.a.authority_id, "workspace.updated")
    assert event.details == {"planning": ["responsibility"]}
    assert "1 of 7 agreed" in text_of(signed_in_client(app, world.a.head1).get(f"/school-assessments/{assessment_id}"))


def test_a_stale_save_is_refused_and_the_first_save_is_kept(app, world):
    assessment_id = make_assessment(app, world.a)
    first, second = signed_in_client(app, world.a.assessor), signed_in_client(app, world.a.front_door)
    assert first.post(f"/school-assessments/{assessment_id}/planning", data=_form(collaboration="Weekly meetings with the DSL")).status_code == 302
    response = second.post(f"/school-assessments/{assessment_id}/planning", data=_form(collaboration="A termly visit", pathway="Through the context panel"))
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert response.status_code == 200
    assert "Someone else changed the planning while you were editing" in page
    assert "How are you going to work collaboratively with the school? Weekly meetings with the DSL A termly visit" in page
    assert "A termly visit" in html and "Through the context panel" in html  # still in the form
    assert 'name="version" type="hidden" value="2"' in html or 'value="2"' in html
    saved = assessment(app, world.a, assessment_id)
    assert saved.planning == {"collaboration": "Weekly meetings with the DSL"} and saved.version == 2
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "record.stale_save_refused")] == [str(assessment_id)]


def test_an_answer_too_long_is_explained_and_nothing_is_lost(app, world):
    assessment_id = make_assessment(app, world.a)
    client = signed_in_client(app, world.a.assessor)
    response = client.post(f"/school-assessments/{assessment_id}/planning", data=_form(pathway="x" * 5001, conducts="Two practice development officers"))
    html = response.get_data(as_text=True)
    assert error_next_to(html, "pathway") == "The answer must be 5,000 characters or fewer"
    assert "Two practice development officers" in html
    assert assessment(app, world.a, assessment_id).planning == {}
