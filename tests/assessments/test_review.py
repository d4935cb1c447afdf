"""The review of a school assessment's plan: when it is due and when it happened, what changed, what young
people now say about their safety, how young people, parents and carers and the school community have been
told, and how the safety will be sustained. Saved by anyone working on the assessment (the school included),
shown on the plan page, the members told; a stale save (or a review created meanwhile) is refused with what
changed, and nothing typed is lost."""

from __future__ import annotations

from datetime import date, datetime

from portal.assessments.models import AssessmentReview
from portal.clock import UK, travel
from tests.admin.pages import field_error, page_text
from tests.assessments.triangle_support import make_assessment
from tests.referrals.support import notifications
from tests.support import audit_events, detached_rows, signed_in_client

NOW = datetime(2027, 7, 5, 10, 0, tzinfo=UK)
TOLD = "The review of the school assessment of Avonford Primary School has been updated"

REVIEW = {
    "review_due_on": ["1", "7", "2027"],
    "reviewed_on": ["2", "7", "2027"],
    "what_changed": "Staff are on the corridor by the sports hall at every break.\r\nSexualised name-calling is challenged.",
    "young_people_say": "Year 9 girls say the corridor feels safer; the bus stop still does not.",
    "told_young_people": "An assembly for each year group",
    "told_parents": "A letter home",
    "told_school_community": "A briefing at the staff meeting and to the governors",
    "sustaining_safety": "The DSL checks the break rota every half term.",
}


def review_form(**changes) -> dict:
    return {**REVIEW, **changes}


def _review(app, side) -> AssessmentReview | None:
    rows = detached_rows(app, AssessmentReview, side.authority_id)
    return rows[0] if rows else None


def test_the_review_is_saved_shown_on_the_plan_and_the_members_told(app, world):
    a = world.a
    assessment_id = make_assessment(app, a, partners=("partner",))
    url = f"/school-assessments/{assessment_id}/review"
    with travel(NOW, tick=True):
        assessor = signed_in_client(app, a.assessor)
        plan = page_text(assessor.get(f"/school-assessments/{assessment_id}/plan"))
        assert "Not reviewed yet. No date has been set for the review." in plan
        assert "Record the review" in plan

        form = assessor.get(url)
        assert form.status_code == 200
        assert '<input id="version" name="version" type="hidden" value="0">' in form.get_data(as_text=True)
        for label in (
            "What has changed",
            "What young people now say about their safety",
            "How young people have been told",
            "How parents and carers have been told",
            "How the school community has been told",
            "How the safety will be sustained",
        ):
            assert label in page_text(form), label

        # First only the date it is due.
        response = assessor.post(url, data={"review_due_on": ["14", "7", "2027"], "version": "0"})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/school-assessments/{assessment_id}/plan#review")
        plan = page_text(assessor.get(f"/school-assessments/{assessment_id}/plan"))
        assert "Not reviewed yet. The review is due on 14 July 2027." in plan
        assert "What has changed Not recorded yet" in plan

        # Then the outcomes.
        assert 'value="1"' in assessor.get(url).get_data(as_text=True).split('name="version"', 1)[1][:40]
        assert assessor.post(url, data=review_form(version="1")).status_code == 302

    row = _review(app, a)
    assert (row.review_due_on, row.reviewed_on, row.updated_by_id, row.version) == (date(2027, 7, 1), date(2027, 7, 2), a.assessor.id, 2)
    assert row.what_changed == "Staff are on the corridor by the sports hall at every break.\nSexualised name-calling is challenged."
    events = audit_events(app, a.authority_id, "assessment.review_saved")
    assert [(e.object_type, e.object_id, e.actor_id) for e in events] == [("assessment_review", str(row.id), a.assessor.id)] * 2
    assert events[0].details["fields"] == ["review_due_on"]
    assert "young_people_say" in events[1].details["fields"]
    for person in (a.dsl1, a.partner):
        assert notifications(app, a, person, "The review") == [TOLD, TOLD]
    assert notifications(app, a, a.assessor, "The review") == []  # they saved it

    plan = page_text(signed_in_client(app, a.dsl1).get(f"/school-assessments/{assessment_id}/plan"))
    assert "When it was reviewed 2 July 2027" in plan
    assert "What young people now say about their safety Year 9 girls say the corridor feels safer; the bus stop still does not." in plan
    assert "How parents and carers have been told A letter home" in plan
    assert "How the safety will be sustained The DSL checks the break rota every half term." in plan
    assert "Not reviewed yet" not in plan


