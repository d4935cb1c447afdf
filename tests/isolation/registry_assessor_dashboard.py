"""Isolation declarations for the school assessment's assessor dashboard routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation  # noqa: F401

ENTRIES: list[RouteIsolation] = []

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    # The people who run assessments: assessors, and the front-door managers and context panel members
    # (duties nobody holds in the test world: tests/assessments/test_dashboard.py gives them).
    ("assessments.dashboard", "GET"): ("assessor",),
}
