"""Who may see and do what, for every model, in one place.

Tenant isolation (another authority's rows) is automatic and happens below this module
(``tenants``). This module decides need-to-know *inside* an authority: for each model, ``visible(user)``
is a SQL filter of the rows the user may see, and ``allows(user, action, obj)`` says whether they may
do ``action`` to one of them. Every list and fetch in the views goes through :func:`visible_query` or
:func:`get_or_404`, so a page cannot show a row its policy does not allow.

A refusal is audited: an id the user may not see is a 404 (existence is not leaked), a visible object
they may not act on is a 403. Reads of models marked ``sensitive`` are audited too.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from portal.accounts.models import AccountToken, Membership, RecoveryCode, Role, User, UserSession
from portal.audit.models import AuditEvent
from portal.audit.service import Action, record, record_now
from portal.authorities.models import AuthorityDuty, Organisation
from portal.extensions import db
from portal.notifications.models import Notification, OutboundEmail
from portal.pupils.models import Pupil
from portal.concerns.models import Concern, ConcernCategory, ConcernLink
from portal.advice.models import AdviceMessage, AdviceRequest
from portal.referrals.models import Referral, ReferralMessage, ReferralStatus, ReferralTransition
from portal.casework.models import Attachment, CalendarDay, ChronologyEntry, ChronologyExport
from portal.partnership.models import Invitation, InvitationStatus, Participant, ParticipantRole, PlanAction
from portal.contexts.models import (
    ContextReferral,
    ContextReferralIndicator,
    ContextReferralPupil,
    PanelMeeting,
    ThresholdIndicator,
    ThresholdSet,
)
from portal.meetings.models import MeetingReturn, PartnershipMeeting
from portal.summits.models import MapLink, MapMarker, SafetyMap, SafetySummit, SummitActivity, SummitFinding, YouSaidWeDid
from portal.assessments.models import (
    AssessmentFinding,
    AssessmentMember,
    AssessmentMemberRole,
    AssessmentMethod,
    AssessmentNote,
    AssessmentReport,
    AssessmentReview,
    AssessmentTransition,
    MethodFinding,
    SchoolAssessment,
    SurveyAnswer,
    SurveyImport,
    SurveyQuestion,
)
from portal.authorities.models import Duty
from portal.forums.models import (
    ForumCategory,
    ForumDigest,
    ForumGuest,
    ForumPost,
    ForumPostRevision,
    ForumReport,
    ForumResource,
    ForumResourceVersion,
    ForumSubscription,
    ForumThread,
)
from portal.selfreview.models import DevelopmentAction, SchoolAssuranceRecord, SelfReview, SelfReviewAnswer
from jobs.models import OutboxJob


def is_admin(user) -> bool:
    return user.is_authenticated and user.has_role(Role.AUTHORITY_ADMIN)


@dataclass(frozen=True)
class Policy:
    """The rules for one model."""

    #: SQL filter of the rows ``user`` may see (within their authority).
    visible: Callable[[User], ColumnElement[bool]]
    #: ``(user, action, obj) -> bool`` for actions other than viewing.
    allows: Callable[[User, str, object], bool]
    #: Reads are audited (child-level and personal data).
    sensitive: bool = False


def _nobody(user) -> ColumnElement[bool]:
    return false()


def _admin_only(user) -> ColumnElement[bool]:
    return true() if is_admin(user) else false()


def _admin_may(user, action, obj) -> bool:
    return is_admin(user)


def _never(user, action, obj) -> bool:
    return False


# Casework: who works on which school's children --------------------------------------------------

#: Roles that hold a school's safeguarding casework (DESIGN.md §1: the DSL, and the head "as dsl").
CASEWORK_ROLES = (Role.DSL, Role.HEAD)


def casework_schools(user) -> set:
    """Ids of the schools whose casework ``user`` holds (as DSL, deputy or head)."""
    if not user.is_authenticated:
        return set()
    return user.organisation_ids(*CASEWORK_ROLES)


def casework_organisations(user=None) -> list:
    """The schools whose casework ``user`` (default: the current user) holds, by name."""
    user = user if user is not None else current_user
    ids = casework_schools(user)
    if not ids:
        return []
    return db.session.execute(visible_query(Organisation, user).where(Organisation.id.in_(sorted(ids))).order_by(Organisation.name)).scalars().all()


def staff_schools(user) -> set:
    """Ids of the schools where ``user`` may log a concern (any member of staff, the DSL and the head)."""
    if not user.is_authenticated:
        return set()
    return user.organisation_ids(Role.STAFF, *CASEWORK_ROLES)


def is_front_door(user) -> bool:
    return user.is_authenticated and user.has_role(Role.FRONT_DOOR)


def _in(column, ids) -> ColumnElement[bool]:
    return column.in_(sorted(ids)) if ids else false()


def _pupil_visible(user) -> ColumnElement[bool]:
    # Staff see their school's register to choose the pupil a concern is about; the pupil's page,
    # flags and chronology need the "open" action (casework roles only).
    return _in(Pupil.organisation_id, staff_schools(user))


def _pupil_allows(user, action, obj) -> bool:
    if action in {"open", "edit", "export"}:
        return obj.organisation_id in casework_schools(user)
    if action == "log_concern":
        return obj.organisation_id in staff_schools(user)
    if action == "refer":
        return obj.organisation_id in casework_schools(user) and obj.left_at is None
    return False


def _concern_visible(user) -> ColumnElement[bool]:
    # The person who logged it, while they still work at that school (not after they have left).
    own = and_(Concern.raised_by_id == user.id, _in(Concern.organisation_id, staff_schools(user)))
    return or_(own, _in(Concern.organisation_id, casework_schools(user)))


def _concern_allows(user, action, obj) -> bool:
    if action in {"triage", "link", "attach"}:
        return obj.organisation_id in casework_schools(user)
    return False


def _advice_visible(user) -> ColumnElement[bool]:
    if is_front_door(user):
        return true()
    return _in(AdviceRequest.organisation_id, casework_schools(user))


def _advice_allows(user, action, obj) -> bool:
    school = obj.organisation_id in casework_schools(user)
    if action in {"take", "answer"}:
        return is_front_door(user)
    if action == "reply":
        return school or is_front_door(user)
    if action == "attach":
        return school
    if action == "refer":
        return school and obj.pupil_id is not None
    return False


def _referral_visible(user) -> ColumnElement[bool]:
    school = _in(Referral.organisation_id, casework_schools(user))
    if is_front_door(user):
        # The front door sees what was sent to it: never a school's draft.
        return or_(school, Referral.status != ReferralStatus.DRAFT)
    return school


_FRONT_DOOR_ACTIONS = {"acknowledge", "request_information", "decide", "close"}
_SCHOOL_ACTIONS = {"edit", "submit", "provide_information", "delete_draft"}


def _referral_allows(user, action, obj) -> bool:
    school = obj.organisation_id in casework_schools(user)
    if action in _FRONT_DOOR_ACTIONS:
        return is_front_door(user) and obj.status != ReferralStatus.DRAFT
    if action in _SCHOOL_ACTIONS:
        return school
    if action == "attach":
        return school
    if action == "message":
        return obj.status != ReferralStatus.DRAFT and (school or is_front_door(user))
    return False


def _child_of(parent_column, parent_model) -> Callable[[User], ColumnElement[bool]]:
    """Visible when the parent row is visible (a thread's messages, a referral's transitions)."""

    def visible(user) -> ColumnElement[bool]:
        return parent_column.in_(select(parent_model.id).where(policy_for(parent_model).visible(user)))

    return visible


def _attachment_visible(user) -> ColumnElement[bool]:
    return or_(
        Attachment.concern_id.in_(select(Concern.id).where(_concern_visible(user))),
        Attachment.advice_request_id.in_(select(AdviceRequest.id).where(_advice_visible(user))),
        Attachment.referral_id.in_(select(Referral.id).where(_referral_visible(user))),
    )


# Contextual safeguarding (issue: context referrals, panel, partnership meetings, summits) -------------
#
# Children's social care (front door and assessors) runs these services and sees them all. A school
# sees what is about it or what it joined; a partner agency sees only what its organisation was invited
# into; a person added to a workspace sees that workspace.

SOCIAL_CARE_ROLES = (Role.FRONT_DOOR, Role.ASSESSOR)


def is_social_care(user) -> bool:
    return user.is_authenticated and user.has_role(*SOCIAL_CARE_ROLES)


def has_duty(user, duty: Duty) -> bool:
    """Whether ``user`` is named for ``duty`` in the authority's settings (once per request)."""
    if not user.is_authenticated:
        return False
    from flask import g

    cache = g.setdefault("_duties", {})
    if user.id not in cache:
        cache[user.id] = set(
            db.session.execute(select(AuthorityDuty.duty).where(AuthorityDuty.user_id == user.id)).scalars().all()
        )
    return duty in cache[user.id]


