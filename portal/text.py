"""Typed text as the portal keeps it (not a form concern: services clean what they save)."""

from __future__ import annotations


def clean_text(value: str | None) -> str | None:
    """Typed text as saved: line endings as LF (browsers send a textarea's as CR LF), trimmed, and
    ``None`` when nothing is left."""
    return (value or "").replace("\r\n", "\n").strip() or None


def normalise_email(value: str | None) -> str:
    """An email address as it is looked up and kept: trimmed, in lower case."""
    return (value or "").strip().lower()
