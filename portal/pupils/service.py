"""Changes to the pupil register: a pupil added, a pupil's details corrected (or marked as left, or
back), and a school MIS export imported whole. Each is audited in the current transaction; the view
commits. A UPN is unique within its school (the database says so too, for two saves at once).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select, update

from portal.audit.service import record
from portal.clock import utcnow
from portal.extensions import db
from portal.policies import visible_query
from portal.pupils import importer
from portal.pupils.actions import Action
from portal.pupils.models import Pupil
from tenants.context import require_authority_id


def upn_taken(school_id: uuid.UUID, upn: str | None, pupil_id: uuid.UUID | None = None) -> bool:
    """Does another pupil of the school (not ``pupil_id``) already have ``upn``?"""
    if not upn:
        return False
    query = visible_query(Pupil).where(Pupil.organisation_id == school_id, Pupil.upn == upn)
    if pupil_id is not None:
        query = query.where(Pupil.id != pupil_id)
    return db.session.execute(query.limit(1)).first() is not None


def _apply(pupil: Pupil, values: dict) -> list[str]:
    """Copy ``values`` (attribute -> value) onto ``pupil``; the names of those that changed."""
    changed = [name for name, value in values.items() if getattr(pupil, name) != value]
    for name in changed:
        setattr(pupil, name, values[name])
    return changed


def add(school_id: uuid.UUID, values: dict) -> Pupil:
    """Add a pupil to the school's register (``IntegrityError`` if their UPN was saved for another pupil
    a moment ago)."""
    pupil = Pupil(organisation_id=school_id)
    _apply(pupil, values)
    db.session.add(pupil)
    db.session.flush()
    record(Action.PUPIL_CREATED, object_type="pupil", object_id=pupil.id, organisation_id=school_id)
    return pupil


def correct(pupil: Pupil, values: dict, *, left: bool) -> list[str]:
    """Correct the pupil's details and mark them as left (or back); audited when anything changed.
    Returns the names of the fields that changed (``left_at`` for leaving or coming back)."""
    changed = _apply(pupil, values)
    if left != (pupil.left_at is not None):
        pupil.left_at = utcnow() if left else None
        changed.append("left_at")
    if changed:
        record(Action.PUPIL_UPDATED, object_type="pupil", object_id=pupil.id, organisation_id=pupil.organisation_id, details={"fields": sorted(changed)})
    return changed


@dataclass(frozen=True)
class Leaver:
    """A pupil the imported file says is leaving: on what day, and the URN of where they go (if given)."""

    pupil: Pupil
    leaving_on: date
    destination_urn: str | None


#: What happens when an import says pupils are leaving: each handler gets the leavers and returns sentences
#: for the DSL. The transfers feature registers the step that records each leaving (pupils knows nothing of
#: transfers).
LEAVER_HANDLERS: list[Callable[[list[Leaver]], list[str]]] = []


#: The register's columns a file may set.
_VALUES = ("legal_forename", "legal_surname", "preferred_name", "date_of_birth", "year_group", "upn", "sen", "looked_after", "child_protection_plan", "eal")
#: New pupils written per statement.
_CHUNK = 1000


class RegisterChanged(Exception):
    """Someone changed a pupil on the register while the file was being imported: nothing was imported."""


def import_register(school_id: uuid.UUID, rows: list[importer.Row], *, actor_id: uuid.UUID) -> importer.Plan:
    """Match ``rows`` to the school's register and, if nothing is wrong, add and update pupils (audited).
    The returned plan's ``errors`` say why nothing was imported: a file is imported whole or not at all.

    Run by a job (``portal.pupils.jobs``) for a DSL who holds the school's casework (checked there). The
    register is read as plain rows, new pupils are written a thousand a statement, and each update is
    checked against the version read (:class:`RegisterChanged` if someone changed the pupil meanwhile), so a
    file of 50,000 pupils fits in the job's time and memory."""
    columns = [getattr(Pupil, name) for name in _VALUES]
    existing = db.session.execute(select(Pupil.id, Pupil.version, *columns).where(Pupil.organisation_id == school_id)).all()
    plan = importer.plan(rows, existing)
    if plan.errors:
        return plan
    now = utcnow()
    authority_id = require_authority_id()
    defaults = {"preferred_name": None, "year_group": None, "upn": None, "sen": False, "looked_after": False, "child_protection_plan": False, "eal": False}
    leaving: list[tuple[uuid.UUID, importer.Row]] = []
    for start in range(0, len(plan.creates), _CHUNK):
        batch = []
        for row in plan.creates[start : start + _CHUNK]:
            pupil_id = uuid.uuid4()
            batch.append(
                defaults
                | row.values
                | {"id": pupil_id, "authority_id": authority_id, "organisation_id": school_id, "created_at": now, "updated_at": now, "version": 1}
            )
            if row.leaving_on is not None:
                leaving.append((pupil_id, row))
        db.session.execute(insert(Pupil), batch)
    for pupil, row, changed in plan.updates:
        done = db.session.execute(
            update(Pupil)
            .where(Pupil.id == pupil.id, Pupil.version == pupil.version)
            .values({name: row.values[name] for name in changed} | {"version": pupil.version + 1, "updated_at": now})
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            raise RegisterChanged(str(pupil.id))
        if row.leaving_on is not None:
            leaving.append((pupil.id, row))
    leaving += [(pupil.id, row) for pupil, row in plan.same if row.leaving_on is not None]
    if leaving:
        pupils = {p.id: p for p in db.session.execute(select(Pupil).where(Pupil.id.in_([i for i, _ in leaving]))).scalars()}
        found = [Leaver(pupils[i], row.leaving_on, row.destination_urn) for i, row in sorted(leaving, key=lambda pair: pair[1].line)]
        for handle in LEAVER_HANDLERS:
            plan.leaving_notes += handle(found)
    record(
        Action.PUPILS_IMPORTED,
        object_type="organisation",
        object_id=school_id,
        actor_id=actor_id,
        organisation_id=school_id,
        details={"added": len(plan.creates), "updated": len(plan.updates), "unchanged": plan.unchanged},
    )
    return plan
