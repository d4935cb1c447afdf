"""The disagreements' clock, run every five minutes for every authority: the responders are reminded once
when a stage's response is due by the next working day; once it is overdue, those above them and the
school are told once (``reminded_at``/``escalated_at`` are set in the same transaction as the
notifications, and cleared when a new stage starts); an upheld response the school has not escalated in
the time allowed is closed (the decision stands)."""

from __future__ import annotations

from sqlalchemy import select

from jobs.registry import job
from portal.clock import utcnow
from portal.disagreements import service
from portal.disagreements.models import Disagreement, DisagreementStatus
from portal.extensions import db


def _due(query):
    return db.session.execute(query.order_by(Disagreement.due_at, Disagreement.id).with_for_update(skip_locked=True, of=Disagreement)).unique().scalars().all()


@job("disagreements.check_clock", queue="sla")
def check_clock() -> None:
    now = utcnow()
    waiting = Disagreement.status == DisagreementStatus.OPEN
    for disagreement in _due(select(Disagreement).where(waiting, Disagreement.reminded_at.is_(None), Disagreement.remind_at <= now, Disagreement.due_at > now)):
        service.remind(disagreement, now)
    for disagreement in _due(select(Disagreement).where(waiting, Disagreement.escalated_at.is_(None), Disagreement.due_at <= now)):
        service.overdue(disagreement, now)
    for disagreement in _due(select(Disagreement).where(Disagreement.status == DisagreementStatus.AWAITING_SCHOOL, Disagreement.due_at <= now)):
        service.lapse(disagreement, now)
