"""Methods and evidence of a school assessment: adding a method (a focus group, a review, a survey...) linked
to the findings it supports, seeing it on the methods page and under each finding on the triangle, bad input
explained next to each field, only the assessment's own findings linked, and a stale save refused."""

from __future__ import annotations

import uuid
from datetime import date

from portal.assessments.models import AssessmentMethod, MethodFinding, MethodKind
from tests.admin.pages import field_error, page_text
from tests.assessments.triangle_support import make_assessment, make_finding
from tests.factories import _scope
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import load

#: A method's form with every answer (the findings are added by each test).
METHOD = {
    "kind": "focus_group_staff",
    "held_on": ["4", "3", "2026"],
    "participants": "12",
    "who_took_part": "Teaching and support staff from Years 7 to 11",
    "found": "Staff know who the designated safeguarding lead is, but few feel confident to challenge sexualised language.",
}


def method_form(**changes) -> dict:
    return {**METHOD, **changes}


def make_method(
    app,
    side,
    assessment_id,
    *,
    by: str = "assessor",
    kind: str = "survey",
    found: str = "Most students feel safe in lessons, fewer at the bus stop.",
    findings=(),
) -> uuid.UUID:
    with _scope(app, side, side.people[by]):
        from portal.extensions import db

        method = AssessmentMethod(
            assessment_id=assessment_id,
            kind=MethodKind(kind),
            held_on=date(2026, 2, 10),
            participants=120,
            who_took_part="Years 8 to 10",
            found=found,
            author_id=side.people[by].id,
        )
        db.session.add(method)
        db.session.flush()
        db.session.add_all(MethodFinding(method_id=method.id, finding_id=f) for f in findings)
        db.session.commit()
        return method.id


def _three_findings(app, side, assessment_id) -> dict[str, uuid.UUID]:
    texts = {
        "pupil_development": "Sexualised name-calling between Year 9 pupils is seen as banter.",
        "guardianship": "Staff know who the designated safeguarding lead is.",
        "environment": "Older men wait at the bus stop by the school gates.",
    }
    return {
        domain: make_finding(app, side, assessment_id, domain=domain, text=text, rating="strength" if domain == "guardianship" else "concern")
        for domain, text in texts.items()
    }


