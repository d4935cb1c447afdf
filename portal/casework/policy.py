"""Attachments (visible with the concern, advice request or referral they belong to), chronology lines
and exports (the school's casework roles; an export only its requester), the working-day calendar and the
school holidays."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select, true

from portal.advice.models import AdviceRequest
from portal.advice.policy import advice_visible
from portal.casework.models import Attachment, CalendarDay, ChronologyEntry, ChronologyExport, ManualEntry, ManualEntryRevision, SchoolHoliday
from portal.concerns.models import Concern
from portal.concerns.policy import concern_visible
from portal.policies import Policy, admin_may, casework_schools, child_of, is_front_door, never, within
from portal.pupils.policy import file_transferred, records_open
from portal.referrals.models import Referral
from portal.referrals.policy import chronology_shared_now, referral_visible


def _attachment_visible(user) -> ColumnElement[bool]:
    return or_(
        Attachment.concern_id.in_(select(Concern.id).where(concern_visible(user))),
        Attachment.advice_request_id.in_(select(AdviceRequest.id).where(advice_visible(user))),
        Attachment.referral_id.in_(select(Referral.id).where(referral_visible(user))),
    )


def _chronology_visible(user) -> ColumnElement[bool]:
    """The school's casework roles read its chronologies; the front door reads a child's chronology at the
    referring school while a referral the DSL shared it with allows (and only those lines)."""
    school = and_(within(ChronologyEntry.organisation_id, casework_schools(user)), records_open(ChronologyEntry.pupil_id))
    if not is_front_door(user):
        return school
    shared = exists().where(
        Referral.pupil_id == ChronologyEntry.pupil_id,
        Referral.organisation_id == ChronologyEntry.organisation_id,
        Referral.authority_id == ChronologyEntry.authority_id,
        chronology_shared_now(),
    )
    return or_(school, shared)


POLICIES: dict[type, Policy] = {
    Attachment: Policy(visible=_attachment_visible, allows=lambda user, action, obj: action == "download", sensitive=False),
    ChronologyEntry: Policy(
        visible=_chronology_visible,
        allows=lambda user, action, obj: action == "mark_significant" and obj.organisation_id in casework_schools(user) and not file_transferred(obj.pupil_id),
    ),
    ChronologyExport: Policy(
        visible=lambda user: and_(
            ChronologyExport.requested_by_id == user.id,
            within(ChronologyExport.organisation_id, casework_schools(user)),
            records_open(ChronologyExport.pupil_id),
        ),
        allows=lambda user, action, obj: action == "download" and obj.requested_by_id == user.id,
    ),
    CalendarDay: Policy(visible=lambda user: true(), allows=admin_may),
    # Everyone in the authority counts school days with them; only its administrator changes them.
    SchoolHoliday: Policy(visible=lambda user: true(), allows=admin_may),
    # What a DSL records on the chronology: the school's casework roles read and correct it (audited).
    ManualEntry: Policy(
        visible=lambda user: and_(within(ManualEntry.organisation_id, casework_schools(user)), records_open(ManualEntry.pupil_id)),
        allows=lambda user, action, obj: action == "edit" and obj.organisation_id in casework_schools(user) and not file_transferred(obj.pupil_id),
        sensitive=True,
    ),
    ManualEntryRevision: Policy(visible=child_of(ManualEntryRevision.manual_entry_id, ManualEntry), allows=never),
}
