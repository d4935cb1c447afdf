"""The people the context panel's pages choose from and tell: active accounts of the authority holding a
role, or named as context panel members (names are not sensitive to those who work with them)."""

from __future__ import annotations

from sqlalchemy import or_, select

from portal.accounts.models import Membership, Role, User
from portal.authorities.models import AuthorityDuty, Duty
from portal.extensions import db


def people(*conditions) -> list[User]:
    """Active accounts of the authority matching any of ``conditions``, by name."""
    return (
        db.session.execute(
            select(User).where(or_(*conditions), User.deactivated_at.is_(None), User.password_hash.is_not(None)).order_by(User.full_name, User.id)
        )
        .scalars()
        .all()
    )


def holding(*roles: Role):
    """A condition for :func:`people`: holding one of ``roles``."""
    return User.id.in_(select(Membership.user_id).where(Membership.role.in_(roles)))


def panel_duty():
    """A condition for :func:`people`: named as a context panel member."""
    return User.id.in_(select(AuthorityDuty.user_id).where(AuthorityDuty.duty == Duty.CONTEXT_PANEL_MEMBER))


def panel_people() -> list[User]:
    """Children's social care and the people named as context panel members."""
    return people(holding(Role.FRONT_DOOR, Role.ASSESSOR), panel_duty())
