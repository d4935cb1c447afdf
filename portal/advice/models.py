"""``AdviceRequest`` and its message thread."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Index, Integer, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum, Level, Urgency, harm_labels
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class AdviceStatus(LabelledEnum):
    WAITING = "waiting"
    TAKEN = "taken"
    ANSWERED = "answered"


AdviceStatus.LABELS = {"waiting": "Waiting for the front door", "taken": "Being looked at", "answered": "Answered"}


class AdviceOutcome(LabelledEnum):
    ADVICE_GIVEN = "advice_given"
    PROCEED_TO_REFERRAL = "proceed_to_referral"
    EARLY_HELP = "early_help"
    NO_FURTHER_ACTION = "no_further_action"


AdviceOutcome.LABELS = {
    "advice_given": "Advice given",
    "proceed_to_referral": "Proceed to a referral",
    "early_help": "Refer to early help",
    "no_further_action": "No further action",
}


class AdviceRequest(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A DSL's question to the front door. ``pupil_id`` is empty for an anonymous consultation."""

    __tablename__ = "advice_requests"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("pupil_id", "pupils"),
        parent_key("requested_by_id", "users"),
        parent_key("taken_by_id", "users"),
        parent_key("answered_by_id", "users"),
        parent_key("need_guidance_id", "need_guidance_versions"),
        Index("ix_advice_requests_queue", "authority_id", "status", "created_at"),
        Index("ix_advice_requests_school", "authority_id", "organisation_id", "created_at"),
        Index("ix_advice_requests_pupil", "authority_id", "pupil_id"),
        CheckConstraint("(status <> 'answered') OR (outcome IS NOT NULL AND answered_at IS NOT NULL)", name="answer_complete"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    pupil_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    question: Mapped[str] = mapped_column(Text, nullable=False)
    categories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: The version of the levels-of-need guidance the request was made under, the DSL's view of the
    #: level (optional) and why it differs from the level the ticked indicators suggest.
    need_guidance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    dsl_view_level: Mapped[Level | None] = mapped_column(enum_column(Level, name="dsl_view_level"))
    dsl_view_reason: Mapped[str | None] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency), nullable=False, default=Urgency.ROUTINE)
    status: Mapped[AdviceStatus] = mapped_column(enum_column(AdviceStatus), nullable=False, default=AdviceStatus.WAITING)
    taken_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[AdviceOutcome | None] = mapped_column(enum_column(AdviceOutcome))
    answer: Mapped[str | None] = mapped_column(Text)
    #: The level the front door thinks the need is at (asked with every answer since the levels of need;
    #: empty on requests answered before).
    answer_level: Mapped[Level | None] = mapped_column(enum_column(Level, name="answer_level"))
    answered_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_anonymous(self) -> bool:
        return self.pupil_id is None

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.TODAY

    @property
    def category_labels(self) -> list[str]:
        return harm_labels(self.categories)

    pupil = tenant_relationship("Pupil", "AdviceRequest.pupil_id", lazy="joined")
    organisation = tenant_relationship("Organisation", "AdviceRequest.organisation_id", lazy="joined")
    requested_by = tenant_relationship("User", "AdviceRequest.requested_by_id")
    taken_by = tenant_relationship("User", "AdviceRequest.taken_by_id")
    answered_by = tenant_relationship("User", "AdviceRequest.answered_by_id")
    messages = tenant_relationship("AdviceMessage", "AdviceMessage.advice_request_id", parent="AdviceRequest", order_by="AdviceMessage.created_at")


class AdviceMessage(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One message on an advice request's thread, between the school and the front door."""

    __tablename__ = "advice_messages"
    __table_args__ = tenant_table_args(
        parent_key("advice_request_id", "advice_requests", ondelete="CASCADE"),
        parent_key("author_id", "users"),
        Index("ix_advice_messages_request", "authority_id", "advice_request_id", "created_at"),
    )

    advice_request_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    from_front_door: Mapped[bool] = mapped_column(db.Boolean, nullable=False, default=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)

    author = tenant_relationship("User", "AdviceMessage.author_id", lazy="joined")
