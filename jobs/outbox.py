"""Writing jobs to the outbox."""

from __future__ import annotations

import uuid

from jobs.models import JobStatus, OutboxJob
from jobs.registry import get as get_job
from portal.clock import utcnow
from portal.extensions import db
from tenants.context import require_authority_id

PENDING_KEY = "outbox_pending"
#: In `flask.g`: rows committed in this app context, to run in process once it ends (no Redis).
INLINE_KEY = "_portal_inline_jobs"


class PayloadNotIds(ValueError):
    """A job payload held something other than ids."""


def _as_id(key: str, value: object) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise PayloadNotIds(f"Job payload {key}={value!r} is not an id. Jobs carry ids only, never details (they sit in Redis).")


def enqueue(name: str, *, dedupe_key: str | None = None, **ids: object) -> OutboxJob:
    """Record job ``name`` for the current authority in the current transaction.

    Nothing reaches Redis until the transaction commits; if it rolls back, the job never existed. Every
    keyword argument must be an id (a UUID). With ``dedupe_key``, a second job with the same key for the
    same authority is refused by the database.
    """
    spec = get_job(name)
    authority_id = require_authority_id()
    payload = {key: _as_id(key, value) for key, value in sorted(ids.items())}
    row = OutboxJob(
        authority_id=authority_id,
        name=name,
        queue=spec.queue,
        payload=payload,
        dedupe_key=dedupe_key,
        status=JobStatus.PENDING,
        available_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(PENDING_KEY, []).append((row.authority_id, row.id, row.queue))
    return row
