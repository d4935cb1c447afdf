"""School assessments: who oversees them, who may open one, who runs it (the assessor's side of social
care), notes (assessor-only notes never reach the school or a partner), findings, methods, surveys,
the review and the report (the requester's own copy)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from portal.accounts.models import Role
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
    SurveyUpload,
)
from portal.authorities.models import Duty
from portal.extensions import db
from portal.policies import Policy, casework_schools, child_of, has_duty, is_social_care, never, within


def oversees_assessments(user) -> bool:
    """Opens and oversees every school assessment: children's social care named as a context panel member
    or a front-door manager. A panel is multi-agency, but a school's DSL or a partner on it does not get
    into every school's assessment."""
    return is_social_care(user) and (has_duty(user, Duty.CONTEXT_PANEL_MEMBER) or has_duty(user, Duty.FRONT_DOOR_MANAGER))


def may_open_dashboard(user) -> bool:
    """Opens the assessor's dashboard: the people who run assessments, assessors, front-door managers and
    context panel members (also ``may_open_dashboard(current_user)`` in templates, for links to it)."""
    if not user.is_authenticated:
        return False
    return user.has_role(Role.ASSESSOR) or oversees_assessments(user)


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
    clauses = [within(SchoolAssessment.organisation_id, casework_schools(user))]
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
    return (
        db.session.execute(
            select(AssessmentMember.id).where(
                AssessmentMember.assessment_id == assessment.id, AssessmentMember.user_id == user.id, AssessmentMember.role == AssessmentMemberRole.ASSESSOR
            )
        ).first()
        is not None
    )


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
        # From the session when the page has loaded it already (a list of findings asks once per row).
        assessment = db.session.get(SchoolAssessment, obj.assessment_id)
        return obj.author_id == user.id or assessment_assessor(user, assessment)
    return False


POLICIES: dict[type, Policy] = {
    SchoolAssessment: Policy(visible=assessment_visible, allows=_assessment_allows),
    AssessmentTransition: Policy(visible=child_of(AssessmentTransition.assessment_id, SchoolAssessment), allows=never),
    AssessmentNote: Policy(visible=_assessment_note_visible, allows=never),
    AssessmentFinding: Policy(visible=child_of(AssessmentFinding.assessment_id, SchoolAssessment), allows=_assessment_finding_allows),
    AssessmentMethod: Policy(visible=child_of(AssessmentMethod.assessment_id, SchoolAssessment), allows=_assessment_finding_allows),
    MethodFinding: Policy(visible=child_of(MethodFinding.method_id, AssessmentMethod), allows=never),
    AssessmentMember: Policy(visible=child_of(AssessmentMember.assessment_id, SchoolAssessment), allows=never),
    # Survey results are tallies (no free text): visible with the method they belong to.
    SurveyImport: Policy(visible=child_of(SurveyImport.method_id, AssessmentMethod), allows=never),
    SurveyQuestion: Policy(visible=child_of(SurveyQuestion.import_id, SurveyImport), allows=never),
    SurveyAnswer: Policy(visible=child_of(SurveyAnswer.question_id, SurveyQuestion), allows=never),
    # An uploaded survey file's progress and problems (a problem names a line and a column, never an
    # answer): visible with the method, like its results.
    SurveyUpload: Policy(visible=child_of(SurveyUpload.method_id, AssessmentMethod), allows=never),
    AssessmentReview: Policy(visible=child_of(AssessmentReview.assessment_id, SchoolAssessment), allows=never),
    # A report is the requester's own copy, while they may still see the assessment.
    AssessmentReport: Policy(
        visible=lambda user: and_(AssessmentReport.requested_by_id == user.id, child_of(AssessmentReport.assessment_id, SchoolAssessment)(user)),
        allows=lambda user, action, obj: action == "download" and obj.requested_by_id == user.id,
    ),
}
