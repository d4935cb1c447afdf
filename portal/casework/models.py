"""Shared casework records: an authority's calendar changes and school holidays, the pupil chronology,
attachments, and exported files."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint, Uuid
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


class SchoolHoliday(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A holiday of every school in the authority (half terms, the Christmas, Easter and summer holidays,
    a closure day for all schools), from ``first_day`` to ``last_day``, both included. School days are
    counted around them (:mod:`portal.casework.schooldays`). One school's INSET days are not kept here."""

    __tablename__ = "school_holidays"
    __table_args__ = tenant_table_args(
        CheckConstraint("last_day >= first_day", name="last_day_not_before_first"),
        Index("ix_school_holidays_first_day", "authority_id", "first_day"),
    )

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    first_day: Mapped[date] = mapped_column(Date, nullable=False)
    last_day: Mapped[date] = mapped_column(Date, nullable=False)


class EntryKind(LabelledEnum):
    CONCERN = "concern"
    TRIAGE = "triage"
    ADVICE = "advice"
    REFERRAL = "referral"
    CONTEXT = "context"
    MANUAL = "manual"
    TRANSFER = "transfer"
    PREVIOUS_SCHOOL = "previous_school"


EntryKind.LABELS = {
    "concern": "Concerns",
    "triage": "DSL triage",
    "advice": "Advice from the front door",
    "referral": "Referrals and outcomes",
    "context": "Context referrals",
    "manual": "Calls, meetings and visits",
    "transfer": "Moving school",
    "previous_school": "From the previous school",
}


class ManualKind(LabelledEnum):
    """What happened outside the portal, as a DSL records it on the chronology."""

    PHONE_CALL = "phone_call"
    MEETING = "meeting"
    CP_CONFERENCE = "cp_conference"
    CORE_GROUP = "core_group"
    CIN_MEETING = "cin_meeting"
    EARLY_HELP_MEETING = "early_help_meeting"
    HOME_VISIT = "home_visit"
    AGENCY_INFORMATION = "agency_information"
    OTHER = "other"


ManualKind.LABELS = {
    "phone_call": "Phone call",
    "meeting": "Meeting",
    "cp_conference": "Child protection conference",
    "core_group": "Core group meeting",
    "cin_meeting": "Child in need meeting",
    "early_help_meeting": "Team around the family (early help) meeting",
    "home_visit": "Home visit by the school",
    "agency_information": "Information received from another agency",
    "other": "Something else",
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
        parent_key("significant_by_id", "users"),
        Index("ix_chronology_pupil", "authority_id", "pupil_id", "occurred_at", "id"),
    )

    pupil_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: What the line is about: ``concern``, ``advice_request``, ``referral``, ``context_referral`` or
    #: ``manual_entry``, and its id.
    object_type: Mapped[str] = mapped_column(String(32), nullable=False)
    object_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: What was said, seen, asked, answered or decided at that step, as it was then: a list of
    #: ``{"label": ..., "text": ...}`` (the record a conference or a court reads, not a summary of it).
    substance: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: A significant event: in the summary chronology a conference asks for. Who marked it, and when.
    significant: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    significant_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    significant_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor = tenant_relationship("User", "ChronologyEntry.actor_id", lazy="joined")
    significant_by = tenant_relationship("User", "ChronologyEntry.significant_by_id", lazy="joined")


class ManualEntry(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """Something that happened outside the portal — a call with the social worker, a conference, a home
    visit — recorded by a DSL so that the chronology is complete. It can be corrected; every change is
    kept (:class:`ManualEntryRevision`), never made silently."""

    __tablename__ = "manual_entries"
    __table_args__ = tenant_table_args(
        parent_key("pupil_id", "pupils"),
        parent_key("organisation_id", "organisations"),
        parent_key("created_by_id", "users"),
        parent_key("updated_by_id", "users"),
    )

    pupil_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    kind: Mapped[ManualKind] = mapped_column(enum_column(ManualKind), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: Who was involved: agencies and roles (names of professionals as the DSL writes them).
    involved: Mapped[str] = mapped_column(Text, nullable=False)
    #: What was said or decided.
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    #: What happens next, and who does it.
    actions: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    created_by = tenant_relationship("User", "ManualEntry.created_by_id", lazy="joined")
    updated_by = tenant_relationship("User", "ManualEntry.updated_by_id")


class ManualEntryRevision(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One change to a manual entry: who made it, when, and each field's words before and after. The
    application role may only add these (on PostgreSQL it cannot change or remove one)."""

    __tablename__ = "manual_entry_revisions"
    __table_args__ = tenant_table_args(
        parent_key("manual_entry_id", "manual_entries"),
        parent_key("changed_by_id", "users"),
        Index("ix_manual_entry_revisions_entry", "authority_id", "manual_entry_id", "created_at"),
    )

    manual_entry_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    changed_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: ``{field label: [before, after]}``, in the words shown on the page.
    changes: Mapped[dict] = mapped_column(JSON, nullable=False)

    changed_by = tenant_relationship("User", "ManualEntryRevision.changed_by_id", lazy="joined")


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
    #: Significant events only: the summary chronology a conference asks for.
    significant_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus), nullable=False, default=ExportStatus.PENDING)
    storage_key: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The PDF is a copy of a child's record made for one purpose: its file is removed EXPORT_KEPT_DAYS
    #: after it was made (``casework.remove_old_exports``); the row stays, to say so.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
