"""What a worker runs: the tenant decorator and the outbox job runner."""

from __future__ import annotations

import functools
import logging
import uuid
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import select

from jobs import registry
from jobs.dispatch import run_inline_pending
from jobs.models import JobStatus, OutboxJob
from portal.extensions import db
from portal.clock import utcnow
from tenants.context import tenant_scope

log = logging.getLogger("portal.jobs")

#: Waits before the relay tries a failed job again (after the 1st, 2nd, ... failure).
BACKOFF = [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=2)]


class JobWithoutAuthority(RuntimeError):
    """A job was started without the authority it belongs to."""


_worker_app = None


def _job_app():
    """The Flask app to run a job in: the current one, or one built once per worker process."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    return _worker_app


def tenant_job(func):
    """Run ``func(*args, **kwargs)`` as ``wrapper(authority_id, *args, **kwargs)``: in a fresh app
    context, inside the tenant context of ``authority_id``. A job without an authority cannot run."""

    @functools.wraps(func)
    def wrapper(authority_id, *args, **kwargs):
        if authority_id in (None, ""):
            raise JobWithoutAuthority(f"{func.__name__} needs the authority it runs for; none was given.")
        authority_id = uuid.UUID(str(authority_id))
        app = _job_app()
        with app.app_context():
            with tenant_scope(authority_id):
                result = func(*args, **kwargs)
            run_inline_pending()
        return result

    return wrapper


@tenant_job
def run_outbox_job(outbox_id) -> str:
    """Run one outbox row: its handler's effects and the row's ``done`` mark commit together.

    A row already done (a duplicate delivery) is left alone, so a job run twice has its effect once. On
    PostgreSQL the row is locked while it runs, so two workers cannot run it at the same time.
    """
    outbox_id = uuid.UUID(str(outbox_id))
    row = db.session.execute(select(OutboxJob).where(OutboxJob.id == outbox_id).with_for_update()).scalar_one_or_none()
    if row is None:
        raise LookupError(f"No outbox job {outbox_id} for this authority.")
    if row.status != JobStatus.PENDING:
        db.session.rollback()
        return f"already {row.status}"
    spec = registry.get(row.name)
    payload = dict(row.payload)
    try:
        spec.handler(**payload)
        row.status = JobStatus.DONE
        row.attempts += 1
        row.finished_at = utcnow()
        row.last_error = None
        db.session.commit()
        return "done"
    except Exception as exc:
        db.session.rollback()
        _record_failure(outbox_id, exc, spec.max_attempts)
        raise


def _record_failure(outbox_id: uuid.UUID, exc: Exception, max_attempts: int) -> None:
    row = db.session.execute(select(OutboxJob).where(OutboxJob.id == outbox_id).with_for_update()).scalar_one()
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    row.dispatched_at = None
    if row.attempts >= max_attempts:
        row.status = JobStatus.FAILED
        log.error("Job %s (%s) failed for the last time: %s", row.id, row.name, row.last_error)
    else:
        row.available_at = utcnow() + BACKOFF[min(row.attempts - 1, len(BACKOFF) - 1)]
    db.session.commit()
