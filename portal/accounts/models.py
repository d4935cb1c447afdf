"""Users, their memberships, sessions, one-time tokens and recovery codes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, joinedload, mapped_column

from portal.accounts.sealing import SealedString
from portal.authorities.models import OrganisationKind
from portal.clock import utcnow
from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class Role(enum.StrEnum):
    """Roles a membership gives (DESIGN.md §1)."""

    STAFF = "staff"
    DSL = "dsl"
    HEAD = "head"
    GOVERNOR = "governor"
    FRONT_DOOR = "front_door"
    ASSESSOR = "assessor"
    PARTNER = "partner"
    AUTHORITY_ADMIN = "authority_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def description(self) -> str:
        return ROLE_DESCRIPTIONS[self]

    @property
    def organisation_kinds(self) -> tuple[OrganisationKind, ...]:
        """The kinds of organisation this role can be held in (none: the authority itself)."""
        return ROLE_ORGANISATION_KINDS[self]


ROLE_LABELS = {
    Role.STAFF: "Staff member",
    Role.DSL: "Designated safeguarding lead (or deputy)",
    Role.HEAD: "Head teacher",
    Role.GOVERNOR: "Governor",
    Role.FRONT_DOOR: "Front-door officer",
    Role.ASSESSOR: "Social care assessor",
    Role.PARTNER: "Partner agency practitioner",
    Role.AUTHORITY_ADMIN: "Authority administrator",
}

ROLE_DESCRIPTIONS = {
    Role.STAFF: "Records concerns about a child and sees what the DSL did with them.",
    Role.DSL: "Leads the school's safeguarding casework: concerns, chronologies, advice requests and referrals.",
    Role.HEAD: "As a DSL, plus the school's self-assessments and the governor report.",
    Role.GOVERNOR: "Sees aggregate reports only, never an individual child.",
    Role.FRONT_DOOR: "Works the referral and advice queues of every school in the authority.",
    Role.ASSESSOR: "Leads or joins school assessments; sits on the context panel.",
    Role.PARTNER: "Takes part in the summits, meetings and forums they are invited to.",
    Role.AUTHORITY_ADMIN: "Manages organisations, users, roles and settings. Sees no child-level data.",
}

_EDUCATION = (OrganisationKind.SCHOOL, OrganisationKind.EARLY_YEARS, OrganisationKind.COLLEGE)
_PARTNERS = (OrganisationKind.POLICE, OrganisationKind.HEALTH, OrganisationKind.VOLUNTARY, OrganisationKind.OTHER)

ROLE_ORGANISATION_KINDS: dict[Role, tuple[OrganisationKind, ...]] = {
    Role.STAFF: _EDUCATION,
    Role.DSL: _EDUCATION,
    Role.HEAD: _EDUCATION,
    Role.GOVERNOR: _EDUCATION,
    Role.FRONT_DOOR: (OrganisationKind.SOCIAL_CARE,),
    Role.ASSESSOR: (OrganisationKind.SOCIAL_CARE,),
    Role.PARTNER: _PARTNERS,
    Role.AUTHORITY_ADMIN: (),
}


class User(UserMixin, TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A person with an account. Belongs to exactly one authority; the email is unique across the portal."""

    __tablename__ = "users"
    __table_args__ = tenant_table_args(
        UniqueConstraint("email"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    email: Mapped[str] = mapped_column(String(254), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    job_title: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor authentication (TOTP, RFC 6238). The last accepted time step is kept so a code
    # can never be used twice.
    # Sealed at rest (portal.accounts.sealing): a database copy gives nobody's second factor away.
    # Read only when a code is checked or the factor is set up: every other query that loads a person (a
    # message's author, a chronology line's actor, the session) leaves the secret and its last step in the
    # database, so no page holds them, nor spends the CPU to unseal a second factor, to show a name.
    totp_secret: Mapped[str | None] = mapped_column(SealedString, deferred=True, deferred_group="second_factor")
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, deferred=True, deferred_group="second_factor")

    memberships = tenant_relationship(
        "Membership", "Membership.user_id", parent="User", viewonly=False, back_populates="user", order_by="Membership.created_at", cascade="all, delete-orphan"
    )

    @property
    def status(self) -> str:
        """``deactivated``, ``invited`` (no password yet) or ``active``."""
        if self.deactivated_at is not None:
            return "deactivated"
        if self.password_hash is None:
            return "invited"
        return "active"

    @property
    def is_active(self) -> bool:  # flask-login
        return self.status == "active"

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles() & set(roles))

    def organisation_ids(self, *roles: Role) -> set[uuid.UUID]:
        """Ids of the organisations where the user holds one of ``roles`` (any role if none given)."""
        return {m.organisation_id for m in self.memberships if m.organisation_id and (not roles or m.role in roles)}

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A user's role in one organisation (or, for an authority administrator, in the authority itself)."""

    __tablename__ = "memberships"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users", ondelete="CASCADE"),
        parent_key("organisation_id", "organisations"),
        UniqueConstraint("authority_id", "user_id", "organisation_id", "role"),
        Index("ix_memberships_organisation", "authority_id", "organisation_id"),
        CheckConstraint(
            "(role = 'authority_admin' AND organisation_id IS NULL) OR (role <> 'authority_admin' AND organisation_id IS NOT NULL)",
            name="organisation_matches_role",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    role: Mapped[Role] = mapped_column(enum_column(Role), nullable=False)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    user = tenant_relationship("User", "Membership.user_id", viewonly=False, back_populates="memberships")
    organisation = tenant_relationship("Organisation", "Membership.organisation_id", viewonly=False, lazy="joined")

    def __repr__(self) -> str:
        return f"<Membership {self.role} of {self.organisation_id}>"


class UserSession(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A signed-in session. The browser holds a random secret; only its hash is stored.

    A new row at every sign-in (the session id is rotated); revoked at sign-out, and for all of a user's
    sessions when their password changes or they are deactivated. Idle and absolute timeouts are checked
    on every request.
    """

    __tablename__ = "user_sessions"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users", ondelete="CASCADE"),
        UniqueConstraint("secret_hash"),
        Index("ix_user_sessions_user", "authority_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(64))

    user = tenant_relationship("User", "UserSession.user_id", viewonly=False, lazy="joined")


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountToken(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A single-use, expiring token sent by email (invitation, password reset). Only its hash is stored."""

    __tablename__ = "account_tokens"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users", ondelete="CASCADE"),
        UniqueConstraint("token_hash"),
        Index("ix_account_tokens_user", "authority_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = tenant_relationship("User", "AccountToken.user_id", viewonly=False, lazy="joined")


class RecoveryCode(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A one-time two-factor recovery code, stored as a keyed hash."""

    __tablename__ = "recovery_codes"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users", ondelete="CASCADE"),
        Index("ix_recovery_codes_user", "authority_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def named(relationship):
    """A loader option for a person a page names (a chronology line's actor, a message's author): their
    name and job title, not their whole row."""
    return joinedload(relationship).load_only(User.id, User.authority_id, User.full_name, User.job_title)
