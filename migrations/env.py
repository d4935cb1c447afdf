"""Alembic environment. Migrations are the only way the schema is made, on SQLite and PostgreSQL alike.

On PostgreSQL they run as the owner of the tables (``DATABASE_OWNER_URL``), never as the application's
role, which owns nothing and is subject to row-level security. Without ``DATABASE_OWNER_URL`` they use
``DATABASE_URL`` (SQLite, or a single-role development set-up).
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine

from tenants.schema import include_in_comparison

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_metadata():
    return target_db.metadata


def migration_engine():
    owner_url = current_app.config.get("DATABASE_OWNER_URL")
    if owner_url:
        return create_engine(owner_url)
    return target_db.engine


def run_migrations_offline():
    url = current_app.config.get("DATABASE_OWNER_URL") or current_app.config["SQLALCHEMY_DATABASE_URI"]
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    # The hand-made PostgreSQL search indexes are not in the models: autogenerate must not drop them.
    conf_args.setdefault("include_object", include_in_comparison)
    engine = migration_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()
    if engine is not target_db.engine:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
