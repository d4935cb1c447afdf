"""Jobs: an outbox row in the same transaction as the change, delivered through RQ or in process."""

import json
import uuid
import zlib
from datetime import timedelta

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import select

from jobs.connection import rq_queue
from jobs.dispatch import relay
from jobs.models import JobStatus, OutboxJob
from jobs.outbox import PayloadNotIds, enqueue
from jobs.registry import job
from jobs.runner import JobWithoutAuthority, run_outbox_job
from jobs.schedule import SCHEDULE, tick
from portal.clock import travel, utcnow
from portal.extensions import db
from portal.notifications.mail import read_mailbox
from portal.notifications.models import Notification
from portal.notifications.service import notify
from tenants import tenant_scope
from tests.support import sign_in

FAILURES = {"count": 0}


@job("tests.always_fails", queue="maintenance", max_attempts=3)
def always_fails() -> None:
    FAILURES["count"] += 1
    raise RuntimeError("the mail server said no")


def _invite(client, side, email="new.dsl@avonford.example.org"):
    return client.post(
        "/admin/users/invite",
        data={"email": email, "full_name": "New Dsl", "job_title": "", "organisation": str(side.school1), "role": "dsl"},
    )


def _outbox(app, authority_id):
    with app.app_context(), tenant_scope(authority_id):
        rows = db.session.execute(select(OutboxJob).order_by(OutboxJob.created_at)).scalars().all()
        db.session.expunge_all()
        return rows


def _work(app):
    """Run an RQ worker over the app's queues until they are empty."""
    connection = Redis.from_url(app.config["REDIS_URL"])
    with app.app_context():
        queues = [rq_queue(name, connection) for name in ("notifications", "sla", "exports", "maintenance")]
        SimpleWorker(queues, connection=connection, serializer=JSONSerializer).work(burst=True)


def test_without_redis_jobs_run_in_process_after_the_change(app, world):
    """Without Redis (the embedded default), is the invitation email sent by the end of the request?"""
    client = app.test_client()
    sign_in(client, world.a.admin)
    assert _invite(client, world.a).status_code == 302
    [message] = read_mailbox(app.config["MAIL_FILE_PATH"])
    assert message["To"] == "new.dsl@avonford.example.org"
    assert [row.status for row in _outbox(app, world.a.authority_id)] == [JobStatus.DONE]


def test_outbox_delivers_after_redis_was_down(make_app, redis_app, world):
    """If Redis is down when a user is invited, is the invitation still saved, and the email delivered once
    Redis is back?"""
    down = make_app(REDIS_URL="redis://127.0.0.1:1/0", RQ_QUEUE_PREFIX=redis_app.config["RQ_QUEUE_PREFIX"])
    client = down.test_client()
    sign_in(client, world.a.admin)
    response = _invite(client, world.a)
    assert response.status_code == 302  # the change succeeded although Redis was unreachable
    [row] = _outbox(down, world.a.authority_id)
    assert row.status == JobStatus.PENDING and row.name == "accounts.send_invitation"
    assert [m["Subject"] for m in read_mailbox(down.config["MAIL_FILE_PATH"])] == []

    with travel(utcnow() + timedelta(minutes=1)):
        with redis_app.app_context():
            assert relay() == 1
    _work(redis_app)
    [message] = read_mailbox(redis_app.config["MAIL_FILE_PATH"])
    assert message["To"] == "new.dsl@avonford.example.org" and "/invitation/" in message.get_content()
    assert [r.status for r in _outbox(redis_app, world.a.authority_id)] == [JobStatus.DONE]


def test_with_redis_the_job_is_pushed_on_commit_and_holds_only_ids(redis_app, world):
    """With Redis up, is the job on its queue as soon as the change commits, as JSON holding two ids only?"""
    client = redis_app.test_client()
    sign_in(client, world.a.admin)
    _invite(client, world.a)
    [row] = _outbox(redis_app, world.a.authority_id)
    connection = Redis.from_url(redis_app.config["REDIS_URL"])
    with redis_app.app_context():
        queue = rq_queue("notifications", connection)
        [job_id] = queue.get_job_ids()
    stored = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
    assert stored.args == [str(world.a.authority_id), str(row.id)]
    assert stored.kwargs == {}
    raw = zlib.decompress(connection.hget(f"rq:job:{job_id}", "data")).decode()
    assert "new.dsl" not in raw and "New Dsl" not in raw
    assert json.loads(raw)[2] == [str(world.a.authority_id), str(row.id)]  # JSON, not pickle: (func, instance, args, kwargs)
    assert set(row.payload) == {"user_id"} and uuid.UUID(row.payload["user_id"])
    _work(redis_app)
    assert len(read_mailbox(redis_app.config["MAIL_FILE_PATH"])) == 1


