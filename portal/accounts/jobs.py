"""Account jobs: invitation and password-reset emails, and the retention of sign-in records. The one-time token is made here, when the email
is sent, so it never sits in the outbox, Redis or the database in a readable form."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from jobs.registry import job
from portal.accounts.models import AccountToken, TokenPurpose, User, UserSession
from portal.accounts.security import issue_token
from portal.authorities.models import Authority
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.mail import external_url, send_templated


@job("accounts.send_invitation", queue="notifications")
def send_invitation(user_id: str) -> None:
    user = db.session.execute(select(User).where(User.id == uuid.UUID(str(user_id)))).scalar_one()  # payload ids are strings
    if user.status != "invited":
        return  # they set up their account already, or were deactivated: nothing to send
    authority = db.session.get(Authority, user.authority_id)
    valid_for = timedelta(days=current_app.config["INVITATION_VALID_DAYS"])
    token = issue_token(user, TokenPurpose.INVITATION, valid_for)
    inviter = db.session.execute(select(User).where(User.id == user.invited_by_id)).scalar_one_or_none() if user.invited_by_id else None
    send_templated(
        to=user.email,
        subject=f"You have been invited to the Safeguarding Partnership Portal ({authority.name})",
        template="invitation",
        user_id=user.id,
        inviter_line=f"{inviter.full_name} has invited you." if inviter else "Hello,",
        authority_name=authority.name,
        link=external_url("accounts.accept_invitation", token=token),
        expires_at=utcnow() + valid_for,
    )


@job("accounts.send_password_reset", queue="notifications")
def send_password_reset(user_id: str) -> None:
    user = db.session.execute(select(User).where(User.id == uuid.UUID(str(user_id)))).scalar_one()  # payload ids are strings
    if user.status != "active":
        return
    authority = db.session.get(Authority, user.authority_id)
    valid_for = timedelta(minutes=current_app.config["PASSWORD_RESET_VALID_MINUTES"])
    token = issue_token(user, TokenPurpose.PASSWORD_RESET, valid_for)
    send_templated(
        to=user.email,
        subject="Reset your Safeguarding Partnership Portal password",
        template="password_reset",
        user_id=user.id,
        user=user,
        authority_name=authority.name,
        link=external_url("accounts.password_reset", token=token),
        expires_at=utcnow() + valid_for,
    )


@job("accounts.send_lockout_notice", queue="notifications")
def send_lockout_notice(user_id: str) -> None:
    """Tell the owner of an account that it has been locked after too many wrong tries. The sign-in page
    says only "Enter a correct email address and password", whether or not the address has an account."""
    user = db.session.execute(select(User).where(User.id == uuid.UUID(str(user_id)))).scalar_one()
    if user.status != "active" or user.locked_until is None:
        return
    authority = db.session.get(Authority, user.authority_id)
    send_templated(
        to=user.email,
        subject="Your Safeguarding Partnership Portal account is locked for a short time",
        template="lockout",
        user_id=user.id,
        user=user,
        authority_name=authority.name,
        locked_until=user.locked_until,
        reset_link=external_url("accounts.password_reset_request"),
    )


#: Ended sessions and spent tokens are kept this long (for investigations), then removed.
SIGN_IN_RECORD_RETENTION = timedelta(days=90)


@job("maintenance.purge_sign_in_records", queue="maintenance")
def purge_sign_in_records() -> None:
    cutoff = utcnow() - SIGN_IN_RECORD_RETENTION
    db.session.execute(delete(UserSession).where(or_(UserSession.revoked_at < cutoff, UserSession.last_seen_at < cutoff)))
    db.session.execute(delete(AccountToken).where(or_(AccountToken.used_at < cutoff, AccountToken.expires_at < cutoff)))
