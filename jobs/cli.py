"""``flask jobs worker | scheduler | relay | status``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from jobs.queues import PRIORITY

jobs_cli = AppGroup("jobs", help="Background jobs: RQ workers, the scheduler and the outbox.")


@jobs_cli.command("worker")
@click.option("-q", "--queue", "queues", multiple=True, type=click.Choice(PRIORITY), help="Listen to these queues only (default: all, most urgent first).")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker (needs REDIS_URL)."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from jobs.connection import connect, rq_queue

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run inside the web process.")
    connection = connect()
    names = queues or tuple(PRIORITY)
    # SimpleWorker runs jobs in this process (no fork): the database pool and app are built once.
    SimpleWorker([rq_queue(q, connection) for q in names], connection=connection, serializer=JSONSerializer).work(burst=burst)


@jobs_cli.command("scheduler")
def scheduler() -> None:
    """Keep the schedule and relay the outbox, every 30 seconds, until stopped."""
    from jobs.schedule import run_forever

    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


@jobs_cli.command("relay")
def relay_command() -> None:
    """Dispatch outbox jobs that are due (for example after Redis was down)."""
    from jobs.dispatch import relay

    click.echo(f"Dispatched {relay()} job(s).")


@jobs_cli.command("status")
def status() -> None:
    """Count outbox jobs by status for each authority (no job contents are shown)."""
    from jobs.models import OutboxJob
    from portal.extensions import db
    from tenants.context import tenant_scope
    from tenants.directory import authority_slugs

    for authority_id, slug in authority_slugs(db.session):
        with tenant_scope(authority_id):
            counts = dict(db.session.execute(select(OutboxJob.status, func.count()).group_by(OutboxJob.status)).all())
            db.session.rollback()
        click.echo(f"{slug}: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) if counts else f"{slug}: none")
