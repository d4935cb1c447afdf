"""The pupil register: one per school, kept by its DSLs, importable from a school MIS export."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="pupils",
    models=("portal.pupils.models",),
    pages=("portal.pupils.views",),
    blueprints=("portal.pupils.blueprint:bp",),
    policy="portal.pupils.policy",
    jobs="portal.pupils.jobs",
    actions="portal.pupils.actions:Action",
    menu=(MenuEntry("Pupils", "pupils.index", 20, holds(Role.DSL, Role.HEAD), current=("pupils.", "casework.chronology", "casework.export")),),
)
