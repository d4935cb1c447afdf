"""The job commands an operator runs: the worker, the relay and the status count."""

from datetime import timedelta

from portal.clock import travel, utcnow
from portal.notifications.mail import read_mailbox
from tests.support import sign_in


def _invite(app, side):
    client = app.test_client()
    sign_in(client, side.admin)
    client.post(
        "/admin/users/invite", data={"email": "new.person@avonford.example.org", "full_name": "New Person", "organisation": str(side.school1), "role": "staff"}
    )


def test_worker_command_delivers_queued_jobs(redis_app, world):
    """Does `flask jobs worker --burst` run what is on the queues (the invitation email is sent)?"""
    _invite(redis_app, world.a)
    assert read_mailbox(redis_app.config["MAIL_FILE_PATH"]) == []
    result = redis_app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    [message] = read_mailbox(redis_app.config["MAIL_FILE_PATH"])
    assert message["To"] == "new.person@avonford.example.org"


def test_worker_needs_redis(app):
    """Does the worker command explain that it needs REDIS_URL instead of failing obscurely?"""
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


def test_relay_and_status_commands(make_app, redis_app, world):
    """After Redis was down, do `flask jobs status` show the waiting job and `flask jobs relay` send it on?"""
    down = make_app(REDIS_URL="redis://127.0.0.1:1/0", RQ_QUEUE_PREFIX=redis_app.config["RQ_QUEUE_PREFIX"])
    _invite(down, world.a)
    status = redis_app.test_cli_runner().invoke(args=["jobs", "status"]).output
    assert "avonford: pending=1" in status and "brackley: none" in status
    with travel(utcnow() + timedelta(minutes=1)):
        assert "Dispatched 1 job(s)." in redis_app.test_cli_runner().invoke(args=["jobs", "relay"]).output
    redis_app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert "avonford: done=1" in redis_app.test_cli_runner().invoke(args=["jobs", "status"]).output
