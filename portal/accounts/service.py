"""Sign-in, lockout, two-factor, invitations, resets and password changes: the account rules, apart from the
pages.

Signing in with a password or a second factor commits its own work, inside the tenant scope it opens for
the account it finds (and a password reset request likewise); every other function here adds to the
request's transaction and flushes, and the page commits.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session
from sqlalchemy import select

from portal.accounts.actions import Action
from portal.accounts.models import AccountToken, User
from portal.accounts.security import (
    accept_totp,
    burn_password_check,
    check_password,
    hash_password,
    new_recovery_codes,
    use_recovery_code,
)
from portal.accounts.sessions import end_session, revoke_sessions, start_session
from portal.audit.service import record
from portal.clock import utcnow
from portal.extensions import db
from tenants.context import tenant_scope
from tenants.directory import find_sign_in

log = logging.getLogger("portal.accounts")

PENDING_TWO_FACTOR = "pending_two_factor"
PENDING_TWO_FACTOR_LIFETIME = timedelta(minutes=10)


@dataclass
class SignInOutcome:
    """What happened: ``signed_in``, ``two_factor`` (password right, code needed), ``refused`` or ``locked``."""

    status: str
    locked_minutes: int | None = None
    recovery_codes_left: int | None = None


def _register_failure(user: User, action: str, reason: str) -> SignInOutcome:
    """Count a failed attempt; lock the account after too many. The caller commits."""
    config = current_app.config
    user.failed_sign_ins += 1
    record(action, object_type="user", object_id=user.id, actor_id=None, details={"reason": reason, "failures": user.failed_sign_ins})
    if user.failed_sign_ins >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = utcnow() + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
        user.failed_sign_ins = 0
        record(Action.LOCKED_OUT, object_type="user", object_id=user.id, actor_id=None, details={"minutes": config["LOGIN_LOCKOUT_MINUTES"]})
        from jobs.outbox import enqueue

        enqueue("accounts.send_lockout_notice", user_id=user.id)  # the owner is told, by email only
        return SignInOutcome("locked", locked_minutes=config["LOGIN_LOCKOUT_MINUTES"])
    return SignInOutcome("refused")


def _minutes_left(user: User) -> int:
    """Whole minutes until the lockout ends, rounded up (exactly 15 minutes left is 15, not 16)."""
    return max(1, math.ceil((user.locked_until - utcnow()).total_seconds() / 60))


@contextmanager
def even_time() -> Iterator[None]:
    """Make the answer to a sign-in or a password-reset request take at least ``ACCOUNT_ANSWER_MS``, so that
    its timing does not tell an address with an account (a hash checked, a failure counted and audited, a
    reset email queued) from one without."""
    from jobs.dispatch import run_inline_pending

    floor = current_app.config["ACCOUNT_ANSWER_MS"] / 1000
    started = time.perf_counter()
    try:
        yield
        # Without Redis the jobs run in this process at the end of the request: a reset email's sending
        # is then part of the answer, and must fall inside the floor too.
        run_inline_pending()
    finally:
        left = floor - (time.perf_counter() - started)
        if left > 0:
            time.sleep(left)


def sign_in_with_password(email: str, password: str) -> SignInOutcome:
    """Check an email and password; sign in, or ask for the second factor, or refuse."""
    found = find_sign_in(db.session, email)
    if found is None:
        burn_password_check(password)
        log.info("Sign-in refused for an unknown email address")
        return SignInOutcome("refused")
    authority_id, user_id = found
    with tenant_scope(authority_id):
        user = db.session.execute(select(User).where(User.id == user_id)).scalar_one()
        if user.is_locked():
            burn_password_check(password)
            record(Action.SIGN_IN_FAILED, object_type="user", object_id=user.id, actor_id=None, details={"reason": "locked"})
            db.session.commit()
            return SignInOutcome("locked", locked_minutes=_minutes_left(user))
        if user.status != "active":
            burn_password_check(password)
            record(Action.SIGN_IN_FAILED, object_type="user", object_id=user.id, actor_id=None, details={"reason": user.status})
            db.session.commit()
            return SignInOutcome("refused")
        if not check_password(user, password):
            outcome = _register_failure(user, Action.SIGN_IN_FAILED, "password")
            db.session.commit()
            return outcome
        if user.two_factor_enabled:
            db.session.commit()  # keeps a re-hashed password, if argon2's parameters changed
            session.clear()
            session[PENDING_TWO_FACTOR] = {"a": authority_id.hex, "u": user_id.hex, "t": utcnow().timestamp()}
            return SignInOutcome("two_factor")
        start_session(user)
        record(Action.SIGN_IN, object_type="user", object_id=user.id, actor_id=user.id, details={"method": "password"})
        db.session.commit()
        return SignInOutcome("signed_in")


def pending_two_factor() -> tuple[uuid.UUID, uuid.UUID] | None:
    """The (authority, user) whose password was right and who now owes a second factor, if any."""
    pending = session.get(PENDING_TWO_FACTOR)
    if not pending:
        return None
    if utcnow().timestamp() - pending.get("t", 0) > PENDING_TWO_FACTOR_LIFETIME.total_seconds():
        session.pop(PENDING_TWO_FACTOR, None)
        return None
    return uuid.UUID(hex=pending["a"]), uuid.UUID(hex=pending["u"])


def sign_in_second_factor(code: str, *, recovery: bool = False) -> SignInOutcome:
    """Finish a sign-in with a TOTP code (or a recovery code)."""
    pending = pending_two_factor()
    if pending is None:
        return SignInOutcome("expired")
    authority_id, user_id = pending
    with tenant_scope(authority_id):
        user = db.session.execute(select(User).where(User.id == user_id)).scalar_one()
        if user.is_locked():
            return SignInOutcome("locked", locked_minutes=_minutes_left(user))
        if user.status != "active":
            session.pop(PENDING_TWO_FACTOR, None)
            return SignInOutcome("refused")
        remaining = None
        if recovery:
            remaining = use_recovery_code(user, code)
            accepted = remaining is not None
        else:
            accepted = accept_totp(user, code)
        if not accepted:
            outcome = _register_failure(user, Action.TWO_FACTOR_FAILED, "recovery_code" if recovery else "totp")
            db.session.commit()
            if outcome.status == "locked":
                session.pop(PENDING_TWO_FACTOR, None)
            return outcome
        start_session(user)
        if recovery:
            record(Action.RECOVERY_CODE_USED, object_type="user", object_id=user.id, actor_id=user.id, details={"remaining": remaining})
        record(Action.SIGN_IN, object_type="user", object_id=user.id, actor_id=user.id, details={"method": "recovery_code" if recovery else "totp"})
        db.session.commit()
        return SignInOutcome("signed_in", recovery_codes_left=remaining)


def invite_user(user: User) -> None:
    """Mark ``user`` invited and queue the invitation email (the token is made when the email is sent)."""
    from jobs.outbox import enqueue

    user.invited_at = utcnow()
    db.session.flush()
    enqueue("accounts.send_invitation", user_id=user.id)
    record(Action.INVITATION_SENT, object_type="user", object_id=user.id)


def request_password_reset(email: str) -> None:
    """Queue a reset email if ``email`` belongs to an active account. Says nothing either way."""
    from jobs.outbox import enqueue

    found = find_sign_in(db.session, email)
    if found is None:
        log.info("Password reset asked for an unknown email address")
        return
    authority_id, user_id = found
    with tenant_scope(authority_id):
        user = db.session.execute(select(User).where(User.id == user_id)).scalar_one()
        if user.status != "active":
            record(Action.PASSWORD_RESET_REQUESTED, object_type="user", object_id=user.id, actor_id=None, details={"sent": False, "reason": user.status})
        else:
            enqueue("accounts.send_password_reset", user_id=user.id)
            record(Action.PASSWORD_RESET_REQUESTED, object_type="user", object_id=user.id, actor_id=None, details={"sent": True})
        db.session.commit()


def sign_out(user: User) -> None:
    """Sign ``user`` out of this browser and revoke the session."""
    record(Action.SIGN_OUT, object_type="user", object_id=user.id)
    end_session()


def current_password_accepted(user: User, password: str) -> bool:
    """Whether ``password`` is the signed-in person's own, asked before they change it; a wrong one is audited."""
    if check_password(user, password):
        return True
    record(Action.PASSWORD_CHANGE_REFUSED, object_type="user", object_id=user.id, details={"reason": "current password wrong"})
    return False


