"""The shared workspace operations: invitations, the information-sharing agreement, plan actions, and the
account of what changed when a stale save is refused."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import locking
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.meetings.models import PartnershipMeeting
from portal.notifications.models import Notification
from portal.partnership import service
from portal.partnership.models import ActionStatus, InvitationStatus
from tenants import tenant_scope


def _meeting(side):
    meeting = PartnershipMeeting(organisation_id=side.school1, title="School partnership meeting", created_by_id=side.front_door.id)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _notified(user_id) -> list[str]:
    return db.session.execute(select(Notification.title).where(Notification.user_id == user_id)).scalars().all()


def test_an_organisation_is_invited_once_and_its_people_are_told(app, world):
    side = world.a
    with app.app_context(), tenant_scope(side.authority_id):
        meeting = _meeting(side)
        first = service.invite(meeting, side.police, actor_id=side.front_door.id, title=meeting.title, link="/m")
        again = service.invite(meeting, side.police, actor_id=side.front_door.id, title=meeting.title, link="/m")
        assert first is not None and again is None
        assert _notified(side.partner.id) == ["Invitation: School partnership meeting"]
        # A school answers through its DSLs and head.
        service.invite(meeting, side.school2, actor_id=side.front_door.id, title=meeting.title, link="/m")
        assert _notified(side.dsl2.id) == ["Invitation: School partnership meeting"]
        assert _notified(side.partner2.id) == []


def test_answering_an_invitation_records_who_and_tells_the_inviter(app, world):
    side = world.a
    with app.app_context(), tenant_scope(side.authority_id):
        meeting = _meeting(side)
        invitation = service.invite(meeting, side.police, actor_id=side.front_door.id, title=meeting.title, link="/m")
        service.respond(invitation, accept=False, actor_id=side.partner.id, note="  No officer free that day ", inviter_title=meeting.title, link="/m")
        db.session.commit()
        assert invitation.status == InvitationStatus.DECLINED
        assert invitation.responded_by_id == side.partner.id and invitation.response_note == "No officer free that day"
        assert _notified(side.front_door.id) == [f"{invitation.organisation.name} has declined the invitation: School partnership meeting"]
        answered = db.session.execute(select(AuditEvent).where(AuditEvent.action == "workspace.invitation_answered")).scalar_one()
        assert answered.details == {"answer": "declined"}


def test_accepting_the_agreement_twice_keeps_the_first_time(app, world):
    side = world.a
    with app.app_context(), tenant_scope(side.authority_id):
        meeting = _meeting(side)
        row = service.accept_agreement(meeting, side.partner.id)
        first = row.information_sharing_accepted_at
        again = service.accept_agreement(meeting, side.partner.id)
        assert again.id == row.id and again.information_sharing_accepted_at == first
        assert row.role.value == "attendee"
        db.session.commit()  # an event takes its place in the audit chain when its transaction commits
        accepted = db.session.execute(select(AuditEvent).where(AuditEvent.action == "workspace.information_sharing_accepted")).scalars().all()
        assert len(accepted) == 1


def test_an_action_for_an_organisation_tells_its_people_and_a_new_due_date_rearms_the_overdue_notice(app, world):
    side = world.a
    with app.app_context(), tenant_scope(side.authority_id):
        meeting = _meeting(side)
        action = service.add_action(
            meeting,
            description="Review the behaviour policy",
            due_on=date(2026, 3, 1),
            owner_organisation_id=side.school1,
            actor_id=side.front_door.id,
            link="/m",
        )
        assert _notified(side.dsl1.id) == ["An action is yours, due 1 March 2026"]
        assert _notified(side.head1.id) == ["An action is yours, due 1 March 2026"]
        assert _notified(side.staff1.id) == []
        action.overdue_notified_on = action.due_on
        service.update_action(action, status=ActionStatus.IN_PROGRESS, progress_note="Draft shared", due_on=date(2026, 4, 1))
        assert action.overdue_notified_on is None and action.due_on == date(2026, 4, 1)
        service.update_action(action, status=ActionStatus.DONE, progress_note=None)
        db.session.commit()
        assert action.completed_at is not None and action.progress_note is None


def test_what_changed_lists_only_the_fields_that_differ_in_words():
    changes = locking.what_changed(
        {"venue": "School hall", "consent": True, "when": date(2026, 7, 1), "notes": None},
        {"venue": "Library", "consent": True, "when": date(2026, 7, 2), "notes": ""},
        {"venue": "Venue", "consent": "Consent arranged", "when": "Date", "notes": "Notes"},
    )
    assert [(c.label, c.saved, c.yours) for c in changes] == [
        ("Venue", "School hall", "Library"),
        ("Date", "1 July 2026", "2 July 2026"),
    ]
