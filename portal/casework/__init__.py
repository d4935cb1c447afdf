"""What the school and front-door modules share: the working-day clock (and the authority's calendar
of it), the pupil's chronology and its PDF exports, and attachments."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import Every
from portal.features import Feature

FEATURE = Feature(
    name="casework",
    models=("portal.casework.models",),
    pages=(
        "portal.casework.views.chronology",
        "portal.casework.views.manual",
        "portal.casework.views.files",
        "portal.casework.views.calendar",
        "portal.casework.views.holidays",
    ),
    blueprints=("portal.casework.blueprint:bp",),
    policy="portal.casework.policy",
    jobs="portal.casework.jobs",
    schedule=(Every("casework.remove_old_exports", timedelta(hours=1)), Every("casework.remove_orphaned_files", timedelta(hours=1))),
    actions="portal.casework.actions:Action",
    stored_files=("portal.casework.attachments:stored_files",),
)
