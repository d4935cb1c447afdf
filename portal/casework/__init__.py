"""What the school and front-door modules share: the vocabulary of harm and levels, the working-day
clock, the chronology, and attachments."""

from __future__ import annotations

from portal.features import Feature

FEATURE = Feature(
    name="casework",
    models=("portal.casework.models",),
    blueprints=("portal.casework.views:bp",),
    policy="portal.casework.policy",
    jobs="portal.casework.jobs",
    actions="portal.casework.actions:Action",
)
