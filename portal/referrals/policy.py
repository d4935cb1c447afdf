"""Who sees a referral (its school's casework roles; the front door once it is sent, never a draft) and
who may take each step of its workflow."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_

from portal.clock import utcnow
from portal.policies import Policy, casework_schools, child_of, is_front_door, never, within
from portal.pupils.policy import file_transferred, records_open
from portal.referrals.models import AWAITING_DECISION, Referral, ReferralAgency, ReferralMessage, ReferralPerson, ReferralStatus, ReferralTransition

#: How long after its decision the front door may still read the chronology a school shared with a referral.
CHRONOLOGY_SHARED_DAYS = 28


def chronology_shared_now() -> ColumnElement[bool]:
    """The referrals whose child's chronology the front door may read now: sent, shared by the DSL, and
    open or decided less than ``CHRONOLOGY_SHARED_DAYS`` ago."""
    return and_(
        Referral.chronology_shared.is_(True),
        Referral.status != ReferralStatus.DRAFT,
        or_(Referral.status.in_(AWAITING_DECISION), Referral.decided_at > utcnow() - timedelta(days=CHRONOLOGY_SHARED_DAYS)),
    )


def chronology_shared_until(referral: Referral) -> datetime | None:
    """The last moment the front door may read the shared chronology (``None``: while the referral is open,
    or never)."""
    if not referral.chronology_shared or referral.status == ReferralStatus.DRAFT or referral.is_open or referral.decided_at is None:
        return None
    return referral.decided_at + timedelta(days=CHRONOLOGY_SHARED_DAYS)


def shares_chronology(referral: Referral) -> bool:
    """Python's side of ``chronology_shared_now`` for one referral."""
    if not referral.chronology_shared or referral.status == ReferralStatus.DRAFT:
        return False
    if referral.is_open:
        return True
    return referral.decided_at is not None and referral.decided_at > utcnow() - timedelta(days=CHRONOLOGY_SHARED_DAYS)


def referral_visible(user) -> ColumnElement[bool]:
    # The school's side closes with the child's records there, once their file has gone to the new school;
    # the front door's does not (its records are its own).
    school = and_(within(Referral.organisation_id, casework_schools(user)), records_open(Referral.pupil_id))
    if is_front_door(user):
        # The front door sees what was sent to it: never a school's draft.
        return or_(school, Referral.status != ReferralStatus.DRAFT)
    return school


_FRONT_DOOR_ACTIONS = {"acknowledge", "request_information", "decide", "close"}
_SCHOOL_ACTIONS = {"edit", "submit", "provide_information", "delete_draft"}


def _referral_allows(user, action, obj) -> bool:
    school = obj.organisation_id in casework_schools(user)
    if action in _FRONT_DOOR_ACTIONS:
        # Nobody works the front door's side of a referral from a school whose casework they hold: a
        # front-door officer who is also that school's DSL or head leaves its decision to a colleague.
        return is_front_door(user) and obj.status != ReferralStatus.DRAFT and not school
    if action in _SCHOOL_ACTIONS or action == "attach":
        return school and not file_transferred(obj.pupil_id)
    if action == "read_chronology":
        # The front door reads the chronology a school shared with the referral, from the referral, for a
        # set time; the school reads its own from the child's record.
        return is_front_door(user) and not school and shares_chronology(obj)
    if action == "message":
        school_may = school and not file_transferred(obj.pupil_id)
        return obj.status != ReferralStatus.DRAFT and (school_may or is_front_door(user))
    return False


POLICIES: dict[type, Policy] = {
    Referral: Policy(visible=referral_visible, allows=_referral_allows, sensitive=True),
    ReferralTransition: Policy(visible=child_of(ReferralTransition.referral_id, Referral), allows=never),
    ReferralMessage: Policy(visible=child_of(ReferralMessage.referral_id, Referral), allows=never),
    # The household, siblings and agencies named on a referral: seen with it, changed only through it (the
    # referral's "edit" right, while its household may be changed: portal.referrals.household).
    ReferralPerson: Policy(visible=child_of(ReferralPerson.referral_id, Referral), allows=never),
    ReferralAgency: Policy(visible=child_of(ReferralAgency.referral_id, Referral), allows=never),
}
