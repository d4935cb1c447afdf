"""Concerns: anything any member of staff notices about a child (zero threshold), triaged by the DSL."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="concerns",
    models=("portal.concerns.models",),
    pages=("portal.concerns.views",),
    blueprints=("portal.concerns.blueprint:bp",),
    policy="portal.concerns.policy",
    actions="portal.concerns.actions:Action",
    menu=(MenuEntry("Concerns", "concerns.index", 30, holds(Role.DSL, Role.HEAD, Role.STAFF), current=("concerns.",)),),
)