def is_panel_member(user) -> bool:
    """Children's social care and the people named as context panel members."""
    return is_social_care(user) or has_duty(user, Duty.CONTEXT_PANEL_MEMBER)


def invitable_organisations(user) -> set:
    """The organisations for which ``user`` answers invitations and takes part: their schools (as DSL or
    head) and their partner agencies."""
    if not user.is_authenticated:
        return set()
    return casework_schools(user) | user.organisation_ids(Role.PARTNER)


def participations(user, column, *roles) -> Select:
    """Ids of the workspaces (``column``: ``Participant.summit_id``, ``.meeting_id`` or ``.panel_meeting_id``)
    where ``user`` is listed, and only while they still belong to an organisation taking part: the host
    school (a summit), the school (a meeting), or an organisation whose invitation was accepted. Children's
    social care (and, for the panel, its named members) keep their listings. Someone who leaves a school
    loses what their listing gave them."""
    if not user.is_authenticated:
        return select(column).where(false())
    query = select(column).where(Participant.user_id == user.id, column.is_not(None))
    if roles:
        query = query.where(Participant.role.in_(roles))
    if is_social_care(user) or (column.key == "panel_meeting_id" and is_panel_member(user)):
        return query
    orgs = user.organisation_ids()
    invitation = getattr(Invitation, column.key)
    conditions = [column.in_(select(invitation).where(_in(Invitation.organisation_id, orgs), Invitation.status == InvitationStatus.ACCEPTED))]
    if column.key == "summit_id":
        conditions.append(column.in_(select(SafetySummit.id).where(_in(SafetySummit.host_organisation_id, orgs))))
    elif column.key == "meeting_id":
        conditions.append(column.in_(select(PartnershipMeeting.id).where(_in(PartnershipMeeting.organisation_id, orgs))))
    return query.where(or_(*conditions))


