"""Who sees a disagreement and who may respond to it.

A disagreement follows what it is about: it is visible to whoever may see its referral or its request for
advice (the school's casework roles, the front door), through those features' own policies. The authority
administrator (the partnership, who answers stage 3) sees a disagreement only once it has reached stage 3.

Responding (see ``service`` for the stages): at stages 1 and 2 a front-door officer who did not make the
decision (and at stage 2 did not answer stage 1); at stage 3 the authority administrator. Never someone who
holds the referring school's casework (its DSL or head): they are a party to the disagreement
(separation of duties). Escalating or accepting an upheld response is the school's.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select, true

from portal.advice.models import AdviceRequest
from portal.disagreements.models import LAST_STAGE, Disagreement, DisagreementSettings, DisagreementStep
from portal.policies import Policy, admin_may, casework_schools, child_of, is_admin, is_front_door, never, policy_for
from portal.pupils.policy import file_transferred
from portal.referrals.models import Referral


def disagreement_visible(user) -> ColumnElement[bool]:
    referrals = select(Referral.id).where(policy_for(Referral).visible(user))
    advice = select(AdviceRequest.id).where(policy_for(AdviceRequest).visible(user))
    subject = or_(Disagreement.referral_id.in_(referrals), Disagreement.advice_request_id.in_(advice))
    if is_admin(user):
        return or_(subject, Disagreement.stage == LAST_STAGE)
    return subject


def may_respond(user, disagreement: Disagreement) -> bool:
    """May ``user`` answer the disagreement's current stage (whatever its status)?"""
    if not user.is_authenticated or disagreement.organisation_id in casework_schools(user):
        return False
    if disagreement.stage == LAST_STAGE:
        return is_admin(user)
    if not is_front_door(user) or user.id == disagreement.disputed_by_id:
        return False
    return disagreement.stage == 1 or user.id != disagreement.stage1_responder_id


def _allows(user, action, obj) -> bool:
    if action == "respond":
        return may_respond(user, obj)
    if action in {"escalate", "accept"}:
        return obj.organisation_id in casework_schools(user) and not file_transferred(obj.pupil_id)
    return False


def may_raise(user, subject) -> bool:
    """May ``user`` disagree with the decision on ``subject`` (a referral or an advice request)? The
    school's casework roles, while the child's records are open at the school."""
    return subject.organisation_id in casework_schools(user) and not file_transferred(subject.pupil_id)


def _settings_visible(user) -> ColumnElement[bool]:
    # The timescales are no secret: the pages of every side show them.
    return and_(true())


POLICIES: dict[type, Policy] = {
    Disagreement: Policy(visible=disagreement_visible, allows=_allows, sensitive=True),
    DisagreementStep: Policy(visible=child_of(DisagreementStep.disagreement_id, Disagreement), allows=never),
    DisagreementSettings: Policy(visible=_settings_visible, allows=admin_may),
}
