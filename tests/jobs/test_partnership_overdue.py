"""The overdue-actions job, run as the portal runs it: the scheduler enqueues ``partnership.overdue_actions``
every hour for every authority, through the outbox. An open action past its due date tells its owner (a
person, or an organisation's contacts) once per due date; moving the date re-arms it; a done action is
left alone; and one authority's run never touches another's actions."""

from __future__ import annotations

from datetime import date, datetime

from jobs.schedule import tick
from portal.clock import UK, travel
from portal.partnership.models import PlanAction
from tests.meetings.support import make_action, make_meeting, rows
from tests.referrals.support import notifications
from tests.support import audit_events, signed_in_client

DUE = date(2027, 3, 12)
#: The Monday after the due date, 9am (UK): three days overdue.
LATER = datetime(2027, 3, 15, 9, 0, tzinfo=UK)
OVERDUE = "Overdue action"


def _tick(app, moment):
    with travel(moment), app.app_context():
        tick(moment)


def _meeting_with_actions(app, side):
    meeting_id = make_meeting(app, side, accepted=("front_door", "dsl1"), invited={"health": "accepted"})
    person = make_action(app, side, meeting_id, owner="dsl1", due_on=DUE, description="Review the lunchtime supervision rota")
    organisation = make_action(app, side, meeting_id, organisation="health", due_on=DUE, description="Drop-in sessions with the school nurse")
    done = make_action(app, side, meeting_id, owner="dsl1", due_on=DUE, status="done", description="Already done")
    return meeting_id, person, organisation, done


def test_overdue_actions_tell_their_owners_once(app, world):
    """The day after the due date, are the owning person and the owning organisation's contacts told once
    (and nobody else, and not about a done action); and does the next hourly run tell nobody again?"""
    meeting_id, person, organisation, done = _meeting_with_actions(app, world.a)

    _tick(app, datetime(2027, 3, 12, 18, 0, tzinfo=UK))  # due today: not overdue yet
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == []

    _tick(app, LATER)
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert notifications(app, world.a, world.a.partner2, OVERDUE) == ["Overdue action: due 12 March 2027"]
    for key in ("front_door", "partner", "head1", "staff1"):
        assert notifications(app, world.a, world.a.people[key], OVERDUE) == [], key
    events = audit_events(app, world.a.authority_id, "plan_action.overdue_notified")
    assert sorted(e.object_id for e in events) == sorted([str(person), str(organisation)])
    assert str(done) not in {e.object_id for e in events}
    marked = {a.id: a.overdue_notified_on for a in rows(app, world.a, PlanAction, meeting_id=meeting_id)}
    assert marked == {person: DUE, organisation: DUE, done: None}

    _tick(app, datetime(2027, 3, 15, 10, 0, tzinfo=UK))  # the next hourly run
    _tick(app, datetime(2027, 3, 16, 10, 0, tzinfo=UK))
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert notifications(app, world.a, world.a.partner2, OVERDUE) == ["Overdue action: due 12 March 2027"]
    assert len(audit_events(app, world.a.authority_id, "plan_action.overdue_notified")) == 2


def test_moving_the_due_date_re_arms_the_reminder(app, world):
    """After the owner was told, the lead moves the due date: is the owner told again once the new date
    has passed (and not before)? The lead's form was loaded before the job ran (version 1): the job's
    note does not make their save stale."""
    meeting_id, person, _organisation, _done = _meeting_with_actions(app, world.a)
    _tick(app, LATER)
    with travel(LATER):
        response = signed_in_client(app, world.a.front_door).post(
            f"/meetings/{meeting_id}/actions/{person}/edit",
            data={
                "description": "Review the lunchtime supervision rota",
                "owner": f"user:{world.a.dsl1.id}",
                "due_on": ["19", "3", "2027"],
                "status": "in_progress",
                "version": "1",
            },
        )
    assert response.status_code == 302
    assert rows(app, world.a, PlanAction, id=person)[0].overdue_notified_on is None

    _tick(app, datetime(2027, 3, 18, 9, 0, tzinfo=UK))
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027"]
    _tick(app, datetime(2027, 3, 22, 9, 0, tzinfo=UK))
    assert notifications(app, world.a, world.a.dsl1, OVERDUE) == ["Overdue action: due 12 March 2027", "Overdue action: due 19 March 2027"]
    _tick(app, datetime(2027, 3, 22, 10, 0, tzinfo=UK))
    assert len(notifications(app, world.a, world.a.dsl1, OVERDUE)) == 2


def test_one_authoritys_run_never_touches_another_authoritys_actions(app, world):
    """When the job runs for authority A only, is B's overdue action left as it was (not marked, nobody
    told, nothing audited in B); and when B's own run comes, are only B's people told?"""
    from jobs.outbox import enqueue
    from portal.extensions import db
    from tenants import tenant_scope

    _meeting_with_actions(app, world.a)
    _b_meeting, b_person, _b_org, _b_done = _meeting_with_actions(app, world.b)
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
