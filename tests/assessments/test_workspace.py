"""The workspace: stages moved by those who run the assessment (each recorded with who and when), its
members, and its notes (assessor-only notes never reach the school)."""

from __future__ import annotations

from portal.assessments.models import AssessmentMember, AssessmentNote, AssessmentTransition
from tests.assessments.support import assessment, make_assessment, make_note, member_id, rows
from tests.referrals.support import error_next_to, notifications
from tests.support import audit_events, signed_in_client, text_of


def _move(client, assessment_id, to, comment=""):
    return client.post(f"/school-assessments/{assessment_id}/stage", data={"to": to, "comment": comment})


def test_the_lead_moves_the_stages_and_each_move_is_recorded(app, world):
    assessment_id = make_assessment(app, world.a)
    client = signed_in_client(app, world.a.assessor)
    assert "Move to fieldwork" in text_of(client.get(f"/school-assessments/{assessment_id}"))
    for stage in ("fieldwork", "analysis", "plan_agreed", "review", "closed"):
        assert _move(client, assessment_id, stage).status_code == 302, stage
    assert assessment(app, world.a, assessment_id).stage.value == "closed"
    moves = sorted(rows(app, world.a, AssessmentTransition, assessment_id=assessment_id), key=lambda t: t.created_at)
    assert [(t.from_stage.value if t.from_stage else None, t.to_stage.value) for t in moves] == [
        (None, "planning"),
        ("planning", "fieldwork"),
        ("fieldwork", "analysis"),
        ("analysis", "plan_agreed"),
        ("plan_agreed", "review"),
        ("review", "closed"),
    ]
    assert {t.actor_id for t in moves[1:]} == {world.a.assessor.id} and all(t.created_at for t in moves)
    events = audit_events(app, world.a.authority_id, "assessment.stage_changed")
    assert [e.details["to"] for e in events] == ["fieldwork", "analysis", "plan_agreed", "review", "closed"]
    assert notifications(app, world.a, world.a.dsl1, "now at")[0] == "School assessment of Avonford Primary School: now at fieldwork"
    assert notifications(app, world.a, world.a.assessor, "now at") == []
    page = text_of(client.get(f"/school-assessments/{assessment_id}"))
    assert "Stage: Closed" in page and "Review to closed" in page and "Move to" not in page


def test_going_back_a_stage_needs_a_comment_and_skipping_is_refused(app, world):
    assessment_id = make_assessment(app, world.a, stage="analysis")
    client = signed_in_client(app, world.a.assessor)
    response = _move(client, assessment_id, "fieldwork")
    assert response.status_code == 400
    assert error_next_to(response.get_data(as_text=True), "comment") == "Enter why the assessment is going back a stage"
    response = _move(client, assessment_id, "closed")
    assert error_next_to(response.get_data(as_text=True), "comment") == "The assessment can only move to the next stage or back one stage"
    assert _move(client, assessment_id, "nonsense").status_code == 400
    assert assessment(app, world.a, assessment_id).stage.value == "analysis"
    assert _move(client, assessment_id, "fieldwork", "The staff focus group has to be run again.").status_code == 302
    [back] = [t for t in rows(app, world.a, AssessmentTransition, assessment_id=assessment_id) if t.from_stage]
    assert (back.from_stage.value, back.to_stage.value, back.comment, back.actor_id) == (
        "analysis",
        "fieldwork",
        "The staff focus group has to be run again.",
        world.a.assessor.id,
    )
    assert "The staff focus group has to be run again." in text_of(signed_in_client(app, world.a.dsl1).get(f"/school-assessments/{assessment_id}"))


def test_the_school_and_partners_do_not_move_the_stage(app, world):
    assessment_id = make_assessment(app, world.a, members={"partner": "partner"})
    for key in ("dsl1", "head1", "partner"):
        client = signed_in_client(app, world.a.people[key])
        assert "Move to fieldwork" not in text_of(client.get(f"/school-assessments/{assessment_id}")), key
        assert _move(client, assessment_id, "fieldwork").status_code == 403, key
    assert _move(signed_in_client(app, world.a.dsl2), assessment_id, "fieldwork").status_code == 404
    assert len(audit_events(app, world.a.authority_id, "access.denied")) == 3
    assert assessment(app, world.a, assessment_id).stage.value == "planning"
    assert len(rows(app, world.a, AssessmentTransition, assessment_id=assessment_id)) == 1


