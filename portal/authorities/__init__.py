"""Authorities (the tenants), their organisations and the duties their settings name."""

from __future__ import annotations

from portal.features import Feature

FEATURE = Feature(
    name="authorities",
    models=("portal.authorities.models",),
    policy="portal.authorities.policy",
    actions="portal.authorities.actions:Action",
    commands=("portal.authorities.cli:tenants_cli",),
)
