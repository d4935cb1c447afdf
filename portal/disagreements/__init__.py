"""Resolving professional differences: a school's DSL or head disagrees with the front door's decision on
a referral, or with its answer to a request for advice, and escalates it in stages with the authority's
timescales (see ``portal/disagreements/service.py`` for the stages and who responds at each)."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import Every
from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="disagreements",
    models=("portal.disagreements.models",),
    pages=(
        "portal.disagreements.views.raising",
        "portal.disagreements.views.detail",
        "portal.disagreements.views.lists",
        "portal.disagreements.views.settings",
    ),
    blueprints=("portal.disagreements.blueprint:bp",),
    policy="portal.disagreements.policy",
    jobs="portal.disagreements.jobs",
    schedule=(Every("disagreements.check_clock", timedelta(minutes=5)),),
    actions="portal.disagreements.actions:Action",
    setup=("portal.disagreements.panel:init_app",),
    menu=(
        MenuEntry(
            "Disagreements",
            "disagreements.open_list",
            65,
            holds(Role.FRONT_DOOR, Role.AUTHORITY_ADMIN),
            current=("disagreements.open_list", "disagreements.detail", "disagreements.respond"),
        ),
    ),
)
