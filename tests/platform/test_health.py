"""The load balancer's checks: /healthz answers while the process runs; /readyz says whether the database
and Redis answer (503 while one does not), and nothing more."""

from __future__ import annotations


def test_liveness_and_readiness(client):
    assert client.get("/healthz").get_data(as_text=True) == "ok\n"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"database": "ok", "redis": "not used"}
    assert ready.headers["Cache-Control"] == "no-store"


def test_not_ready_while_redis_does_not_answer(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json() == {"database": "ok", "redis": "unavailable"}


def test_not_ready_while_the_database_does_not_answer(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing-folder' / 'portal.sqlite3'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["database"] == "unavailable"
