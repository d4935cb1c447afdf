"""Handing committed outbox rows to RQ, or running them in process; the relay for anything left behind.

After a commit, each new outbox row is pushed to its RQ queue. If Redis is down, the push fails, is
logged, and the row simply stays pending: the change it belongs to is already saved, and the relay
(``flask jobs scheduler``, every 30 seconds) delivers it once Redis is back.

Without ``REDIS_URL`` (the embedded default) rows are run in process instead, at the end of the request,
job or command that committed them; the relay picks up any that failed, after their back-off.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from flask import current_app, g
from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from jobs.connection import rq_queue
from jobs.models import JobStatus, OutboxJob
from jobs.outbox import INLINE_KEY, PENDING_KEY
from jobs.runner import run_inline_pending
from portal.clock import utcnow
from portal.extensions import db
from tenants.context import tenant_scope
from tenants.directory import authority_ids
from tenants.orm import TenantSession

log = logging.getLogger("portal.jobs")

#: A row newer than this is left to the push that followed its commit.
RELAY_GRACE = timedelta(seconds=30)
#: A row dispatched this long ago and still pending is dispatched again (a worker died, Redis lost it).
STUCK_AFTER = timedelta(minutes=15)


@event.listens_for(TenantSession, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        hand_over(pending)


@event.listens_for(TenantSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def hand_over(rows: list[tuple[uuid.UUID, uuid.UUID, str]], dispatch_number: int = 0) -> None:
    """Push ``(authority_id, outbox_id, queue)`` rows to RQ, or keep them to run in process."""
    if current_app.config.get("REDIS_URL"):
        for authority_id, outbox_id, queue in rows:
            push(authority_id, outbox_id, queue, dispatch_number)
    else:
        g.setdefault(INLINE_KEY, []).extend(rows)


def push(authority_id: uuid.UUID, outbox_id: uuid.UUID, queue: str, dispatch_number: int = 0) -> bool:
    """Put one outbox row on its RQ queue. Returns ``False`` (and logs) when Redis cannot take it."""
    try:
        rq_queue(queue).enqueue_call(
            "jobs.runner.run_outbox_job",
            args=[str(authority_id), str(outbox_id)],
            job_id=f"outbox-{outbox_id}-{dispatch_number}",
            unique=True,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            timeout=600,
            description=f"outbox {outbox_id}",
        )
        return True
    except DuplicateJobError:
        return True  # already on the queue (or already ran): the outbox row decides what happens
    except RedisError as exc:
        log.warning("Redis unavailable; job %s stays in the outbox for the relay: %s", outbox_id, exc)
        return False


def relay(now: datetime | None = None) -> int:
    """Dispatch every pending row that is due and not already on its way. Returns how many."""
    now = now or utcnow()
    dispatched = 0
    for authority_id in authority_ids(db.session):
        with tenant_scope(authority_id):
            rows = (
                db.session.execute(
                    select(OutboxJob)
                    .where(
                        OutboxJob.status == JobStatus.PENDING,
                        OutboxJob.available_at <= now,
                        OutboxJob.created_at <= now - RELAY_GRACE,
                        or_(OutboxJob.dispatched_at.is_(None), OutboxJob.dispatched_at <= now - STUCK_AFTER),
                    )
                    .order_by(OutboxJob.created_at)
                    .limit(500)
                )
                .scalars()
                .all()
            )
            batch = []
            for row in rows:
                row.dispatched_at = now
                row.dispatch_count += 1
                batch.append((row.authority_id, row.id, row.queue, row.dispatch_count))
            db.session.commit()
        for row_authority, outbox_id, queue, number in batch:
            if current_app.config.get("REDIS_URL"):
                push(row_authority, outbox_id, queue, number)
            else:
                g.setdefault(INLINE_KEY, []).append((row_authority, outbox_id, queue))
        dispatched += len(batch)
    run_inline_pending()
    return dispatched
