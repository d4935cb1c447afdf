"""The plan of a school assessment: adding actions (each addressing a domain of the triangle, with an owner
and a due date), the plan page by domain with overdue actions tagged in words, who agreed it, and updating an
action (its owner or those who run the assessment; never another of the school's people), with a stale save
refused."""

from __future__ import annotations

import html as markup
import re
import uuid
from datetime import date, datetime

import pytest

from portal.assessments.models import AssessmentStage, AssessmentTransition, Domain, SchoolAssessment
from portal.clock import UK, travel
from portal.partnership.models import ActionStatus, PlanAction
from tests.admin.pages import field_error, page_text
from tests.assessments.triangle_support import make_assessment
from tests.factories import _scope
from tests.referrals.support import notifications
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import load

#: A Monday in the UK, after the actions' due dates below.
NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UK)


@pytest.fixture(autouse=True)
def _at_now():
    """Every test here runs on Monday 15 March 2027 (the clock ticking on), whatever the real date:
    ACTION's due date is weeks ahead, and the actions made below are overdue or due soon."""
    with travel(NOW, tick=True):
        yield


ACTION = {"description": "Staff on the corridor by the sports hall at every break", "domain": "guardianship", "due_on": ["30", "4", "2027"]}


def action_form(owner: str, **changes) -> dict:
    return {**ACTION, "owner": owner, **changes}


