"""The one-working-day clock's jobs: warn the front door before a referral is due; escalate to the
front-door managers once it is overdue. Each is sent once per referral (``warned_at``/``escalated_at``
are set in the same transaction as the notifications), however often the check runs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from jobs.registry import job
from portal.audit.service import record
from portal.casework.people import front_door_ids, front_door_manager_ids, notify_all
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.service import page_path
from portal.referrals.actions import Action
from portal.referrals.models import AWAITING_DECISION, Referral

#: How long before the deadline the front door is warned.
WARNING_WINDOW = timedelta(hours=2)


def _due(query):
    # Lock the referral rows only: PostgreSQL refuses FOR UPDATE on the outer-joined pupil and school.
    return db.session.execute(query.order_by(Referral.due_at, Referral.id).with_for_update(skip_locked=True, of=Referral)).unique().scalars().all()


@job("referrals.check_clock", queue="sla")
def check_clock() -> None:
    now = utcnow()
    awaiting = Referral.status.in_(AWAITING_DECISION)
    for referral in _due(select(Referral).where(awaiting, Referral.warned_at.is_(None), Referral.due_at > now, Referral.due_at <= now + WARNING_WINDOW)):
        referral.warned_at = now
        recipients = [referral.acknowledged_by_id] if referral.acknowledged_by_id else front_door_ids()
        notify_all(
            recipients,
            f"Referral from {referral.organisation.name} is due within {int(WARNING_WINDOW.total_seconds() // 3600)} hours",
            link=page_path("referrals.detail", referral_id=referral.id),
        )
        record(Action.REFERRAL_WARNED, object_type="referral", object_id=referral.id, actor_id=None, details={"due_at": referral.due_at.isoformat()})
    for referral in _due(select(Referral).where(awaiting, Referral.escalated_at.is_(None), Referral.due_at <= now)):
        referral.escalated_at = now
        managers = front_door_manager_ids() or front_door_ids()
        notify_all(
            managers,
            f"Overdue: a referral from {referral.organisation.name} has had no decision within one working day",
            link=page_path("referrals.detail", referral_id=referral.id),
        )
        record(
            Action.REFERRAL_ESCALATED,
            object_type="referral",
            object_id=referral.id,
            actor_id=None,
            details={"due_at": referral.due_at.isoformat(), "to_managers": bool(front_door_manager_ids())},
        )
