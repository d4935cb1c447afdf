"""The assessment's PDF report: asked for (built by a job, ``portal.assessments.jobs``) and downloaded by the
person who asked for it, each audited as an export."""

from __future__ import annotations

from sqlalchemy import select

from jobs.outbox import enqueue
from portal.assessments import jobs as assessment_reports
from portal.assessments.models import AssessmentReport, SchoolAssessment
from portal.audit.service import record
from portal.casework import files
from portal.casework.actions import Action as ExportAction
from portal.casework.models import ExportStatus
from portal.clock import utcnow
from portal.extensions import db


def request_report(assessment: SchoolAssessment, *, requested_by_id) -> AssessmentReport:
    """Ask for a PDF of the assessment, built by a job. The file's name is chosen now, so a retried job
    writes over its own file."""
    report = AssessmentReport(assessment_id=assessment.id, requested_by_id=requested_by_id, status=ExportStatus.PENDING, storage_key=files.new_key())
    db.session.add(report)
    db.session.flush()
    record(
        ExportAction.EXPORT_REQUESTED,
        object_type="assessment_report",
        object_id=report.id,
        organisation_id=assessment.organisation_id,
        details={"assessment": str(assessment.id)},
    )
    enqueue(assessment_reports.JOB_NAME, dedupe_key=assessment_reports.dedupe_key(report.id), report_id=report.id)
    return report


def report_downloaded(report: AssessmentReport, assessment: SchoolAssessment) -> None:
    """The requester has their PDF: when, and the audit event."""
    report.downloaded_at = utcnow()
    record(
        ExportAction.EXPORT_DOWNLOADED,
        object_type="assessment_report",
        object_id=report.id,
        organisation_id=assessment.organisation_id,
        details={"assessment": str(assessment.id)},
    )


def stored_files():
    """The storage keys of the school assessments' report PDFs in the authority in context."""
    return db.session.execute(select(AssessmentReport.storage_key).where(AssessmentReport.storage_key.is_not(None))).scalars()
