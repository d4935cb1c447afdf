"""``flask accounts reseal-totp``: seal every two-factor secret again with the first of ``TOTP_KEYS`` (after
a new key was put first; then the old key can be removed)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select, update

accounts_cli = AppGroup("accounts", help="People's accounts.")


@accounts_cli.command("reseal-totp")
def reseal_totp() -> None:
    """Seal each authority's two-factor secrets with the first key, audited once per authority (a count)."""
    from portal.accounts.actions import Action
    from portal.accounts.models import User
    from portal.audit.service import record
    from portal.authorities.models import Authority
    from portal.extensions import db
    from tenants.context import tenant_scope

    authorities = db.session.execute(select(Authority.id, Authority.slug).order_by(Authority.slug)).all()
    db.session.rollback()
    for authority_id, slug in authorities:
        with tenant_scope(authority_id):
            # Read through the column's type (opened with any key) and written back (sealed with the first).
            rows = db.session.execute(select(User.id, User.totp_secret).where(User.totp_secret.is_not(None))).all()
            for user_id, secret in rows:
                db.session.execute(update(User).where(User.id == user_id).values(totp_secret=secret).execution_options(synchronize_session=False))
            record(Action.TWO_FACTOR_SECRETS_RESEALED, object_type="authority", object_id=authority_id, actor_id=None, details={"count": len(rows)})
            db.session.commit()
        click.echo(f"{slug}: {len(rows)} two-factor secret{'' if len(rows) == 1 else 's'} sealed with the first key")
