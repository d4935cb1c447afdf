"""``OutboxJob``: a job recorded in the database with the change that causes it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from tenants.orm import TenantOwned, tenant_table_args


class JobStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to run, or queued on RQ
    DONE = "done"  # ran to completion; running it again does nothing
    FAILED = "failed"  # gave up after the last retry


# Flask-SQLAlchemy makes its model base at run time, so mypy cannot see it.
class OutboxJob(TenantOwned, HasUUID, HasCreatedAt, db.Model):  # type: ignore[name-defined, misc]
    """A job to run for one authority. ``payload`` holds ids only (``jobs.outbox.enqueue`` checks)."""

    __tablename__ = "outbox_jobs"
    __table_args__ = tenant_table_args(
        UniqueConstraint("authority_id", "dedupe_key"),
        Index("ix_outbox_jobs_due", "authority_id", "status", "available_at"),
    )

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    queue: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, 16), nullable=False, default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatch_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
