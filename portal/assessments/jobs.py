"""The PDF report of a school assessment (WeasyPrint), for the person who asked.

Like the chronology PDF, through ``portal.casework.pdf_files``: the file's storage name is chosen once, so a retried
job overwrites its own file instead of leaving a second copy; when the last attempt fails the report is
marked failed and the requester told, so their page stops waiting and offers to try again. The job runs without a signed-in user: it reads the assessment by its id (the requester's right was
checked when they asked), but builds nothing if the requester can no longer see the assessment.

The report is for everyone on the assessment, the school included: it holds no notes at all (neither the
shared notes nor the assessor-only ones).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from flask import render_template
from sqlalchemy import select

from jobs.registry import job
from portal.accounts.models import User
from portal.assessments.evidence import balances
from portal.assessments.models import (
    AssessmentFinding,
    AssessmentMember,
    AssessmentMemberRole,
    AssessmentMethod,
    AssessmentReport,
    AssessmentReview,
    AssessmentTransition,
    Domain,
    MethodFinding,
    SchoolAssessment,
    SurveyAnswer,
    SurveyImport,
    SurveyQuestion,
)
from portal.audit.service import record
from portal.casework import pdf_files
from portal.casework.actions import Action
from portal.clock import uk_date, uk_today, utcnow
from portal.extensions import db
from portal.notifications.service import notify, page_path
from portal.partnership.models import PlanAction
from portal.pdf import render_pdf
from portal.policies import visible_query

JOB_NAME = "exports.assessment_report_pdf"
MAX_ATTEMPTS = 3

READY_TITLE = "Your school assessment report is ready"
FAILED_TITLE = "Your school assessment report could not be prepared"
REFUSED_TITLE = "Your school assessment report was not prepared"

#: The review's questions (the seed's "Review the outcomes and what has been achieved"), in order.
REVIEW_FIELDS = (
    ("review_due_on", "Review due"),
    ("reviewed_on", "Reviewed on"),
    ("what_changed", "What has changed and what has been achieved"),
    ("young_people_say", "What young people now say about safety"),
    ("told_young_people", "How young people are told about the outcomes"),
    ("told_parents", "How parents and carers are told about the outcomes"),
    ("told_school_community", "How the school community is told about the outcomes"),
    ("sustaining_safety", "How this safety is sustained"),
)


def dedupe_key(report_id) -> str:
    """The outbox key of a report's job: one job per report, and the job can find its own attempts."""
    return f"assessment_report:{report_id}"


# What the report holds -------------------------------------------------------------------------------


@dataclass
class SurveyResult:
    """A survey method's imported tallies: each question with how many answered and each answer's count."""

    survey: SurveyImport
    questions: list = field(default_factory=list)  # (SurveyQuestion, [SurveyAnswer, ...])


def _requester_may_see(report: AssessmentReport) -> User | None:
    """The requester, if they may still see the assessment (an active account on it); else ``None``."""
    requester = db.session.execute(select(User).where(User.id == report.requested_by_id)).unique().scalar_one_or_none()
    if requester is None or requester.deactivated_at is not None:
        return None
    seen = db.session.execute(visible_query(SchoolAssessment, requester).where(SchoolAssessment.id == report.assessment_id)).unique().scalar_one_or_none()
    return requester if seen is not None else None


def _members_by_role(assessment_id) -> list[tuple[AssessmentMemberRole, list[str]]]:
    rows = db.session.execute(select(AssessmentMember).where(AssessmentMember.assessment_id == assessment_id)).unique().scalars().all()
    out = []
    for role in AssessmentMemberRole:
        names = sorted(m.user.full_name for m in rows if m.role == role and m.user is not None)
        if names:
            out.append((role, names))
    return out


def _methods(assessment_id):
    """The methods (oldest first), what each supports, and each survey's imported tallies."""
    methods = (
        db.session.execute(
            select(AssessmentMethod).where(AssessmentMethod.assessment_id == assessment_id).order_by(AssessmentMethod.held_on, AssessmentMethod.created_at)
        )
        .scalars()
        .all()
    )
    method_ids = [m.id for m in methods]
    links = db.session.execute(select(MethodFinding).where(MethodFinding.method_id.in_(method_ids))).scalars().all() if method_ids else []
    supports = defaultdict(list)  # method id -> finding ids
    supported_by = defaultdict(list)  # finding id -> "kind, date"
    by_id = {m.id: m for m in methods}
    for link in sorted(links, key=lambda lk: (by_id[lk.method_id].held_on, by_id[lk.method_id].created_at)):
        method = by_id[link.method_id]
        supports[method.id].append(link.finding_id)
        supported_by[link.finding_id].append(f"{method.kind.label}, {uk_date(method.held_on)}")
    surveys: dict = {}
    if method_ids:
        imports = db.session.execute(select(SurveyImport).where(SurveyImport.method_id.in_(method_ids))).unique().scalars().all()
        import_ids = [s.id for s in imports]
        questions = (
            db.session.execute(select(SurveyQuestion).where(SurveyQuestion.import_id.in_(import_ids)).order_by(SurveyQuestion.position)).scalars().all()
            if import_ids
            else []
        )
        answers = defaultdict(list)
        if questions:
            for answer in db.session.execute(
                select(SurveyAnswer).where(SurveyAnswer.question_id.in_([q.id for q in questions])).order_by(SurveyAnswer.count.desc(), SurveyAnswer.answer)
            ).scalars():
                answers[answer.question_id].append(answer)
        for survey in imports:
            result = SurveyResult(survey)
            result.questions = [(q, answers[q.id]) for q in questions if q.import_id == survey.id]
            surveys[survey.method_id] = result
    return methods, supports, supported_by, surveys