def test_a_school_member_saves_the_review_and_bad_input_is_explained(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    url = f"/school-assessments/{assessment_id}/review"
    with travel(NOW, tick=True):
        dsl = signed_in_client(app, a.dsl1)
        response = dsl.post(url, data=review_form(review_due_on=["", "", ""], reviewed_on=["6", "7", "2027"], version="0"))
        assert response.status_code == 200
        assert page_text(response).startswith("Error:")
        assert field_error(response, "review_due_on") == "Enter when the review is due"
        assert field_error(response, "reviewed_on") == "The date of the review must be today or in the past"
        assert "Year 9 girls say the corridor feels safer" in response.get_data(as_text=True)
        response = dsl.post(url, data=review_form(reviewed_on=["31", "6", "2027"], version="0"))
        assert field_error(response, "reviewed_on") == "The date of the review must be a real date, like 14 3 2027"
        assert _review(app, a) is None

        assert dsl.post(url, data=review_form(reviewed_on=["5", "7", "2027"], version="0")).status_code == 302
    row = _review(app, a)
    assert (row.reviewed_on, row.updated_by_id) == (date(2027, 7, 5), a.dsl1.id)
    assert notifications(app, a, a.assessor, "The review") == [TOLD]
    assert audit_events(app, a.authority_id, "assessment.review_saved")[-1].actor_id == a.dsl1.id


def test_a_stale_save_is_refused_with_what_changed_and_what_was_typed_kept(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    url = f"/school-assessments/{assessment_id}/review"
    with travel(NOW, tick=True):
        dsl, assessor = signed_in_client(app, a.dsl1), signed_in_client(app, a.assessor)
        assert dsl.post(url, data=review_form(version="0")).status_code == 302
        for client in (dsl, assessor):
            assert '<input id="version" name="version" type="hidden" value="1">' in client.get(url).get_data(as_text=True)

        assert dsl.post(url, data=review_form(told_parents="A letter home and a parents' evening", version="1")).status_code == 302
        response = assessor.post(url, data=review_form(sustaining_safety="The governors check the rota each term.", version="1"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed the review while you were editing" in text
    assert "How parents and carers have been told A letter home and a parents' evening A letter home" in text
    assert "How the safety will be sustained The DSL checks the break rota every half term. The governors check the rota each term." in text
    html = response.get_data(as_text=True)
    assert "The governors check the rota each term." in html.split("<form", 1)[1]
    assert '<input id="version" name="version" type="hidden" value="2">' in html
    row = _review(app, a)
    assert (row.told_parents, row.sustaining_safety, row.version) == (
        "A letter home and a parents' evening",
        "The DSL checks the break rota every half term.",
        2,
    )
    refused = audit_events(app, a.authority_id, "record.stale_save_refused")
    assert [(e.object_type, e.object_id, e.actor_id) for e in refused] == [("assessment_review", str(row.id), a.assessor.id)]


def test_a_review_created_by_someone_else_meanwhile_is_a_stale_save(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    url = f"/school-assessments/{assessment_id}/review"
    with travel(NOW, tick=True):
        dsl, assessor = signed_in_client(app, a.dsl1), signed_in_client(app, a.assessor)
        for client in (dsl, assessor):
            assert '<input id="version" name="version" type="hidden" value="0">' in client.get(url).get_data(as_text=True)
        assert dsl.post(url, data=review_form(version="0")).status_code == 302
        response = assessor.post(url, data=review_form(told_young_people="Form tutors in PSHE lessons", version="0"))
    assert response.status_code == 200
    assert "How young people have been told An assembly for each year group Form tutors in PSHE lessons" in page_text(response)
    assert '<input id="version" name="version" type="hidden" value="1">' in response.get_data(as_text=True)
    [row] = detached_rows(app, AssessmentReview, a.authority_id)
    assert (row.told_young_people, row.updated_by_id) == ("An assembly for each year group", a.dsl1.id)
    assert [e.actor_id for e in audit_events(app, a.authority_id, "record.stale_save_refused")] == [a.assessor.id]


def test_two_first_saves_at_the_same_moment_the_second_is_refused_not_an_error(app, world, monkeypatch):
    """The race: both found no review, the other's was created between this one's look-up and its insert.
    The unique constraint refuses the insert; the person sees what changed, nothing is lost or doubled."""
    from portal.assessments.views import plan

    a = world.a
    assessment_id = make_assessment(app, a)
    url = f"/school-assessments/{assessment_id}/review"
    with travel(NOW, tick=True):
        dsl, assessor = signed_in_client(app, a.dsl1), signed_in_client(app, a.assessor)
        assert dsl.post(url, data=review_form(version="0")).status_code == 302

        real, calls = plan._review, []

        def not_there_yet(assessment):
            calls.append(assessment.id)
            return None if len(calls) == 1 else real(assessment)

        monkeypatch.setattr(plan, "_review", not_there_yet)
        response = assessor.post(url, data=review_form(told_young_people="Form tutors in PSHE lessons", version="0"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed the review while you were editing" in text
    assert "How young people have been told An assembly for each year group Form tutors in PSHE lessons" in text
    assert "Form tutors in PSHE lessons" in response.get_data(as_text=True).split("<form", 1)[1]
    [row] = detached_rows(app, AssessmentReview, a.authority_id)
    assert (row.told_young_people, row.updated_by_id, row.version) == ("An assembly for each year group", a.dsl1.id, 1)
    assert [e.actor_id for e in audit_events(app, a.authority_id, "record.stale_save_refused")] == [a.assessor.id]
    assert len(audit_events(app, a.authority_id, "assessment.review_saved")) == 1


def test_a_partner_not_on_the_assessment_gets_404(app, world):
    a = world.a
    assessment_id = make_assessment(app, a, partners=("partner",))
    url = f"/school-assessments/{assessment_id}/review"
    outsider = signed_in_client(app, a.partner2)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, data=review_form(version="0")).status_code == 404
    assert outsider.get(f"/school-assessments/{assessment_id}/plan").status_code == 404
    assert _review(app, a) is None
    assert [e.actor_id for e in audit_events(app, a.authority_id, "access.not_found")] == [a.partner2.id] * 3
    # The partner who is a member may.
    assert signed_in_client(app, a.partner).get(url).status_code == 200
