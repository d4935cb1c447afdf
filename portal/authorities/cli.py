"""Platform commands: create authorities and their first administrator. The platform operator sees no
tenant data: these commands write into an authority but print nothing from it."""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup
from sqlalchemy import select

tenants_cli = AppGroup("tenants", help="Platform commands: authorities and their first administrators.")

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _authority_by_slug(slug: str):
    from portal.authorities.models import Authority
    from portal.extensions import db

    authority = db.session.execute(select(Authority).where(Authority.slug == slug)).scalar_one_or_none()
    if authority is None:
        raise click.ClickException(f"No authority with slug {slug!r}.")
    return authority


@tenants_cli.command("create-authority")
@click.argument("name")
@click.option("--slug", required=True, help="Short lower-case name, for example 'northbridge'.")
@click.option("--require-two-factor/--no-require-two-factor", default=True, show_default=True)
def create_authority(name: str, slug: str, require_two_factor: bool) -> None:
    """Create the authority NAME (a new tenant)."""
    from portal.audit.service import record
    from portal.authorities.actions import Action
    from portal.authorities.models import Authority
    from portal.extensions import db
    from tenants.context import tenant_scope

    if not _SLUG.match(slug):
        raise click.ClickException("The slug must be lower-case letters, digits and hyphens, like 'north-shire'.")
    clash = db.session.execute(select(Authority).where((Authority.slug == slug) | (Authority.name == name))).scalar_one_or_none()
    if clash is not None:
        raise click.ClickException(f"An authority called {clash.name!r} ({clash.slug}) already exists.")
    authority = Authority(name=name.strip(), slug=slug, require_two_factor=require_two_factor)
    db.session.add(authority)
    db.session.commit()
    authority_id = authority.id
    with tenant_scope(authority_id):
        record(Action.AUTHORITY_CREATED, object_type="authority", object_id=authority_id, actor_id=None, details={"by": "platform"})
        db.session.commit()
    click.echo(f"Created authority {name!r} ({slug}), id {authority_id}.")


@tenants_cli.command("create-admin")
@click.option("--authority", "slug", required=True, help="The authority's slug.")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
def create_admin(slug: str, email: str, full_name: str) -> None:
    """Invite the first authority administrator of an authority (an email with a one-time link)."""
    from email_validator import EmailNotValidError, validate_email

    from jobs.dispatch import run_inline_pending
    from portal.accounts.models import Membership, Role, User
    from portal.accounts.service import invite_user
    from portal.audit.service import record
    from portal.authorities.actions import Action
    from portal.extensions import db
    from tenants.context import tenant_scope
    from tenants.directory import find_sign_in

    email = email.strip().lower()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.ClickException(f"Not a valid email address: {exc}") from exc
    authority = _authority_by_slug(slug)
    if find_sign_in(db.session, email) is not None:
        raise click.ClickException("That email address already has an account.")
    with tenant_scope(authority.id):
        user = User(email=email, full_name=full_name.strip())
        db.session.add(user)
        db.session.flush()
        membership = Membership(user_id=user.id, role=Role.AUTHORITY_ADMIN, organisation_id=None)
        db.session.add(membership)
        db.session.flush()
        record(
            Action.MEMBERSHIP_ADDED,
            object_type="membership",
            object_id=membership.id,
            actor_id=None,
            details={"user_id": str(user.id), "role": "authority_admin", "by": "platform"},
        )
        invite_user(user)
        db.session.commit()
    run_inline_pending()
    click.echo(f"Invited {email} as authority administrator of {authority.name}.")


@tenants_cli.command("list")
def list_authorities() -> None:
    """List the authorities (names and slugs only)."""
    from portal.authorities.models import Authority
    from portal.extensions import db

    for authority in db.session.execute(select(Authority).order_by(Authority.name)).scalars():
        click.echo(f"{authority.slug}\t{authority.name}\t{authority.id}")
