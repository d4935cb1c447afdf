"""A small world to test in: two authorities, A and B, each with two schools, a social care front
door and a police partner, and a user for every role. Built through the ORM inside each authority's
tenant context, as the portal itself would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pyotp
from sqlalchemy import select

from tests.support import PASSWORD


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    authority_id: uuid.UUID
    email: str
    full_name: str
    totp_secret: str | None = None


@dataclass
class Side:
    authority_id: uuid.UUID
    slug: str
    name: str
    school1: uuid.UUID
    school2: uuid.UUID
    social_care: uuid.UUID
    police: uuid.UUID
    health: uuid.UUID
    people: dict[str, Person] = field(default_factory=dict)

    def __getattr__(self, key):  # side.dsl1, side.admin ...
        people = self.__dict__.get("people", {})
        if key in people:
            return people[key]
        raise AttributeError(key)


@dataclass
class World:
    a: Side
    b: Side


def create_authority(app, name: str, slug: str, *, require_two_factor: bool = False) -> uuid.UUID:
    from portal.authorities.models import Authority
    from portal.extensions import db

    with app.app_context():
        authority = Authority(name=name, slug=slug, require_two_factor=require_two_factor)
        db.session.add(authority)
        db.session.commit()
        return authority.id


def create_organisation(app, authority_id, name: str, kind: str, *, urn: str | None = None, phase: str | None = None) -> uuid.UUID:
    from portal.authorities.models import Organisation, OrganisationKind, SchoolPhase
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(authority_id):
        organisation = Organisation(name=name, kind=OrganisationKind(kind), urn=urn, phase=SchoolPhase(phase) if phase else None)
        db.session.add(organisation)
        db.session.commit()
        return organisation.id


def create_user(
    app,
    authority_id,
    email: str,
    role: str,
    organisation_id=None,
    *,
    full_name: str | None = None,
    password: str | None = PASSWORD,
    two_factor: bool = False,
) -> Person:
    """A user with one membership. ``password=None`` leaves them invited (no password yet)."""
    from portal.accounts.models import Membership, Role, User
    from portal.accounts.security import hash_password
    from portal.clock import utcnow
    from portal.extensions import db
    from tenants.context import tenant_scope

    full_name = full_name or email.split("@")[0].replace(".", " ").title()
    secret = pyotp.random_base32() if two_factor else None
    with app.app_context(), tenant_scope(authority_id):
        now = utcnow()
        user = User(
            email=email.lower(),
            full_name=full_name,
            password_hash=hash_password(password) if password else None,
            password_changed_at=now if password else None,
            activated_at=now if password else None,
            invited_at=now,
            totp_secret=secret,
            totp_enabled_at=now if two_factor else None,
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, role=Role(role), organisation_id=organisation_id))
        db.session.commit()
        return Person(user.id, authority_id, user.email, full_name, secret)


def add_membership(app, person: Person, role: str, organisation_id=None) -> uuid.UUID:
    from portal.accounts.models import Membership, Role
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(person.authority_id):
        membership = Membership(user_id=person.id, role=Role(role), organisation_id=organisation_id)
        db.session.add(membership)
        db.session.commit()
        return membership.id


def load(app, model, object_id, authority_id):
    """Read one row back (detached), inside its authority."""
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(authority_id):
        obj = db.session.execute(select(model).where(model.id == object_id)).unique().scalar_one_or_none()
        if obj is not None:
            db.session.expunge(obj)
        return obj


def _side(app, letter: str, place: str) -> Side:
    slug = f"{place.lower()}"
    authority_id = create_authority(app, f"{place} Safeguarding Children Partnership", slug)
    side = Side(
        authority_id=authority_id,
        slug=slug,
        name=f"{place} Safeguarding Children Partnership",
        school1=create_organisation(app, authority_id, f"{place} Primary School", "school", urn=f"{ord(letter)}0001", phase="primary"),
        school2=create_organisation(app, authority_id, f"{place} High School", "school", urn=f"{ord(letter)}0002", phase="secondary"),
        social_care=create_organisation(app, authority_id, f"{place} Children's Services Front Door", "social_care"),
        police=create_organisation(app, authority_id, f"{place} Police", "police"),
        health=create_organisation(app, authority_id, f"{place} School Nursing Service", "health"),
    )
    domain = f"{slug}.example.org"
    roles = {
        "admin": ("authority_admin", None),
        "staff1": ("staff", side.school1),
        "dsl1": ("dsl", side.school1),
        "head1": ("head", side.school1),
        "governor1": ("governor", side.school1),
        "dsl2": ("dsl", side.school2),
        "front_door": ("front_door", side.social_care),
        "assessor": ("assessor", side.social_care),
        "partner": ("partner", side.police),
        "partner2": ("partner", side.health),
    }
    for key, (role, organisation_id) in roles.items():
        side.people[key] = create_user(app, authority_id, f"{key}@{domain}", role, organisation_id)
    return side


def build_world(app) -> World:
    return World(a=_side(app, "a", "Avonford"), b=_side(app, "b", "Brackley"))
