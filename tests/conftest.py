"""Fixtures: ``database`` (once per session, migrated) → ``app`` (per test) → ``client`` → ``world``
(two authorities with every role)."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from tests import database as test_database
from tests.support import PortalClient


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The migrated test database. Migrations, never ``create_all``, make the schema."""
    db_info = test_database.create(tmp_path_factory.mktemp("db"))
    from portal import create_app

    app = create_app({"PORTAL_ENV": "test", **db_info.config(), "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance"))})
    with app.app_context():
        upgrade()
        from portal.extensions import db

        db.engine.dispose()
    yield db_info
    test_database.drop(db_info)


def _table_names_children_first():
    from portal.extensions import db

    return [t.name for t in reversed(db.metadata.sorted_tables)]


@pytest.fixture
def make_app(database, tmp_path):
    """Build an app on the test database; extra settings override the defaults."""
    from portal import create_app

    built = []

    def factory(**overrides):
        config = {
            "PORTAL_ENV": "test",
            **database.config(),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MAIL_BACKEND": "file",
            "MAIL_FILE_PATH": str(tmp_path / "mail"),
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "REDIS_URL": None,
        }
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = PortalClient
        built.append(app)
        return app

    yield factory
    from portal.extensions import db

    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    test_database.empty(database, _table_names_children_first())


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mailbox(app):
    """The emails the app has sent (file backend), oldest first."""
    from portal.notifications.mail import read_mailbox

    return lambda: read_mailbox(app.config["MAIL_FILE_PATH"])


@pytest.fixture
def world(app):
    from tests.world import build_world

    return build_world(app)
