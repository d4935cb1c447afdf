"""The jobs of school assessments: the PDF report, and a survey's results checked and imported from the
CSV file someone uploaded (:func:`import_survey`, at the end of this module).

The PDF report of a school assessment (WeasyPrint), for the person who asked.

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
from sqlalchemy.exc import IntegrityError

from jobs.registry import job
from portal import file_imports
from portal.accounts.models import User
from portal.assessments import service, survey_import
from portal.assessments.actions import Action as AssessmentAction
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
    SurveyUpload,
)
from portal.audit.service import record
from portal.casework import pdf_files
from portal.casework.actions import Action
from portal.clock import uk_date, uk_today, utcnow
from portal.extensions import db
from portal.file_imports import ImportStatus
from portal.notifications.service import notify, page_path
from portal.partnership.models import PlanAction
from portal.pdf import render_pdf
from portal.policies import policy_for, visible_query
from tenants.context import require_authority_id, tenant_scope

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


# The survey import job ---------------------------------------------------------------------------------

SURVEY_JOB_NAME = "assessments.import_survey"
#: The problems kept to show (the count says how many there were).
SURVEY_PROBLEMS_KEPT = 100

SURVEY_IMPORTED_TITLE = "Your survey results have been imported"
SURVEY_NOT_IMPORTED_TITLE = "Your survey results were not imported"

NO_LONGER_IMPORTS = "The person who uploaded this file may no longer import this survey's results. Nothing has been imported"
IMPORTED_AFTER = (
    "Someone else imported results for this survey after you opened its page. Nothing has been imported: "
    "check the results on the survey's page, then upload your file again if it should replace them"
)
IMPORTED_AT_THE_SAME_MOMENT = "Someone else imported results for this survey at the same moment. Nothing has been imported: upload the file again"


def survey_dedupe_key(upload_id) -> str:
    """The outbox key of an upload's job: one job per upload, and the job can find its own attempts."""
    return f"survey-upload:{upload_id}"


def _refuse_upload(row: SurveyUpload, *, file_problem: str | None = None, problems: list | None = None) -> None:
    file_imports.refuse(row, kept=SURVEY_PROBLEMS_KEPT, file_problem=file_problem, problems=problems)


def _refused_audit(row: SurveyUpload, reason: str, *, actor_id=..., **details) -> None:
    """Audit a refused import (``actor_id``: the user in context unless given)."""
    record(
        AssessmentAction.ASSESSMENT_SURVEY_IMPORT_REFUSED,
        object_type="assessment_method",
        object_id=row.method_id,
        actor_id=actor_id,
        organisation_id=row.organisation_id,
        details={"assessment": str(row.assessment_id), "upload": str(row.id), "reason": reason, **details},
    )


def _upload_link(row: SurveyUpload) -> str:
    return page_path("assessments.survey_upload", upload_id=row.id)


def _may_import(row: SurveyUpload) -> tuple[User, AssessmentMethod, SchoolAssessment] | None:
    """The requester, the method and its assessment, if the requester may still import the method's
    results (an active account that sees the method and may edit it); else ``None``. In the requester's
    tenant scope."""
    requester = db.session.execute(select(User).where(User.id == row.requested_by_id)).unique().scalar_one_or_none()
    if requester is None or requester.deactivated_at is not None:
        return None
    method = db.session.execute(visible_query(AssessmentMethod, requester).where(AssessmentMethod.id == row.method_id)).unique().scalar_one_or_none()
    if method is None or not policy_for(AssessmentMethod).allows(requester, "edit", method):
        return None
    assessment = db.session.execute(visible_query(SchoolAssessment, requester).where(SchoolAssessment.id == method.assessment_id)).unique().scalar_one_or_none()
    return (requester, method, assessment) if assessment is not None else None


@job(SURVEY_JOB_NAME, queue="imports", max_attempts=MAX_ATTEMPTS)
def import_survey(upload_id: str) -> None:
    """Check an uploaded survey file and import it. Each step commits, so the uploader's page can say where
    it has got to; the import itself is one transaction, done once (a second run finds it finished). A
    fault is retried; after the last try the page says the file was not imported."""
    file_imports.import_or_give_up(_import_survey, SurveyUpload, upload_id, dedupe_key=survey_dedupe_key(upload_id), max_attempts=MAX_ATTEMPTS)


def _import_survey(upload_id: str) -> None:
    row = file_imports.unfinished(SurveyUpload, upload_id)
    if row is None:
        return
    with tenant_scope(require_authority_id(), row.requested_by_id):
        allowed = _may_import(row)
    if allowed is None:
        # Uploaded by someone who may no longer import this survey's results: nothing of it is imported.
        _refuse_upload(row, file_problem=NO_LONGER_IMPORTS)
        _refused_audit(row, "requester may no longer import", actor_id=None)
        return
    file_imports.step(row, ImportStatus.CHECKING)

    result = survey_import.read_survey(row.content or b"", row.filename)
    row = file_imports.unfinished(SurveyUpload, upload_id)
    if row is None:
        return
    row.respondents, row.questions = result.respondents or row.respondents, len(result.questions)
    if not result.ok:
        _refuse_upload(row, file_problem=result.problem, problems=result.errors)
        with tenant_scope(require_authority_id(), row.requested_by_id):  # the uploader's refusal, as when it was refused on the page
            _refused_audit(row, "problems in the file", errors=result.error_count)
        notify(row.requested_by_id, SURVEY_NOT_IMPORTED_TITLE, body="The file has problems: open the page to see them.", link=_upload_link(row), email=False)
        return
    file_imports.step(row, ImportStatus.IMPORTING)

    row = file_imports.unfinished(SurveyUpload, upload_id)
    if row is None:
        return
    with tenant_scope(require_authority_id(), row.requested_by_id):
        allowed = _may_import(row)
        if allowed is None:
            _refuse_upload(row, file_problem=NO_LONGER_IMPORTS)
            _refused_audit(row, "requester may no longer import", actor_id=None)
            return
        requester, method, assessment = allowed
        current = db.session.execute(select(SurveyImport.id).where(SurveyImport.method_id == method.id).with_for_update()).scalar_one_or_none()
        if current != row.replaces:
            _refuse_upload(row, file_problem=IMPORTED_AFTER)
            record(AssessmentAction.STALE_SAVE_REFUSED, object_type="assessment_method", object_id=method.id, organisation_id=row.organisation_id)
            notify(row.requested_by_id, SURVEY_NOT_IMPORTED_TITLE, body="Someone else imported results first.", link=_upload_link(row), email=False)
            return
        try:
            imported = service.import_survey(method, assessment, result, importer=requester)
        except IntegrityError:  # someone else imported results for this survey at the same moment
            db.session.rollback()
            row = file_imports.locked(SurveyUpload, upload_id)
            _refuse_upload(row, file_problem=IMPORTED_AT_THE_SAME_MOMENT)
            record(AssessmentAction.STALE_SAVE_REFUSED, object_type="assessment_method", object_id=row.method_id, organisation_id=row.organisation_id)
            return
    file_imports.done(row)
    row.survey_import_id = imported.id
    notify(row.requested_by_id, SURVEY_IMPORTED_TITLE, link=_upload_link(row), email=False)