def _plan(assessment_id) -> list[tuple[Domain | None, list[PlanAction]]]:
    """The plan's actions by the domain they address (in the triangle's order; any without one last)."""
    rows = (
        db.session.execute(select(PlanAction).where(PlanAction.assessment_id == assessment_id).order_by(PlanAction.due_on, PlanAction.created_at))
        .unique()
        .scalars()
        .all()
    )
    groups = [(domain, [a for a in rows if a.domain == domain]) for domain in Domain]
    groups.append((None, [a for a in rows if a.domain is None]))
    return [(domain, actions) for domain, actions in groups if actions]


def report_context(report: AssessmentReport, requester: User | None) -> dict:
    """Everything the report shows, read by the assessment's id (no notes: the report is for everyone)."""
    assessment = db.session.execute(select(SchoolAssessment).where(SchoolAssessment.id == report.assessment_id)).unique().scalar_one()
    findings = db.session.execute(select(AssessmentFinding).where(AssessmentFinding.assessment_id == assessment.id)).unique().scalars().all()
    methods, supports, supported_by, surveys = _methods(assessment.id)
    finding_by_id = {f.id: f for f in findings}
    transitions = (
        db.session.execute(
            select(AssessmentTransition)
            .where(AssessmentTransition.assessment_id == assessment.id)
            .order_by(AssessmentTransition.created_at, AssessmentTransition.id)
        )
        .unique()
        .scalars()
        .all()
    )
    review = db.session.execute(select(AssessmentReview).where(AssessmentReview.assessment_id == assessment.id)).scalar_one_or_none()
    return {
        "assessment": assessment,
        "school": assessment.organisation,
        "opened_on": transitions[0].created_at if transitions else assessment.created_at,
        "members": _members_by_role(assessment.id),
        "balances": balances(findings),
        "supported_by": supported_by,
        "methods": methods,
        "supports": {method_id: [finding_by_id[i] for i in ids if i in finding_by_id] for method_id, ids in supports.items()},
        "surveys": surveys,
        "plan": _plan(assessment.id),
        "review": review,
        "review_fields": REVIEW_FIELDS,
        "transitions": transitions,
        "report": report,
        "requester": requester,
        "generated_at": utcnow(),
        "today": uk_today(),
    }


def render_assessment_report_pdf(report: AssessmentReport, requester: User | None = None) -> bytes:
    html = render_template("assessments/report_pdf.html", **report_context(report, requester))
    return render_pdf(html)


# The job -------------------------------------------------------------------------------------------------


def _detail_link(report: AssessmentReport) -> str:
    return page_path("assessments.report_detail", report_id=report.id)


def _tell_failed(report: AssessmentReport) -> None:
    notify(report.requested_by_id, FAILED_TITLE, body="Open the page to try again.", link=_detail_link(report), email=False)


def _refuse(report: AssessmentReport) -> None:
    """The requester no longer sees the assessment: nothing is built, and they are told (no link: the page
    is no longer theirs to open)."""
    pdf_files.mark_failed(report)
    record(
        Action.ACCESS_DENIED,
        object_type="assessment_report",
        object_id=report.id,
        actor_id=report.requested_by_id,
        details={"assessment": str(report.assessment_id), "reason": "requester no longer on the assessment"},
    )
    notify(report.requested_by_id, REFUSED_TITLE, body="You no longer work on that school assessment, so its report was not made.", email=False)


@job(JOB_NAME, queue="exports", max_attempts=MAX_ATTEMPTS)
def assessment_report_pdf(report_id: str) -> None:
    report = db.session.execute(select(AssessmentReport).where(AssessmentReport.id == uuid.UUID(str(report_id))).with_for_update()).scalar_one()
    if pdf_files.finished(report):
        return  # built; or given up (or refused), and the requester asks again (a new report)
    requester = _requester_may_see(report)
    if requester is None:
        _refuse(report)
        return
    data = pdf_files.build(
        report,
        lambda: render_assessment_report_pdf(report, requester),
        dedupe_key=dedupe_key(report.id),
        max_attempts=MAX_ATTEMPTS,
        give_up=lambda: _tell_failed(report),
        what="School assessment report",
    )
    assessment = db.session.execute(select(SchoolAssessment.organisation_id).where(SchoolAssessment.id == report.assessment_id)).scalar_one()
    record(
        Action.EXPORT_BUILT,
        object_type="assessment_report",
        object_id=report.id,
        actor_id=None,
        organisation_id=assessment,
        details={"assessment": str(report.assessment_id), "bytes": len(data)},
    )
    notify(report.requested_by_id, READY_TITLE, link=_detail_link(report), email=False)
