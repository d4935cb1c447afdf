"""Fixtures: ``database`` (once per session, migrated) → ``app`` (per test) → ``client`` → ``world``
(two authorities with every role)."""

from __future__ import annotations

import os

import pytest
from flask_migrate import upgrade
from jinja2 import BytecodeCache

from portal import clock
from tests import database as test_database
from tests.moments import AWKWARD_MOMENTS, moment_for_run
from tests.support import PortalClient

_RUN_CLOCK = moment_for_run(os.environ.get("PORTAL_TEST_CLOCK"))


def pytest_configure(config):
    """Start the portal's clock at the run's moment (``PORTAL_TEST_CLOCK``, see tests/moments.py), in
    every test process, before any app is built."""
    if _RUN_CLOCK:
        clock.set_clock(_RUN_CLOCK[1], tick=True)


def pytest_sessionstart(session):
    """Say the run's clock even with -q (the header is hidden then), so a failure can be run again at it."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and session.config.get_verbosity() < 0 and not hasattr(session.config, "workerinput"):
        reporter.write_line(pytest_report_header(session.config)[1])


def pytest_report_header(config):
    if not _RUN_CLOCK:
        return [_database_header(), "portal clock: the machine's (PORTAL_TEST_CLOCK=real)"]
    name, moment = _RUN_CLOCK
    return [
        _database_header(),
        f"portal clock: starts at {name}, {moment.isoformat()} = {clock.uk_datetime(moment, '%A %-d %B %Y %H:%M %Z')} in the UK (PORTAL_TEST_CLOCK)",
    ]


@pytest.fixture(params=list(AWKWARD_MOMENTS))
def awkward_moment(request):
    """Each awkward moment in turn (tests/moments.py), the portal's clock ticking on from it. Ask for it
    before ``world`` and other data, so that they are made at that moment too."""
    moment = AWKWARD_MOMENTS[request.param]
    with clock.travel(moment, tick=True):
        yield moment


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


class _SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by every app the tests build (each test builds its own app, and
    compiling the GOV.UK macros again each time would dominate the run)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _SharedTemplateCache()


def _table_names_children_first():
    from portal.extensions import db

    return [t.name for t in reversed(db.metadata.sorted_tables)]


def _test_config(database, base_dir) -> dict:
    return {
        "PORTAL_ENV": "test",
        **database.config(),
        "INSTANCE_PATH": str(base_dir / "instance"),
        # The file store of this app alone (the default is the checkout's instance folder, shared by
        # every test worker).
        "FILE_STORE_PATH": str(base_dir / "files"),
        "MAIL_BACKEND": "file",
        "MAIL_FILE_PATH": str(base_dir / "mail"),
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "LOGIN_RATE_LIMIT_PER_ADDRESS": "100000 per minute",
        "REDIS_URL": None,
    }


def _build(config):
    from portal import create_app

    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    app.test_client_class = PortalClient
    return app


def _dispose(app):
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def shared_app(database, tmp_path_factory):
    """One app for every test that needs no special settings (building an app per test is slow)."""
    app = _build(_test_config(database, tmp_path_factory.mktemp("shared")))
    yield app
    _dispose(app)


@pytest.fixture
def make_app(database, tmp_path):
    """Build an app on the test database with some settings changed."""
    built = []

    def factory(**overrides):
        config = _test_config(database, tmp_path)
        config.update(overrides)
        app = _build(config)
        built.append(app)
        return app

    yield factory
    for app in built:
        _dispose(app)


@pytest.fixture
def app(shared_app, database):
    """The shared app, with an empty database, an empty mailbox and fresh rate-limit counters."""
    import shutil
    from pathlib import Path

    from portal.extensions import limiter

    shutil.rmtree(Path(shared_app.config["MAIL_FILE_PATH"]), ignore_errors=True)
    with shared_app.app_context():
        limiter.reset()
    yield shared_app
    with shared_app.app_context():
        from portal.extensions import db

        db.session.remove()


@pytest.fixture(autouse=True)
def _empty_database_after_each_test(database):
    yield
    test_database.empty(database, _table_names_children_first())


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


def pytest_collection_modifyitems(config, items):
    """Tests of PostgreSQL-only behaviour (row-level security, grants) run in the PostgreSQL pass and are
    deselected, not skipped, in the SQLite pass: `make test` runs both passes."""
    if test_database.backend() == "postgresql":
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres_only") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _database_header() -> str:
    return f"portal test database: {test_database.backend()}"
