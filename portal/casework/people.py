"""Who to tell: the people holding a role or a duty, for notifications."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from portal.accounts.models import Membership, Role, User
from portal.authorities.models import AuthorityDuty, Duty
from portal.extensions import db


def _active(query) -> list[uuid.UUID]:
    query = query.join(User, (User.id == Membership.user_id) & (User.authority_id == Membership.authority_id)).where(
        User.deactivated_at.is_(None), User.password_hash.is_not(None)
    )
    return sorted(set(db.session.execute(query).scalars().all()))


def school_casework_ids(organisation_id: uuid.UUID) -> list[uuid.UUID]:
    """The school's DSLs, deputies and head: who is alerted to a concern."""
    return _active(select(Membership.user_id).where(Membership.organisation_id == organisation_id, Membership.role.in_([Role.DSL, Role.HEAD])))


def front_door_ids() -> list[uuid.UUID]:
    """Every active front-door officer of the authority."""
    return _active(select(Membership.user_id).where(Membership.role == Role.FRONT_DOOR))


def school_head_ids(organisation_id: uuid.UUID) -> list[uuid.UUID]:
    """The school's head teachers (active accounts only)."""
    return _active(select(Membership.user_id).where(Membership.organisation_id == organisation_id, Membership.role == Role.HEAD))


def duty_ids(duty: Duty) -> list[uuid.UUID]:
    """The people named for ``duty`` in the authority's settings (active accounts only: a deactivated or
    never set-up account is never told)."""
    query = (
        select(AuthorityDuty.user_id)
        .join(User, (User.id == AuthorityDuty.user_id) & (User.authority_id == AuthorityDuty.authority_id))
        .where(AuthorityDuty.duty == duty, User.deactivated_at.is_(None), User.password_hash.is_not(None))
    )
    return sorted(set(db.session.execute(query).scalars().all()))


def front_door_manager_ids() -> list[uuid.UUID]:
    """The front-door managers named in the authority's settings (active accounts only)."""
    return duty_ids(Duty.FRONT_DOOR_MANAGER)


def notify_all(user_ids, title: str, *, link: str | None = None, body: str | None = None, email: bool = True, exclude=()) -> int:
    """An in-app notification (and its email, by job) to each of ``user_ids``; returns how many."""
    from portal.notifications.service import notify

    count = 0
    for user_id in dict.fromkeys(user_ids):
        if user_id in exclude:
            continue
        notify(user_id, title, body=body, link=link, email=email)
        count += 1
    return count