# Safety summits: "visible" includes an organisation that has been invited and not yet answered (to see
# the invitation); "content" (the shared plan, activities, maps, findings) needs the invitation accepted.


def summit_visible(user) -> ColumnElement[bool]:
    if is_social_care(user):
        return true()
    return or_(
        _in(SafetySummit.host_organisation_id, casework_schools(user)),
        SafetySummit.id.in_(_summit_ids_invited(user, accepted=False)),
        SafetySummit.id.in_(_summit_ids_participating(user)),
    )


def summit_content(user) -> ColumnElement[bool]:
    if is_social_care(user):
        return true()
    return or_(
        _in(SafetySummit.host_organisation_id, casework_schools(user)),
        SafetySummit.id.in_(_summit_ids_invited(user, accepted=True)),
        SafetySummit.id.in_(_summit_ids_participating(user)),
    )


def _summit_ids_invited(user, *, accepted: bool) -> Select:
    orgs = invitable_organisations(user)
    query = select(Invitation.summit_id).where(_in(Invitation.organisation_id, orgs), Invitation.summit_id.is_not(None))
    return query.where(Invitation.status == InvitationStatus.ACCEPTED) if accepted else query


def _summit_ids_participating(user, *roles) -> Select:
    return participations(user, Participant.summit_id, *roles)


def summit_organiser(user, summit) -> bool:
    """Plans the summit: children's social care, the host school's DSLs and head, named organisers."""
    if is_social_care(user) or summit.host_organisation_id in casework_schools(user):
        return True
    return _holds_role_in(user, Participant.summit_id, summit.id, ParticipantRole.ORGANISER)


def summit_facilitator(user, summit) -> bool:
    return summit_organiser(user, summit) or _holds_role_in(user, Participant.summit_id, summit.id, ParticipantRole.FACILITATOR)


def _holds_role_in(user, column, workspace_id, *roles) -> bool:
    if not user.is_authenticated:
        return False
    return db.session.execute(participations(user, column, *roles).where(column == workspace_id).limit(1)).first() is not None


def summit_content_ids(user) -> Select:
    return select(SafetySummit.id).where(summit_content(user))


def _summit_allows(user, action, obj) -> bool:
    if action in {"plan", "invite", "add_finding", "add_action", "record_you_said", "upload_map", "raise_referral", "set_status"}:
        return summit_organiser(user, obj)
    if action in {"open", "view_content"}:
        return db.session.execute(select(SafetySummit.id).where(SafetySummit.id == obj.id, summit_content(user))).first() is not None
    if action == "respond":
        return bool(invitable_organisations(user))
    return False


def _summit_child_allows(user, action, obj) -> bool:
    summit = db.session.get(SafetySummit, obj.summit_id) if hasattr(obj, "summit_id") else None
    if summit is None:
        return False
    if action in {"edit_notes"} and isinstance(obj, SummitActivity):
        return obj.facilitator_id == user.id or summit_organiser(user, summit)
    if action in {"place_marker", "create_link"}:
        return summit_facilitator(user, summit)
    if action in {"edit", "delete"}:
        return summit_organiser(user, summit)
    return False


# School partnership meetings: the papers need the reader's own acceptance of the information-sharing
# agreement.


def meeting_visible(user) -> ColumnElement[bool]:
    if is_social_care(user):
        return true()
    return or_(
        _in(PartnershipMeeting.organisation_id, casework_schools(user)),
        # An organisation invited (to answer) or that accepted; not one that declined.
        PartnershipMeeting.id.in_(
            select(Invitation.meeting_id).where(
                _in(Invitation.organisation_id, invitable_organisations(user)),
                Invitation.meeting_id.is_not(None),
                Invitation.status != InvitationStatus.DECLINED,
            )
        ),
        PartnershipMeeting.id.in_(participations(user, Participant.meeting_id)),
    )


def meeting_papers(user) -> ColumnElement[bool]:
    """The meetings whose papers ``user`` may read: visible, and the agreement accepted by them."""
    if not user.is_authenticated:
        return false()
    accepted = participations(user, Participant.meeting_id).where(Participant.information_sharing_accepted_at.is_not(None))
    return and_(meeting_visible(user), PartnershipMeeting.id.in_(accepted))


def meeting_lead(user, meeting) -> bool:
    """Children's social care leads the meeting (and named organisers)."""
    return is_social_care(user) or _holds_role_in(user, Participant.meeting_id, meeting.id, ParticipantRole.ORGANISER)


def meeting_party(user, meeting) -> bool:
    """Who takes part (and so may accept the agreement): social care, the school's DSLs and head, people
    added to the meeting, and members of an organisation that accepted its invitation (not one that was
    only invited, or declined)."""
    if is_social_care(user) or meeting.organisation_id in casework_schools(user):
        return True
    if _holds_role_in(user, Participant.meeting_id, meeting.id, *ParticipantRole):
        return True
    accepted = select(Invitation.id).where(
        Invitation.meeting_id == meeting.id,
        Invitation.status == InvitationStatus.ACCEPTED,
        _in(Invitation.organisation_id, invitable_organisations(user)),
    )
    return db.session.execute(accepted.limit(1)).first() is not None


