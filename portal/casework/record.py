"""The chronology as the record: what a DSL adds to it and marks in it.

* Manual entries: what happened outside the portal (a call with the social worker, a conference, a core
  group, a home visit, information from another agency), with who was involved, what was said or decided
  and the actions. Correcting one keeps the change (:class:`ManualEntryRevision`: who, when, each field
  before and after) and the chronology's line shows the entry as it is now, marked as changed.
* Significant events: any line can be marked (and unmarked), by whom and when; the chronology and its PDF
  can show the significant events only, the summary chronology a conference asks for.

Every change is audited in the current transaction (ids and field names only, never the words); the page
commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.audit.service import record
from portal.casework import chronology
from portal.casework.actions import Action
from portal.casework.models import ChronologyEntry, EntryKind, ManualEntry, ManualEntryRevision, ManualKind
from portal.clock import uk_datetime, utcnow
from portal.extensions import db
from portal.pupils.models import Pupil


@dataclass(frozen=True)
class ManualDetails:
    """What a DSL records of something that happened outside the portal."""

    kind: ManualKind
    occurred_at: datetime
    involved: str
    summary: str
    actions: str | None


#: The fields of a manual entry, as its page and its history name them.
MANUAL_LABELS = {
    "kind": "What it was",
    "occurred_at": "When",
    "involved": "Who was involved",
    "summary": "What was said or decided",
    "actions": "Actions",
}


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return ""
    if name == "kind":
        return value.label
    if name == "occurred_at":
        return uk_datetime(value)
    return str(value)


def details_of(entry: ManualEntry) -> ManualDetails:
    return ManualDetails(entry.kind, entry.occurred_at, entry.involved, entry.summary, entry.actions)


def manual_substance(details: ManualDetails) -> chronology.Substance:
    return chronology.lines(
        (MANUAL_LABELS["involved"], details.involved),
        (MANUAL_LABELS["summary"], details.summary),
        (MANUAL_LABELS["actions"], details.actions),
    )


def add_manual_entry(pupil: Pupil, details: ManualDetails, *, actor_id: uuid.UUID) -> ManualEntry:
    """Record ``details`` about ``pupil`` at the pupil's school, and put it on the chronology."""
    entry = ManualEntry(
        pupil_id=pupil.id,
        organisation_id=pupil.organisation_id,
        kind=details.kind,
        occurred_at=details.occurred_at,
        involved=details.involved,
        summary=details.summary,
        actions=details.actions,
        created_by_id=actor_id,
    )
    db.session.add(entry)
    db.session.flush()
    chronology.add(
        pupil_id=pupil.id,
        organisation_id=pupil.organisation_id,
        kind=EntryKind.MANUAL,
        title=details.kind.label,
        object_type="manual_entry",
        object_id=entry.id,
        occurred_at=details.occurred_at,
        actor_id=actor_id,
        substance=manual_substance(details),
    )
    record(
        Action.MANUAL_ENTRY_ADDED,
        object_type="manual_entry",
        object_id=entry.id,
        organisation_id=pupil.organisation_id,
        details={"pupil_id": str(pupil.id), "kind": details.kind.value},
    )
    return entry


def changes_between(before: ManualDetails, after: ManualDetails) -> dict[str, list[str]]:
    """``{label: [before, after]}`` for each field that differs, in the words the page shows."""
    out = {}
    for name, label in MANUAL_LABELS.items():
        old, new = getattr(before, name), getattr(after, name)
        if _shown(name, old) != _shown(name, new):
            out[label] = [_shown(name, old), _shown(name, new)]
    return out


def change_manual_entry(entry: ManualEntry, details: ManualDetails, *, actor_id: uuid.UUID) -> dict[str, list[str]]:
    """Correct ``entry``: the change is kept (who, when, each field before and after), the chronology's
    line shows the entry as it is now, and the change is audited. Returns the changes (none: nothing is
    written)."""
    changes = changes_between(details_of(entry), details)
    if not changes:
        return changes
    entry.kind, entry.occurred_at, entry.involved, entry.summary, entry.actions = (
        details.kind,
        details.occurred_at,
        details.involved,
        details.summary,
        details.actions,
    )
    entry.updated_by_id, entry.updated_at = actor_id, utcnow()
    db.session.add(ManualEntryRevision(manual_entry_id=entry.id, changed_by_id=actor_id, changes=changes))
    for line in db.session.execute(
        select(ChronologyEntry).where(ChronologyEntry.object_type == "manual_entry", ChronologyEntry.object_id == entry.id)
    ).scalars():
        line.title, line.occurred_at, line.substance = details.kind.label, details.occurred_at, manual_substance(details)
    record(
        Action.MANUAL_ENTRY_CHANGED,
        object_type="manual_entry",
        object_id=entry.id,
        organisation_id=entry.organisation_id,
        details={"pupil_id": str(entry.pupil_id), "fields": [name for name, label in MANUAL_LABELS.items() if label in changes]},
    )
    return changes


def revisions(entry: ManualEntry) -> list[ManualEntryRevision]:
    """The changes to ``entry``, oldest first."""
    query = select(ManualEntryRevision).where(ManualEntryRevision.manual_entry_id == entry.id)
    return list(db.session.execute(query.order_by(ManualEntryRevision.created_at, ManualEntryRevision.id)).unique().scalars())


def mark_significant(line: ChronologyEntry, significant: bool, *, actor_id: uuid.UUID) -> bool:
    """Mark (or unmark) a line as a significant event; returns whether anything changed (audited)."""
    if line.significant == significant:
        return False
    line.significant = significant
    line.significant_by_id, line.significant_at = (actor_id, utcnow()) if significant else (None, None)
    record(
        Action.ENTRY_MARKED_SIGNIFICANT if significant else Action.ENTRY_UNMARKED_SIGNIFICANT,
        object_type="chronology_entry",
        object_id=line.id,
        organisation_id=line.organisation_id,
        details={"pupil_id": str(line.pupil_id)},
    )
    return True
