"""Safety summits (planning, activities, findings, an action plan, "you said, we did") and safety maps,
with the anonymous tablet link for groups of young people."""

from __future__ import annotations

from portal.contexts import CONTEXTUAL_ROLES
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="summits",
    models=("portal.summits.models",),
    blueprints=("portal.summits.views:bp", "portal.summits.maps:bp"),
    policy="portal.summits.policy",
    actions="portal.summits.actions:Action",
    menu=(MenuEntry("Summits", "summits.index", 90, holds(*CONTEXTUAL_ROLES), current=("summits.", "maps.")),),
)
