"""Who sees a school's register and may open, edit or refer a pupil (portal.policies has the mechanism)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import aliased

from portal.clock import utcnow
from portal.extensions import db
from portal.policies import Policy, casework_schools, staff_schools, within
from portal.pupils.models import Pupil, PupilImport

#: An alias: the outer query may itself be about pupils (it would otherwise correlate this one away). One
#: for every query, made once: SQLAlchemy works out an alias's columns the first time they are used, and a
#: new alias each request cost a list page about 2 ms of CPU doing it again.
_CLOSED_PUPIL = aliased(Pupil, name="closed_pupil")


def records_open(pupil_column: Any) -> ColumnElement[bool]:
    """The school's records about the child in ``pupil_column`` are still kept: not closed after the
    child's file was received by their new school. True for a row about no child (an anonymous question)."""
    pupil = _CLOSED_PUPIL
    return ~exists(select(pupil.id).where(pupil.id == pupil_column, pupil.records_closed_at <= utcnow()))


def file_transferred(pupil_id: Any) -> bool:
    """The child's file has been received by their new school: the records left here are read-only."""
    if pupil_id is None:
        return False
    pupil = db.session.get(Pupil, pupil_id)
    return pupil is not None and pupil.file_transferred_at is not None


def _pupil_visible(user) -> ColumnElement[bool]:
    # Staff see their school's register to choose the pupil a concern is about; the pupil's page,
    # flags and chronology need the "open" action (casework roles only).
    return within(Pupil.organisation_id, staff_schools(user))


def _pupil_allows(user, action, obj) -> bool:
    if action in {"open", "edit"}:  # the pupil's page and register details (and leaving), not their file
        return obj.organisation_id in casework_schools(user)
    if action == "export":
        return obj.organisation_id in casework_schools(user) and not obj.records_closed
    if obj.file_transferred_at is not None:  # the file went to the new school: nothing is added here
        return False
    if action == "add_to_file":  # a manual entry, a question to the front door
        return obj.organisation_id in casework_schools(user)
    if action == "log_concern":
        return obj.organisation_id in staff_schools(user)
    if action == "refer":
        return obj.organisation_id in casework_schools(user) and obj.left_at is None
    return False


POLICIES: dict[type, Policy] = {
    # Casework (issue: school and front door). A governor, an administrator and a partner see none of it.
    Pupil: Policy(visible=_pupil_visible, allows=_pupil_allows, sensitive=True),
    # A register file being imported: only the person who uploaded it, while they keep the school's register.
    PupilImport: Policy(
        visible=lambda user: and_(PupilImport.requested_by_id == user.id, within(PupilImport.organisation_id, casework_schools(user))),
        allows=lambda user, action, obj: False,
        sensitive=True,
    ),
}
