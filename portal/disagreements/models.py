"""``Disagreement`` (a school's escalation of a decision it disagrees with), its steps (the history: raised,
each stage's response, the school's escalation or acceptance) and the authority's timescales."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args

#: The stages of the authority's procedure for resolving professional differences.
STAGES = (1, 2, 3)
LAST_STAGE = STAGES[-1]

STAGE_NAMES = {
    1: "Stage 1: the front door (a manager or a senior officer)",
    2: "Stage 2: the head of service (a second senior front-door officer)",
    3: "Stage 3: the safeguarding partnership",
}

#: The timescales an authority starts with (working days), as most partnerships' procedures set them.
DEFAULT_STAGE_DAYS = {1: 2, 2: 5, 3: 10}
#: How long a school has to take an upheld response to the next stage (working days).
DEFAULT_ESCALATE_DAYS = 5


class DisagreementStatus(LabelledEnum):
    OPEN = "open"
    AWAITING_SCHOOL = "awaiting_school"
    RESOLVED = "resolved"


DisagreementStatus.LABELS = {
    "open": "Waiting for a response",
    "awaiting_school": "Upheld: the school may escalate it",
    "resolved": "Resolved",
}

#: Still in progress (one at a time per referral or advice request).
IN_PROGRESS = (DisagreementStatus.OPEN, DisagreementStatus.AWAITING_SCHOOL)


class StageOutcome(LabelledEnum):
    UPHELD = "upheld"
    DECISION_CHANGED = "decision_changed"
    REFERRED_ON = "referred_on"


StageOutcome.LABELS = {
    "upheld": "Upheld: the decision stands",
    "decision_changed": "Decision changed",
    "referred_on": "Referred on to the next stage",
}


class Resolution(LabelledEnum):
    UPHELD = "upheld"
    DECISION_CHANGED = "decision_changed"


Resolution.LABELS = {"upheld": "The decision stands", "decision_changed": "Decision changed"}


class StepKind(LabelledEnum):
    RAISED = "raised"
    RESPONDED = "responded"
    ESCALATED = "escalated"
    ACCEPTED = "accepted"
    LAPSED = "lapsed"


StepKind.LABELS = {
    "raised": "Disagreement raised by the school",
    "responded": "Response",
    "escalated": "Escalated by the school to the next stage",
    "accepted": "Response accepted by the school",
    "lapsed": "Not escalated in time: the decision stands",
}


class DisagreementSettings(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The authority's timescales for each stage (working days), set by its administrator."""

    __tablename__ = "disagreement_settings"
    __table_args__ = tenant_table_args(
        UniqueConstraint("authority_id", name="uq_disagreement_settings_authority"),
        CheckConstraint("stage1_days BETWEEN 1 AND 60 AND stage2_days BETWEEN 1 AND 60 AND stage3_days BETWEEN 1 AND 60", name="stage_days_range"),
        CheckConstraint("escalate_days BETWEEN 1 AND 60", name="escalate_days_range"),
    )

    stage1_days: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_STAGE_DAYS[1])
    stage2_days: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_STAGE_DAYS[2])
    stage3_days: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_STAGE_DAYS[3])
    escalate_days: Mapped[int] = mapped_column(Integer, nullable=False, default=DEFAULT_ESCALATE_DAYS)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    def days(self, stage: int) -> int:
        return {1: self.stage1_days, 2: self.stage2_days, 3: self.stage3_days}[stage]


_IN_PROGRESS_SQL = "status IN ('open', 'awaiting_school')"


