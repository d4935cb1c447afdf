"""The job registry: each job has a dotted name, a handler and a queue named by purpose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from jobs.queues import QUEUES


@dataclass(frozen=True)
class JobSpec:
    name: str
    handler: Callable[..., object]
    queue: str
    max_attempts: int


#: A job's handler: keyword arguments that are ids, run in its authority's tenant context.
Handler = TypeVar("Handler", bound=Callable[..., object])

JOBS: dict[str, JobSpec] = {}


def job(name: str, *, queue: str, max_attempts: int = 5) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the job ``name`` on ``queue``.

    The handler runs inside the tenant context of the job's authority (see ``jobs.runner``) and takes
    keyword arguments that are ids only. Whatever it changes in the database commits together with the
    job being marked done, so running a job twice has its effect once.
    """
    if queue not in QUEUES:
        raise ValueError(f"Unknown queue {queue!r}; queues are {sorted(QUEUES)}")

    def register(handler: Handler) -> Handler:
        if name in JOBS and JOBS[name].handler is not handler:
            raise ValueError(f"Job {name!r} is registered twice")
        JOBS[name] = JobSpec(name, handler, queue, max_attempts)
        return handler

    return register


def get(name: str) -> JobSpec:
    """The job called ``name``; raises ``KeyError`` for an unknown job. The features' handlers register
    themselves when the app is built (each feature's ``jobs`` module)."""
    return JOBS[name]
