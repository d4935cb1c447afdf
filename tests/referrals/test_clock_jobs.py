"""The clock's jobs, run as the portal runs them: the scheduler enqueues ``referrals.check_clock`` every
five minutes for every authority, through the outbox. Before a referral is due the front door is warned
once; after, the front-door managers are told once; a decided referral is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from jobs.schedule import tick
from portal.clock import UK, travel
from tests.factories import make_pupil, make_referral
from tests.referrals.support import notifications, referral
from tests.support import audit_events
from tests.world import create_user

#: Submitted on Friday 27 November 2026 at 10am: due on Monday 30 November at 10am.
SUBMITTED_AT = datetime(2026, 11, 27, 10, 0, tzinfo=UK)
DUE_AT = datetime(2026, 11, 30, 10, 0, tzinfo=UK)
WARNING = "is due within"
ESCALATION = "Overdue:"


def _tick(app, moment):
    with travel(moment), app.app_context():
        tick(moment)


def _referral(app, side, steps=(("submit", "dsl1"),)):
    with travel(SUBMITTED_AT):
        referral_id = make_referral(app, side, make_pupil(app, side), steps=steps)
    assert referral(app, side, referral_id).due_at == DUE_AT
    return referral_id


def _manager(app, side):
    """A front-door manager, named in the authority's settings."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db
    from tenants import tenant_scope

    manager = create_user(app, side.authority_id, "team.manager@avonford.example.org", "front_door", side.social_care)
    with app.app_context(), tenant_scope(side.authority_id):
        db.session.add(AuthorityDuty(user_id=manager.id, duty=Duty.FRONT_DOOR_MANAGER))
        db.session.commit()
    return manager


def _clock_jobs(app, side):
    from jobs.models import OutboxJob
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        return db.session.execute(select(OutboxJob.status).where(OutboxJob.name == "referrals.check_clock")).scalars().all()


def test_the_front_door_is_warned_once_before_the_deadline(app, world):
    """An hour before the deadline, is every front-door officer (nobody has acknowledged it) told once, and
    not again at the next run; and is nobody told anything before the warning window?"""
    second = create_user(app, world.a.authority_id, "second.officer@avonford.example.org", "front_door", world.a.social_care)
    referral_id = _referral(app, world.a)

    _tick(app, DUE_AT - timedelta(hours=3))
    assert notifications(app, world.a, world.a.front_door, WARNING) == []

    _tick(app, DUE_AT - timedelta(hours=1))
    expected = ["Referral from Avonford Primary School is due within 2 hours"]
    assert notifications(app, world.a, world.a.front_door, WARNING) == expected
    assert notifications(app, world.a, second, WARNING) == expected
    assert referral(app, world.a, referral_id).warned_at == DUE_AT - timedelta(hours=1)

    _tick(app, DUE_AT - timedelta(minutes=55))  # the next five-minute run
    assert notifications(app, world.a, world.a.front_door, WARNING) == expected
    assert notifications(app, world.a, second, WARNING) == expected
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "referral.clock_warning")] == [str(referral_id)]
    assert len(_clock_jobs(app, world.a)) == 3  # it did run each time


def test_once_acknowledged_only_the_acknowledging_officer_is_warned(app, world):
    second = create_user(app, world.a.authority_id, "second.officer@avonford.example.org", "front_door", world.a.social_care)
    _referral(app, world.a, steps=(("submit", "dsl1"), ("acknowledge", "front_door")))
    _tick(app, DUE_AT - timedelta(hours=1))
    assert len(notifications(app, world.a, world.a.front_door, WARNING)) == 1
    assert notifications(app, world.a, second, WARNING) == []


def test_the_managers_are_told_once_when_it_is_overdue(app, world):
    """Once the deadline has passed, are the front-door managers told exactly once (and not the officers),
    however often the clock runs after that?"""
    manager = _manager(app, world.a)
    referral_id = _referral(app, world.a)
    _tick(app, DUE_AT - timedelta(hours=1))

    _tick(app, DUE_AT + timedelta(minutes=1))
    expected = ["Overdue: a referral from Avonford Primary School has had no decision within one working day"]
    assert notifications(app, world.a, manager, ESCALATION) == expected
    assert notifications(app, world.a, world.a.front_door, ESCALATION) == []
    _tick(app, DUE_AT + timedelta(minutes=6))
    _tick(app, DUE_AT + timedelta(hours=5))
    assert notifications(app, world.a, manager, ESCALATION) == expected
    [event] = audit_events(app, world.a.authority_id, "referral.clock_escalated")
    assert event.object_id == str(referral_id) and event.details["to_managers"] is True
    assert referral(app, world.a, referral_id).escalated_at == DUE_AT + timedelta(minutes=1)


def test_with_no_manager_named_the_front_door_officers_are_told(app, world):
    _referral(app, world.a)
    _tick(app, DUE_AT + timedelta(minutes=1))
    _tick(app, DUE_AT + timedelta(minutes=6))
    assert len(notifications(app, world.a, world.a.front_door, ESCALATION)) == 1
    [event] = audit_events(app, world.a.authority_id, "referral.clock_escalated")
    assert event.details["to_managers"] is False


def test_a_decided_referral_is_never_warned_or_escalated(app, world):
    manager = _manager(app, world.a)
    referral_id = _referral(app, world.a, steps=(("submit", "dsl1"), ("acknowledge", "front_door"), ("decide", "front_door")))
    _tick(app, DUE_AT - timedelta(hours=1))
    _tick(app, DUE_AT + timedelta(hours=1))
    assert notifications(app, world.a, world.a.front_door, WARNING) == []
    assert notifications(app, world.a, manager, ESCALATION) == []
    saved = referral(app, world.a, referral_id)
    assert saved.warned_at is None and saved.escalated_at is None


def test_a_draft_is_not_on_the_clock_and_each_authority_hears_only_of_its_own(app, world):
    """Is a draft (no deadline) left alone, and are authority B's officers told nothing of A's referral?"""
    make_referral(app, world.a, make_pupil(app, world.a))
    _referral(app, world.a)
    _tick(app, DUE_AT + timedelta(minutes=1))
    assert len(notifications(app, world.a, world.a.front_door, ESCALATION)) == 1
    assert notifications(app, world.b, world.b.front_door) == []
