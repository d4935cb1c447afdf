"""Who sees a concern (the person who logged it while they work at the school, and its casework roles)
and who triages it; concern categories; the DSL's links between concerns."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select, true

from portal.concerns.models import Concern, ConcernCategory, ConcernLink
from portal.policies import Policy, admin_may, casework_schools, never, staff_schools, within
from portal.pupils.policy import file_transferred, records_open


def concern_visible(user) -> ColumnElement[bool]:
    # The person who logged it, while they still work at that school (not after they have left).
    own = and_(Concern.raised_by_id == user.id, within(Concern.organisation_id, staff_schools(user)))
    # Neither once the child's file has gone to their new school and the records here are closed.
    return and_(or_(own, within(Concern.organisation_id, casework_schools(user))), records_open(Concern.pupil_id))


def _concern_allows(user, action, obj) -> bool:
    if action in {"triage", "link", "attach"}:
        return obj.organisation_id in casework_schools(user) and not file_transferred(obj.pupil_id)
    return False


POLICIES: dict[type, Policy] = {
    ConcernCategory: Policy(visible=lambda user: true(), allows=admin_may),
    Concern: Policy(visible=concern_visible, allows=_concern_allows, sensitive=True),
    # Links are the DSL's analysis: the person who logged a concern does not see them.
    ConcernLink: Policy(
        visible=lambda user: ConcernLink.concern_id.in_(
            select(Concern.id).where(within(Concern.organisation_id, casework_schools(user)), records_open(Concern.pupil_id))
        ),
        allows=never,
    ),
}
