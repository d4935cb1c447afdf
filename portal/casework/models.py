"""Shared casework records: an authority's calendar changes, the pupil chronology, attachments, and
exported files."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class CalendarDay(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An authority's change to England's working days: a closure day, or a bank holiday worked."""

    __tablename__ = "calendar_days"
    __table_args__ = tenant_table_args(UniqueConstraint("authority_id", "day"))

    day: Mapped[date] = mapped_column(Date, nullable=False)
    is_working_day: Mapped[bool] = mapped_column(Boolean, nullable=False)
    label: Mapped[str] = mapped_column(String(120), nullable=False)


class EntryKind(LabelledEnum):
    CONCERN = "concern"
    TRIAGE = "triage"
    ADVICE = "advice"
    REFERRAL = "referral"


EntryKind.LABELS = {
    "concern": "Concerns",
    "triage": "DSL triage",
    "advice": "Advice from the front door",
    "referral": "Referrals and outcomes",
}


class ChronologyEntry(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One line of a pupil's chronology, written in the same transaction as what it records.

    Keeping the time line as rows of its own (rather than a union of every table at read time) makes a
    pupil's chronology one indexed, keyset-paginated query however long it grows.
    """

    __tablename__ = "chronology_entries"
    __table_args__ = tenant_table_args(
        parent_key("pupil_id", "pupils"),
        parent_key("organisation_id", "organisations"),
        parent_key("actor_id", "users"),
        Index("ix_chronology_pupil", "authority_id", "pupil_id", "occurred_at", "id"),
    )

    pupil_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: What the line is about: ``concern``, ``advice_request`` or ``referral``, and its id.
    object_type: Mapped[str] = mapped_column(String(32), nullable=False)
    object_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    actor = tenant_relationship("User", "ChronologyEntry.actor_id", lazy="joined")


class Attachment(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A file attached to a concern, an advice request or a referral.

    The bytes live outside the web root under a random name (``storage_key``); the type was checked
    from the bytes when it was uploaded. Only ``portal.casework.attachments`` reads or serves them.
    """

    __tablename__ = "attachments"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("concern_id", "concerns", ondelete="CASCADE"),
        parent_key("advice_request_id", "advice_requests", ondelete="CASCADE"),
        parent_key("referral_id", "referrals", ondelete="CASCADE"),
        parent_key("uploaded_by_id", "users"),
        UniqueConstraint("storage_key"),
        Index("ix_attachments_concern", "authority_id", "concern_id"),
        Index("ix_attachments_advice", "authority_id", "advice_request_id"),
        Index("ix_attachments_referral", "authority_id", "referral_id"),
        CheckConstraint(
            "(CASE WHEN concern_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN advice_request_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN referral_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_parent",
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    concern_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    advice_request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    referral_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), nullable=False)

    uploaded_by = tenant_relationship("User", "Attachment.uploaded_by_id")


class ExportStatus(LabelledEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


ExportStatus.LABELS = {"pending": "Being prepared", "ready": "Ready", "failed": "Could not be prepared"}


class ChronologyExport(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A PDF of a pupil's chronology, built by a job for the person who asked; only they download it."""

    __tablename__ = "chronology_exports"
    __table_args__ = tenant_table_args(
        parent_key("pupil_id", "pupils"),
        parent_key("organisation_id", "organisations"),
        parent_key("requested_by_id", "users"),
        UniqueConstraint("storage_key"),
        Index("ix_chronology_exports_requester", "authority_id", "requested_by_id", "created_at"),
    )

    pupil_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: The filter the chronology was shown with (entry kinds), so the PDF matches the screen.
    kinds: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus), nullable=False, default=ExportStatus.PENDING)
    storage_key: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
