"""Context referrals, the school threshold indicators they are checked against, and the context panel.

A context referral is about a school, a peer group linked to a school, or a place near one — not about
one child. It records how many young people are affected and in which year groups; it names pupils only
when they are on the referring school's own register. The panel decides what happens next, and its
decision opens the workspace chosen (a safety summit, a school partnership meeting or a school
assessment), linked both ways.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum, Level
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class ThresholdSet(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One version of an authority's school threshold indicators. Versions are never edited: a change
    makes the next version, and a referral and its decision keep the version they were made under."""

    __tablename__ = "threshold_sets"
    __table_args__ = tenant_table_args(
        parent_key("created_by_id", "users"),
        UniqueConstraint("authority_id", "number"),
    )

    number: Mapped[int] = mapped_column(Integer, nullable=False)
    #: What changed and why (shown in the list of versions).
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    indicators = tenant_relationship(
        "ThresholdIndicator", "ThresholdIndicator.threshold_set_id", parent="ThresholdSet", order_by="(ThresholdIndicator.level, ThresholdIndicator.position)"
    )
    created_by = tenant_relationship("User", "ThresholdSet.created_by_id")


class ThresholdIndicator(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One indicator of a version, at one level (universal, child in need or child protection)."""

    __tablename__ = "threshold_indicators"
    __table_args__ = tenant_table_args(
        parent_key("threshold_set_id", "threshold_sets", ondelete="CASCADE"),
        Index("ix_threshold_indicators_set", "authority_id", "threshold_set_id", "level", "position"),
        CheckConstraint("level IN ('universal', 'child_in_need', 'child_protection')", name="indicator_level"),
    )

    threshold_set_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    level: Mapped[Level] = mapped_column(enum_column(Level), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)


class ContextSubject(LabelledEnum):
    SCHOOL = "school"
    PEER_GROUP = "peer_group"
    LOCATION = "location"


ContextSubject.LABELS = {
    "school": "The school itself",
    "peer_group": "A peer group linked to the school",
    "location": "A place near the school",
}


class ContextReferralStatus(LabelledEnum):
    AWAITING_DECISION = "awaiting_decision"
    DECIDED = "decided"


ContextReferralStatus.LABELS = {"awaiting_decision": "Awaiting a panel decision", "decided": "Decided"}


class PanelDecision(LabelledEnum):
    BELOW_THRESHOLD = "below_threshold"
    SAFETY_SUMMIT = "safety_summit"
    PARTNERSHIP_MEETING = "partnership_meeting"
    SELF_ASSESSMENT = "self_assessment"
    SCHOOL_ASSESSMENT = "school_assessment"


PanelDecision.LABELS = {
    "below_threshold": "Doesn't meet threshold: the school manages internally",
    "safety_summit": "Early help: the school hosts a safety summit",
    "partnership_meeting": "Early help: a school partnership meeting",
    "self_assessment": "Child in need / child protection: the school completes a Beyond Referrals self-assessment",
    "school_assessment": "Child in need / child protection: children's social care completes a school assessment",
}

#: The level each decision stands for (shown on dashboards, kept with the decision).
DECISION_LEVEL = {
    PanelDecision.BELOW_THRESHOLD: Level.UNIVERSAL,
    PanelDecision.SAFETY_SUMMIT: Level.EARLY_HELP,
    PanelDecision.PARTNERSHIP_MEETING: Level.EARLY_HELP,
}


class ContextReferral(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A referral of a school context: a school, a peer group linked to it, or a place near it."""

    __tablename__ = "context_referrals"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("raised_by_id", "users"),
        parent_key("raised_by_organisation_id", "organisations"),
        parent_key("threshold_set_id", "threshold_sets"),
        parent_key("source_summit_id", "safety_summits"),
        parent_key("panel_meeting_id", "panel_meetings"),
        parent_key("decided_by_id", "users"),
        parent_key("summit_id", "safety_summits"),
        parent_key("meeting_id", "partnership_meetings"),
        parent_key("assessment_id", "school_assessments"),
        parent_key("decision_threshold_set_id", "threshold_sets"),
        Index("ix_context_referrals_status", "authority_id", "status", "created_at"),
        Index("ix_context_referrals_school", "authority_id", "organisation_id", "created_at"),
        CheckConstraint(
            "status <> 'decided' OR (decision IS NOT NULL AND decision_reason IS NOT NULL AND decided_at IS NOT NULL"
            " AND decided_by_id IS NOT NULL AND decided_level IS NOT NULL)",
            name="decision_has_reason",
        ),
        CheckConstraint("decision <> 'below_threshold' OR advice_given IS NOT NULL", name="below_threshold_has_advice"),
        CheckConstraint("young_people_count IS NULL OR young_people_count >= 0", name="count_not_negative"),
        CheckConstraint(
            "decision IS NULL OR decision = 'below_threshold'"
            " OR (decision = 'safety_summit' AND summit_id IS NOT NULL)"
            " OR (decision = 'partnership_meeting' AND meeting_id IS NOT NULL)"
            " OR (decision IN ('self_assessment', 'school_assessment') AND assessment_id IS NOT NULL)",
            name="decision_opens_workspace",
        ),
        UniqueConstraint("authority_id", "summit_id", name="uq_context_referral_summit"),
        UniqueConstraint("authority_id", "meeting_id", name="uq_context_referral_meeting"),
        UniqueConstraint("authority_id", "assessment_id", name="uq_context_referral_assessment"),
    )

    #: The school the context is linked to.
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    subject: Mapped[ContextSubject] = mapped_column(enum_column(ContextSubject), nullable=False)
    #: The peer group or the place, described without naming children.
    subject_description: Mapped[str | None] = mapped_column(Text)
    concern: Mapped[str] = mapped_column(Text, nullable=False)
    categories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    young_people_count: Mapped[int | None] = mapped_column(Integer)
    year_groups: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    threshold_set_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    suggested_level: Mapped[Level] = mapped_column(enum_column(Level, name="suggested_level"), nullable=False)
    agrees_with_suggestion: Mapped[bool] = mapped_column(Boolean, nullable=False)
    referrer_level: Mapped[Level] = mapped_column(enum_column(Level, name="referrer_level"), nullable=False)
    level_reason: Mapped[str] = mapped_column(Text, nullable=False)

    raised_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    raised_by_organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: Raised from a safety summit, with the summit's evidence attached.
    source_summit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    summit_evidence: Mapped[str | None] = mapped_column(Text)

    status: Mapped[ContextReferralStatus] = mapped_column(enum_column(ContextReferralStatus), nullable=False, default=ContextReferralStatus.AWAITING_DECISION)
    #: The panel meeting it is listed for (and where it was decided).
    panel_meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decision: Mapped[PanelDecision | None] = mapped_column(enum_column(PanelDecision))
    decided_level: Mapped[Level | None] = mapped_column(enum_column(Level, name="decided_level"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    advice_given: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The threshold indicators in force when the decision was made.
    decision_threshold_set_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The workspace the decision opened (the link back from the workspace is this column too).
    summit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation = tenant_relationship("Organisation", "ContextReferral.organisation_id", lazy="joined")
    raised_by = tenant_relationship("User", "ContextReferral.raised_by_id")
    raised_by_organisation = tenant_relationship("Organisation", "ContextReferral.raised_by_organisation_id")
    decided_by = tenant_relationship("User", "ContextReferral.decided_by_id")
    threshold_set = tenant_relationship("ThresholdSet", "ContextReferral.threshold_set_id")

    @property
    def is_open(self) -> bool:
        return self.status == ContextReferralStatus.AWAITING_DECISION


class ContextReferralIndicator(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An indicator the referrer checked (from the referral's own threshold version)."""

    __tablename__ = "context_referral_indicators"
    __table_args__ = tenant_table_args(
        parent_key("context_referral_id", "context_referrals", ondelete="CASCADE"),
        parent_key("indicator_id", "threshold_indicators"),
        UniqueConstraint("authority_id", "context_referral_id", "indicator_id"),
    )

    context_referral_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    indicator_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    indicator = tenant_relationship("ThresholdIndicator", "ContextReferralIndicator.indicator_id", lazy="joined")


class ContextReferralPupil(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A pupil of the referring school's own register named on a context referral (child-level data:
    shown only to that school's DSLs and head, and to children's social care)."""

    __tablename__ = "context_referral_pupils"
    __table_args__ = tenant_table_args(
        parent_key("context_referral_id", "context_referrals", ondelete="CASCADE"),
        parent_key("pupil_id", "pupils"),
        UniqueConstraint("authority_id", "context_referral_id", "pupil_id"),
    )

    context_referral_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    pupil_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    pupil = tenant_relationship("Pupil", "ContextReferralPupil.pupil_id", lazy="joined")


class PanelMeeting(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A meeting of the context panel: when and where, who chaired, who attended, what it decided.

    Children's social care and the named panel members see every panel meeting; a partner agency sees
    one only when its organisation is invited.
    """

    __tablename__ = "panel_meetings"
    __table_args__ = tenant_table_args(
        parent_key("chair_id", "users"),
        parent_key("created_by_id", "users"),
        Index("ix_panel_meetings_when", "authority_id", "meets_at"),
    )

    meets_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    venue: Mapped[str] = mapped_column(String(200), nullable=False)
    chair_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: People present who have no account (named with their organisation).
    other_attendees: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    chair = tenant_relationship("User", "PanelMeeting.chair_id")
