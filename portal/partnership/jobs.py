"""Overdue plan actions (safety summits, school partnership meetings and school assessments): the owner is told once per due
date. ``overdue_notified_on`` is set in the same transaction as the notifications, so however often the
job runs (or is retried) an owner hears once; moving the due date re-arms it."""

from __future__ import annotations

from sqlalchemy import or_, select, update

from jobs.registry import job
from portal.assessments.service import audience
from portal.audit.service import record
from portal.casework.people import notify_all
from portal.clock import uk_today
from portal.extensions import db
from portal.notifications.service import page_path
from portal.partnership.actions import Action
from portal.partnership.models import OPEN_ACTION_STATUSES, PlanAction
from portal.partnership.service import organisation_contacts


def _link(action: PlanAction) -> str:
    if action.summit_id is not None:
        return page_path("summits.detail", summit_id=action.summit_id)
    if action.assessment_id is not None:
        return page_path("assessments.plan", assessment_id=action.assessment_id)
    return page_path("meetings.detail", meeting_id=action.meeting_id)


@job("partnership.overdue_actions", queue="sla")
def overdue_actions() -> None:
    today = uk_today()
    query = (
        select(PlanAction)
        .where(
            PlanAction.status.in_(OPEN_ACTION_STATUSES),
            PlanAction.due_on < today,
            or_(PlanAction.overdue_notified_on.is_(None), PlanAction.overdue_notified_on != PlanAction.due_on),
        )
        .order_by(PlanAction.due_on, PlanAction.id)
        .with_for_update(skip_locked=True, of=PlanAction)
    )
    for action in db.session.execute(query).unique().scalars().all():
        owners = [action.owner_user_id] if action.owner_user_id else organisation_contacts(action.owner_organisation_id)
        if action.assessment_id is not None:
            owners = audience(action.assessment_id, owners)  # only those who may still open it
        # Not through the ORM's versioned update: the job's note must not make someone editing the
        # action at the same moment see a stale-save refusal.
        db.session.execute(
            update(PlanAction).where(PlanAction.id == action.id).values(overdue_notified_on=action.due_on).execution_options(synchronize_session=False)
        )
        notify_all(
            owners,
            f"Overdue action: due {action.due_on.strftime('%-d %B %Y')}",
            link=_link(action),
        )
        record(
            Action.PLAN_ACTION_OVERDUE,
            object_type="plan_action",
            object_id=action.id,
            actor_id=None,
            details={"due_on": action.due_on.isoformat(), "told": len(owners)},
        )
