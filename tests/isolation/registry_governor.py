"""Isolation declarations for the governor report routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

ENTRIES: list[RouteIsolation] = []

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {}
