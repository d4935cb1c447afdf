"""Start-up settings: production refuses to start without what it needs, and says what is missing."""

from __future__ import annotations

import pytest

from portal.settings import ConfigurationError, load_settings

GOOD_KEY = "k" * 40
GOOD_URL = "postgresql://portal_app@db.internal/portal"
TOTP_KEY = "cHJvZHVjdGlvbi10ZXN0LXRvdHAta2V5LTMyLWJ5dGU="


@pytest.fixture
def production_env(monkeypatch):
    """A complete production environment, which each test then spoils in one way."""
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("DATABASE_URL", GOOD_URL)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("TOTP_KEYS", TOTP_KEY)
    monkeypatch.delenv("ALLOW_IN_PROCESS_JOBS", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    return monkeypatch


def test_complete_production_settings_load(production_env):
    """Does production start with a secret key, a database and Redis, using secure cookies and the
    given database through psycopg?"""
    settings = load_settings("production")
    assert settings["SECRET_KEY"] == GOOD_KEY
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://portal_app@db.internal/portal"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["DEBUG"] is False


def test_missing_secret_key_stops_production(production_env):
    """Without SECRET_KEY, does production refuse to start, naming SECRET_KEY (and only it)?"""
    production_env.delenv("SECRET_KEY")
    with pytest.raises(ConfigurationError) as error:
        load_settings("production")
    assert "SECRET_KEY" in str(error.value)
    assert "DATABASE_URL" not in str(error.value)


def test_empty_secret_key_stops_production(production_env):
    """Is an empty SECRET_KEY treated as missing?"""
    production_env.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_settings("production")


def test_missing_database_url_stops_production(production_env):
    """Without DATABASE_URL, does production refuse to start, naming DATABASE_URL (and only it),
    rather than falling back to a local SQLite file?"""
    production_env.delenv("DATABASE_URL")
    with pytest.raises(ConfigurationError) as error:
        load_settings("production")
    assert "DATABASE_URL" in str(error.value)
    assert "SECRET_KEY" not in str(error.value)


def test_both_missing_are_both_named(production_env):
    """With neither set, does the message name both?"""
    production_env.delenv("SECRET_KEY")
    production_env.delenv("DATABASE_URL")
    with pytest.raises(ConfigurationError) as error:
        load_settings("production")
    assert "SECRET_KEY and DATABASE_URL" in str(error.value)


def test_short_secret_key_stops_production(production_env):
    """Is a secret key shorter than 32 characters refused in production?"""
    production_env.setenv("SECRET_KEY", "too-short")
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        load_settings("production")


def test_production_needs_redis_unless_in_process_jobs_are_allowed(production_env):
    """Without REDIS_URL, does production refuse to start unless ALLOW_IN_PROCESS_JOBS=1 says
    in-process jobs are meant?"""
    production_env.delenv("REDIS_URL")
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        load_settings("production")
    production_env.setenv("ALLOW_IN_PROCESS_JOBS", "1")
    assert load_settings("production")["REDIS_URL"] is None


def test_development_runs_without_any_settings(monkeypatch):
    """Does development start with nothing set, on a local SQLite file with a development-only key?"""
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings("development")
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert "development-only" in settings["SECRET_KEY"]
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_a_typo_in_a_number_stops_start_up(production_env):
    """Is a setting that must be a number, but is not, refused with its name?"""
    production_env.setenv("LOGIN_MAX_FAILURES", "five")
    with pytest.raises(ConfigurationError, match="LOGIN_MAX_FAILURES"):
        load_settings("production")


def test_unknown_mode_is_refused(monkeypatch):
    """Is a misspelt PORTAL_ENV refused rather than quietly running as development?"""
    with pytest.raises(ConfigurationError, match="PORTAL_ENV"):
        load_settings("prod")


def test_production_needs_keys_of_its_own_for_two_factor_secrets(production_env):
    """Without TOTP_KEYS, or with SECRET_KEY among them, does production refuse to start, saying why?"""
    production_env.delenv("TOTP_KEYS")
    with pytest.raises(ConfigurationError, match="without TOTP_KEYS"):
        load_settings("production")
    production_env.setenv("TOTP_KEYS", f"{TOTP_KEY},{GOOD_KEY}")
    with pytest.raises(ConfigurationError, match="must not contain SECRET_KEY"):
        load_settings("production")
    production_env.setenv("TOTP_KEYS", f" {TOTP_KEY} , {TOTP_KEY[::-1]}")
    assert load_settings("production")["TOTP_KEYS"] == [TOTP_KEY, TOTP_KEY[::-1]]
