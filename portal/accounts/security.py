"""Passwords (argon2id), keyed hashes, one-time tokens, TOTP and recovery codes.

Written on well-kept primitives (argon2-cffi, pyotp, the standard library's ``secrets`` and ``hmac``)
rather than on Flask-Security-Too, because every lookup here has to run inside one authority's tenant
context (and, on PostgreSQL, behind row-level security): Flask-Security's datastore looks users up
globally, which the fail-closed tenant layer refuses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import select

from portal.accounts.models import AccountToken, RecoveryCode, TokenPurpose, User
from portal.clock import utcnow
from portal.extensions import db

TOTP_STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10

# A hash of a random password, checked when the email is unknown so both paths take similar time.
_DUMMY_HASH: dict[tuple, str] = {}


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """True if ``password`` is the user's; re-hashes it when the argon2 parameters have changed."""
    if not user.password_hash:
        burn_password_check(password)
        return False
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def burn_password_check(password: str) -> None:
    """Spend the time a real check takes, so an unknown email is not told apart by timing."""
    hasher = _hasher()
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash(secrets.token_urlsafe(16))
    try:
        hasher.verify(_DUMMY_HASH[key], password)
    except VerificationError:
        pass


def password_problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """Why ``password`` will not do, in words for the person choosing it; ``None`` if it will."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Password must be {minimum} characters or more"
    if len(password) > 128:
        return "Password must be 128 characters or fewer"
    lowered = password.lower()
    if email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) >= 4:
        return "Password must not contain your email address"
    if name and any(len(part) >= 4 and part in lowered for part in name.lower().replace("-", " ").split()):
        return "Password must not contain your name"
    if lowered in _COMMON or len(set(password)) < 5:
        return "Password is too easy to guess. Try three random words"
    return None


_COMMON = {
    "password1234",
    "123456789012",
    "qwertyuiopas",
    "passwordpassword",
    "safeguarding",
    "safeguarding1",
    "letmein12345",
    "welcome12345",
    "iloveyou1234",
    "changeme1234",
}


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of ``value`` under the secret key: what is stored for session secrets, one-time tokens
    and recovery codes, so a copy of the database alone cannot be used to sign in."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# One-time tokens (invitation, password reset) -----------------------------------------------------


def issue_token(user: User, purpose: TokenPurpose, valid_for: timedelta) -> str:
    """Create a single-use token for ``user`` and return it. Earlier unused tokens of the same purpose
    stop working. The token starts with the authority id, so it can be checked inside that tenant."""
    for earlier in db.session.execute(
        select(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
    ).scalars():
        earlier.used_at = utcnow()
    secret = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            authority_id=user.authority_id,
            user_id=user.id,
            purpose=purpose,
            token_hash=keyed_hash(secret),
            expires_at=utcnow() + valid_for,
        )
    )
    return f"{user.authority_id.hex}.{secret}"


def split_token(raw: str) -> tuple[uuid.UUID, str] | None:
    """``(authority_id, secret)`` from a token, or ``None`` if it is not shaped like one."""
    authority_hex, dot, secret = (raw or "").partition(".")
    if not dot or len(secret) < 20:
        return None
    try:
        return uuid.UUID(hex=authority_hex), secret
    except ValueError:
        return None


def find_token(secret: str, purpose: TokenPurpose) -> tuple[AccountToken | None, str]:
    """The token for ``secret`` in the current authority and why it cannot be used (``""`` if it can)."""
    token = db.session.execute(select(AccountToken).where(AccountToken.token_hash == keyed_hash(secret), AccountToken.purpose == purpose)).scalar_one_or_none()
    if token is None:
        return None, "invalid"
    if token.used_at is not None:
        return token, "used"
    if token.expires_at <= utcnow():
        return token, "expired"
    return token, ""


# TOTP -------------------------------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


def _clean_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isdigit())


def totp_step_matching(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (previous, current or next, for clock drift) whose code is ``code``, or ``None``."""
    code = _clean_code(code)
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current_step = int((now if now is not None else utcnow().timestamp()) // TOTP_STEP_SECONDS)
    for step in (current_step - 1, current_step, current_step + 1):
        if hmac.compare_digest(totp.at(step * TOTP_STEP_SECONDS), code):
            return step
    return None


def accept_totp(user: User, code: str, secret: str | None = None) -> bool:
    """Check ``code`` against the user's secret (or ``secret`` while enrolling). A code is accepted once
    only: its time step must be later than the last one accepted."""
    step = totp_step_matching(secret or user.totp_secret or "", code)
    if step is None:
        return False
    if user.totp_last_step is not None and step <= user.totp_last_step:
        return False
    user.totp_last_step = step
    return True


# Recovery codes -------------------------------------------------------------------------------------


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones and return them (shown once, never stored)."""
    for old in db.session.execute(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).scalars():
        db.session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(authority_id=user.authority_id, user_id=user.id, code_hash=keyed_hash(raw)))
    return codes


def use_recovery_code(user: User, code: str) -> int | None:
    """Spend a recovery code. Returns how many remain, or ``None`` if the code is not valid."""
    wanted = keyed_hash(_normalise_recovery(code))
    unused = db.session.execute(select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalars().all()
    for candidate in unused:
        if hmac.compare_digest(candidate.code_hash, wanted):
            candidate.used_at = utcnow()
            return len(unused) - 1
    return None