def make_action(
    app,
    side,
    assessment_id,
    *,
    owner: str | None = None,
    organisation: str | None = None,
    domain: str = "guardianship",
    due_on: date = date(2027, 3, 12),
    status: str = "not_started",
    description: str = "Walk the route from the bus stop to the school gates with the youth service",
) -> uuid.UUID:
    """An action of the assessment's plan owned by a person (a key of ``side.people``) or an organisation
    (a key like ``police`` or ``school1``)."""
    from portal.clock import utcnow
    from portal.extensions import db

    with _scope(app, side):
        row = PlanAction(
            assessment_id=assessment_id,
            domain=Domain(domain),
            description=description,
            owner_user_id=side.people[owner].id if owner else None,
            owner_organisation_id=getattr(side, organisation) if organisation else None,
            due_on=due_on,
            status=ActionStatus(status),
            completed_at=utcnow() if status == "done" else None,
            created_by_id=side.assessor.id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def set_stage(app, side, assessment_id, stage: str, *, by: str = "assessor") -> None:
    """Move the assessment straight to ``stage``, recording the move (as the stage page would)."""
    from portal.extensions import db

    with _scope(app, side):
        assessment = db.session.get(SchoolAssessment, assessment_id)
        db.session.add(
            AssessmentTransition(assessment_id=assessment_id, actor_id=side.people[by].id, from_stage=assessment.stage, to_stage=AssessmentStage(stage))
        )
        assessment.stage = AssessmentStage(stage)
        db.session.commit()


def _options(response) -> dict[str, str]:
    select = re.search(r'<select[^>]*name="owner"[^>]*>(.*?)</select>', response.get_data(as_text=True), re.S)
    assert select is not None, "no owner select"
    return {
        value: markup.unescape(re.sub(r"\s+", " ", label).strip())
        for value, label in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>(.*?)</option>', select.group(1), re.S)
    }


def _section(response, domain: str) -> str:
    """The text of one domain's part of the plan."""
    html = response.get_data(as_text=True)
    part = html.split(f'id="domain-{domain}"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)).strip()


def test_everyone_working_on_it_adds_actions_and_the_owner_is_told(app, world):
    """The owner select offers the members and the right organisations only; an action added by the lead
    assessor or by the school's DSL is saved in its domain, audited, and its owner (a person, or an
    organisation's contacts) is told with a title only."""
    a = world.a
    assessment_id = make_assessment(app, a, partners=("partner",))
    assessor, dsl = signed_in_client(app, a.assessor), signed_in_client(app, a.dsl1)
    page = assessor.get(f"/school-assessments/{assessment_id}/plan")
    assert page.status_code == 200
    options = _options(page)
    assert options == {
        "": "Select the owner",
        f"user:{a.assessor.id}": a.assessor.full_name,
        f"user:{a.dsl1.id}": a.dsl1.full_name,
        f"user:{a.partner.id}": a.partner.full_name,
        f"organisation:{a.school1}": "Avonford Primary School (organisation)",
        f"organisation:{a.social_care}": "Avonford Children's Services Front Door (organisation)",
        f"organisation:{a.police}": "Avonford Police (organisation)",
    }
    assert "Add an action" in page_text(dsl.get(f"/school-assessments/{assessment_id}/plan"))  # the school adds actions too

    response = assessor.post(f"/school-assessments/{assessment_id}/actions", data=action_form(f"user:{a.dsl1.id}"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/school-assessments/{assessment_id}/plan#domain-guardianship")
    [row] = detached_rows(app, PlanAction, a.authority_id)
    assert (row.assessment_id, row.domain, row.owner_user_id, row.due_on, row.status, row.created_by_id) == (
        assessment_id,
        Domain.GUARDIANSHIP,
        a.dsl1.id,
        date(2027, 4, 30),
        ActionStatus.NOT_STARTED,
        a.assessor.id,
    )
    assert notifications(app, a, a.dsl1, "An action is yours") == ["An action is yours, due 30 April 2027"]
    [event] = audit_events(app, a.authority_id, "plan_action.added")
    assert (event.object_id, event.actor_id, event.details) == (str(row.id), a.assessor.id, {"assessment_id": str(assessment_id)})

    response = dsl.post(
        f"/school-assessments/{assessment_id}/actions",
        data=action_form(f"organisation:{a.police}", domain="environment", description="Patrols at the bus stop after school"),
    )
    assert response.status_code == 302
    added = next(r for r in detached_rows(app, PlanAction, a.authority_id) if r.id != row.id)
    assert (added.domain, added.owner_organisation_id, added.created_by_id) == (Domain.ENVIRONMENT, a.police, a.dsl1.id)
    assert notifications(app, a, a.partner, "An action is yours") == ["An action is yours, due 30 April 2027"]
    assert notifications(app, a, a.head1, "An action is yours") == []

    plan = dsl.get(f"/school-assessments/{assessment_id}/plan")
    assert "Staff on the corridor by the sports hall at every break" in _section(plan, "guardianship")
    assert a.dsl1.full_name in _section(plan, "guardianship")
    assert "Patrols at the bus stop after school Avonford Police 30 April 2027 Not started" in _section(plan, "environment")
    assert "No actions in this domain yet." in _section(plan, "pupil_development")


def test_bad_input_is_explained_next_to_each_field_and_nothing_typed_is_lost(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    url = f"/school-assessments/{assessment_id}/actions"

    with travel(NOW, tick=True):
        assessor = signed_in_client(app, a.assessor)
        response = assessor.post(url, data={"description": "  ", "owner": "", "due_on": ["", "", ""]})
        assert response.status_code == 400
        assert page_text(response).startswith("Error:")
        assert field_error(response, "description") == "Enter what needs to be done"
        assert field_error(response, "domain") == "Select the domain the action addresses"
        assert field_error(response, "owner") == "Select who owns the action"
        assert field_error(response, "due_on") == "Enter the due date"

        # An owner the plan does not offer (a person not on the assessment, another school), a date in the past.
        for owner in (f"user:{a.staff1.id}", f"organisation:{a.school2}", f"organisation:{world.b.school1}", "user:not-an-id"):
            response = assessor.post(url, data=action_form(owner, due_on=["14", "3", "2027"], description="Check the CCTV by the gates"))
            assert field_error(response, "owner") == "Select an owner from the list", owner
            assert field_error(response, "due_on") == "The due date must be today or in the future"
            assert "Check the CCTV by the gates" in response.get_data(as_text=True)
            assert 'value="14"' in response.get_data(as_text=True)
        response = assessor.post(url, data=action_form(f"user:{a.dsl1.id}", due_on=["31", "2", "2027"]))
        assert field_error(response, "due_on") == "The due date must be a real date, like 14 3 2027"
        assert f'value="user:{a.dsl1.id}" selected' in response.get_data(as_text=True)
        assert 'value="guardianship" checked' in response.get_data(as_text=True)
        assert detached_rows(app, PlanAction, a.authority_id) == []

        # Today is fine.
        assert assessor.post(url, data=action_form(f"user:{a.dsl1.id}", due_on=["15", "3", "2027"])).status_code == 302
    assert [r.due_on for r in detached_rows(app, PlanAction, a.authority_id)] == [date(2027, 3, 15)]


def test_a_closed_assessment_refuses_new_actions(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    set_stage(app, a, assessment_id, "closed")
    assessor = signed_in_client(app, a.assessor)

    page = page_text(assessor.get(f"/school-assessments/{assessment_id}/plan"))
    assert "The assessment is closed: actions can no longer be added to its plan." in page
    assert "What needs to be done?" not in page

    response = assessor.post(f"/school-assessments/{assessment_id}/actions", data=action_form(f"user:{a.dsl1.id}"))
    assert response.status_code == 409
    assert "There is a problem The assessment is closed: actions can no longer be added to its plan" in page_text(response)
    assert detached_rows(app, PlanAction, a.authority_id) == []
    assert notifications(app, a, a.dsl1, "An action is yours") == []


def test_the_plan_page_shows_actions_by_domain_overdue_ones_tagged_and_who_agreed_it(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    make_action(
        app, a, assessment_id, owner="dsl1", domain="pupil_development", due_on=date(2027, 3, 12), description="Lessons on healthy relationships for Year 9"
    )
    make_action(
        app,
        a,
        assessment_id,
        owner="assessor",
        domain="guardianship",
        due_on=date(2027, 3, 20),
        status="in_progress",
        description="Training for lunchtime supervisors",
    )
    make_action(
        app,
        a,
        assessment_id,
        organisation="school1",
        domain="environment",
        due_on=date(2027, 3, 1),
        status="done",
        description="Lights on the path to the car park",
    )
    make_action(
        app, a, assessment_id, organisation="school1", domain="environment", due_on=date(2027, 3, 14), status="no_longer_needed", description="A second gate"
    )
    with travel(NOW, tick=True):
        page = signed_in_client(app, a.dsl1).get(f"/school-assessments/{assessment_id}/plan")
    text = page_text(page)
    assert text.index("Pupil development needs") < text.index("Guardianship capacity") < text.index("Environmental and family factors")
    assert "Lessons on healthy relationships for Year 9 " + a.dsl1.full_name + " 12 March 2027 Not started Overdue" in _section(page, "pupil_development")
    assert "Training for lunchtime supervisors " + a.assessor.full_name + " 20 March 2027 In progress" in _section(page, "guardianship")
    assert "Overdue" not in _section(page, "guardianship")
    assert "Lights on the path to the car park Avonford Primary School 1 March 2027 Done" in _section(page, "environment")
    assert "Overdue" not in _section(page, "environment")  # done or no longer needed: never overdue
    assert text.count("Overdue") == 1
    assert "Actions addressing pupil development needs" in text  # each table has its caption
    assert "Plan agreed by Not agreed yet." in text
    assert "Not reviewed yet. No date has been set for the review." in text
    assert f'href="/school-assessments/{assessment_id}/review"' in page.get_data(as_text=True)

    # The DSL owns the first action and (as a member of the school) the school's: they may update those only.
    html = page.get_data(as_text=True)
    mine = {r.id for r in detached_rows(app, PlanAction, a.authority_id) if r.owner_user_id == a.dsl1.id or r.owner_organisation_id == a.school1}
    for row in detached_rows(app, PlanAction, a.authority_id):
        assert (f'href="/school-assessments/actions/{row.id}"' in html) == (row.id in mine)

    set_stage(app, a, assessment_id, "fieldwork")
    set_stage(app, a, assessment_id, "analysis")
    set_stage(app, a, assessment_id, "plan_agreed", by="assessor")
    text = page_text(signed_in_client(app, a.assessor).get(f"/school-assessments/{assessment_id}/plan"))
    assert re.search(rf"Plan agreed by {a.assessor.full_name}, \d+ \w+ \d{{4}}", text)


def _update(**changes) -> dict:
    return {"status": "in_progress", "progress_note": "", "due_on": ["12", "3", "2027"], "version": "1", **changes}


def test_the_owner_and_the_assessor_update_an_action_and_the_lead_and_owner_are_told(app, world):
    a = world.a
    assessment_id = make_assessment(app, a, partners=("partner",))
    action_id = make_action(app, a, assessment_id, owner="dsl1")
    url = f"/school-assessments/actions/{action_id}"

    with travel(NOW, tick=True):
        dsl, assessor = signed_in_client(app, a.dsl1), signed_in_client(app, a.assessor)
        form = dsl.get(url)
        assert form.status_code == 200
        assert 'name="owner"' not in form.get_data(as_text=True)  # only those who run it change the owner
        assert "Due date saved 12 March 2027 Overdue" in page_text(form)
        # The owner keeps the date that has passed and says it is in progress.
        response = dsl.post(url, data=_update(progress_note="Two lessons planned with the PSHE lead"))
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/school-assessments/{assessment_id}/plan#action-{action_id}")
    row = load(app, PlanAction, action_id, a.authority_id)
    assert (row.status, row.progress_note, row.version) == (ActionStatus.IN_PROGRESS, "Two lessons planned with the PSHE lead", 2)
    assert notifications(app, a, a.assessor, "is now") == ["An action of the school assessment of Avonford Primary School is now in progress"]
    assert notifications(app, a, a.dsl1, "is now") == []  # they made the change
    assert [e.actor_id for e in audit_events(app, a.authority_id, "plan_action.updated")] == [a.dsl1.id]

    # The assessor moves it to the police (an organisation of a partner member) and marks it done.
    with travel(NOW, tick=True):
        assessor = signed_in_client(app, a.assessor)
        assert 'name="owner"' in assessor.get(url).get_data(as_text=True)
        response = assessor.post(url, data=_update(status="done", owner=f"organisation:{a.police}", due_on=["20", "3", "2027"], version="2"))
        assert response.status_code == 302
        # Moving the date into the past is refused (keeping one that has passed is not).
        response = assessor.post(url, data=_update(status="done", owner=f"organisation:{a.police}", due_on=["1", "3", "2027"], version="3"))
        assert field_error(response, "due_on") == "The due date must be today or in the future"
    row = load(app, PlanAction, action_id, a.authority_id)
    assert (row.status, row.owner_user_id, row.owner_organisation_id, row.due_on, row.completed_at is not None) == (
        ActionStatus.DONE,
        None,
        a.police,
        date(2027, 3, 20),
        True,
    )
    assert notifications(app, a, a.partner, "An action") == ["An action is yours, due 20 March 2027"]
    assert notifications(app, a, a.dsl1, "is now") == []

    # The police's partner (the owner now) may update it; the school's DSL may no longer.
    assert signed_in_client(app, a.partner).get(url).status_code == 200
    assert signed_in_client(app, a.dsl1).get(url).status_code == 403


def test_a_dsl_who_neither_owns_nor_runs_it_is_refused(app, world):
    a = world.a
    assessment_id = make_assessment(app, a, school=("dsl1", "head1"))
    action_id = make_action(app, a, assessment_id, owner="assessor")
    url = f"/school-assessments/actions/{action_id}"
    for person in (a.dsl1, a.head1):
        client = signed_in_client(app, person)
        assert client.get(url).status_code == 403
        assert client.post(url, data=_update(status="done")).status_code == 403
    denied = audit_events(app, a.authority_id, "access.denied")
    assert [(e.actor_id, e.object_id) for e in denied] == [(a.dsl1.id, str(action_id))] * 2 + [(a.head1.id, str(action_id))] * 2
    assert load(app, PlanAction, action_id, a.authority_id).status == ActionStatus.NOT_STARTED

    # An action owned by the school (the organisation): its DSL and head may update it.
    school_action = make_action(app, a, assessment_id, organisation="school1", due_on=date(2099, 1, 1))
    response = signed_in_client(app, a.head1).post(f"/school-assessments/actions/{school_action}", data=_update(due_on=["1", "1", "2099"]))
    assert response.status_code == 302
    assert load(app, PlanAction, school_action, a.authority_id).status == ActionStatus.IN_PROGRESS
    # The lead is told; the school's contacts too (the DSL), not the head who made the change.
    assert notifications(app, a, a.assessor, "is now") == ["An action of the school assessment of Avonford Primary School is now in progress"]
    assert notifications(app, a, a.dsl1, "is now") == ["An action of the school assessment of Avonford Primary School is now in progress"]
    assert notifications(app, a, a.head1, "is now") == []


def test_a_stale_update_is_refused_with_what_changed_and_audited(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    action_id = make_action(app, a, assessment_id, owner="dsl1", due_on=date(2099, 6, 1))
    url = f"/school-assessments/actions/{action_id}"
    dsl, assessor = signed_in_client(app, a.dsl1), signed_in_client(app, a.assessor)
    for client in (dsl, assessor):
        assert 'name="version" type="hidden" value="1"' in client.get(url).get_data(as_text=True)

    assert dsl.post(url, data=_update(status="done", due_on=["1", "6", "2099"], progress_note="All staff trained")).status_code == 302
    response = assessor.post(url, data=_update(owner=f"user:{a.dsl1.id}", due_on=["1", "6", "2099"], progress_note="Half the staff trained"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this action while you were editing" in text
    assert "Status Done In progress" in text
    assert "Progress All staff trained Half the staff trained" in text
    html = response.get_data(as_text=True)
    assert "Half the staff trained" in html.split("<form", 1)[1]
    assert '<input id="version" name="version" type="hidden" value="2">' in html
    row = load(app, PlanAction, action_id, a.authority_id)
    assert (row.status, row.progress_note, row.version) == (ActionStatus.DONE, "All staff trained", 2)
    refused = audit_events(app, a.authority_id, "record.stale_save_refused")
    assert [(e.object_type, e.object_id, e.actor_id) for e in refused] == [("plan_action", str(action_id), a.assessor.id)]

    # Saving again against the version now is accepted.
    assert (
        assessor.post(url, data=_update(owner=f"user:{a.dsl1.id}", due_on=["1", "6", "2099"], progress_note="Half the staff trained", version="2")).status_code
        == 302
    )
    assert load(app, PlanAction, action_id, a.authority_id).status == ActionStatus.IN_PROGRESS


def test_a_summits_or_meetings_action_is_not_found_here(app, world):
    from tests.meetings.support import make_action as make_meeting_action
    from tests.meetings.support import make_meeting

    a = world.a
    meeting_id = make_meeting(app, a, accepted=("front_door", "dsl1"))
    action_id = make_meeting_action(app, a, meeting_id, owner="dsl1", due_on=date(2099, 1, 1))
    for person in (a.front_door, a.dsl1):  # the meeting's lead and the action's owner may update it on the meeting's page
        assert signed_in_client(app, person).get(f"/school-assessments/actions/{action_id}").status_code == 404
    refused = audit_events(app, a.authority_id, "access.not_found")
    assert [(e.object_type, e.object_id) for e in refused] == [("plan_action", str(action_id))] * 2
