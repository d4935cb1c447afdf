"""Isolation declarations for the dashboard module's routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation  # noqa: F401

ENTRIES: list[RouteIsolation] = []

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("dashboard.figures", "GET"): ("dsl1", "head1", "dsl2", "front_door", "assessor", "partner", "partner2", "admin"),
}
