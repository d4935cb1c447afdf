"""Demo data for ``make run``: two authorities, their organisations and one user for every role."""

from __future__ import annotations

from portal.features import Feature

FEATURE = Feature(name="demo", commands=("portal.demo.cli:demo_cli",))