def _meeting_allows(user, action, obj) -> bool:
    if action in {"edit", "invite", "add_attendee", "record_minutes", "add_action", "set_status"}:
        return meeting_lead(user, obj)
    if action == "edit_return":
        return obj.organisation_id in casework_schools(user) or meeting_lead(user, obj)
    if action == "read_papers":
        return db.session.execute(select(PartnershipMeeting.id).where(PartnershipMeeting.id == obj.id, meeting_papers(user))).first() is not None
    if action == "accept_agreement":
        return meeting_party(user, obj)
    if action == "respond":
        return bool(invitable_organisations(user))
    return False


# The context panel and context referrals.


def panel_visible(user) -> ColumnElement[bool]:
    if is_panel_member(user):
        return true()
    return or_(
        PanelMeeting.id.in_(
            select(Invitation.panel_meeting_id).where(
                _in(Invitation.organisation_id, invitable_organisations(user)),
                Invitation.panel_meeting_id.is_not(None),
                Invitation.status != InvitationStatus.DECLINED,
            )
        ),
        PanelMeeting.id.in_(participations(user, Participant.panel_meeting_id)),
    )


def _panel_ids_joined(user) -> Select:
    """Panel meetings ``user`` takes part in: their organisation accepted, or they were added."""
    return select(Invitation.panel_meeting_id).where(
        _in(Invitation.organisation_id, invitable_organisations(user)),
        Invitation.panel_meeting_id.is_not(None),
        Invitation.status == InvitationStatus.ACCEPTED,
    ).union(participations(user, Participant.panel_meeting_id))


def context_referral_visible(user) -> ColumnElement[bool]:
    if is_panel_member(user):
        return true()
    if not user.is_authenticated:
        return false()
    schools = casework_schools(user)
    return or_(
        and_(ContextReferral.raised_by_id == user.id, _in(ContextReferral.raised_by_organisation_id, user.organisation_ids())),
        _in(ContextReferral.organisation_id, schools),
        _in(ContextReferral.raised_by_organisation_id, schools),
        # A partner whose organisation accepted the invitation to the panel meeting it is listed for.
        ContextReferral.panel_meeting_id.in_(_panel_ids_joined(user)),
    )


def _context_referral_allows(user, action, obj) -> bool:
    if action in {"decide", "list_on_panel"}:
        return is_panel_member(user) and obj.is_open
    return False


def _context_pupil_visible(user) -> ColumnElement[bool]:
    # Names of pupils: the pupil's own school's DSLs and head, and children's social care; never a partner.
    if is_social_care(user):
        return ContextReferralPupil.context_referral_id.in_(select(ContextReferral.id))
    return ContextReferralPupil.pupil_id.in_(select(Pupil.id).where(_in(Pupil.organisation_id, casework_schools(user))))


def oversees_assessments(user) -> bool:
    """Opens and oversees every school assessment: children's social care named as a context panel member
    or a front-door manager. A panel is multi-agency, but a school's DSL or a partner on it does not get
    into every school's assessment."""
    return is_social_care(user) and (has_duty(user, Duty.CONTEXT_PANEL_MEMBER) or has_duty(user, Duty.FRONT_DOOR_MANAGER))


def assessment_visible(user) -> ColumnElement[bool]:
    """A school assessment: social care who oversee assessments (``oversees_assessments``); the social care
    officer who opened it or leads it; its members while they still belong — social care, a partner agency
    (while they are a partner), or the assessed school (while they are its DSL or head); the school's DSLs
    and head. Not every officer of social care; never a governor or member of staff."""
    if not user.is_authenticated:
        return false()
    if oversees_assessments(user):
        return true()
    member = select(AssessmentMember.assessment_id).where(AssessmentMember.user_id == user.id)
    # The assessed school's DSLs and head (collaborating members or not) while they hold that role there.
    clauses = [_in(SchoolAssessment.organisation_id, casework_schools(user))]
    if is_social_care(user):
        clauses += [
            SchoolAssessment.opened_by_id == user.id,
            SchoolAssessment.lead_id == user.id,
            SchoolAssessment.id.in_(member.where(AssessmentMember.role == AssessmentMemberRole.ASSESSOR)),
        ]
    if user.has_role(Role.PARTNER):
        clauses.append(SchoolAssessment.id.in_(member.where(AssessmentMember.role == AssessmentMemberRole.PARTNER)))
    return or_(*clauses)


def assessment_assessor(user, assessment) -> bool:
    """Runs the assessment (always children's social care): its lead, its assessor members, and those who
    oversee assessments (``oversees_assessments``). Moves its stages, agrees its planning, sees
    assessor-only notes."""
    if not is_social_care(user):
        return False
    if oversees_assessments(user):
        return True
    if assessment.lead_id == user.id or assessment.opened_by_id == user.id:
        return True
    return db.session.execute(
        select(AssessmentMember.id).where(
            AssessmentMember.assessment_id == assessment.id, AssessmentMember.user_id == user.id, AssessmentMember.role == AssessmentMemberRole.ASSESSOR
        )
    ).first() is not None


def _assessment_allows(user, action, obj) -> bool:
    if action in {"transition", "edit_planning", "manage_members", "assessor_note"}:
        return assessment_assessor(user, obj)
    if action in {"add_note", "add_finding"}:
        # "Not an inspection": everyone who works on it contributes, the school included.
        return db.session.execute(select(SchoolAssessment.id).where(SchoolAssessment.id == obj.id, assessment_visible(user))).first() is not None
    return False


