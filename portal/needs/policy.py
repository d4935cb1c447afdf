"""Who sees the levels-of-need guidance (everyone in the authority: it is the authority's published
guidance, naming no child) and who changes it (its administrator); the indicators ticked on a referral or
an advice request are seen by whoever sees the referral or the request."""

from __future__ import annotations

from sqlalchemy import true

from portal.advice.models import AdviceRequest
from portal.needs.models import AdviceNeedIndicator, NeedGuidance, NeedIndicator, ReferralNeedIndicator
from portal.policies import Policy, admin_may, child_of, never
from portal.referrals.models import Referral

POLICIES: dict[type, Policy] = {
    NeedGuidance: Policy(visible=lambda user: true(), allows=admin_may),
    NeedIndicator: Policy(visible=lambda user: true(), allows=admin_may),
    ReferralNeedIndicator: Policy(visible=child_of(ReferralNeedIndicator.referral_id, Referral), allows=never),
    AdviceNeedIndicator: Policy(visible=child_of(AdviceNeedIndicator.advice_request_id, AdviceRequest), allows=never),
}