def test_a_rolled_back_change_leaves_no_job(app, world):
    """If the change that asked for a job is rolled back, is there no job at all (and nothing sent)?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        notify(world.a.dsl1.id, "This never happened")
        db.session.rollback()
    assert _outbox(app, world.a.authority_id) == []
    assert read_mailbox(app.config["MAIL_FILE_PATH"]) == []


def test_payloads_must_be_ids(app, world):
    """Is a job refused if its payload holds anything but ids (a name, a free-text detail)?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        with pytest.raises(PayloadNotIds):
            enqueue("notifications.email_notification", notification_id="Jane Doe, 14, disclosed abuse")
        with pytest.raises(PayloadNotIds):
            enqueue("notifications.email_notification", notification_id={"child": "x"})
        db.session.rollback()


def test_every_job_of_a_realistic_flow_carries_ids_only(app, world):
    """Across invitations, role changes and notifications, does every outbox payload hold UUIDs only?"""
    client = app.test_client()
    sign_in(client, world.a.admin)
    _invite(client, world.a)
    client.post(f"/admin/users/{world.a.dsl1.id}/roles/new", data={"organisation": str(world.a.school2), "role": "staff"})
    rows = _outbox(app, world.a.authority_id)
    assert len(rows) >= 2
    for row in rows:
        for value in row.payload.values():
            uuid.UUID(value)


def test_a_job_without_an_authority_cannot_run(app, world):
    """Is a job started without its authority refused before it does anything?"""
    with app.app_context():
        with pytest.raises(JobWithoutAuthority):
            run_outbox_job(None, str(uuid.uuid4()))
        with pytest.raises(JobWithoutAuthority):
            run_outbox_job("", str(uuid.uuid4()))


def test_a_job_cannot_run_in_another_authority(make_app, world):
    """Given B's authority and A's job id, does the runner find nothing to run (and run nothing)?"""
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # Redis down: the job waits in A's outbox
    with app.app_context(), tenant_scope(world.a.authority_id):
        notification = notify(world.a.dsl1.id, "For A only", email=False)
        row = enqueue("notifications.email_notification", notification_id=notification.id)
        row_id = row.id
        db.session.commit()
    with app.app_context():
        with pytest.raises(LookupError):
            run_outbox_job(str(world.b.authority_id), str(row_id))
    assert read_mailbox(app.config["MAIL_FILE_PATH"]) == []
    assert [r.status for r in _outbox(app, world.a.authority_id)] == [JobStatus.PENDING]


def test_a_job_run_twice_has_its_effect_once(app, world):
    """If a job is delivered twice, is the email sent once?"""
    with app.app_context(), tenant_scope(world.a.authority_id):
        notification = notify(world.a.dsl1.id, "Your advice request was answered", email=False)
        notification_id = notification.id
        row = enqueue("notifications.email_notification", notification_id=notification.id)
        ids = (str(world.a.authority_id), str(row.id))
        db.session.commit()  # runs it once in process
    with app.app_context():
        assert run_outbox_job(*ids) == "already done"
    assert len(read_mailbox(app.config["MAIL_FILE_PATH"])) == 1
    with app.app_context(), tenant_scope(world.a.authority_id):
        assert db.session.get(Notification, notification_id).emailed_at is not None


def test_a_failing_job_is_retried_with_back_off_then_given_up(app, world):
    """Does a failing job wait longer before each retry, and stop after its last attempt?"""
    FAILURES["count"] = 0
    start = utcnow()
    with travel(start):
        with app.app_context(), tenant_scope(world.a.authority_id):
            enqueue("tests.always_fails")
            db.session.commit()  # runs (and fails) in process when the app context ends
    [row] = _outbox(app, world.a.authority_id)
    assert (row.attempts, row.status, FAILURES["count"]) == (1, JobStatus.PENDING, 1)
    assert row.available_at == start + timedelta(seconds=30)
    assert "the mail server said no" in row.last_error

    with travel(start + timedelta(seconds=20)), app.app_context():
        assert relay() == 0  # not yet due
    with travel(start + timedelta(seconds=31)), app.app_context():
        assert relay() == 1
    [row] = _outbox(app, world.a.authority_id)
    assert row.attempts == 2 and row.available_at == start + timedelta(seconds=31) + timedelta(minutes=2)
    with travel(start + timedelta(minutes=5)), app.app_context():
        relay()
    [row] = _outbox(app, world.a.authority_id)
    assert (row.attempts, row.status, FAILURES["count"]) == (3, JobStatus.FAILED, 3)
    with travel(start + timedelta(hours=5)), app.app_context():
        assert relay() == 0  # given up: no more attempts


def test_the_schedule_runs_once_per_interval_for_each_authority(app, world):
    """Does a scheduled job run once per interval for every authority, however often the scheduler ticks?"""
    assert SCHEDULE, "the schedule is declared"
    entry = SCHEDULE[0]
    start = utcnow()
    with travel(start), app.app_context():
        first = tick()
        again = tick()
    per_tick = 2 * len(SCHEDULE)  # every entry, for each of the two authorities
    assert first["scheduled"] == per_tick and again["scheduled"] == 0
    with travel(start + entry.interval), app.app_context():
        assert tick()["scheduled"] >= 2
    for side in (world.a, world.b):
        rows = [r for r in _outbox(app, side.authority_id) if r.name == entry.job]
        assert len(rows) == 2 and all(r.status == JobStatus.DONE for r in rows)