def _assessment_note_visible(user) -> ColumnElement[bool]:
    """Notes of assessments the user may see; assessor-only notes only to those who run the assessment's
    side of social care (never a school member or a partner)."""
    shared = AssessmentNote.assessment_id.in_(select(SchoolAssessment.id).where(assessment_visible(user)))
    if is_social_care(user):
        return shared
    return and_(shared, AssessmentNote.assessor_only.is_(False))


def _assessment_finding_allows(user, action, obj) -> bool:
    if action in {"edit", "delete"}:
        assessment = db.session.execute(select(SchoolAssessment).where(SchoolAssessment.id == obj.assessment_id)).unique().scalar_one()
        return obj.author_id == user.id or assessment_assessor(user, assessment)
    return False


def _workspace_child_visible(model) -> Callable[[User], ColumnElement[bool]]:
    """Invitations and participants: visible with their workspace."""

    def visible(user) -> ColumnElement[bool]:
        return or_(
            model.summit_id.in_(select(SafetySummit.id).where(summit_visible(user))),
            model.meeting_id.in_(select(PartnershipMeeting.id).where(meeting_visible(user))),
            model.panel_meeting_id.in_(select(PanelMeeting.id).where(panel_visible(user))),
        )

    return visible


def _plan_action_visible(user) -> ColumnElement[bool]:
    return or_(
        PlanAction.summit_id.in_(summit_content_ids(user)),
        PlanAction.meeting_id.in_(select(PartnershipMeeting.id).where(meeting_papers(user))),
        PlanAction.assessment_id.in_(select(SchoolAssessment.id).where(assessment_visible(user))),
    )


def action_owner(user, action_row) -> bool:
    """The person who owns an action, or a member of the organisation that owns it."""
    if not user.is_authenticated:
        return False
    if action_row.owner_user_id is not None:
        return action_row.owner_user_id == user.id
    return action_row.owner_organisation_id in user.organisation_ids()


def _plan_action_allows(user, action, obj) -> bool:
    if action == "update":
        if action_owner(user, obj):
            return True
        if obj.summit_id is not None:
            return summit_organiser(user, db.session.get(SafetySummit, obj.summit_id))
        if obj.assessment_id is not None:
            return assessment_assessor(user, db.session.get(SchoolAssessment, obj.assessment_id))
        return meeting_lead(user, db.session.get(PartnershipMeeting, obj.meeting_id))
    return False


def _summit_child(model) -> Callable[[User], ColumnElement[bool]]:
    def visible(user) -> ColumnElement[bool]:
        return model.summit_id.in_(summit_content_ids(user))

    return visible


def _map_child(model) -> Callable[[User], ColumnElement[bool]]:
    def visible(user) -> ColumnElement[bool]:
        return model.map_id.in_(select(SafetyMap.id).where(SafetyMap.summit_id.in_(summit_content_ids(user))))

    return visible


def _map_link_visible(user) -> ColumnElement[bool]:
    # Links are the facilitators' tools: the person who made one, and the summit's organisers.
    if not user.is_authenticated:
        return false()
    organised = select(SafetySummit.id).where(
        or_(
            true() if is_social_care(user) else false(),
            _in(SafetySummit.host_organisation_id, casework_schools(user)),
            SafetySummit.id.in_(_summit_ids_participating(user, ParticipantRole.ORGANISER)),
        )
    )
    return or_(
        MapLink.created_by_id == user.id,
        MapLink.map_id.in_(select(SafetyMap.id).where(SafetyMap.summit_id.in_(organised))),
    )


# The DSL network forums ------------------------------------------------------------------------------

#: Roles that are in the authority's DSL network without an invitation (DESIGN.md §1).
NETWORK_ROLES = (Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR)


def network_lead(user) -> bool:
    """Moderates the forums: named for the duty in the authority's settings."""
    return has_duty(user, Duty.NETWORK_LEAD)


def forum_member(user) -> bool:
    """In the network: DSLs and heads, the front door and social care, the network lead, and partners the
    network lead invited (once per request)."""
    if not user.is_authenticated:
        return False
    if user.has_role(*NETWORK_ROLES) or network_lead(user):
        return True
    if not user.has_role(Role.PARTNER):
        return False
    from flask import g

    cache = g.setdefault("_forum_guests", {})
    if user.id not in cache:
        cache[user.id] = db.session.execute(select(ForumGuest.id).where(ForumGuest.user_id == user.id)).first() is not None
    return cache[user.id]


def _members(user) -> ColumnElement[bool]:
    return true() if forum_member(user) else false()


def _forum_resource_visible(user) -> ColumnElement[bool]:
    """Members see the library; an archived resource (withdrawn: say, a document that turned out to
    identify a child) and its files only the person who added it and the network lead."""
    if not forum_member(user):
        return false()
    if network_lead(user):
        return true()
    return or_(ForumResource.archived_at.is_(None), ForumResource.created_by_id == user.id)


def _forum_post_visible(user) -> ColumnElement[bool]:
    """Members see the posts; a hidden post only its author and the moderators."""
    if not forum_member(user):
        return false()
    if network_lead(user):
        return true()
    return or_(ForumPost.hidden_at.is_(None), ForumPost.author_id == user.id)


