"""Who sees a school's register and may open, edit or refer a pupil (portal.policies has the mechanism)."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from portal.policies import Policy, casework_schools, staff_schools, within
from portal.pupils.models import Pupil


def _pupil_visible(user) -> ColumnElement[bool]:
    # Staff see their school's register to choose the pupil a concern is about; the pupil's page,
    # flags and chronology need the "open" action (casework roles only).
    return within(Pupil.organisation_id, staff_schools(user))


def _pupil_allows(user, action, obj) -> bool:
    if action in {"open", "edit", "export"}:
        return obj.organisation_id in casework_schools(user)
    if action == "log_concern":
        return obj.organisation_id in staff_schools(user)
    if action == "refer":
        return obj.organisation_id in casework_schools(user) and obj.left_at is None
    return False


POLICIES: dict[type, Policy] = {
    # Casework (issue: school and front door). A governor, an administrator and a partner see none of it.
    Pupil: Policy(visible=_pupil_visible, allows=_pupil_allows, sensitive=True),
}
