"""The PDF report of an assessment, built by a job.

Anyone who may see the assessment asks for one (the school included: it is their assessment too); a job
builds it (``portal.assessments.jobs``) while the person's page shows its progress; only the person who
asked downloads it, and only while they may still see the assessment. Each step is audited. The report
holds no notes: it is for everyone on the assessment.
"""

from __future__ import annotations

from io import BytesIO

from flask import abort, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from portal.assessments import reports as report_service
from portal.assessments.blueprint import bp
from portal.assessments.models import AssessmentReport, SchoolAssessment
from portal.audit.service import record
from portal.casework import files
from portal.casework.actions import Action
from portal.casework.models import ExportStatus
from portal.clock import UK
from portal.extensions import db
from portal.pdf import filename_slug
from portal.policies import get_or_404, visible_query


@bp.route("/school-assessments/<uuid:assessment_id>/reports")
@login_required
def reports(assessment_id):
    """The person's own PDF reports of the assessment, and the button to ask for a new one."""
    assessment = get_or_404(SchoolAssessment, assessment_id)
    rows = (
        db.session.execute(
            visible_query(AssessmentReport)
            .where(AssessmentReport.assessment_id == assessment.id)
            .order_by(AssessmentReport.created_at.desc(), AssessmentReport.id)
        )
        .scalars()
        .all()
    )
    return render_template("assessments/reports.html", assessment=assessment, reports=rows)


@bp.route("/school-assessments/<uuid:assessment_id>/reports", methods=["POST"])
@login_required
def report_new(assessment_id):
    """Ask for a PDF of the assessment; a job builds it while the person waits on its page."""
    assessment = get_or_404(SchoolAssessment, assessment_id)
    report = report_service.request_report(assessment, requested_by_id=current_user.id)
    db.session.commit()
    return redirect(url_for("assessments.report_detail", report_id=report.id))


def _report_assessment(report: AssessmentReport) -> SchoolAssessment:
    """The report's assessment, while the person may still see it (else 404)."""
    assessment = db.session.execute(visible_query(SchoolAssessment).where(SchoolAssessment.id == report.assessment_id)).unique().scalar_one_or_none()
    if assessment is None:
        abort(404)
    return assessment


@bp.route("/school-assessments/reports/<uuid:report_id>")
@login_required
def report_detail(report_id):
    """Where the requester waits for their PDF (the page refreshes itself while it is prepared)."""
    report = get_or_404(AssessmentReport, report_id)
    assessment = _report_assessment(report)
    record(Action.RECORD_VIEWED, object_type="assessment_report", object_id=report.id, organisation_id=assessment.organisation_id)
    db.session.commit()
    return render_template("assessments/report_detail.html", report=report, assessment=assessment)


@bp.route("/school-assessments/reports/<uuid:report_id>/download")
@login_required
def report_download(report_id):
    """The PDF, to the person who asked for it, once it is ready and while they still see the assessment;
    audited."""
    report = get_or_404(AssessmentReport, report_id, action="download")
    if report.status != ExportStatus.READY:
        return redirect(url_for("assessments.report_detail", report_id=report.id))
    assessment = _report_assessment(report)
    try:
        data = files.read(report.storage_key)
    except (FileNotFoundError, ValueError):
        abort(404)
    report_service.report_downloaded(report, assessment)
    made = (report.completed_at or report.created_at).astimezone(UK).date()
    filename = f"school-assessment-{filename_slug(assessment.organisation.name)}-{made.isoformat()}.pdf"
    db.session.commit()
    response = send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
