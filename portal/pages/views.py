"""Public pages: the accessibility statement, the privacy notice and the cookies page; and the load
balancer's health checks."""

import logging

from flask import Response, jsonify, render_template
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from jobs.connection import connect, redis_url
from portal.extensions import db
from portal.pages.blueprint import bp

log = logging.getLogger("portal.health")


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/cookies")
def cookies():
    return render_template("pages/cookies.html")


@bp.route("/healthz")
def healthz():
    """Liveness, for the load balancer: the process answers. Reads nothing."""
    return Response("ok\n", mimetype="text/plain")


@bp.route("/readyz")
def readyz():
    """Readiness, for the load balancer: the database answers, and Redis when it is used. Says only which
    is unavailable (never why); 503 while one is."""
    checks = {"database": _database_answers(), "redis": _redis_answers()}
    ready = all(state in ("ok", "not used") for state in checks.values())
    return jsonify(checks), (200 if ready else 503)


def _database_answers() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return "ok"
    except SQLAlchemyError:
        log.warning("Readiness: the database did not answer", exc_info=True)
        db.session.rollback()
        return "unavailable"


def _redis_answers() -> str:
    if not redis_url():
        return "not used"
    try:
        connect().ping()
        return "ok"
    except RedisError:
        log.warning("Readiness: Redis did not answer", exc_info=True)
        return "unavailable"
