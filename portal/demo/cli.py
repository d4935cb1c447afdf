"""``flask demo seed`` (idempotent) and ``flask demo users [--json]``. Refused in production."""

from __future__ import annotations

import json
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

demo_cli = AppGroup("demo", help="Demo data (development only).")

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: str
    urn: str | None = None
    phase: str | None = None


@dataclass(frozen=True)
class DemoUser:
    local: str
    full_name: str
    role: str
    organisation: str | None  # a DemoOrganisation key; None for the authority administrator
    job_title: str


@dataclass(frozen=True)
class DemoAuthority:
    slug: str
    name: str
    domain: str
    organisations: tuple[DemoOrganisation, ...]
    users: tuple[DemoUser, ...]


def _authority(slug: str, place: str, urn_base: int) -> DemoAuthority:
    organisations = (
        DemoOrganisation("oakfield", f"Oakfield Primary School, {place}", "school", str(urn_base + 1), "primary"),
        DemoOrganisation("riverside", f"Riverside Academy, {place}", "school", str(urn_base + 2), "secondary"),
        DemoOrganisation("st-annes", f"St Anne's CE Primary School, {place}", "school", str(urn_base + 3), "primary"),
        DemoOrganisation("front-door", f"{place} Children's Services Front Door", "social_care"),
        DemoOrganisation("police", f"{place} Police Public Protection Unit", "police"),
        DemoOrganisation("health", f"{place} School Nursing Service", "health"),
    )
    users = (
        DemoUser("admin", "Alex Morgan", "authority_admin", None, "Safeguarding partnership business manager"),
        DemoUser("staff.oakfield", "Sam Patel", "staff", "oakfield", "Year 4 teacher"),
        DemoUser("dsl.oakfield", "Jo Williams", "dsl", "oakfield", "Designated safeguarding lead"),
        DemoUser("head.oakfield", "Chris Evans", "head", "oakfield", "Head teacher"),
        DemoUser("governor.oakfield", "Pat Hughes", "governor", "oakfield", "Safeguarding governor"),
        DemoUser("dsl.riverside", "Robin Clarke", "dsl", "riverside", "Designated safeguarding lead"),
        DemoUser("frontdoor", "Taylor Brooks", "front_door", "front-door", "Front-door social worker"),
        DemoUser("officer.frontdoor", "Dana Okafor", "front_door", "front-door", "Front-door social worker"),
        DemoUser("assessor", "Jordan Reid", "assessor", "front-door", "Contextual safeguarding practitioner"),
        DemoUser("police", "Casey Shaw", "partner", "police", "Detective constable"),
        DemoUser("health", "Morgan Lee", "partner", "health", "School nurse"),
    )
    return DemoAuthority(slug, f"{place} Safeguarding Children Partnership", f"{slug}.example.org", organisations, users)


DEMO = (_authority("northbridge", "Northbridge", 100100), _authority("southmoor", "Southmoor", 100200))


def _refuse_in_production() -> None:
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Demo data is for development only.")


