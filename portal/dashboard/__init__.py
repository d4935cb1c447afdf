"""The home page: one dashboard per role."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, anyone, holds

FEATURE = Feature(
    name="dashboard",
    pages=("portal.dashboard.views",),
    blueprints=("portal.dashboard.blueprint:bp",),
    menu=(
        MenuEntry("Home", "dashboard.home", 0, anyone),
        MenuEntry(
            "Dashboard",
            "dashboard.figures",
            150,
            holds(Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER, Role.AUTHORITY_ADMIN),
        ),
    ),
)
