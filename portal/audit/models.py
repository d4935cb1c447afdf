"""``AuditEvent``: one row per thing that happened, chained by hash within each authority."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db
from portal.model_base import HasUUID, UTCDateTime
from tenants.orm import TenantOwned, tenant_table_args


class AuditEvent(TenantOwned, HasUUID, db.Model):
    """Who did what, to what, when and from where.

    Rows are only ever inserted. ``seq`` counts from 1 within the authority; ``hash`` covers every
    field and the previous row's hash, so changing, removing or reordering a row breaks the chain at
    that row (``flask audit verify``). On PostgreSQL the application role has only SELECT and INSERT on
    this table. ``actor_id`` and ``object_id`` are plain ids, not foreign keys: the log outlives
    what it describes.
    """

    __tablename__ = "audit_events"
    __table_args__ = tenant_table_args(
        UniqueConstraint("authority_id", "seq"),
        Index("ix_audit_events_actor", "authority_id", "actor_id"),
        Index("ix_audit_events_object", "authority_id", "object_type", "object_id"),
        Index("ix_audit_events_occurred", "authority_id", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
