"""Settings, read from the environment.

Three modes, chosen by ``PORTAL_ENV``:

* ``development`` (the default, used by ``make run``): SQLite in ``instance/``, jobs run in process,
  emails written to ``instance/mail``.
* ``test``: what the test suite builds on; each test run passes its own database URL.
* ``production``: nothing has a default that could be unsafe. A missing ``SECRET_KEY`` or
  ``DATABASE_URL`` stops start-up with a message saying which one.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """A setting the portal cannot run without is missing or wrong."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:  # a typo in a number should stop start-up, not be ignored
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from exc


def _database_url(raw: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` spellings and use psycopg 3."""
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
    return raw


def load_settings(env: str | None = None, overrides: dict | None = None) -> dict:
    """Return the settings for ``env`` as a dict, with ``overrides`` applied last.

    Raises ``ConfigurationError`` when production is missing something it needs.
    """
    env = env or os.environ.get("PORTAL_ENV", "development")
    if env not in {"development", "test", "production"}:
        raise ConfigurationError(f"PORTAL_ENV must be development, test or production, not {env!r}")
    production = env == "production"
    instance = Path(os.environ.get("PORTAL_INSTANCE_PATH", BASE_DIR / "instance"))

    secret_key = os.environ.get("SECRET_KEY")
    database_url = os.environ.get("DATABASE_URL")
    if production:
        missing = [name for name, value in (("SECRET_KEY", secret_key), ("DATABASE_URL", database_url)) if not value]
        if missing:
            raise ConfigurationError(
                "The portal cannot start in production without " + " and ".join(missing) + ". Set them in the environment (see README.md, 'Configuration')."
            )
        if len(secret_key) < 32:
            raise ConfigurationError("SECRET_KEY must be at least 32 characters long in production.")
    if not secret_key:
        # Development and tests only: a fixed, obviously unsafe key.
        secret_key = "development-only-secret-key-not-for-production-use"
    # Fernet keys that seal two-factor secrets at rest (portal.accounts.sealing): the first seals, all open.
    totp_keys = [key.strip() for key in os.environ.get("TOTP_KEYS", "").split(",") if key.strip()]
    if production and not totp_keys:
        raise ConfigurationError(
            "The portal cannot start in production without TOTP_KEYS, the keys that seal two-factor secrets "
            "(make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
        )
    if production and secret_key in totp_keys:
        raise ConfigurationError("TOTP_KEYS must not contain SECRET_KEY: the two-factor secrets have keys of their own.")
    if not totp_keys:
        # Development and tests only: a fixed, obviously unsafe key.
        totp_keys = ["ZGV2ZWxvcG1lbnQtb25seS10b3RwLWtleS1ub3Qtc2U="]
    if not database_url:
        database_url = f"sqlite:///{instance / 'portal.sqlite3'}"
    database_url = _database_url(database_url)
    owner_url = os.environ.get("DATABASE_OWNER_URL")

    settings = {
        "PORTAL_ENV": env,
        "DEBUG": False,
        "TESTING": env == "test",
        "SECRET_KEY": secret_key,
        "TOTP_KEYS": totp_keys,
        "INSTANCE_PATH": str(instance),
        # Database. DATABASE_URL is the application's own role: it owns nothing and row-level
        # security applies to it. DATABASE_OWNER_URL (owner of the tables) is used only by
        # migrations; without it, migrations use DATABASE_URL (SQLite, or a single-role set-up).
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATABASE_OWNER_URL": _database_url(owner_url) if owner_url else None,
        "DATABASE_APP_ROLE": os.environ.get("DATABASE_APP_ROLE", "portal_app"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Jobs. Without REDIS_URL, jobs run in process right after the change that caused them.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "RQ_QUEUE_PREFIX": os.environ.get("RQ_QUEUE_PREFIX", "portal"),
        "JOBS_RUN_SCHEDULER_IN_PROCESS": _bool(os.environ.get("JOBS_RUN_SCHEDULER_IN_PROCESS"), False),
        # Mail. MAIL_BACKEND is smtp in production; file (instance/mail) otherwise.
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if production else "file"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS"), True),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Safeguarding Partnership Portal <no-reply@portal.invalid>"),
        "MAIL_FILE_PATH": os.environ.get("MAIL_FILE_PATH", str(instance / "mail")),
        # The address links in emails point at.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # Sessions and cookies.
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), production),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=_int("SESSION_IDLE_MINUTES", 30)),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 10)),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 10)),
        # The cookie lives for the session's absolute lifetime from signing in; it is not signed and sent
        # again with every response (that slid its expiry forward, and cost each page a signature). The
        # idle and absolute timeouts are enforced on the server (portal.accounts.sessions).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "FORCE_HTTPS": _bool(os.environ.get("FORCE_HTTPS"), production),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session, which has its own timeouts
        # Accounts.
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_MINUTES": _int("LOGIN_LOCKOUT_MINUTES", 15),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "LOGIN_RATE_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_RATE_LIMIT_PER_ADDRESS", "200 per minute"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or (os.environ.get("REDIS_URL") or "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "INVITATION_VALID_DAYS": _int("INVITATION_VALID_DAYS", 7),
        "PASSWORD_RESET_VALID_MINUTES": _int("PASSWORD_RESET_VALID_MINUTES", 60),
        "PASSWORD_MIN_LENGTH": 12,
        # Sign-in and password-reset answers take at least this long (milliseconds), whether or not the
        # address has an account, is locked or is right: the work each case does (a password hash, audit
        # rows, an email queued) must not tell them apart. Above the slowest case's time here.
        "ACCOUNT_ANSWER_MS": _int("ACCOUNT_ANSWER_MS", 400),
        # argon2id parameters (RFC 9106 second recommended option); tests lower them for speed.
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST": _int("ARGON2_MEMORY_COST", 65536),
        "ARGON2_PARALLELISM": _int("ARGON2_PARALLELISM", 4),
        "TOTP_ISSUER": os.environ.get("TOTP_ISSUER", "Safeguarding Partnership Portal"),
        # Tests only: the moment the portal's clock starts at (ISO 8601 with its offset); see portal.clock.
        "PORTAL_CLOCK": os.environ.get("PORTAL_CLOCK") or None,
        # Files (attachments, exports): outside the web root, under random names.
        "FILE_STORE_PATH": os.environ.get("FILE_STORE_PATH", str(instance / "files")),
        # A chronology PDF's file is removed this many days after it was made (a copy for one purpose).
        "EXPORT_KEPT_DAYS": _int("EXPORT_KEPT_DAYS", 7),
        "ORPHANED_FILE_HOURS": _int("ORPHANED_FILE_HOURS", 6),
        "ATTACHMENT_MAX_BYTES": _int("ATTACHMENT_MAX_MB", 10) * 1024 * 1024,
        # A request may carry a few attachments; a single file over ATTACHMENT_MAX_BYTES is refused
        # next to its field, a body over this limit by the 413 page.
        "MAX_CONTENT_LENGTH": (_int("ATTACHMENT_MAX_MB", 10) * 3 + 1) * 1024 * 1024,
    }
    if env == "development":
        settings["DEBUG"] = _bool(os.environ.get("FLASK_DEBUG"), False)
    if env == "test":
        settings.update(
            {
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 1024,
                "ARGON2_PARALLELISM": 1,
                "RATELIMIT_STORAGE_URI": "memory://",
                "SERVER_NAME": None,
                # The suite signs in thousands of times: no floor, but for the test of the floor itself.
                "ACCOUNT_ANSWER_MS": 0,
            }
        )
    if overrides:
        settings.update(overrides)
    if settings["PORTAL_CLOCK"] and settings["PORTAL_ENV"] != "test":
        raise ConfigurationError("PORTAL_CLOCK sets the portal's clock for a test run; it is refused unless PORTAL_ENV=test.")
    if settings["REDIS_URL"] is None and production and not _bool(os.environ.get("ALLOW_IN_PROCESS_JOBS")):
        raise ConfigurationError(
            "REDIS_URL is not set: in production jobs must run on RQ workers (set ALLOW_IN_PROCESS_JOBS=1 to run them in the web process on purpose)."
        )
    return settings