class Disagreement(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A school's disagreement with the front door's decision on one referral, or its answer to one request
    for advice, as it goes through the stages."""

    __tablename__ = "disagreements"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("referral_id", "referrals"),
        parent_key("advice_request_id", "advice_requests"),
        parent_key("pupil_id", "pupils"),
        parent_key("raised_by_id", "users"),
        parent_key("disputed_by_id", "users"),
        parent_key("stage1_responder_id", "users"),
        CheckConstraint("(referral_id IS NULL) <> (advice_request_id IS NULL)", name="one_subject"),
        CheckConstraint("stage BETWEEN 1 AND 3", name="stage_range"),
        CheckConstraint("status = 'resolved' OR due_at IS NOT NULL", name="in_progress_has_deadline"),
        CheckConstraint("status <> 'resolved' OR (resolution IS NOT NULL AND resolved_at IS NOT NULL)", name="resolved_has_resolution"),
        # One at a time: a referral (or an advice request) has at most one disagreement in progress.
        Index(
            "uq_disagreements_referral_in_progress",
            "authority_id",
            "referral_id",
            unique=True,
            postgresql_where=text(f"referral_id IS NOT NULL AND {_IN_PROGRESS_SQL}"),
            sqlite_where=text(f"referral_id IS NOT NULL AND {_IN_PROGRESS_SQL}"),
        ),
        Index(
            "uq_disagreements_advice_in_progress",
            "authority_id",
            "advice_request_id",
            unique=True,
            postgresql_where=text(f"advice_request_id IS NOT NULL AND {_IN_PROGRESS_SQL}"),
            sqlite_where=text(f"advice_request_id IS NOT NULL AND {_IN_PROGRESS_SQL}"),
        ),
        # The front door's list of disagreements in progress, by deadline; and the clock's job.
        Index(
            "ix_disagreements_in_progress_by_due",
            "authority_id",
            "due_at",
            "id",
            postgresql_where=text(_IN_PROGRESS_SQL),
            sqlite_where=text(_IN_PROGRESS_SQL),
        ),
        Index("ix_disagreements_referral", "authority_id", "referral_id", "created_at"),
        Index("ix_disagreements_advice", "authority_id", "advice_request_id", "created_at"),
        Index("ix_disagreements_created", "authority_id", "created_at"),
    )

    #: The school that disagrees (the referral's or the advice request's).
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    referral_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    advice_request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The child (none for an anonymous request for advice): the chronology's and the records' child.
    pupil_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    raised_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: Who made the decision the school disagrees with: they do not review it.
    disputed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The decision disputed, as it read when the disagreement was raised.
    decision_disputed: Mapped[str] = mapped_column(String(120), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    wanted: Mapped[str | None] = mapped_column(Text)

    status: Mapped[DisagreementStatus] = mapped_column(enum_column(DisagreementStatus), nullable=False, default=DisagreementStatus.OPEN)
    stage: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    stage_started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: The deadline of what is awaited now: the stage's response (open), or the school's escalation
    #: (awaiting the school).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the responders are reminded (the working day before the response is due).
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The clock's notices, set once each per stage.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stage1_responder_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolution: Mapped[Resolution | None] = mapped_column(enum_column(Resolution))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation = tenant_relationship("Organisation", "Disagreement.organisation_id", lazy="joined")
    pupil = tenant_relationship("Pupil", "Disagreement.pupil_id")
    raised_by = tenant_relationship("User", "Disagreement.raised_by_id")
    steps = tenant_relationship("DisagreementStep", "DisagreementStep.disagreement_id", parent="Disagreement", order_by="DisagreementStep.created_at")

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS

    @property
    def about(self) -> str:
        return "referral" if self.referral_id else "advice"


class DisagreementStep(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One step of a disagreement: raised, a stage's response (its outcome and the written response), the
    school's escalation or acceptance. A changed decision keeps the decision before and after."""

    __tablename__ = "disagreement_steps"
    __table_args__ = tenant_table_args(
        parent_key("disagreement_id", "disagreements", ondelete="CASCADE"),
        parent_key("actor_id", "users"),
        Index("ix_disagreement_steps_disagreement", "authority_id", "disagreement_id", "created_at"),
        Index("ix_disagreement_steps_created", "authority_id", "created_at"),
    )

    disagreement_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    stage: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind), nullable=False)
    outcome: Mapped[StageOutcome | None] = mapped_column(enum_column(StageOutcome))
    body: Mapped[str | None] = mapped_column(Text)
    #: Nobody, for the clock's own step (not escalated in time).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decision_before: Mapped[str | None] = mapped_column(String(120))
    decision_after: Mapped[str | None] = mapped_column(String(120))

    actor = tenant_relationship("User", "DisagreementStep.actor_id", lazy="joined")
