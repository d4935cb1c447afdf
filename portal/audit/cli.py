"""``flask audit verify``: check every authority's hash chain and report the first broken link."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
@click.option("--authority", "slug", default=None, help="Only this authority (its slug).")
def verify(slug: str | None) -> None:
    """Verify the audit chains. Exits with status 1 at the first broken link of any authority."""
    from portal.audit.service import verify_chain
    from portal.authorities.models import Authority
    from portal.extensions import db

    query = select(Authority.id, Authority.slug).order_by(Authority.slug)
    if slug:
        query = query.where(Authority.slug == slug)
    authorities = db.session.execute(query).all()
    db.session.rollback()
    if slug and not authorities:
        raise click.ClickException(f"No authority with slug {slug!r}.")
    broken = False
    for authority_id, authority_slug in authorities:
        checked, chain_break = verify_chain(authority_id)
        if chain_break is None:
            click.echo(f"{authority_slug}: {checked} events, chain intact")
        else:
            broken = True
            click.echo(f"{authority_slug}: BROKEN after {checked} good events: {chain_break}", err=True)
    sys.exit(1 if broken else 0)
