"""The audiences every feature's policy is written in: who holds a school's casework, who works at a
school, the front door, children's social care, people named for a duty, the context panel, and the
organisations a person answers invitations for."""

from __future__ import annotations

import uuid

from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import Role
from portal.authorities.models import AuthorityDuty, Duty, Organisation
from portal.extensions import db
from portal.policies.base import Person, visible_query


def _ids(ids: object) -> set[uuid.UUID]:
    """A user's organisation ids, typed (``User.organisation_ids`` is declared in an unchecked module)."""
    return set(ids) if isinstance(ids, set) else set()


#: Roles that hold a school's safeguarding casework (DESIGN.md §1: the DSL, and the head "as dsl").
CASEWORK_ROLES = (Role.DSL, Role.HEAD)


def casework_schools(user: Person) -> set[uuid.UUID]:
    """Ids of the schools whose casework ``user`` holds (as DSL, deputy or head)."""
    if not user.is_authenticated:
        return set()
    return _ids(user.organisation_ids(*CASEWORK_ROLES))


def casework_organisations(user: Person | None = None) -> list[Organisation]:
    """The schools whose casework ``user`` (default: the current user) holds, by name."""
    user = user if user is not None else current_user
    ids = casework_schools(user)
    if not ids:
        return []
    return list(db.session.execute(visible_query(Organisation, user).where(Organisation.id.in_(sorted(ids))).order_by(Organisation.name)).scalars())


def staff_schools(user: Person) -> set[uuid.UUID]:
    """Ids of the schools where ``user`` may log a concern (any member of staff, the DSL and the head)."""
    if not user.is_authenticated:
        return set()
    return _ids(user.organisation_ids(Role.STAFF, *CASEWORK_ROLES))


def is_front_door(user: Person) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.FRONT_DOOR))


SOCIAL_CARE_ROLES = (Role.FRONT_DOOR, Role.ASSESSOR)


def is_social_care(user: Person) -> bool:
    return bool(user.is_authenticated and user.has_role(*SOCIAL_CARE_ROLES))


def has_duty(user: Person, duty: Duty) -> bool:
    """Whether ``user`` is named for ``duty`` in the authority's settings (once per request)."""
    if not user.is_authenticated:
        return False
    from flask import g

    cache: dict[uuid.UUID, set[Duty]] = g.setdefault("_duties", {})
    if user.id not in cache:
        cache[user.id] = set(db.session.execute(select(AuthorityDuty.duty).where(AuthorityDuty.user_id == user.id)).scalars().all())
    return duty in cache[user.id]


def is_panel_member(user: Person) -> bool:
    """Children's social care and the people named as context panel members."""
    return is_social_care(user) or has_duty(user, Duty.CONTEXT_PANEL_MEMBER)


def invitable_organisations(user: Person) -> set[uuid.UUID]:
    """The organisations for which ``user`` answers invitations and takes part: their schools (as DSL or
    head) and their partner agencies."""
    if not user.is_authenticated:
        return set()
    return casework_schools(user) | _ids(user.organisation_ids(Role.PARTNER))
