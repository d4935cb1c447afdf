"""Who sees an advice request (its school's casework roles, the front door) and who may take, answer,
reply to or refer from it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, true

from portal.advice.models import AdviceMessage, AdviceRequest
from portal.policies import Policy, casework_schools, child_of, is_front_door, never, within
from portal.pupils.policy import file_transferred, records_open


def advice_visible(user) -> ColumnElement[bool]:
    if is_front_door(user):
        return true()
    # A question about a named child closes with the child's records at the school, once their file has
    # gone to the new school.
    return and_(within(AdviceRequest.organisation_id, casework_schools(user)), records_open(AdviceRequest.pupil_id))


def _advice_allows(user, action, obj) -> bool:
    school = obj.organisation_id in casework_schools(user) and not file_transferred(obj.pupil_id)
    if action in {"take", "answer"}:
        return is_front_door(user)
    if action == "reply":
        return school or is_front_door(user)
    if action == "attach":
        return school
    if action == "refer":
        # Named or anonymous: from an anonymous request the DSL names the child from their own register.
        return school
    return False


POLICIES: dict[type, Policy] = {
    AdviceRequest: Policy(visible=advice_visible, allows=_advice_allows, sensitive=True),
    AdviceMessage: Policy(visible=child_of(AdviceMessage.advice_request_id, AdviceRequest), allows=never),
}
