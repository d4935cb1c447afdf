"""Front-door advice requests: a DSL asks before deciding whether to refer (a child named or not)."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="advice",
    models=("portal.advice.models",),
    pages=("portal.advice.views",),
    blueprints=("portal.advice.blueprint:bp",),
    policy="portal.advice.policy",
    actions="portal.advice.actions:Action",
    menu=(
        MenuEntry("Advice", "advice.index", 40, holds(Role.DSL, Role.HEAD), current=("advice.index", "advice.new", "advice.detail")),
        MenuEntry("Advice queue", "advice.queue", 70, holds(Role.FRONT_DOOR), current=("advice.queue",)),
    ),
)
