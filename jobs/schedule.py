"""The schedule, declared in one list, and the loop that keeps it.

Every entry runs once per interval for every authority, as an outbox job whose ``dedupe_key`` names the
interval (``<job>@<slot>``): two schedulers running at once, or one restarted, cannot make a second
copy (the database refuses it). Each tick also runs the outbox relay.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jobs.models import OutboxJob
from jobs.outbox import enqueue
from portal.clock import utcnow
from portal.extensions import db
from tenants.context import tenant_scope
from tenants.directory import authority_ids

log = logging.getLogger("portal.jobs.schedule")


@dataclass(frozen=True)
class Every:
    job: str
    interval: timedelta
    #: For a daily entry: the time of day in the UK (GMT or BST) at which each day's slot starts.
    uk_time: time | None = None

    def slot(self, now: datetime) -> int:
        if self.uk_time is not None:
            from portal.clock import UK

            since = now.astimezone(UK) - timedelta(hours=self.uk_time.hour, minutes=self.uk_time.minute)
            return since.date().toordinal()
        return int(now.timestamp() // self.interval.total_seconds())


#: What runs when, for every authority: each feature declares its entries (its ``schedule``), and
#: create_app adds them here.
SCHEDULE: list[Every] = []


def add(entry: Every) -> None:
    """Add a feature's entry to the schedule (once, however many times the app is built)."""
    known = next((e for e in SCHEDULE if e.job == entry.job), None)
    if known is None:
        SCHEDULE.append(entry)
    elif known != entry:
        raise ValueError(f"The job {entry.job!r} is on the schedule twice, differently: {known} and {entry}")


TICK_SECONDS = 30


def tick(now: datetime | None = None) -> dict[str, int]:
    """Enqueue what is due for every authority, then relay the outbox. Returns counts, for the log."""
    from jobs.dispatch import relay

    now = now or utcnow()
    authorities = authority_ids(db.session)
    scheduled = 0
    for entry in SCHEDULE:
        key = f"{entry.job}@{entry.slot(now)}"
        for authority_id in authorities:
            with tenant_scope(authority_id):
                if db.session.execute(select(OutboxJob.id).where(OutboxJob.dedupe_key == key)).first():
                    db.session.rollback()
                    continue
                try:
                    enqueue(entry.job, dedupe_key=key)
                    db.session.commit()
                    scheduled += 1
                except IntegrityError:  # another scheduler got there first
                    db.session.rollback()
    relayed = relay(now)
    return {"scheduled": scheduled, "relayed": relayed}


def run_forever(app: Flask, stop: threading.Event | None = None) -> None:
    """The scheduler loop (``flask jobs scheduler``, or a thread of the web process without Redis)."""
    stop = stop or threading.Event()
    log.info("Scheduler started: %s", ", ".join(f"{e.job} every {e.interval}" for e in SCHEDULE))
    while not stop.is_set():
        try:
            with app.app_context():
                counts = tick()
            if any(counts.values()):
                log.info("Scheduler tick: %s", counts)
        except Exception:  # keep the loop alive; the next tick tries again
            log.exception("Scheduler tick failed")
        stop.wait(TICK_SECONDS)


_background: threading.Thread | None = None


def start_background_scheduler(app: Flask) -> None:
    """Run the scheduler in a daemon thread of this process (embedded mode, ``make run``)."""
    global _background
    if _background is not None and _background.is_alive():
        return
    _background = threading.Thread(target=run_forever, args=(app,), name="portal-scheduler", daemon=True)
    _background.start()
