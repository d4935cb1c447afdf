"""The tenancy model: ``Authority`` (the tenant), ``Organisation``, ``AuthorityDuty``."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class Authority(HasUUID, HasCreatedAt, db.Model):
    """A local authority's safeguarding partnership: the tenant.

    Not tenant-owned itself: it is the register of tenants, holding names and settings, no case data.
    Created only by the platform command ``flask tenants create-authority``.
    """

    __tablename__ = "authorities"

    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    slug: Mapped[str] = mapped_column(String(63), nullable=False, unique=True)
    require_two_factor: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: After a child-protection file a school sent has been received: how many days the school keeps a
    #: read-only copy of what it sent (``None``: none; the record of the transfer and its receipt stay;
    #: otherwise 1 to 3650, as the settings page allows).
    sent_copy_days: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Authority {self.slug}>"


class OrganisationKind(enum.StrEnum):
    SCHOOL = "school"
    EARLY_YEARS = "early_years"
    COLLEGE = "college"
    SOCIAL_CARE = "social_care"
    POLICE = "police"
    HEALTH = "health"
    VOLUNTARY = "voluntary"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ORGANISATION_KIND_LABELS[self]

    @property
    def is_education(self) -> bool:
        return self in (OrganisationKind.SCHOOL, OrganisationKind.EARLY_YEARS, OrganisationKind.COLLEGE)


ORGANISATION_KIND_LABELS = {
    OrganisationKind.SCHOOL: "School",
    OrganisationKind.EARLY_YEARS: "Early years setting",
    OrganisationKind.COLLEGE: "College",
    OrganisationKind.SOCIAL_CARE: "Children's social care",
    OrganisationKind.POLICE: "Police",
    OrganisationKind.HEALTH: "Health",
    OrganisationKind.VOLUNTARY: "Voluntary or community organisation",
    OrganisationKind.OTHER: "Other",
}


class SchoolPhase(enum.StrEnum):
    NURSERY = "nursery"
    PRIMARY = "primary"
    MIDDLE = "middle"
    SECONDARY = "secondary"
    ALL_THROUGH = "all_through"
    SIXTEEN_PLUS = "sixteen_plus"

    @property
    def label(self) -> str:
        return SCHOOL_PHASE_LABELS[self]


SCHOOL_PHASE_LABELS = {
    SchoolPhase.NURSERY: "Nursery",
    SchoolPhase.PRIMARY: "Primary",
    SchoolPhase.MIDDLE: "Middle",
    SchoolPhase.SECONDARY: "Secondary",
    SchoolPhase.ALL_THROUGH: "All-through",
    SchoolPhase.SIXTEEN_PLUS: "16 plus",
}


class Organisation(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A school, setting, college, social care service or partner agency of one authority."""

    __tablename__ = "organisations"
    __table_args__ = tenant_table_args(
        UniqueConstraint("authority_id", "urn"),
        CheckConstraint("kind IN ('school', 'early_years', 'college') OR (urn IS NULL AND phase IS NULL)", name="urn_phase_for_education"),
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind), nullable=False)
    urn: Mapped[str | None] = mapped_column(String(6))
    phase: Mapped[SchoolPhase | None] = mapped_column(enum_column(SchoolPhase))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r} {self.kind}>"


class Duty(enum.StrEnum):
    """Duties an authority names in its settings rather than as roles (DESIGN.md §1)."""

    FRONT_DOOR_MANAGER = "front_door_manager"
    NETWORK_LEAD = "network_lead"
    CONTEXT_PANEL_MEMBER = "context_panel_member"
    TRANSFER_LEAD = "transfer_lead"

    @property
    def label(self) -> str:
        return DUTY_LABELS[self]


DUTY_LABELS = {
    Duty.FRONT_DOOR_MANAGER: "Front-door manager (receives escalations)",
    Duty.NETWORK_LEAD: "DSL network lead (moderates the forums)",
    Duty.CONTEXT_PANEL_MEMBER: "Context panel member",
    Duty.TRANSFER_LEAD: "Transfer lead (told when a school has not sent a child-protection file within 5 school days)",
}


class AuthorityDuty(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A user named for a duty in the authority's settings."""

    __tablename__ = "authority_duties"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users"),
        UniqueConstraint("authority_id", "user_id", "duty"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    duty: Mapped[Duty] = mapped_column(enum_column(Duty), nullable=False)

    user = tenant_relationship("User", "AuthorityDuty.user_id")