def forum_opening_hidden() -> ColumnElement[bool]:
    """The thread's opening post (its first, by time then id, as the thread shows it) is hidden by a moderator."""
    opening, earlier = aliased(ForumPost), aliased(ForumPost)
    return exists().where(
        opening.authority_id == ForumThread.authority_id,
        opening.thread_id == ForumThread.id,
        opening.hidden_at.is_not(None),
        ~exists().where(
            earlier.authority_id == opening.authority_id,
            earlier.thread_id == opening.thread_id,
            or_(earlier.created_at < opening.created_at, and_(earlier.created_at == opening.created_at, earlier.id < opening.id)),
        ),
    )


def _forum_thread_visible(user) -> ColumnElement[bool]:
    """Members see the threads; one whose opening post a moderator hid (its title with it) only its author
    and the moderators."""
    if not forum_member(user):
        return false()
    if network_lead(user):
        return true()
    return or_(ForumThread.author_id == user.id, ~forum_opening_hidden())


def _forum_thread_open(thread_id) -> bool:
    """Whether the thread is open (once per thread per request: a thread's page asks for every post)."""
    from flask import g

    cache = g.setdefault("_forum_threads_open", {})
    if thread_id not in cache:
        cache[thread_id] = db.session.execute(select(ForumThread.id).where(ForumThread.id == thread_id, ForumThread.locked_at.is_(None))).first() is not None
    return cache[thread_id]


def _forum_post_allows(user, action, obj) -> bool:
    if not forum_member(user):
        return False
    if action == "edit":
        return obj.author_id == user.id and obj.hidden_at is None and _forum_thread_open(obj.thread_id)
    if action == "hide":
        return network_lead(user)
    if action == "report":
        return obj.author_id != user.id and obj.hidden_at is None
    if action == "quote":
        return obj.hidden_at is None and _forum_thread_open(obj.thread_id)
    if action == "history":  # the edit history: as ForumPostRevision's visibility
        return obj.author_id == user.id or network_lead(user)
    return False


def _forum_thread_allows(user, action, obj) -> bool:
    if not forum_member(user):
        return False
    if action == "reply":
        return obj.locked_at is None
    if action == "lock":
        return network_lead(user)
    return action == "subscribe"


def _forum_category_allows(user, action, obj) -> bool:
    if action == "manage":
        return network_lead(user)
    if action == "start_thread":
        return forum_member(user) and obj.archived_at is None
    if action == "subscribe":
        return forum_member(user)
    return False


def _forum_resource_allows(user, action, obj) -> bool:
    if not forum_member(user):
        return False
    if action in {"new_version", "archive", "edit"}:
        # An archived resource is kept as it was: no new version, no edit, no second archiving.
        return obj.archived_at is None and (obj.created_by_id == user.id or network_lead(user))
    return False


# Self-review and assurance ----------------------------------------------------------------------------


def self_review_schools(user) -> set:
    """The schools whose self-reviews ``user`` sees: as head or as governor."""
    if not user.is_authenticated:
        return set()
    return user.organisation_ids(Role.HEAD, Role.GOVERNOR)


def self_review_editor(user, review) -> bool:
    """Completes the review: a person of the school holding a role the framework names (the twelve
    questions and the head teachers' questions: the head; the governors' questions: governors and the head)."""
    from portal.selfreview import frameworks

    if not user.is_authenticated or review.organisation_id not in self_review_schools(user):
        return False
    framework = frameworks.get(review.framework, review.framework_version)
    if framework is None:
        return False
    return any(Role(role) in {m.role for m in user.memberships if m.organisation_id == review.organisation_id} for role in framework.completed_by)


def _self_review_allows(user, action, obj) -> bool:
    return action in {"edit", "complete"} and self_review_editor(user, obj)


def _development_action_allows(user, action, obj) -> bool:
    if action != "update":
        return False
    review = db.session.execute(select(SelfReview).where(SelfReview.id == obj.review_id)).unique().scalar_one_or_none()
    return review is not None and self_review_editor(user, review)


