"""Safety summits (planning, activities, findings, an action plan, "you said, we did") and safety maps,
with the anonymous tablet link for groups of young people."""

from __future__ import annotations

from portal.contexts import CONTEXTUAL_ROLES
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="summits",
    models=("portal.summits.models",),
    pages=(
        "portal.summits.views.list",
        "portal.summits.views.detail",
        "portal.summits.views.plan",
        "portal.summits.views.activities",
        "portal.summits.views.after",
        "portal.summits.views.maps",
        "portal.summits.views.tablet",
    ),
    blueprints=("portal.summits.blueprint:bp", "portal.summits.blueprint:maps_bp"),
    policy="portal.summits.policy",
    actions="portal.summits.actions:Action",
    stored_files=("portal.summits.map_service:stored_files",),
    menu=(MenuEntry("Summits", "summits.index", 90, holds(*CONTEXTUAL_ROLES), current=("summits.", "maps.")),),
)
