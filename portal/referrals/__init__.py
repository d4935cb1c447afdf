"""Referrals from a school's DSL to children's social care, with feedback and the one-working-day clock."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import Every
from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="referrals",
    models=("portal.referrals.models",),
    pages=(
        "portal.referrals.views.school",
        "portal.referrals.views.detail",
        "portal.referrals.views.steps",
        "portal.referrals.views.queue",
        "portal.referrals.views.household",
    ),
    blueprints=("portal.referrals.blueprint:bp",),
    policy="portal.referrals.policy",
    jobs="portal.referrals.jobs",
    schedule=(Every("referrals.check_clock", timedelta(minutes=5)),),
    actions="portal.referrals.actions:Action",
    menu=(
        MenuEntry(
            "Referrals", "referrals.index", 50, holds(Role.DSL, Role.HEAD), current=("referrals.index", "referrals.new", "referrals.edit", "referrals.detail")
        ),
        MenuEntry("Referral queue", "referrals.queue", 60, holds(Role.FRONT_DOOR), current=("referrals.queue",)),
    ),
)