def change_password(user: User, password: str) -> None:
    """Give ``user`` a new password (already checked against the rules) and sign them out everywhere else."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    ended = revoke_sessions(user, "password_changed", keep_current=True)
    record(Action.PASSWORD_CHANGED, object_type="user", object_id=user.id, details={"other_sessions_ended": ended})


def enrol_two_factor(user: User, secret: str, code: str) -> list[str] | None:
    """Turn on two-factor authentication with ``secret`` if ``code`` is from an app set up with it. Returns
    the new recovery codes (to be shown once), or ``None`` when the code is not right."""
    if not accept_totp(user, code, secret=secret):
        return None
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    codes = new_recovery_codes(user)
    record(Action.TWO_FACTOR_ENROLLED, object_type="user", object_id=user.id)
    return codes


def reset_password(token: AccountToken, password: str) -> User:
    """Set a new password (already checked against the rules) from a reset link, which is then used up;
    a lockout ends and every session of the account ends. Called in the account's authority."""
    user = token.user
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_sign_ins = 0
    user.locked_until = None
    token.used_at = utcnow()
    ended = revoke_sessions(user, "password_reset")
    record(Action.PASSWORD_RESET, object_type="user", object_id=user.id, actor_id=user.id, details={"sessions_ended": ended})
    return user


def accept_invitation(token: AccountToken, *, full_name: str, password: str) -> User:
    """Make the invited account: its name and password (already checked against the rules), the link used
    up, and the person signed in. Called in the account's authority."""
    now = utcnow()
    user = token.user
    user.full_name = full_name
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.activated_at = now
    token.used_at = now
    record(Action.INVITATION_ACCEPTED, object_type="user", object_id=user.id, actor_id=user.id)
    start_session(user)
    record(Action.SIGN_IN, object_type="user", object_id=user.id, actor_id=user.id, details={"method": "invitation"})
    return user
