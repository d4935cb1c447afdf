"""``Concern`` (what a member of staff saw or heard), its triage, links between concerns, and the
authority's own concern categories."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args

#: The categories every authority starts with; an authority adds its own (``ConcernCategory``).
BUILT_IN_CATEGORIES: list[tuple[str, str]] = [
    ("physical_abuse", "Physical abuse or injury"),
    ("emotional_abuse", "Emotional abuse"),
    ("sexual_abuse", "Sexual abuse or harmful sexual behaviour"),
    ("neglect", "Neglect (hunger, hygiene, clothing, supervision)"),
    ("child_on_child", "Child-on-child abuse or bullying"),
    ("online_safety", "Online safety"),
    ("exploitation", "Criminal or sexual exploitation"),
    ("radicalisation", "Radicalisation or extremism"),
    ("domestic_abuse", "Domestic abuse"),
    ("fgm", "Female genital mutilation (FGM)"),
    ("mental_health", "Mental health or wellbeing"),
    ("self_harm", "Self-harm"),
    ("attendance", "Attendance or missing education"),
    ("behaviour_change", "Change in behaviour or presentation"),
    ("disclosure", "Disclosure by the child"),
    ("other", "Other"),
]


class ConcernStatus(LabelledEnum):
    NEW = "new"
    TRIAGED = "triaged"


ConcernStatus.LABELS = {"new": "Waiting for the DSL", "triaged": "Seen by the DSL"}


class ConcernOutcome(LabelledEnum):
    MONITOR = "monitor"
    SUPPORT_IN_SCHOOL = "support_in_school"
    EARLY_HELP = "early_help"
    ADVICE_REQUESTED = "advice_requested"
    REFERRED = "referred"
    POLICE = "police"
    NO_FURTHER_ACTION = "no_further_action"


ConcernOutcome.LABELS = {
    "monitor": "Keep monitoring in school",
    "support_in_school": "Support in school (pastoral, mentoring, school nurse)",
    "early_help": "Early help",
    "advice_requested": "Advice asked of the front door",
    "referred": "Referred to children's social care",
    "police": "Reported to the police",
    "no_further_action": "No further action",
}


class ConcernCategory(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A concern category an authority has added to the built-in list."""

    __tablename__ = "concern_categories"
    __table_args__ = tenant_table_args(UniqueConstraint("authority_id", "key"))

    key: Mapped[str] = mapped_column(String(64), nullable=False)
    label: Mapped[str] = mapped_column(String(120), nullable=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Concern(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A concern about one pupil, logged by anyone on the school's staff.

    What the person saw and heard is never edited after it is logged (it is evidence); the DSL's triage
    is added to it. The person who logged it sees the outcome and the DSL's response to them, nothing
    else the DSL records.
    """

    __tablename__ = "concerns"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("pupil_id", "pupils"),
        parent_key("raised_by_id", "users"),
        parent_key("triaged_by_id", "users"),
        Index("ix_concerns_school", "authority_id", "organisation_id", "status", "created_at"),
        Index("ix_concerns_pupil", "authority_id", "pupil_id", "created_at"),
        Index("ix_concerns_raised_by", "authority_id", "raised_by_id", "created_at"),
        CheckConstraint("(status = 'new') OR (triaged_at IS NOT NULL AND outcome IS NOT NULL)", name="triage_complete"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    pupil_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    raised_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    seen_or_heard: Mapped[str] = mapped_column(Text, nullable=False)
    child_words: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    location: Mapped[str | None] = mapped_column(String(200))
    urgent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[ConcernStatus] = mapped_column(enum_column(ConcernStatus), nullable=False, default=ConcernStatus.NEW)
    triaged_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_taken: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[ConcernOutcome | None] = mapped_column(enum_column(ConcernOutcome))
    response_to_reporter: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    pupil = tenant_relationship("Pupil", "Concern.pupil_id", lazy="joined")
    raised_by = tenant_relationship("User", "Concern.raised_by_id")
    triaged_by = tenant_relationship("User", "Concern.triaged_by_id")


class ConcernLink(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """Two concerns the DSL has linked (a pattern). Stored once, with the lower id first."""

    __tablename__ = "concern_links"
    __table_args__ = tenant_table_args(
        parent_key("concern_id", "concerns", ondelete="CASCADE"),
        parent_key("linked_concern_id", "concerns", ondelete="CASCADE"),
        parent_key("linked_by_id", "users"),
        UniqueConstraint("authority_id", "concern_id", "linked_concern_id"),
        CheckConstraint("concern_id <> linked_concern_id", name="not_self"),
    )

    concern_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    linked_concern_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    linked_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
