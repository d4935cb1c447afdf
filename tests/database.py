"""Test databases: SQLite (a file), or PostgreSQL with the production layout: a database owned by an
owner role that runs the migrations, and an application role that owns nothing and is subject to
row-level security. Made once per test session; emptied after each test."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text

OWNER_ROLE = "portal_test_owner"
APP_ROLE = "portal_test_app"


@dataclass
class TestDatabase:
    backend: str
    app_url: str
    owner_url: str | None
    admin_url: str | None
    name: str

    @property
    def is_postgresql(self) -> bool:
        return self.backend == "postgresql"

    def config(self) -> dict:
        return {
            "SQLALCHEMY_DATABASE_URI": self.app_url,
            "DATABASE_OWNER_URL": self.owner_url,
            "DATABASE_APP_ROLE": APP_ROLE,
        }

    def owner_engine(self):
        """A connection as the owner (PostgreSQL) or plain (SQLite): for cleaning and for tampering tests."""
        return create_engine(self.owner_url or self.app_url)


def backend() -> str:
    value = os.environ.get("PORTAL_TEST_DATABASE", "sqlite")
    if value not in {"sqlite", "postgresql"}:
        raise RuntimeError(f"PORTAL_TEST_DATABASE must be sqlite or postgresql, not {value!r}")
    return value


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def create(tmp_dir: Path) -> TestDatabase:
    if backend() == "sqlite":
        path = tmp_dir / "portal-test.sqlite3"
        url = f"sqlite:///{path}"
        return TestDatabase("sqlite", url, None, None, str(path))
    admin_url = os.environ.get("PORTAL_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"portal_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # Parallel test workers on a fresh server all try to create the roles: one at a time (a
        # session-level advisory lock), and a role created meanwhile is not an error.
        conn.execute("SELECT pg_advisory_lock(74201)")
        try:
            for role, extra in ((OWNER_ROLE, ""), (APP_ROLE, "")):
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                if not exists:
                    try:
                        conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE {extra}')
                    except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                        pass  # created meanwhile by a run outside this lock
        finally:
            conn.execute("SELECT pg_advisory_unlock(74201)")
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER_ROLE}"')
    with psycopg.connect(_replace_db(admin_url, name), autocommit=True) as conn:
        # PostgreSQL 15 no longer lets every role create objects in public; the owner needs it.
        conn.execute(f'GRANT ALL ON SCHEMA public TO "{OWNER_ROLE}"')
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{APP_ROLE}"')
    host = "127.0.0.1:5432"
    return TestDatabase(
        "postgresql",
        f"postgresql+psycopg://{APP_ROLE}@{host}/{name}",
        f"postgresql+psycopg://{OWNER_ROLE}@{host}/{name}",
        admin_url,
        name,
    )


def _replace_db(url: str, name: str) -> str:
    base = url.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop(database: TestDatabase) -> None:
    if database.is_postgresql:
        with psycopg.connect(database.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def empty(database: TestDatabase, table_names: list[str]) -> None:
    """Remove every row (as the owner), keeping the schema: the state each test starts from."""
    engine = database.owner_engine()
    try:
        with engine.begin() as conn:
            if database.is_postgresql:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in table_names) + " CASCADE"))
            else:
                for table in table_names:  # children first: the caller passes them in that order
                    conn.execute(text(f'DELETE FROM "{table}"'))
    finally:
        engine.dispose()
