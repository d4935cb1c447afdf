"""With Redis unreachable (the rate limiter's storage and the job queue), people still sign in and work:
the rate limits are counted in the process instead, and say so in the log; a job waits in the outbox for
the relay. Run in a process of its own, because the rate limiter is one object per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import json, logging, sys
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

root = Path(sys.argv[1])
dead = "redis://127.0.0.1:1/0"  # nothing listens there
records = []
handler = logging.Handler()
handler.emit = lambda record: records.append(record.getMessage())
logging.getLogger("flask-limiter").addHandler(handler)

from tests.conftest import _build
from tests.world import build_world

app = _build({
    "PORTAL_ENV": "test",
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'portal.sqlite3'}",
    "INSTANCE_PATH": str(root / "instance"),
    "MAIL_BACKEND": "file",
    "MAIL_FILE_PATH": str(root / "mail"),
    "REDIS_URL": dead,
    "RATELIMIT_STORAGE_URI": dead,
    "LOGIN_RATE_LIMIT": "3 per minute",
})
with app.app_context():
    upgrade()
world = build_world(app)

from tests.concerns.conftest import concern_form
from tests.factories import make_pupil
from tests.support import detached_rows, sign_in
from jobs.models import JobStatus, OutboxJob

out = {}
client = app.test_client()
out["sign_in"] = sign_in(client, world.a.staff1).status_code
out["home"] = client.get("/home").status_code
pupil_id = make_pupil(app, world.a)
out["concern"] = client.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form()).status_code
out["pending_jobs"] = len([j for j in detached_rows(app, OutboxJob, world.a.authority_id) if j.status == JobStatus.PENDING])
# Every role signs in while Redis is down.
out["roles"] = {key: sign_in(app.test_client(), person).status_code for key, person in world.a.people.items()}

# The limits still hold, counted in this process: three tries a minute for one address, then refused.
other = app.test_client()
out["wrong_tries"] = [other.post("/sign-in", data={"email": "someone.else@avonford.example.org", "password": "not the password"}).status_code for _ in range(4)]
out["log"] = [message for message in records if "falling back" in message.lower()]

# Redis answers again: the scheduler's relay hands the waiting jobs over and a worker delivers them (the
# DSL's email about the concern among them).
import uuid
from datetime import timedelta

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from jobs.connection import connect, rq_queue
from jobs.dispatch import relay
from jobs.queues import PRIORITY
from jobs.runner import use_app_factory
from portal.clock import travel, utcnow
from portal.notifications.mail import read_mailbox

app.config["REDIS_URL"] = sys.argv[2]
app.config["RQ_QUEUE_PREFIX"] = "redis-returns-" + uuid.uuid4().hex[:8]
use_app_factory(lambda: app)
before = len(read_mailbox(app.config["MAIL_FILE_PATH"]))
with travel(utcnow() + timedelta(minutes=1)), app.app_context():
    out["relayed"] = relay()
    connection = connect()
    SimpleWorker([rq_queue(q, connection) for q in PRIORITY], connection=connection, serializer=JSONSerializer).work(burst=True)
    for q in PRIORITY:
        rq_queue(q, connection).delete(delete_jobs=True)
out["jobs_after"] = sorted({j.status.value for j in detached_rows(app, OutboxJob, world.a.authority_id)})
out["emails_sent"] = len(read_mailbox(app.config["MAIL_FILE_PATH"])) - before
print(json.dumps(out))
"""


def test_people_sign_in_and_log_a_concern_with_redis_unreachable_and_the_job_is_delivered_when_it_returns(tmp_path):
    repository = Path(__file__).resolve().parents[2]
    environment = {**os.environ, "PORTAL_TEST_CLOCK": "real", "PYTHONPATH": str(repository)}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), "redis://127.0.0.1:6379/0"], cwd=repository, env=environment, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["sign_in"] == 302 and out["home"] == 200
    assert out["concern"] == 302 and out["pending_jobs"] >= 1  # saved; its job waits for Redis in the outbox
    assert out["wrong_tries"][:3] == [200, 200, 200] and out["wrong_tries"][3] == 429
    assert out["log"], "the fall-back to in-process rate limits is logged"
    assert set(out["roles"].values()) == {302} and len(out["roles"]) == 10  # every role of the world signs in
    assert out["relayed"] >= 1 and out["jobs_after"] == ["done"] and out["emails_sent"] >= 1
