"""The audited actions every feature records, and the register of each feature's own.

Each feature names its actions in its ``actions.py``: ``class Action(portal.audit.actions.Action)``, so that
inside a feature ``Action.X`` is either one of its own or one of these. The feature's descriptor points at
the class and create_app registers it; two features naming the same action is refused at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping


class Action:
    """What every feature records: reads and exports of records, refusals, stale saves, reading the log."""

    RECORD_VIEWED = "record.viewed"
    RECORD_EXPORTED = "record.exported"
    ACCESS_DENIED = "access.denied"
    NOT_FOUND = "access.not_found"
    AUDIT_VIEWED = "audit.viewed"
    STALE_SAVE_REFUSED = "record.stale_save_refused"


_KNOWN: dict[str, str] = {}


def register_actions(actions: type) -> None:
    """Add a feature's class of actions (its own constants, not the ones it inherits)."""
    for name, value in vars(actions).items():
        if name.isupper() and isinstance(value, str):
            owner = _KNOWN.get(value)
            where = f"{actions.__module__}.{actions.__qualname__}.{name}"
            if owner is not None and owner != where:
                raise ValueError(f"The audit action {value!r} is named twice: {owner} and {where}")
            _KNOWN[value] = where


def known_actions() -> Mapping[str, str]:
    """Every action a feature declared (with the core ones), and where: ``{"concern.logged": "portal.concerns.actions.Action.CONCERN_LOGGED"}``."""
    return dict(_KNOWN)


register_actions(Action)
