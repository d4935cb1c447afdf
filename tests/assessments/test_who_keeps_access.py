"""Who may open a school assessment over time, and who hears about it: people keep it only while they hold
the role that gave it to them; a context panel member outside social care never gets every school's
assessment; notifications about its actions reach only people who may open it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from jobs.schedule import tick
from portal.clock import UK, travel
from tests.assessments.support import give_duty
from tests.assessments.test_plan import make_action
from tests.assessments.triangle_support import make_assessment
from tests.factories import _scope
from tests.referrals.support import notifications
from tests.support import signed_in_client
from tests.world import create_user

ADDED = datetime(2027, 3, 1, 9, 0, tzinfo=UK)  # when the action below is added, due 12 March 2027
LATER = datetime(2027, 3, 15, 9, 0, tzinfo=UK)  # three days after the actions' due date (12 March 2027)


def _pages(assessment_id) -> list[str]:
    return [
        f"/school-assessments/{assessment_id}",
        f"/school-assessments/{assessment_id}/plan",
        f"/school-assessments/{assessment_id}/triangle",
        f"/school-assessments/{assessment_id}/reports",
    ]


def _change_role(app, side, key: str, role: str, organisation_id=None) -> None:
    from portal.accounts.models import Membership, Role
    from portal.extensions import db

    with _scope(app, side):
        values = {"role": Role(role)}
        if organisation_id is not None:
            values["organisation_id"] = organisation_id
        db.session.execute(update(Membership).where(Membership.user_id == side.people[key].id).values(**values))
        db.session.commit()


def _note(app, side, assessment_id, body: str, *, assessor_only: bool) -> None:
    from portal.assessments.models import AssessmentNote
    from portal.extensions import db

    with _scope(app, side):
        db.session.add(AssessmentNote(assessment_id=assessment_id, author_id=side.assessor.id, body=body, assessor_only=assessor_only))
        db.session.commit()


def test_a_head_who_becomes_a_governor_and_a_dsl_who_becomes_staff_lose_the_assessment(app, world):
    a = world.a
    assessment_id = make_assessment(app, a, school=("dsl1", "head1"))
    head, dsl = signed_in_client(app, a.head1), signed_in_client(app, a.dsl1)
    assert all(head.get(url).status_code == 200 for url in _pages(assessment_id))
    _change_role(app, a, "head1", "governor")
    _change_role(app, a, "dsl1", "staff")
    for url in _pages(assessment_id):
        assert head.get(url).status_code == 404, url
        assert dsl.get(url).status_code == 404, url
    assert head.post(f"/school-assessments/{assessment_id}/reports").status_code == 404


def test_the_social_care_officer_who_opened_or_leads_it_loses_it_on_moving_to_a_school(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)  # led by the assessor, opened by the front door
    front_door, assessor = signed_in_client(app, a.front_door), signed_in_client(app, a.assessor)
    assert front_door.get(_pages(assessment_id)[0]).status_code == 200 and assessor.get(_pages(assessment_id)[0]).status_code == 200
    _change_role(app, a, "front_door", "dsl", a.school2)
    _change_role(app, a, "assessor", "staff", a.school2)
    assert front_door.get(_pages(assessment_id)[0]).status_code == 404
    assert assessor.get(_pages(assessment_id)[0]).status_code == 404


def test_a_partner_member_keeps_it_while_a_partner_and_loses_it_otherwise(app, world):
    a = world.a
    assessment_id = make_assessment(app, a, partners=("partner",))
    partner = signed_in_client(app, a.partner)
    assert partner.get(_pages(assessment_id)[1]).status_code == 200
    _change_role(app, a, "partner", "staff", a.school2)
    assert partner.get(_pages(assessment_id)[1]).status_code == 404


def test_a_panel_member_outside_social_care_sees_no_assessment_and_no_assessor_only_note(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    _note(app, a, assessment_id, "Assessor view: the behaviour log looks thin.", assessor_only=True)
    for key in ("dsl2", "partner2"):
        give_duty(app, a, key, "context_panel_member")
        client = signed_in_client(app, a.people[key])
        for url in _pages(assessment_id):
            assert client.get(url).status_code == 404, (key, url)
        assert "Avonford Primary School" not in client.get("/school-assessments").get_data(as_text=True)
    # Social care on the panel oversee every assessment, the assessor-only notes included.
    give_duty(app, a, "front_door", "context_panel_member")
    page = signed_in_client(app, a.front_door).get(_pages(assessment_id)[0]).get_data(as_text=True)
    assert "Assessor view: the behaviour log looks thin." in page


def _overdue(app):
    with travel(LATER), app.app_context():
        tick(LATER)


def test_an_organisations_action_is_told_only_to_its_people_on_the_assessment(app, world):
    """The police own an action: the police officer who is a member hears (when it is added and when it is
    overdue); a colleague at the same force who is not on the assessment never hears that the school is
    being assessed."""
    a = world.a
    colleague = create_user(app, a.authority_id, "colleague@avonford.example.org", "partner", a.police)
    assessment_id = make_assessment(app, a, partners=("partner",))
    with travel(ADDED, tick=True):  # signed in then too: a session left idle for months has ended
        assessor = signed_in_client(app, a.assessor)
        response = assessor.post(
            f"/school-assessments/{assessment_id}/actions",
            data={
                "description": "Patrol the bus stop at the end of the school day",
                "domain": "environment",
                "owner": f"organisation:{a.police}",
                "due_on": ["12", "3", "2027"],
            },
        )
    assert response.status_code == 302
    assert notifications(app, a, a.partner) == ["An action is yours, due 12 March 2027"]
    assert notifications(app, a, colleague) == []
    _overdue(app)
    assert notifications(app, a, a.partner)[-1] == "Overdue action: due 12 March 2027"
    assert notifications(app, a, colleague) == []


def test_a_member_removed_from_the_assessment_hears_no_more_about_the_action_they_owned(app, world):
    from portal.assessments.models import AssessmentMember
    from portal.extensions import db

    a = world.a
    assessment_id = make_assessment(app, a, partners=("partner",))
    make_action(app, a, assessment_id, owner="partner")
    with _scope(app, a):
        db.session.delete(db.session.execute(select(AssessmentMember).where(AssessmentMember.user_id == a.partner.id)).scalar_one())
        db.session.commit()
    _overdue(app)
    assert notifications(app, a, a.partner) == []
    # They are no longer offered as an owner either.
    plan = signed_in_client(app, a.assessor).get(f"/school-assessments/{assessment_id}/plan").get_data(as_text=True)
    assert f'value="user:{a.partner.id}"' not in plan
