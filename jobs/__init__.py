"""Background jobs: an outbox in the database, delivered through RQ on Redis (or in process without it).

* :mod:`jobs.models` — ``OutboxJob``, the row written in the same transaction as the change that causes it;
* :mod:`jobs.registry` — the ``@job`` decorator naming a handler and its queue;
* :mod:`jobs.outbox` — ``enqueue()``, which writes the row (ids only in the payload);
* :mod:`jobs.dispatch` — hands committed rows to RQ, or runs them in process; the relay for stragglers;
* :mod:`jobs.runner` — ``tenant_job`` (the decorator opening the tenant context inside an app context)
  and ``run_outbox_job``, what a worker executes;
* :mod:`jobs.schedule` — the declarative schedule and the scheduler loop;
* :mod:`jobs.connection`, :mod:`jobs.queues` — Redis and the queues, named by purpose.

This package is infrastructure: it imports no feature. The jobs themselves live in the features (each
feature's ``jobs.py``, registered with ``@job`` when the app is built) and so does what each runs on the
schedule (its descriptor's ``schedule``).
"""

from jobs.outbox import enqueue  # noqa: F401
from jobs.registry import job  # noqa: F401
