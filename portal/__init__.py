"""The Safeguarding Partnership Portal: the application factory."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import clock
from portal.settings import load_settings


def create_app(test_config: dict | None = None) -> Flask:
    """Build the portal. ``test_config`` overrides settings (tests pass their database URL this way)."""
    settings = load_settings(env=(test_config or {}).get("PORTAL_ENV"), overrides=test_config)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], static_folder="static", static_url_path="/static")
    app.config.update(settings)
    clock.configure(settings)
    configure_logging(app)
    register_extensions(app)
    register_features(app)
    register_govuk_assets(app)
    register_template_helpers(app)
    register_jobs(app)
    return app


def configure_logging(app: Flask) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from flask_talisman import Talisman
    from govuk_frontend_wtf.main import WTFormsHelpers
    from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

    from portal.extensions import csrf, db, limiter, login_manager, migrate
    from tenants.orm import bind_session_registry

    db.init_app(app)
    bind_session_registry(db.session)
    with app.app_context():
        _configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    WTFormsHelpers(app)
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            "connect-src": "'self'",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        },
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]), x_proto=1)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _configure_engine(engine) -> None:
    """SQLite: enforce foreign keys, wait for locks, and start every transaction with BEGIN IMMEDIATE so
    concurrent writers (the audit chain) queue instead of failing."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable against a crash of the portal
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_govuk_assets(app: Flask) -> None:
    """GOV.UK Frontend's compiled CSS refers to ``/assets/...``; serve the npm package's assets there."""
    from pathlib import Path

    from flask import send_from_directory

    assets = Path(app.root_path) / "static" / "build" / "govuk" / "assets"

    @app.route("/assets/<path:filename>", endpoint="govuk_assets")
    def govuk_assets(filename):
        return send_from_directory(assets, filename, max_age=3600)


def register_template_helpers(app: Flask) -> None:
    from portal.templating import init_templating

    init_templating(app)


def register_features(app: Flask) -> None:
    """Every feature of portal.features.FEATURES: its models, policies, jobs, audit actions, blueprints,
    commands and set-up."""
    from portal.features import register_features as register

    register(app)


def register_jobs(app: Flask) -> None:
    """The jobs' commands; jobs started outside any app are built with this factory; ``make run`` (no
    Redis) runs the schedule in a background thread of the web process."""
    import jobs.dispatch  # noqa: F401  (its commit hook hands each committed job to RQ or to this process)
    from jobs.cli import jobs_cli
    from jobs.runner import use_app_factory

    app.cli.add_command(jobs_cli)
    use_app_factory(create_app)
    if app.config.get("JOBS_RUN_SCHEDULER_IN_PROCESS"):
        from jobs.schedule import start_background_scheduler

        start_background_scheduler(app)
