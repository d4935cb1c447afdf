"""Optimistic locking, in one place: a record several people edit carries a version; a save made on top of
someone else's is refused with a clear message and what changed, never silently overwritten.

``saving()`` commits the changes made in its block, or rolls them back when the version was stale;
``what_changed`` compares what is saved now with what the person typed, field by field, for the page;
``stale_refused`` audits the refusal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm.exc import StaleDataError

from portal.audit.actions import Action
from portal.audit.service import record_now
from portal.extensions import db


@dataclass
class Save:
    """What became of a save: ``stale`` when someone else's save came first (nothing was written)."""

    stale: bool = False


@contextmanager
def saving() -> Iterator[Save]:
    """Commit what the block changes; when the record's version was stale, roll it all back instead and
    mark the save stale. Any other error goes on up (the request's session is rolled back as usual)::

        with saving() as save:
            meeting.minutes = typed
        if save.stale:
            conflict = what_changed(...)
    """
    outcome = Save()
    try:
        yield outcome
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        outcome.stale = True


@dataclass(frozen=True)
class Change:
    """One field someone else changed: its label, what is saved now, what this person typed."""

    label: str
    saved: str
    yours: str


def _shown(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "(empty)"
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return str(value)


def what_changed(saved: dict, yours: dict, labels: dict[str, str]) -> list[Change]:
    """The fields where the version saved now differs from what the person submitted.

    ``saved`` and ``yours`` map field names to values; ``labels`` names the fields to compare."""
    out = []
    for name, label in labels.items():
        a, b = saved.get(name), yours.get(name)
        if _shown(a) != _shown(b):
            out.append(Change(label, _shown(a), _shown(b)))
    return out


def stale_refused(object_type: str, object_id) -> None:
    """Audit a refused stale save (the page shows what changed; nothing is overwritten)."""
    record_now(Action.STALE_SAVE_REFUSED, object_type=object_type, object_id=object_id)
