"""The steps every PDF file job shares (the chronology PDF, the school assessment report).

A row (``ChronologyExport``, ``AssessmentReport``) has ``status``, ``storage_key``, ``size_bytes`` and
``completed_at``. The file's storage name is chosen the first time the job runs, so a retried job
overwrites its own file instead of leaving a second copy. When the last attempt fails, the row is marked
failed and the requester told (committed before the runner records the failure), so their page stops
waiting and offers to try again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select

from jobs.models import OutboxJob
from portal.casework import files
from portal.casework.models import ExportStatus
from portal.clock import utcnow
from portal.extensions import db

log = logging.getLogger("portal.jobs")


def finished(row) -> bool:
    """Nothing to do: the file is built and still there, or the job gave up (the requester asks again)."""
    if row.status == ExportStatus.READY and row.storage_key and files.exists(row.storage_key):
        return True
    return row.status == ExportStatus.FAILED


def mark_failed(row) -> None:
    row.status = ExportStatus.FAILED
    row.completed_at = utcnow()


def last_attempt(dedupe_key: str, max_attempts: int) -> bool:
    """Is this the job's last try? (Its outbox row counts the attempts before this one.)"""
    job = db.session.execute(select(OutboxJob).where(OutboxJob.dedupe_key == dedupe_key)).scalar_one_or_none()
    return job is not None and job.attempts + 1 >= max_attempts


def build(row, render: Callable[[], bytes], *, dedupe_key: str, max_attempts: int, give_up: Callable[[], None], what: str) -> bytes:
    """Render the PDF and write it under the row's storage name; then mark the row ready. On a failure
    the exception goes on to the runner (which retries); on the last attempt ``give_up`` is called first
    (after a rollback of whatever the failure left half-done), and must commit."""
    if not row.storage_key:
        row.storage_key = files.new_key()
    try:
        data = render()
        files.write(row.storage_key, data)
    except Exception:
        log.exception("%s %s could not be built", what, row.id)
        if last_attempt(dedupe_key, max_attempts):
            db.session.rollback()  # the row reloads
            mark_failed(row)
            give_up()
            db.session.commit()
        raise
    row.status = ExportStatus.READY
    row.size_bytes = len(data)
    row.completed_at = utcnow()
    return data