def test_assessors_add_and_remove_members_but_never_the_last_assessor(app, world):
    assessment_id = make_assessment(app, world.a)
    client = signed_in_client(app, world.a.assessor)
    page = client.get(f"/school-assessments/{assessment_id}").get_data(as_text=True)
    assert "Avonford Police" in page and str(world.a.dsl2.id) not in page  # another school's DSL is not offered
    assert client.post(f"/school-assessments/{assessment_id}/members", data={"person": str(world.a.dsl2.id)}).status_code == 400
    assert client.post(f"/school-assessments/{assessment_id}/members", data={"person": str(world.a.partner.id)}).status_code == 302
    [added] = rows(app, world.a, AssessmentMember, assessment_id=assessment_id, user_id=world.a.partner.id)
    assert added.role.value == "partner"
    assert notifications(app, world.a, world.a.partner) == ["You have been added to the school assessment of Avonford Primary School"]
    assert signed_in_client(app, world.a.partner).get(f"/school-assessments/{assessment_id}").status_code == 200
    [event] = audit_events(app, world.a.authority_id, "workspace.participant_added")
    assert event.object_id == str(assessment_id) and event.details["role"] == "partner"

    response = client.post(f"/school-assessments/{assessment_id}/members/{member_id(app, world.a, assessment_id, 'assessor')}/remove", follow_redirects=True)
    assert "The assessment needs at least one assessor" in text_of(response)
    assert rows(app, world.a, AssessmentMember, assessment_id=assessment_id, user_id=world.a.assessor.id)
    assert client.post(f"/school-assessments/{assessment_id}/members/{member_id(app, world.a, assessment_id, 'partner')}/remove").status_code == 302
    assert rows(app, world.a, AssessmentMember, assessment_id=assessment_id, user_id=world.a.partner.id) == []
    assert signed_in_client(app, world.a.partner).get(f"/school-assessments/{assessment_id}").status_code == 404

    dsl = signed_in_client(app, world.a.dsl1)
    assert dsl.post(f"/school-assessments/{assessment_id}/members", data={"person": str(world.a.partner.id)}).status_code == 403
    assert dsl.post(f"/school-assessments/{assessment_id}/members/{member_id(app, world.a, assessment_id, 'head1')}/remove").status_code == 403


def test_assessor_only_notes_never_reach_the_school(app, world):
    assessment_id = make_assessment(app, world.a, members={"partner": "partner"})
    assessor = signed_in_client(app, world.a.assessor)
    secret = "Police intelligence names two members of staff: not to be shared with the school."
    response = assessor.post(f"/school-assessments/{assessment_id}/notes", data={"body": secret, "assessor_only": "y"})
    assert response.status_code == 302
    shared = "The school has agreed to run the staff focus group on Tuesday."
    assert signed_in_client(app, world.a.dsl1).post(f"/school-assessments/{assessment_id}/notes", data={"body": shared}).status_code == 302
    notes = {n.body: n.assessor_only for n in rows(app, world.a, AssessmentNote, assessment_id=assessment_id)}
    assert notes == {secret: True, shared: False}
    assert [e.details["assessor_only"] for e in audit_events(app, world.a.authority_id, "assessment.note_added")] == [True, False]

    page = text_of(assessor.get(f"/school-assessments/{assessment_id}"))
    assert secret in page and shared in page and "Assessor-only" in page
    assert secret in text_of(signed_in_client(app, world.a.front_door).get(f"/school-assessments/{assessment_id}"))
    for key in ("dsl1", "head1", "partner"):
        html = signed_in_client(app, world.a.people[key]).get(f"/school-assessments/{assessment_id}").get_data(as_text=True)
        assert shared in html, key
        assert secret not in html and "Police intelligence" not in html, key
        assert "Assessor-only" not in html, key  # no tag, and no box to tick


def test_the_school_cannot_make_an_assessor_only_note_and_a_blank_note_is_refused(app, world):
    assessment_id = make_assessment(app, world.a)
    make_note(app, world.a, assessment_id, "Kept as it was", by="assessor")
    dsl = signed_in_client(app, world.a.dsl1)
    assert dsl.post(f"/school-assessments/{assessment_id}/notes", data={"body": "Only for us", "assessor_only": "y"}).status_code == 403
    response = dsl.post(f"/school-assessments/{assessment_id}/notes", data={"body": "   "})
    assert response.status_code == 400 and error_next_to(response.get_data(as_text=True), "body") == "Enter the note"
    assert [n.body for n in rows(app, world.a, AssessmentNote, assessment_id=assessment_id)] == ["Kept as it was"]
