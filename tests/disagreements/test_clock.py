"""The disagreements' clock, run as the portal runs it (the scheduler, every five minutes, through the
outbox): the responders are reminded once the working day before a response is due; once it is overdue the
front-door managers and the school are told once; an upheld response not escalated in time closes it."""

from __future__ import annotations

from datetime import datetime, timedelta

from jobs.schedule import tick
from portal.clock import UK, travel
from tests.disagreements.support import decided_referral, disagreement, raise_on, respond_as
from tests.referrals.support import notifications
from tests.support import audit_events
from tests.world import create_user

#: Raised on Maundy Thursday 2027 at 10am: stage 1 is due at 10am on Wednesday 31 March (after Easter).
RAISED_AT = datetime(2027, 3, 25, 10, 0, tzinfo=UK)
REMIND_AT = datetime(2027, 3, 30, 10, 0, tzinfo=UK)
DUE_AT = datetime(2027, 3, 31, 10, 0, tzinfo=UK)
REMINDER = "Reminder:"
OVERDUE = "Overdue:"


def _tick(app, moment):
    with travel(moment), app.app_context():
        tick(moment)


def _raised(app, side):
    referral_id = decided_referral(app, side)
    with travel(RAISED_AT):
        return raise_on(app, side, referral_id=referral_id)


def _manager(app, side):
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db
    from tenants import tenant_scope

    manager = create_user(app, side.authority_id, "team.manager@avonford.example.org", "front_door", side.social_care)
    with app.app_context(), tenant_scope(side.authority_id):
        db.session.add(AuthorityDuty(user_id=manager.id, duty=Duty.FRONT_DOOR_MANAGER))
        db.session.commit()
    return manager


def test_the_responders_are_reminded_once_the_working_day_before(app, world):
    """Nothing over the Easter weekend; on Tuesday at 10am every front-door officer who may respond (not
    the one who made the decision) is reminded, once, however often the clock runs."""
    side = world.a
    disagreement_id = _raised(app, side)
    _tick(app, datetime(2027, 3, 29, 10, 0, tzinfo=UK))  # Easter Monday
    assert notifications(app, side, side.front_door, REMINDER) == []
    _tick(app, REMIND_AT + timedelta(minutes=1))
    _tick(app, REMIND_AT + timedelta(minutes=6))
    _tick(app, REMIND_AT + timedelta(hours=5))
    expected = ["Reminder: a stage 1 response to a disagreement from Avonford Primary School is due by the next working day"]
    assert notifications(app, side, side.front_door, REMINDER) == expected
    assert notifications(app, side, side.decider, REMINDER) == []
    assert [e.object_id for e in audit_events(app, side.authority_id, "disagreement.clock_reminder")] == [str(disagreement_id)]
    assert disagreement(app, side, disagreement_id).reminded_at == REMIND_AT + timedelta(minutes=1)


def test_overdue_is_told_once_to_the_managers_and_the_school(app, world):
    side = world.a
    manager = _manager(app, side)
    disagreement_id = _raised(app, side)
    _tick(app, DUE_AT - timedelta(minutes=1))
    assert notifications(app, side, manager, OVERDUE) == []
    for minutes in (1, 6, 300):
        _tick(app, DUE_AT + timedelta(minutes=minutes))
    assert notifications(app, side, manager, OVERDUE) == [
        "Overdue: the stage 1 response to a disagreement from Avonford Primary School has not been made in time"
    ]
    assert notifications(app, side, side.front_door, OVERDUE) == []  # the managers are told, not every officer
    assert notifications(app, side, side.dsl1, "overdue") == ["The stage 1 response to your disagreement is overdue: it has been escalated"]
    assert len(audit_events(app, side.authority_id, "disagreement.clock_escalated")) == 1
    assert disagreement(app, side, disagreement_id).escalated_at == DUE_AT + timedelta(minutes=1)


def test_a_new_stage_has_its_own_reminder_and_a_responded_stage_none(app, world):
    """Once stage 1 is answered (upheld) nobody is reminded or told it is overdue; an upheld response the
    school does not escalate within the set time closes it, the decision standing, the school told once."""
    side = world.a
    disagreement_id = _raised(app, side)
    with travel(RAISED_AT + timedelta(hours=1)):
        respond_as(app, side, disagreement_id, side.front_door, "upheld")
    _tick(app, REMIND_AT + timedelta(minutes=1))
    _tick(app, DUE_AT + timedelta(minutes=1))
    assert notifications(app, side, side.front_door, REMINDER) == [] and notifications(app, side, side.dsl1, "overdue") == []
    deadline = disagreement(app, side, disagreement_id).due_at  # 5 working days to escalate
    assert deadline == datetime(2027, 4, 5, 11, 0, tzinfo=UK)  # Tue 30 March to Monday 5 April: Easter Monday does not count
    _tick(app, deadline + timedelta(minutes=1))
    _tick(app, deadline + timedelta(minutes=6))
    row = disagreement(app, side, disagreement_id)
    assert (row.status.value, row.resolution.value) == ("resolved", "upheld")
    assert notifications(app, side, side.dsl1, "not escalated in time") == ["Your disagreement was not escalated in time: the decision stands"]
    assert len(audit_events(app, side.authority_id, "disagreement.not_escalated_in_time")) == 1
