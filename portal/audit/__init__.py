"""The append-only, hash-chained audit log."""

from __future__ import annotations

from portal.features import Feature

FEATURE = Feature(
    name="audit",
    models=("portal.audit.models",),
    policy="portal.audit.policy",
    commands=("portal.audit.cli:audit_cli",),
)
