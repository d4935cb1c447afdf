"""Opening a school assessment directly: a front-door manager or a context panel member opens it; the
school's DSLs and head join as collaborating members and are told; the list shows it by stage."""

from __future__ import annotations

from portal.assessments.models import AssessmentMember, AssessmentTransition, SchoolAssessment
from tests.assessments.support import give_duty, make_assessment, rows
from tests.referrals.support import error_next_to, notifications
from tests.support import audit_events, signed_in_client, text_of

REASON = "Several Year 9 girls are being groomed by older men who wait at the gates."


def _open(client, world, **changes):
    data = {"school": str(world.a.school1), "kind": "school_assessment", "reason": REASON, "lead": str(world.a.assessor.id)}
    data.update(changes)
    return client.post("/school-assessments/new", data=data)


def test_a_front_door_manager_opens_an_assessment_with_the_school(app, world):
    give_duty(app, world.a, "front_door", "front_door_manager")
    client = signed_in_client(app, world.a.front_door)
    page = text_of(client.get("/school-assessments/new"))
    assert "Avonford Primary School" in page and "Not named yet" in page
    response = _open(client, world)
    [made] = rows(app, world.a, SchoolAssessment)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/school-assessments/{made.id}")
    assert (made.trigger.value, made.kind.value, made.reason, made.lead_id, made.opened_by_id, made.stage.value) == (
        "direct_request",
        "school_assessment",
        REASON,
        world.a.assessor.id,
        world.a.front_door.id,
        "planning",
    )
    members = {(m.user_id, m.role.value) for m in rows(app, world.a, AssessmentMember, assessment_id=made.id)}
    assert members == {(world.a.assessor.id, "assessor"), (world.a.dsl1.id, "school"), (world.a.head1.id, "school")}
    [opened] = rows(app, world.a, AssessmentTransition, assessment_id=made.id)
    assert (opened.from_stage, opened.to_stage.value, opened.actor_id) == (None, "planning", world.a.front_door.id)
    [event] = audit_events(app, world.a.authority_id, "workspace.opened")
    assert event.object_id == str(made.id) and event.organisation_id == world.a.school1 and event.details["trigger"] == "direct_request"
    assert notifications(app, world.a, world.a.dsl1) == ["A school assessment of Avonford Primary School has been opened, to work on with you"]
    assert notifications(app, world.a, world.a.head1) == ["A school assessment of Avonford Primary School has been opened, to work on with you"]
    assert notifications(app, world.a, world.a.assessor) == ["You are the lead assessor of the school assessment of Avonford Primary School"]
    assert notifications(app, world.a, world.a.dsl2) == []
    page = text_of(client.get(f"/school-assessments/{made.id}"))
    assert "A direct request" in page and "not as an inspection" in page and "are not recorded" not in page


def test_a_context_panel_member_opens_one_without_a_lead(app, world):
    give_duty(app, world.a, "assessor", "context_panel_member")
    response = _open(signed_in_client(app, world.a.assessor), world, lead="", kind="self_assessment")
    [made] = rows(app, world.a, SchoolAssessment)
    assert response.status_code == 302 and made.lead_id is None and made.kind.value == "self_assessment"
    assert {m.role.value for m in rows(app, world.a, AssessmentMember, assessment_id=made.id)} == {"school"}


def test_a_panel_member_outside_social_care_may_not_open_one(app, world):
    """The panel is multi-agency: a partner or a school's DSL named to it does not open (or see) school
    assessments — those are social care's, with the school assessed."""
    for key in ("partner2", "dsl2"):
        give_duty(app, world.a, key, "context_panel_member")
        assert _open(signed_in_client(app, world.a.people[key]), world, lead="", kind="school_assessment").status_code == 403
    assert rows(app, world.a, SchoolAssessment) == []


def test_opening_explains_what_is_missing_and_saves_nothing(app, world):
    give_duty(app, world.a, "front_door", "front_door_manager")
    response = _open(signed_in_client(app, world.a.front_door), world, school="", reason="   ", lead=str(world.a.dsl1.id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_next_to(html, "school") == "Select the school"
    assert error_next_to(html, "reason") == "Enter why the school is being assessed"
    assert error_next_to(html, "lead") == "Not a valid choice."
    assert rows(app, world.a, SchoolAssessment) == []


def test_only_managers_and_panel_members_open_assessments(app, world):
    for key in ("front_door", "assessor", "dsl1", "head1", "partner", "admin"):
        client = signed_in_client(app, world.a.people[key])
        assert client.get("/school-assessments/new").status_code == 403, key
        assert _open(client, world).status_code == 403, key
    assert rows(app, world.a, SchoolAssessment) == []
    assert len(audit_events(app, world.a.authority_id, "access.denied")) == 12


def test_the_list_shows_assessments_by_stage_to_those_who_may_see_them(app, world):
    planning = make_assessment(app, world.a)
    fieldwork = make_assessment(app, world.a, school="school2", lead=None, stage="fieldwork", members={"partner": "partner"})
    page = text_of(signed_in_client(app, world.a.front_door).get("/school-assessments"))
    assert "Planning (1)" in page and "Fieldwork (1)" in page and "Avonford High School" in page
    assert "Open a school assessment" not in page
    dsl = signed_in_client(app, world.a.dsl1).get("/school-assessments").get_data(as_text=True)
    assert str(planning) in dsl and str(fieldwork) not in dsl
    partner = signed_in_client(app, world.a.partner).get("/school-assessments").get_data(as_text=True)
    assert str(fieldwork) in partner and str(planning) not in partner
    assert "There are no school assessments" in text_of(signed_in_client(app, world.a.partner2).get("/school-assessments"))
    for key in ("staff1", "governor1", "admin"):
        assert signed_in_client(app, world.a.people[key]).get("/school-assessments").status_code == 403, key
