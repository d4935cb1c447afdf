"""Self-review and assurance: a school reviews itself against the seeds' questions.

The questions live in versioned data files (``portal/selfreview/frameworks/*.json``), never in code: the
twelve practical tips (with each tip's key points as prompts) and the Assured Safeguarding leadership
questions in six themes, one set for head teachers and one for governors. A review is of one school, one
framework (at the version it was started with) and one academic year; for each question a RAG rating,
evidence and notes; actions go into the school's development plan. ``SchoolAssuranceRecord`` keeps the
training and review dates the governor report shows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.partnership.models import ActionStatus
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class Rag(LabelledEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


Rag.LABELS = {"red": "Red: not in place", "amber": "Amber: partly in place", "green": "Green: in place and working"}


class ReviewStatus(LabelledEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


ReviewStatus.LABELS = {"in_progress": "In progress", "completed": "Completed"}


class SelfReview(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One school's review against one framework for one academic year (``academic_year`` is the year it
    starts: 2026 is 2026 to 2027)."""

    __tablename__ = "self_reviews"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("started_by_id", "users"),
        parent_key("completed_by_id", "users"),
        UniqueConstraint("authority_id", "organisation_id", "framework", "academic_year"),
        Index("ix_self_reviews_framework_year", "authority_id", "framework", "academic_year"),
        CheckConstraint("status <> 'completed' OR (completed_at IS NOT NULL AND completed_by_id IS NOT NULL)", name="completion_recorded"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: The framework's key (the data file's ``key``) and the version of its questions the review uses.
    framework: Mapped[str] = mapped_column(String(64), nullable=False)
    framework_version: Mapped[int] = mapped_column(Integer, nullable=False)
    academic_year: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[ReviewStatus] = mapped_column(enum_column(ReviewStatus), nullable=False, default=ReviewStatus.IN_PROGRESS)
    started_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation = tenant_relationship("Organisation", "SelfReview.organisation_id", lazy="joined")


class SelfReviewAnswer(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The school's answer to one question: its RAG rating, the evidence, notes (the school's own: never
    shown to another school or in the authority's distribution)."""

    __tablename__ = "self_review_answers"
    __table_args__ = tenant_table_args(
        parent_key("review_id", "self_reviews", ondelete="CASCADE"),
        parent_key("updated_by_id", "users"),
        UniqueConstraint("authority_id", "review_id", "question_key"),
    )

    review_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    question_key: Mapped[str] = mapped_column(String(64), nullable=False)
    rating: Mapped[Rag | None] = mapped_column(enum_column(Rag))
    evidence: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class DevelopmentAction(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An action in the school's development plan, from a question of a review: who owns it (a person with
    an account at the school, or a role written in, such as "Office manager"), when it is due, its status."""

    __tablename__ = "development_actions"
    __table_args__ = tenant_table_args(
        parent_key("review_id", "self_reviews", ondelete="CASCADE"),
        parent_key("owner_user_id", "users"),
        parent_key("created_by_id", "users"),
        Index("ix_development_actions_review", "authority_id", "review_id", "due_on"),
        CheckConstraint(
            "(CASE WHEN owner_user_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN owner_name IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
        CheckConstraint("status <> 'done' OR completed_at IS NOT NULL", name="done_has_date"),
    )

    review_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    question_key: Mapped[str] = mapped_column(String(64), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_name: Mapped[str | None] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), nullable=False, default=ActionStatus.NOT_STARTED)
    progress_note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    owner_user = tenant_relationship("User", "DevelopmentAction.owner_user_id", lazy="joined")

    @property
    def owner(self) -> str:
        return self.owner_user.full_name if self.owner_user is not None else (self.owner_name or "")


class SchoolAssuranceRecord(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A school's safeguarding training and review dates (one row per school), kept by its head and shown
    in the governor report."""

    __tablename__ = "school_assurance_records"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("updated_by_id", "users"),
        UniqueConstraint("authority_id", "organisation_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    dsl_training_on: Mapped[date | None] = mapped_column(Date)
    staff_training_on: Mapped[date | None] = mapped_column(Date)
    governor_training_on: Mapped[date | None] = mapped_column(Date)
    policy_reviewed_on: Mapped[date | None] = mapped_column(Date)
    single_central_record_checked_on: Mapped[date | None] = mapped_column(Date)
    updated_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
