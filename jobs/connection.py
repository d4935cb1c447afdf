"""The Redis connection and RQ queues (JSON serializer: payloads are readable and hold ids only)."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer


def redis_url() -> str | None:
    url = current_app.config.get("REDIS_URL")
    return str(url) if url else None


def connect(url: str | None = None) -> Redis:
    """A Redis connection that fails fast: when Redis is down, the outbox keeps the job."""
    url = url or redis_url()
    if not url:
        raise RuntimeError("REDIS_URL is not set: without Redis, jobs run inside the web process.")
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def queue_name(queue: str) -> str:
    return f"{current_app.config['RQ_QUEUE_PREFIX']}:{queue}"


def rq_queue(queue: str, connection: Redis | None = None) -> Queue:
    return Queue(queue_name(queue), connection=connection or connect(), serializer=JSONSerializer)