@demo_cli.command("seed")
def seed() -> None:
    """Create the demo authorities, organisations and users (safe to run again)."""
    from portal.accounts.models import Membership, Role, User
    from portal.accounts.security import hash_password
    from portal.audit.service import record
    from portal.authorities.actions import Action
    from portal.authorities.models import Authority, Organisation, OrganisationKind, SchoolPhase
    from portal.clock import utcnow
    from portal.extensions import db
    from tenants.context import tenant_scope

    _refuse_in_production()
    from portal.demo.assessment import seed_assessment
    from portal.demo.casework import seed_casework
    from portal.demo.contextual import seed_contextual
    from portal.demo.disagreements import seed_disagreements
    from portal.demo.needs import seed_needs
    from portal.demo.network import seed_network
    from portal.demo.selfreview import seed_self_review
    from portal.demo.transfers import seed_handover, seed_transfers

    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    pupils = 0
    seeded = []
    for spec in DEMO:
        authority = db.session.execute(select(Authority).where(Authority.slug == spec.slug)).scalar_one_or_none()
        if authority is None:
            authority = Authority(name=spec.name, slug=spec.slug, require_two_factor=False)
            db.session.add(authority)
            db.session.commit()
        with tenant_scope(authority.id):
            organisations = {}
            for org in spec.organisations:
                existing = db.session.execute(select(Organisation).where(Organisation.name == org.name)).scalar_one_or_none()
                if existing is None:
                    existing = Organisation(
                        name=org.name,
                        kind=OrganisationKind(org.kind),
                        urn=org.urn,
                        phase=SchoolPhase(org.phase) if org.phase else None,
                        contact_email=f"safeguarding.{org.key}@{spec.domain}",
                    )
                    db.session.add(existing)
                    db.session.flush()
                    record(Action.ORGANISATION_CREATED, object_type="organisation", object_id=existing.id, actor_id=None, details={"by": "demo seed"})
                organisations[org.key] = existing
            for person in spec.users:
                email = f"{person.local}@{spec.domain}"
                if db.session.execute(select(User.id).where(User.email == email)).first():
                    continue
                now = utcnow()
                user = User(
                    email=email,
                    full_name=person.full_name,
                    job_title=person.job_title,
                    password_hash=password_hash,
                    password_changed_at=now,
                    invited_at=now,
                    activated_at=now,
                )
                db.session.add(user)
                db.session.flush()
                membership = Membership(
                    user_id=user.id, role=Role(person.role), organisation_id=organisations[person.organisation].id if person.organisation else None
                )
                db.session.add(membership)
                db.session.flush()
                record(
                    Action.MEMBERSHIP_ADDED,
                    object_type="membership",
                    object_id=membership.id,
                    actor_id=None,
                    details={"user_id": str(user.id), "role": person.role, "by": "demo seed"},
                )
                created += 1
            db.session.commit()
            users = {
                email.split("@")[0]: user
                for email, user in ((u.email, u) for u in db.session.execute(select(User).where(User.email.like(f"%@{spec.domain}"))).unique().scalars())
            }
            _name_front_door_manager(users["frontdoor"])
            pupils += seed_casework(organisations, users)
            seed_disagreements(organisations, users)
            seed_needs(organisations, users)
            seed_contextual(organisations, users)
            seed_assessment(organisations, users)
            seed_self_review(organisations, users)
            seed_network(users)
            seed_transfers(organisations, users)
            db.session.commit()
            seeded.append((authority.id, organisations["oakfield"].id, users["dsl.oakfield"].id))
    # Once every authority is there: a file handed from the first authority to a school of the second.
    authority_id, school_id, dsl_id = seeded[0]
    with tenant_scope(authority_id):
        seed_handover(school_id, dsl_id)
        db.session.commit()
    click.echo(f"Demo data ready ({created} new user(s), {pupils} new pupil(s)).")


def _name_front_door_manager(user) -> None:
    """The demo front-door officer is also the front-door manager, so escalations reach someone."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db

    if not db.session.execute(select(AuthorityDuty.id).where(AuthorityDuty.user_id == user.id, AuthorityDuty.duty == Duty.FRONT_DOOR_MANAGER)).first():
        db.session.add(AuthorityDuty(user_id=user.id, duty=Duty.FRONT_DOOR_MANAGER))


def demo_logins() -> list[dict]:
    """Every demo login that exists in the database, with its role, organisation and authority."""
    from portal.accounts.models import User
    from portal.authorities.models import Authority
    from portal.extensions import db
    from tenants.context import tenant_scope

    rows = []
    for spec in DEMO:
        authority = db.session.execute(select(Authority).where(Authority.slug == spec.slug)).scalar_one_or_none()
        if authority is None:
            continue
        authority_name = authority.name
        with tenant_scope(authority.id):
            emails = [f"{p.local}@{spec.domain}" for p in spec.users]
            users = {u.email: u for u in db.session.execute(select(User).where(User.email.in_(emails))).unique().scalars()}
            for email in emails:
                user = users.get(email)
                if user is None:
                    continue
                for membership in user.memberships:
                    rows.append(
                        {
                            "email": email,
                            "password": DEMO_PASSWORD,
                            "name": user.full_name,
                            "role": membership.role.value,
                            "organisation": membership.organisation.name if membership.organisation else None,
                            "authority": authority_name,
                        }
                    )
            db.session.rollback()
    return rows


@demo_cli.command("users")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def users(as_json: bool) -> None:
    """Print the demo logins."""
    _refuse_in_production()
    rows = demo_logins()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
    current = None
    for row in rows:
        if row["authority"] != current:
            current = row["authority"]
            click.echo(f"\n{current}")
        where = row["organisation"] or "the authority"
        click.echo(f"  {row['email']:<42} {row['role']:<16} {where}")
