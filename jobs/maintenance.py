"""Maintenance jobs: retention of sign-in records."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from jobs.registry import job
from portal.accounts.models import AccountToken, UserSession
from portal.extensions import db
from portal.clock import utcnow

#: Ended sessions and spent tokens are kept this long (for investigations), then removed.
SIGN_IN_RECORD_RETENTION = timedelta(days=90)


@job("maintenance.purge_sign_in_records", queue="maintenance")
def purge_sign_in_records() -> None:
    cutoff = utcnow() - SIGN_IN_RECORD_RETENTION
    db.session.execute(delete(UserSession).where(or_(UserSession.revoked_at < cutoff, UserSession.last_seen_at < cutoff)))
    db.session.execute(
        delete(AccountToken).where(or_(AccountToken.used_at < cutoff, AccountToken.expires_at < cutoff))
    )
