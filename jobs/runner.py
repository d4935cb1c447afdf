"""What a worker runs: the tenant decorator and the outbox job runner."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import select

from jobs import registry
from jobs.models import JobStatus, OutboxJob
from jobs.outbox import INLINE_KEY
from portal.clock import utcnow
from portal.extensions import db
from tenants.context import tenant_scope

log = logging.getLogger("portal.jobs")

#: Waits before the relay tries a failed job again (after the 1st, 2nd, ... failure).
BACKOFF = [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=2)]


class JobWithoutAuthority(RuntimeError):
    """A job was started without the authority it belongs to."""


#: What a job returns.
T = TypeVar("T")

_worker_app: Flask | None = None
_app_factory: Callable[[], Flask] | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """The application factory, for a job that starts outside any app (create_app names itself here:
    jobs are below the features and the factory, and never import them)."""
    global _app_factory
    _app_factory = factory


def _job_app() -> Flask:
    """The Flask app to run a job in: the current one, or one built once per worker process."""
    global _worker_app
    if has_app_context():
        return cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
    if _worker_app is None:
        if _app_factory is None:
            raise RuntimeError("No app to run the job in: start workers with `flask jobs worker`.")
        _worker_app = _app_factory()
    return _worker_app


def tenant_job(func: Callable[..., T]) -> Callable[..., T]:
    """Run ``func(*args, **kwargs)`` as ``wrapper(authority_id, *args, **kwargs)``: in a fresh app
    context, inside the tenant context of ``authority_id``. A job without an authority cannot run."""

    @functools.wraps(func)
    def wrapper(authority_id: uuid.UUID | str | None, *args: Any, **kwargs: Any) -> T:
        if authority_id in (None, ""):
            raise JobWithoutAuthority(f"{func.__name__} needs the authority it runs for; none was given.")
        app = _job_app()
        with app.app_context():
            with tenant_scope(uuid.UUID(str(authority_id))):
                result = func(*args, **kwargs)
            run_inline_pending()
        return result

    return wrapper


@tenant_job
def run_outbox_job(outbox_id: uuid.UUID | str) -> str:
    """Run one outbox row: its handler's effects and the row's ``done`` mark commit together.

    A row already done (a duplicate delivery) is left alone, so a job run twice has its effect once. On
    PostgreSQL the row is locked while it runs, so two workers cannot run it at the same time.
    """
    row_id = uuid.UUID(str(outbox_id))
    row = db.session.execute(select(OutboxJob).where(OutboxJob.id == row_id).with_for_update()).scalar_one_or_none()
    if row is None:
        raise LookupError(f"No outbox job {row_id} for this authority.")
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
        _record_failure(row_id, exc, spec.max_attempts)
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


def run_inline_pending() -> int:
    """Run the rows kept for in-process execution in this app context. Returns how many ran."""
    if not has_app_context():
        return 0
    if not g.get(INLINE_KEY):
        return 0
    # End whatever transaction the request (or command) still has open before the jobs start: its work
    # is committed by now, and on SQLite an open transaction holds the write lock the jobs need.
    db.session.rollback()
    ran = 0
    while g.get(INLINE_KEY):
        authority_id, outbox_id, _queue = g.get(INLINE_KEY).pop(0)
        try:
            run_outbox_job(str(authority_id), str(outbox_id))
        except Exception:  # recorded on the row by the runner; the relay retries it after its back-off
            log.exception("In-process job %s failed", outbox_id)
        ran += 1
    return ran
