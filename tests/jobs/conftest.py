import uuid

import pytest
from redis import Redis


@pytest.fixture
def redis_app(make_app):
    """An app whose jobs go through RQ on the local Redis, with queues of its own."""
    prefix = f"portal-test-{uuid.uuid4().hex[:8]}"
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/0", RQ_QUEUE_PREFIX=prefix)
    yield app
    connection = Redis.from_url("redis://127.0.0.1:6379/0")
    for key in connection.scan_iter(f"rq:*{prefix}*"):
        connection.delete(key)
