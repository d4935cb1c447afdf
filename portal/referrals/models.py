"""``Referral``, its recorded transitions and its message thread."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Index, Integer, String, Text, Uuid, text, true
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum, Level
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class ReferralStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    INFORMATION_REQUESTED = "information_requested"
    INFORMATION_PROVIDED = "information_provided"
    DECIDED = "decided"
    CLOSED = "closed"


ReferralStatus.LABELS = {
    "draft": "Draft",
    "submitted": "Submitted",
    "acknowledged": "Acknowledged",
    "information_requested": "More information requested",
    "information_provided": "Information provided",
    "decided": "Decision made",
    "closed": "Closed",
}

#: Statuses the front door is working on: the clock runs until a decision.
AWAITING_DECISION = (
    ReferralStatus.SUBMITTED,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.INFORMATION_REQUESTED,
    ReferralStatus.INFORMATION_PROVIDED,
)
#: Statuses a decision has been made in (the decided referrals' partial index is on these).
DECIDED_STATUSES = (ReferralStatus.DECIDED, ReferralStatus.CLOSED)


class ReferralDecision(LabelledEnum):
    NO_FURTHER_ACTION = "no_further_action"
    UNIVERSAL_SERVICES = "universal_services"
    EARLY_HELP = "early_help"
    CHILD_IN_NEED_ASSESSMENT = "child_in_need_assessment"
    STRATEGY_DISCUSSION = "strategy_discussion"
    POLICE = "police"


ReferralDecision.LABELS = {
    "no_further_action": "No further action",
    "universal_services": "Universal services",
    "early_help": "Early help",
    "child_in_need_assessment": "Child-in-need assessment (section 17)",
    "strategy_discussion": "Strategy discussion / section 47 enquiry",
    "police": "Referred to the police",
}


class ParentsAware(LabelledEnum):
    YES = "yes"
    NO = "no"


ParentsAware.LABELS = {"yes": "Yes", "no": "No"}


class Consent(LabelledEnum):
    """Whether the school sought consent to the referral (from the parents or carers, or the child)."""

    SOUGHT_GIVEN = "sought_given"
    SOUGHT_REFUSED = "sought_refused"
    NOT_SOUGHT = "not_sought"


Consent.LABELS = {
    "sought_given": "Consent was sought and given",
    "sought_refused": "Consent was sought and refused",
    "not_sought": "Consent was not sought",
}


class PersonKind(LabelledEnum):
    """A person on a referral: a household member or significant adult, or a sibling."""

    HOUSEHOLD = "household"
    SIBLING = "sibling"


PersonKind.LABELS = {"household": "Household member or significant adult", "sibling": "Sibling"}


class YesNoNotKnown(LabelledEnum):
    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"


YesNoNotKnown.LABELS = {"yes": "Yes", "no": "No", "not_known": "Not known"}


class AgencyType(LabelledEnum):
    GP = "gp"
    HEALTH_VISITOR = "health_visitor"
    SCHOOL_NURSE = "school_nurse"
    CAMHS = "camhs"
    POLICE = "police"
    YOUTH_JUSTICE = "youth_justice"
    EARLY_HELP = "early_help"
    OTHER = "other"


AgencyType.LABELS = {
    "gp": "GP",
    "health_visitor": "Health visitor",
    "school_nurse": "School nurse",
    "camhs": "Child and adolescent mental health services (CAMHS)",
    "police": "Police",
    "youth_justice": "Youth justice service",
    "early_help": "Early help key worker",
    "other": "Other",
}


class Referral(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A school's referral of one pupil to the front door."""

    __tablename__ = "referrals"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("pupil_id", "pupils"),
        parent_key("created_by_id", "users"),
        parent_key("advice_request_id", "advice_requests"),
        parent_key("acknowledged_by_id", "users"),
        parent_key("decided_by_id", "users"),
        parent_key("need_guidance_id", "need_guidance_versions"),
        Index("ix_referrals_queue", "authority_id", "status", "due_at", "id"),
        # The front door's queue: open referrals in deadline order, read straight off this index.
        Index(
            "ix_referrals_open_by_due",
            "authority_id",
            "due_at",
            "id",
            postgresql_where=text("status IN ('submitted', 'acknowledged', 'information_requested', 'information_provided')"),
            sqlite_where=text("status IN ('submitted', 'acknowledged', 'information_requested', 'information_provided')"),
        ),
        # The front door's decided referrals, latest first (without it the view read every referral).
        Index(
            "ix_referrals_decided",
            "authority_id",
            "decided_at",
            "id",
            postgresql_where=text("status IN ('decided', 'closed')"),
            sqlite_where=text("status IN ('decided', 'closed')"),
        ),
        Index("ix_referrals_school", "authority_id", "organisation_id", "created_at", "id"),
        Index("ix_referrals_pupil", "authority_id", "pupil_id"),
        CheckConstraint(
            "status NOT IN ('decided', 'closed') OR (decision IS NOT NULL AND decision_reason IS NOT NULL AND decided_at IS NOT NULL)",
            name="decision_has_reason",
        ),
        CheckConstraint("status = 'draft' OR (submitted_at IS NOT NULL AND due_at IS NOT NULL)", name="submitted_has_clock"),
        CheckConstraint("NOT immediate_danger OR status = 'draft' OR police_called", name="police_called_first"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    pupil_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    advice_request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus), nullable=False, default=ReferralStatus.DRAFT)

    categories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    what_happened: Mapped[str] = mapped_column(Text, nullable=False, default="")
    child_voice: Mapped[str | None] = mapped_column(Text)
    immediate_danger: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    police_called: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    police_reference: Mapped[str | None] = mapped_column(String(60))
    parents_aware: Mapped[ParentsAware | None] = mapped_column(enum_column(ParentsAware))
    parents_not_aware_reason: Mapped[str | None] = mapped_column(Text)
    school_view_level: Mapped[Level | None] = mapped_column(enum_column(Level))
    #: The DSL's choice when sending it: may the front door read the child's chronology from the referral
    #: (yes unless they say why not)? See ``portal.referrals.policy.chronology_shared_now`` for how long.
    chronology_shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    chronology_not_shared_reason: Mapped[str | None] = mapped_column(Text)

    # The child as the school knows them (what the front door would otherwise ring to ask). Free text: the
    # school writes what it holds; the register's flags (SEN, EAL) start the draft's answers.
    address: Mapped[str | None] = mapped_column(Text)
    lives_with: Mapped[str | None] = mapped_column(Text)
    communication_needs: Mapped[str | None] = mapped_column(Text)
    disability: Mapped[str | None] = mapped_column(Text)
    ethnicity: Mapped[str | None] = mapped_column(String(200))
    religion: Mapped[str | None] = mapped_column(String(200))
    #: Consent to the referral: answered before it is sent; why not, when it was not sought.
    consent: Mapped[Consent | None] = mapped_column(enum_column(Consent))
    consent_not_sought_reason: Mapped[str | None] = mapped_column(Text)
    consent_refused_note: Mapped[str | None] = mapped_column(Text)
    #: Why the school's view differs from the level its ticked indicators suggest.
    school_view_reason: Mapped[str | None] = mapped_column(Text)
    #: The version of the levels-of-need guidance the referral was made under (kept when it changes).
    need_guidance_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decision: Mapped[ReferralDecision | None] = mapped_column(enum_column(ReferralDecision))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: The level of need the front door decided (required with every decision since levels of need).
    decision_level: Mapped[Level | None] = mapped_column(enum_column(Level, name="decision_level"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the school last heard from the front door (a status change or a message).
    last_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The clock's jobs: set once each, so a warning and an escalation are sent once.
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    pupil = tenant_relationship("Pupil", "Referral.pupil_id", lazy="joined")
    organisation = tenant_relationship("Organisation", "Referral.organisation_id", lazy="joined")
    created_by = tenant_relationship("User", "Referral.created_by_id")
    transitions = tenant_relationship("ReferralTransition", "ReferralTransition.referral_id", parent="Referral", order_by="ReferralTransition.created_at")
    messages = tenant_relationship("ReferralMessage", "ReferralMessage.referral_id", parent="Referral", order_by="ReferralMessage.created_at")
    people = tenant_relationship("ReferralPerson", "ReferralPerson.referral_id", parent="Referral", order_by="[ReferralPerson.created_at, ReferralPerson.id]")
    agencies = tenant_relationship("ReferralAgency", "ReferralAgency.referral_id", parent="Referral", order_by="[ReferralAgency.created_at, ReferralAgency.id]")

    @property
    def household(self) -> list[ReferralPerson]:
        """The household members and significant adults, in the order they were added."""
        return [p for p in self.people if p.kind == PersonKind.HOUSEHOLD]

    @property
    def siblings(self) -> list[ReferralPerson]:
        return [p for p in self.people if p.kind == PersonKind.SIBLING]

    @property
    def is_open(self) -> bool:
        return self.status in AWAITING_DECISION


class ReferralTransition(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One change of a referral's status: who, when, from what to what, and their comment."""

    __tablename__ = "referral_transitions"
    __table_args__ = tenant_table_args(
        parent_key("referral_id", "referrals", ondelete="CASCADE"),
        parent_key("actor_id", "users"),
        Index("ix_referral_transitions_referral", "authority_id", "referral_id", "created_at"),
    )

    referral_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    from_status: Mapped[ReferralStatus | None] = mapped_column(enum_column(ReferralStatus, name="from_status"))
    to_status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus, name="to_status"), nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)

    actor = tenant_relationship("User", "ReferralTransition.actor_id", lazy="joined")


class ReferralMessage(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A message on a referral's thread, between the school and the front door."""

    __tablename__ = "referral_messages"
    __table_args__ = tenant_table_args(
        parent_key("referral_id", "referrals", ondelete="CASCADE"),
        parent_key("author_id", "users"),
        Index("ix_referral_messages_referral", "authority_id", "referral_id", "created_at"),
    )

    referral_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    from_front_door: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)

    author = tenant_relationship("User", "ReferralMessage.author_id", lazy="joined")


class ReferralPerson(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """Someone in the child's life, named on a referral: a household member or significant adult (mum,
    her partner, a grandparent who collects the child), or a sibling. Siblings share the table (one
    policy, one list in the chronology); ``kind`` says which, and a sibling may be linked to their record
    on the referring school's own register."""

    __tablename__ = "referral_people"
    __table_args__ = tenant_table_args(
        parent_key("referral_id", "referrals", ondelete="CASCADE"),
        parent_key("sibling_pupil_id", "pupils"),
        Index("ix_referral_people_referral", "authority_id", "referral_id", "created_at"),
        CheckConstraint("kind = 'sibling' OR sibling_pupil_id IS NULL", name="only_siblings_linked"),
    )

    referral_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    kind: Mapped[PersonKind] = mapped_column(enum_column(PersonKind), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    relationship: Mapped[str | None] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # Household members and significant adults:
    lives_in_household: Mapped[bool | None] = mapped_column(Boolean)
    parental_responsibility: Mapped[YesNoNotKnown | None] = mapped_column(enum_column(YesNoNotKnown))
    contact_details: Mapped[str | None] = mapped_column(Text)
    first_language: Mapped[str | None] = mapped_column(String(100))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Siblings:
    school: Mapped[str | None] = mapped_column(String(200))
    #: The sibling's record on the referring school's register (chosen only from that register).
    sibling_pupil_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class ReferralAgency(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """Another agency or professional involved with the child (their GP, the school nurse, CAMHS...)."""

    __tablename__ = "referral_agencies"
    __table_args__ = tenant_table_args(
        parent_key("referral_id", "referrals", ondelete="CASCADE"),
        Index("ix_referral_agencies_referral", "authority_id", "referral_id", "created_at"),
    )

    referral_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    agency_type: Mapped[AgencyType] = mapped_column(enum_column(AgencyType), nullable=False)
    #: What the agency is, when it is none of the list ("Young carers' service").
    other_type: Mapped[str | None] = mapped_column(String(200))
    professional_name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    contact_details: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def type_label(self) -> str:
        if self.agency_type == AgencyType.OTHER and self.other_type:
            return self.other_type
        return self.agency_type.label
