"""One isolation declaration: how to reach an object through a route, who may, who must be refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RouteIsolation:
    endpoint: str
    method: str
    #: Who, in the object's own authority, may use the route.
    actor: str
    #: ``(app, side) -> url kwargs`` for an object of that side (creating it if needed).
    target: Callable
    #: People of the same authority who must get 403 or 404.
    refused: tuple[str, ...] = ()
    #: Form data for a POST.
    data: Callable | None = None
    #: For objects that belong to one school or person: people at another school who must get 404.
    other_school: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.method} {self.endpoint}"