POLICIES: dict[type, Policy] = {
    # Organisation names and kinds are not sensitive: every member of the authority may see them
    # (to address a referral, invite a partner). Only an authority administrator manages them.
    Organisation: Policy(visible=lambda user: true(), allows=_admin_may),
    # People's accounts: an administrator sees all of the authority's; anyone else only their own.
    User: Policy(
        visible=lambda user: true() if is_admin(user) else (User.id == user.id),
        allows=lambda user, action, obj: is_admin(user) and not (action in {"deactivate", "remove_admin"} and obj.id == user.id),
        sensitive=True,
    ),
    Membership: Policy(
        visible=lambda user: true() if is_admin(user) else (Membership.user_id == user.id),
        allows=_admin_may,
    ),
    AuthorityDuty: Policy(visible=_admin_only, allows=_admin_may),
    AuditEvent: Policy(visible=_admin_only, allows=_never),
    Notification: Policy(visible=lambda user: Notification.user_id == user.id, allows=lambda user, action, obj: obj.user_id == user.id),
    # Casework (issue: school and front door). A governor, an administrator and a partner see none of it.
    Pupil: Policy(visible=_pupil_visible, allows=_pupil_allows, sensitive=True),
    ConcernCategory: Policy(visible=lambda user: true(), allows=_admin_may),
    Concern: Policy(visible=_concern_visible, allows=_concern_allows, sensitive=True),
    # Links are the DSL's analysis: the person who logged a concern does not see them.
    ConcernLink: Policy(
        visible=lambda user: ConcernLink.concern_id.in_(select(Concern.id).where(_in(Concern.organisation_id, casework_schools(user)))),
        allows=_never,
    ),
    AdviceRequest: Policy(visible=_advice_visible, allows=_advice_allows, sensitive=True),
    AdviceMessage: Policy(visible=_child_of(AdviceMessage.advice_request_id, AdviceRequest), allows=_never),
    Referral: Policy(visible=_referral_visible, allows=_referral_allows, sensitive=True),
    ReferralTransition: Policy(visible=_child_of(ReferralTransition.referral_id, Referral), allows=_never),
    ReferralMessage: Policy(visible=_child_of(ReferralMessage.referral_id, Referral), allows=_never),
    Attachment: Policy(visible=_attachment_visible, allows=lambda user, action, obj: action == "download", sensitive=False),
    ChronologyEntry: Policy(visible=lambda user: _in(ChronologyEntry.organisation_id, casework_schools(user)), allows=_never),
    ChronologyExport: Policy(
        visible=lambda user: and_(ChronologyExport.requested_by_id == user.id, _in(ChronologyExport.organisation_id, casework_schools(user))),
        allows=lambda user, action, obj: action == "download" and obj.requested_by_id == user.id,
    ),
    CalendarDay: Policy(visible=lambda user: true(), allows=_admin_may),
    # Contextual safeguarding.
    ThresholdSet: Policy(visible=lambda user: true(), allows=_admin_may),
    ThresholdIndicator: Policy(visible=lambda user: true(), allows=_admin_may),
    ContextReferral: Policy(visible=context_referral_visible, allows=_context_referral_allows, sensitive=True),
    ContextReferralIndicator: Policy(visible=_child_of(ContextReferralIndicator.context_referral_id, ContextReferral), allows=_never),
    ContextReferralPupil: Policy(visible=_context_pupil_visible, allows=_never, sensitive=True),
    PanelMeeting: Policy(visible=panel_visible, allows=lambda user, action, obj: is_panel_member(user) or (action == "respond" and bool(invitable_organisations(user)))),
    Invitation: Policy(visible=_workspace_child_visible(Invitation), allows=lambda user, action, obj: action == "respond" and obj.organisation_id in invitable_organisations(user)),
    Participant: Policy(visible=_workspace_child_visible(Participant), allows=_never),
    PlanAction: Policy(visible=_plan_action_visible, allows=_plan_action_allows),
    PartnershipMeeting: Policy(visible=meeting_visible, allows=_meeting_allows),
    MeetingReturn: Policy(visible=lambda user: MeetingReturn.meeting_id.in_(select(PartnershipMeeting.id).where(meeting_papers(user))), allows=_never),
    SafetySummit: Policy(visible=summit_visible, allows=_summit_allows),
    SummitActivity: Policy(visible=_summit_child(SummitActivity), allows=_summit_child_allows),
    SummitFinding: Policy(visible=_summit_child(SummitFinding), allows=_summit_child_allows),
    YouSaidWeDid: Policy(visible=_summit_child(YouSaidWeDid), allows=_summit_child_allows),
    SafetyMap: Policy(visible=_summit_child(SafetyMap), allows=_summit_child_allows),
    MapMarker: Policy(visible=_map_child(MapMarker), allows=_never),
    MapLink: Policy(visible=_map_link_visible, allows=lambda user, action, obj: action == "revoke"),
    SchoolAssessment: Policy(visible=assessment_visible, allows=_assessment_allows),
    AssessmentTransition: Policy(visible=_child_of(AssessmentTransition.assessment_id, SchoolAssessment), allows=_never),
    AssessmentNote: Policy(visible=_assessment_note_visible, allows=_never),
    AssessmentFinding: Policy(visible=_child_of(AssessmentFinding.assessment_id, SchoolAssessment), allows=_assessment_finding_allows),
    AssessmentMethod: Policy(visible=_child_of(AssessmentMethod.assessment_id, SchoolAssessment), allows=_assessment_finding_allows),
    MethodFinding: Policy(visible=_child_of(MethodFinding.method_id, AssessmentMethod), allows=_never),
    AssessmentMember: Policy(visible=_child_of(AssessmentMember.assessment_id, SchoolAssessment), allows=_never),
    # Survey results are tallies (no free text): visible with the method they belong to.
    SurveyImport: Policy(visible=_child_of(SurveyImport.method_id, AssessmentMethod), allows=_never),
    SurveyQuestion: Policy(visible=_child_of(SurveyQuestion.import_id, SurveyImport), allows=_never),
    SurveyAnswer: Policy(visible=_child_of(SurveyAnswer.question_id, SurveyQuestion), allows=_never),
    AssessmentReview: Policy(visible=_child_of(AssessmentReview.assessment_id, SchoolAssessment), allows=_never),
    # A report is the requester's own copy, while they may still see the assessment.
    AssessmentReport: Policy(
        visible=lambda user: and_(AssessmentReport.requested_by_id == user.id, _child_of(AssessmentReport.assessment_id, SchoolAssessment)(user)),
        allows=lambda user, action, obj: action == "download" and obj.requested_by_id == user.id,
    ),
    # The DSL network forums.
    ForumCategory: Policy(visible=_members, allows=_forum_category_allows),
    ForumGuest: Policy(visible=lambda user: true() if network_lead(user) else false(), allows=lambda user, action, obj: action == "remove" and network_lead(user)),
    ForumThread: Policy(visible=_forum_thread_visible, allows=_forum_thread_allows),
    ForumPost: Policy(visible=_forum_post_visible, allows=_forum_post_allows),
    # The edit history may hold text the author took out (a name typed by mistake): the author and the
    # moderators only.
    ForumPostRevision: Policy(
        visible=lambda user: (true() if network_lead(user) else ForumPostRevision.post_id.in_(select(ForumPost.id).where(ForumPost.author_id == user.id)))
        if forum_member(user)
        else false(),
        allows=_never,
    ),
    ForumReport: Policy(
        visible=lambda user: (true() if network_lead(user) else ForumReport.reported_by_id == user.id) if forum_member(user) else false(),
        allows=lambda user, action, obj: action == "resolve" and network_lead(user),
    ),
    ForumResource: Policy(visible=_forum_resource_visible, allows=_forum_resource_allows),
    ForumResourceVersion: Policy(
        visible=lambda user: ForumResourceVersion.resource_id.in_(select(ForumResource.id).where(_forum_resource_visible(user))) if forum_member(user) else false(),
        allows=lambda user, action, obj: action == "download" and forum_member(user),
    ),
    ForumSubscription: Policy(
        visible=lambda user: and_(
            ForumSubscription.user_id == user.id,
            _members(user),
            or_(ForumSubscription.thread_id.is_(None), ForumSubscription.thread_id.in_(select(ForumThread.id).where(_forum_thread_visible(user)))),
        )
        if user.is_authenticated
        else false(),
        allows=lambda user, action, obj: action == "delete" and obj.user_id == user.id,
    ),
    ForumDigest: Policy(visible=lambda user: ForumDigest.user_id == user.id if user.is_authenticated else false(), allows=_never),
    # Self-review: the school's head and governors; another school never (the authority sees counts only,
    # through portal.selfreview's aggregate queries).
    SelfReview: Policy(visible=lambda user: _in(SelfReview.organisation_id, self_review_schools(user)), allows=_self_review_allows),
    SelfReviewAnswer: Policy(visible=_child_of(SelfReviewAnswer.review_id, SelfReview), allows=_never),
    DevelopmentAction: Policy(visible=_child_of(DevelopmentAction.review_id, SelfReview), allows=_development_action_allows),
    SchoolAssuranceRecord: Policy(
        visible=lambda user: _in(SchoolAssuranceRecord.organisation_id, self_review_schools(user)),
        allows=lambda user, action, obj: action == "edit" and user.is_authenticated and obj.organisation_id in user.organisation_ids(Role.HEAD),
    ),
    # Internal records: no page shows them.
    UserSession: Policy(visible=_nobody, allows=_never),
    AccountToken: Policy(visible=_nobody, allows=_never),
    RecoveryCode: Policy(visible=_nobody, allows=_never),
    OutboxJob: Policy(visible=_nobody, allows=_never),
    OutboundEmail: Policy(visible=_nobody, allows=_never),
}


