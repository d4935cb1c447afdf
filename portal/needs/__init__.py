"""Levels of need: the authority's continuum of need (versioned guidance with indicators at each level),
the indicators a school ticks on a referral or an advice request, and threshold calibration — how often
the schools' view of the level and the front door's decision agree."""

from __future__ import annotations

from portal.features import Feature

FEATURE = Feature(
    name="needs",
    models=("portal.needs.models",),
    pages=("portal.needs.views",),
    blueprints=("portal.needs.blueprint:bp",),
    policy="portal.needs.policy",
    actions="portal.needs.actions:Action",
    setup=("portal.needs.templating:init_templates",),
)
