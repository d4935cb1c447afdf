"""The context panel and context referrals: who sees a panel meeting and a referral of a context, who
decides, and who may read the names of the pupils one names."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from portal.contexts.models import ContextReferral, ContextReferralIndicator, ContextReferralPupil, PanelMeeting, ThresholdIndicator, ThresholdSet
from portal.partnership.audiences import participations
from portal.partnership.models import Invitation, InvitationStatus, Participant
from portal.policies import Policy, admin_may, casework_schools, child_of, invitable_organisations, is_panel_member, is_social_care, never, within
from portal.pupils.models import Pupil


def panel_visible(user) -> ColumnElement[bool]:
    if is_panel_member(user):
        return true()
    return or_(
        PanelMeeting.id.in_(
            select(Invitation.panel_meeting_id).where(
                within(Invitation.organisation_id, invitable_organisations(user)),
                Invitation.panel_meeting_id.is_not(None),
                Invitation.status != InvitationStatus.DECLINED,
            )
        ),
        PanelMeeting.id.in_(participations(user, Participant.panel_meeting_id)),
    )


def _panel_ids_joined(user) -> Select:
    """Panel meetings ``user`` takes part in: their organisation accepted, or they were added."""
    return (
        select(Invitation.panel_meeting_id)
        .where(
            within(Invitation.organisation_id, invitable_organisations(user)),
            Invitation.panel_meeting_id.is_not(None),
            Invitation.status == InvitationStatus.ACCEPTED,
        )
        .union(participations(user, Participant.panel_meeting_id))
    )


def context_referral_visible(user) -> ColumnElement[bool]:
    if is_panel_member(user):
        return true()
    if not user.is_authenticated:
        return false()
    schools = casework_schools(user)
    return or_(
        and_(ContextReferral.raised_by_id == user.id, within(ContextReferral.raised_by_organisation_id, user.organisation_ids())),
        within(ContextReferral.organisation_id, schools),
        within(ContextReferral.raised_by_organisation_id, schools),
        # A partner whose organisation accepted the invitation to the panel meeting it is listed for.
        ContextReferral.panel_meeting_id.in_(_panel_ids_joined(user)),
    )


def works_on_contexts(user) -> bool:
    """Who has context referrals or the panel to see: the panel, a school's DSLs and head, partners."""
    return is_panel_member(user) or bool(invitable_organisations(user))


def _context_referral_allows(user, action, obj) -> bool:
    if action in {"decide", "list_on_panel"}:
        return is_panel_member(user) and obj.is_open
    return False


def _context_pupil_visible(user) -> ColumnElement[bool]:
    # Names of pupils: the pupil's own school's DSLs and head, and children's social care; never a partner.
    if is_social_care(user):
        return ContextReferralPupil.context_referral_id.in_(select(ContextReferral.id))
    return ContextReferralPupil.pupil_id.in_(select(Pupil.id).where(within(Pupil.organisation_id, casework_schools(user))))


POLICIES: dict[type, Policy] = {
    # Contextual safeguarding.
    ThresholdSet: Policy(visible=lambda user: true(), allows=admin_may),
    ThresholdIndicator: Policy(visible=lambda user: true(), allows=admin_may),
    ContextReferral: Policy(visible=context_referral_visible, allows=_context_referral_allows, sensitive=True),
    ContextReferralIndicator: Policy(visible=child_of(ContextReferralIndicator.context_referral_id, ContextReferral), allows=never),
    ContextReferralPupil: Policy(visible=_context_pupil_visible, allows=never, sensitive=True),
    PanelMeeting: Policy(
        visible=panel_visible, allows=lambda user, action, obj: is_panel_member(user) or (action == "respond" and bool(invitable_organisations(user)))
    ),
}