def policy_for(model: type) -> Policy:
    try:
        return POLICIES[model]
    except KeyError:
        raise LookupError(f"No policy for {model.__name__}: add one to portal.policies.POLICIES") from None


def visible_query(model: type, user=None) -> Select:
    """``select(model)`` limited to what ``user`` (default: the current user) may see."""
    user = user if user is not None else current_user
    return select(model).where(policy_for(model).visible(user))


def _type_name(model: type) -> str:
    """``AuthorityDuty`` -> ``authority_duty``: the object type written in the audit log."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def get_or_404(model: type, object_id, *, action: str = "view"):
    """Fetch one object the current user may see, or answer 404; then require ``action`` (403).

    Always a query (never the identity map), through the tenant criteria and the model's policy. The
    refusal is audited. A view of a sensitive model is audited.
    """
    try:
        object_id = uuid.UUID(str(object_id))
    except ValueError:
        abort(404)
    policy = policy_for(model)
    obj = db.session.execute(
        visible_query(model).where(model.id == object_id)
    ).scalar_one_or_none()
    if obj is None:
        record_now(Action.NOT_FOUND, object_type=_type_name(model), object_id=object_id, details={"action": action})
        abort(404)
    if action != "view":
        require(action, obj)
    elif policy.sensitive:
        record(Action.RECORD_VIEWED, object_type=_type_name(model), object_id=object_id)
    return obj


def deny_page():
    """Answer 403 for a page the current user's roles do not open (audited, with the page's endpoint)."""
    from flask import request

    record_now(Action.ACCESS_DENIED, object_type="page", object_id=None, details={"endpoint": request.endpoint})
    abort(403)


def not_found(object_type: str, object_id):
    """Answer 404 for an object the current user may not know of (audited, with the page's endpoint)."""
    from flask import request

    record_now(Action.NOT_FOUND, object_type=object_type, object_id=object_id, details={"endpoint": request.endpoint})
    abort(404)


def require(action: str, obj) -> None:
    """Answer 403 (audited) unless the current user may do ``action`` to ``obj``."""
    if not policy_for(type(obj)).allows(current_user, action, obj):
        record_now(Action.ACCESS_DENIED, object_type=_type_name(type(obj)), object_id=obj.id, details={"action": action})
        abort(403)


def roles_required(*roles: Role):
    """View decorator: signed in, and holding one of ``roles``; otherwise 403 (audited)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            from flask import request

            from portal.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                record_now(Action.ACCESS_DENIED, object_type="page", object_id=None, details={"endpoint": request.endpoint})
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
