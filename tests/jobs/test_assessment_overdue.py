"""The overdue-actions job for a school assessment's plan, run as the portal runs it (the scheduler enqueues
``partnership.overdue_actions`` every hour for every authority, through the outbox): an open action past its
due date tells its owner (a person, or an organisation's contacts) once per due date, with a link to the
plan; moving the date re-arms it; a done action is left alone; one authority's run never touches another's."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from jobs.schedule import tick
from portal.clock import UK, travel
from portal.partnership.models import PlanAction
from tests.assessments.test_plan import make_action
from tests.assessments.triangle_support import make_assessment
from tests.meetings.support import rows
from tests.referrals.support import notifications
from tests.support import audit_events, signed_in_client

DUE = date(2027, 3, 12)
#: The Monday after the due date, 9am (UK): three days overdue.
LATER = datetime(2027, 3, 15, 9, 0, tzinfo=UK)
OVERDUE = "Overdue action"


def _tick(app, moment):
    with travel(moment), app.app_context():
        tick(moment)


def _links(app, side, person, containing: str) -> list[str]:
    from portal.extensions import db
    from portal.notifications.models import Notification
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        found = db.session.execute(
            select(Notification.title, Notification.link).where(Notification.user_id == person.id).order_by(Notification.created_at)
        ).all()
    return [link for title, link in found if containing in title]


def _assessment_with_actions(app, side):
    assessment_id = make_assessment(app, side, partners=("partner",))
    person = make_action(app, side, assessment_id, owner="dsl1", due_on=DUE, domain="pupil_development")
    organisation = make_action(app, side, assessment_id, organisation="police", due_on=DUE, domain="environment")
    done = make_action(app, side, assessment_id, owner="dsl1", due_on=DUE, status="done")
    return assessment_id, person, organisation, done


def test_an_overdue_assessment_action_tells_its_owner_once_with_a_link_to_the_plan(app, world):
    """The day after the due date, are the owning person and the owning organisation's contacts told once
    (nobody else, and not about a done action), with the plan as the link; and does the next run tell
    nobody again?"""
    assessment_id, person, organisation, done = _assessment_with_actions(app, world.a)

    _tick(app, datetime(2027, 3, 12, 18, 0, tzinfo=UK))  # due today: not overdue yet
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == []

    _tick(app, LATER)
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert notifications(app, world.a, world.a.partner, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert _links(app, world.a, world.a.dsl1, OVERDUE) == [f"/school-assessments/{assessment_id}/plan"]
    assert _links(app, world.a, world.a.partner, OVERDUE) == [f"/school-assessments/{assessment_id}/plan"]
    for key in ("assessor", "front_door", "head1", "partner2", "staff1"):
        assert notifications(app, world.a, world.a.people[key], OVERDUE) == [], key
    events = audit_events(app, world.a.authority_id, "plan_action.overdue_notified")
    assert sorted(e.object_id for e in events) == sorted([str(person), str(organisation)])
    marked = {a.id: a.overdue_notified_on for a in rows(app, world.a, PlanAction, assessment_id=assessment_id)}
    assert marked == {person: DUE, organisation: DUE, done: None}

    _tick(app, datetime(2027, 3, 15, 10, 0, tzinfo=UK))  # the next hourly run
    _tick(app, datetime(2027, 3, 16, 10, 0, tzinfo=UK))
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert notifications(app, world.a, world.a.partner, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert len(audit_events(app, world.a.authority_id, "plan_action.overdue_notified")) == 2


def test_moving_the_due_date_on_the_plan_re_arms_the_reminder(app, world):
    """After the owner was told, the lead assessor moves the due date: is the owner told again once the
    new date has passed (and not before)?"""
    _assessment_id, person, _organisation, _done = _assessment_with_actions(app, world.a)
    _tick(app, LATER)
    with travel(LATER):
        response = signed_in_client(app, world.a.assessor).post(
            f"/school-assessments/actions/{person}",
            data={"owner": f"user:{world.a.dsl1.id}", "due_on": ["19", "3", "2027"], "status": "in_progress", "version": "1"},  # loaded before the job ran
        )
    assert response.status_code == 302
    assert rows(app, world.a, PlanAction, id=person)[0].overdue_notified_on is None

    _tick(app, datetime(2027, 3, 18, 9, 0, tzinfo=UK))
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    _tick(app, datetime(2027, 3, 22, 9, 0, tzinfo=UK))
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027", "Overdue action: due 19 March 2027"]
    _tick(app, datetime(2027, 3, 22, 10, 0, tzinfo=UK))
    assert len(notifications(app, world.a, world.a.dsl1, OVERDUE)) == 2


def test_one_authoritys_run_never_touches_another_authoritys_assessment_actions(app, world):
    """When the job runs for authority A only, is B's overdue assessment action left as it was (not marked,
    nobody told, nothing audited in B); and when B's own run comes, are only B's people told?"""
    from jobs.outbox import enqueue
    from portal.extensions import db
    from tenants import tenant_scope

    _assessment_with_actions(app, world.a)
    _b_assessment, b_person, _b_org, _b_done = _assessment_with_actions(app, world.b)
    before_b = len(audit_events(app, world.b.authority_id))

    with travel(LATER), app.app_context():
        with tenant_scope(world.a.authority_id):
            enqueue("partnership.overdue_actions")
            db.session.commit()
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert [a.overdue_notified_on for a in rows(app, world.b, PlanAction, id=b_person)] == [None]
    assert notifications(app, world.b, world.b.dsl1, OVERDUE) == []
    assert len(audit_events(app, world.b.authority_id)) == before_b

    _tick(app, LATER)  # the scheduler's run: both authorities
    assert notifications(app, world.b, world.b.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert {e.actor_id for e in audit_events(app, world.b.authority_id, "plan_action.overdue_notified")} == {None}
