"""Accounts and sessions: users, memberships, sign-in, two-factor authentication, invitations, resets."""

from __future__ import annotations

from datetime import timedelta

from jobs.schedule import Every
from portal.features import Feature, MenuEntry, anyone

FEATURE = Feature(
    name="accounts",
    models=("portal.accounts.models",),
    pages=("portal.accounts.views",),
    blueprints=("portal.accounts.blueprint:bp",),
    policy="portal.accounts.policy",
    jobs="portal.accounts.jobs",
    schedule=(Every("maintenance.purge_sign_in_records", timedelta(hours=6)),),
    actions="portal.accounts.actions:Action",
    menu=(MenuEntry("Your account", "accounts.account", 1000, anyone, current=("accounts.account", "accounts.change_password", "accounts.two_factor_setup")),),
    setup=("portal.accounts.sessions:init_request_hooks",),
    commands=("portal.accounts.cli:accounts_cli",),
)