def test_a_focus_group_linked_to_a_finding_in_each_domain_shows_on_the_methods_page_and_the_triangle(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    findings = _three_findings(app, a, assessment_id)
    assessor = signed_in_client(app, a.assessor)

    form = page_text(assessor.get(f"/school-assessments/{assessment_id}/methods/new"))
    assert "Which findings does it support?" in form
    assert "Pupil development needs: Sexualised name-calling between Year 9 pupils is seen as banter. Concern" in form
    assert "Guardianship capacity: Staff know who the designated safeguarding lead is. Strength" in form
    assert "Groups and year groups" in form and "Never write names." in form

    response = assessor.post(f"/school-assessments/{assessment_id}/methods/new", data=method_form(findings=[str(f) for f in findings.values()]))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/school-assessments/{assessment_id}/methods")
    [method] = detached_rows(app, AssessmentMethod, a.authority_id)
    assert (method.kind, method.held_on, method.participants, method.author_id) == (MethodKind.FOCUS_GROUP_STAFF, date(2026, 3, 4), 12, a.assessor.id)
    assert {link.finding_id for link in detached_rows(app, MethodFinding, a.authority_id)} == set(findings.values())
    [event] = audit_events(app, a.authority_id, "assessment.method_added")
    assert (event.object_id, event.actor_id, event.details["kind"]) == (str(method.id), a.assessor.id, "focus_group_staff")

    # The school's DSL sees it on the methods page, newest first, with the findings it supports.
    make_method(app, a, assessment_id, kind="observation", found="The corridor by the sports hall has no staff at break.")
    dsl = signed_in_client(app, a.dsl1)
    page = dsl.get(f"/school-assessments/{assessment_id}/methods")
    text = page_text(page)
    assert "Focus group with staff, 4 March 2026" in text
    assert text.index("Focus group with staff, 4 March 2026") < text.index("Observation of the school environment, 10 February 2026")
    assert "Who took part 12 people Teaching and support staff from Years 7 to 11" in text
    assert "Older men wait at the bus stop by the school gates. (concern)" in text
    assert f'href="/school-assessments/{assessment_id}/triangle#finding-{findings["guardianship"]}"' in page.get_data(as_text=True)
    assert "Added by " + a.assessor.full_name in text
    assert "Add a method" in text  # the school adds methods too
    assert "/edit" not in page.get_data(as_text=True).split("<main", 1)[1]  # the assessor's methods are theirs to edit

    # Under each finding on the triangle.
    triangle = page_text(dsl.get(f"/school-assessments/{assessment_id}/triangle"))
    assert triangle.count("Supported by Focus group with staff, 4 March 2026") == 3

    # The detail page links to the methods.
    assert f'href="/school-assessments/{assessment_id}/methods"' in dsl.get(f"/school-assessments/{assessment_id}").get_data(as_text=True)


def test_the_schools_dsl_adds_a_method_and_a_finding_of_another_assessment_is_refused(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    own = make_finding(app, a, assessment_id, domain="guardianship", rating="strength")
    other = make_finding(app, a, make_assessment(app, a), text="A finding of another assessment.")
    dsl = signed_in_client(app, a.dsl1)
    url = f"/school-assessments/{assessment_id}/methods/new"

    response = dsl.post(url, data=method_form(kind="policy_review", participants="", who_took_part="", findings=[str(own), str(other)]))
    assert response.status_code == 200
    assert field_error(response, "findings") == "Select only findings of this assessment"
    assert "A finding of another assessment." not in page_text(response)
    assert detached_rows(app, AssessmentMethod, a.authority_id) == []

    assert dsl.post(url, data=method_form(kind="policy_review", participants="", who_took_part="", findings=[str(own)])).status_code == 302
    [method] = detached_rows(app, AssessmentMethod, a.authority_id)
    assert (method.kind, method.participants, method.who_took_part, method.author_id) == (MethodKind.POLICY_REVIEW, None, None, a.dsl1.id)
    assert [link.finding_id for link in detached_rows(app, MethodFinding, a.authority_id)] == [own]
    assert audit_events(app, a.authority_id, "assessment.method_added")[-1].actor_id == a.dsl1.id


def test_bad_input_is_explained_next_to_each_field_and_what_was_typed_is_kept(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    assessor = signed_in_client(app, a.assessor)
    url = f"/school-assessments/{assessment_id}/methods/new"

    response = assessor.post(url, data={"held_on": ["", "", ""], "participants": "about ten", "who_took_part": "Year 11 girls", "found": "  "})
    assert response.status_code == 200
    assert page_text(response).startswith("Error:")
    assert field_error(response, "kind") == "Select the method"
    assert field_error(response, "held_on") == "Enter the date of the method"
    assert field_error(response, "participants") == "Enter how many took part as a whole number, like 12, or leave it empty"
    assert field_error(response, "found") == "Enter what was found"
    assert "Year 11 girls" in response.get_data(as_text=True)
    assert "The assessment has no findings yet." in page_text(response)

    for held_on, participants, message in (
        (["4", "3", "2999"], "-3", "The date must be today or in the past"),
        (["31", "2", "2026"], "12", "The date must be a real date, like 4 3 2026"),
    ):
        response = assessor.post(url, data=method_form(held_on=held_on, participants=participants))
        assert field_error(response, "held_on") == message
    assert field_error(assessor.post(url, data=method_form(participants="-3")), "participants") is not None
    assert detached_rows(app, AssessmentMethod, a.authority_id) == []


def test_two_editors_the_second_is_refused_with_what_changed_and_the_first_is_kept(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    first_finding = make_finding(app, a, assessment_id, domain="guardianship", rating="strength", text="Students trust their form tutors.")
    second_finding = make_finding(app, a, assessment_id, domain="environment", text="The bus stop is unsupervised.")
    method_id = make_method(app, a, assessment_id, by="dsl1", findings=[first_finding])
    dsl, assessor = signed_in_client(app, a.dsl1), signed_in_client(app, a.assessor)
    url = f"/school-assessments/methods/{method_id}/edit"
    for client in (dsl, assessor):
        html = client.get(url).get_data(as_text=True)
        assert 'name="version" type="hidden" value="1"' in html and 'value="120"' in html and 'value="2026"' in html
        assert f'value="{first_finding}" checked' in html and f'value="{second_finding}" checked' not in html

    mine = {
        "kind": "survey",
        "held_on": ["10", "2", "2026"],
        "participants": "120",
        "who_took_part": "Years 8 to 10",
        "found": "Most students feel safe in lessons, fewer at the bus stop.",
        "version": "1",
    }
    assert dsl.post(url, data=mine | {"findings": [str(first_finding), str(second_finding)]}).status_code == 302
    response = assessor.post(url, data=mine | {"participants": "118", "findings": [str(first_finding)]})

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this method while you were editing" in text
    assert (
        "Findings it supports Guardianship capacity: Students trust their form tutors.; Environmental and family factors: The bus stop is unsupervised. Guardianship capacity: Students trust their form tutors."
        in text
    )
    assert "How many took part 120 118" in text
    html = response.get_data(as_text=True)
    assert 'value="118"' in html.split("<form", 1)[1]
    assert '<input id="version" name="version" type="hidden" value="2">' in html
    saved = load(app, AssessmentMethod, method_id, a.authority_id)
    assert (saved.participants, saved.version) == (120, 2)
    assert {link.finding_id for link in detached_rows(app, MethodFinding, a.authority_id)} == {first_finding, second_finding}
    refused = audit_events(app, a.authority_id, "record.stale_save_refused")
    assert [(e.object_type, e.object_id, e.actor_id) for e in refused] == [("assessment_method", str(method_id), a.assessor.id)]
    assert [e.details["fields"] for e in audit_events(app, a.authority_id, "assessment.method_updated")] == [["findings"]]

    # Saving again against the version now replaces the set of findings.
    assert assessor.post(url, data=mine | {"participants": "118", "findings": [str(second_finding)], "version": "2"}).status_code == 302
    assert (
        load(app, AssessmentMethod, method_id, a.authority_id).participants,
        [link.finding_id for link in detached_rows(app, MethodFinding, a.authority_id)],
    ) == (118, [second_finding])
