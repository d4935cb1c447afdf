"""The PDF report of a school assessment: asked for on its page by anyone on the assessment (the school
included), built by a job (WeasyPrint) while the page shows its progress, downloaded only by the person who
asked (audited), with the findings and their evidence, the methods, the plan and the review, marked
OFFICIAL-SENSITIVE on every page, and never a note of any kind; retried after a failure without a second
file, and marked failed (the requester told) when the last attempt fails."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from portal.clock import UK, utcnow
from tests.admin.pages import page_text
from tests.assessments.support import make_assessment, make_note
from tests.assessments.test_methods import make_method
from tests.assessments.triangle_support import make_finding
from tests.factories import _scope
from tests.referrals.support import notifications
from tests.support import audit_events, signed_in_client

JOB = "exports.assessment_report_pdf"

FINDINGS = {
    "pupil_development": (
        "concern",
        "Sexualised name-calling between Year 9 pupils is seen as banter.",
        "Student focus group: eight of ten described it as normal.",
    ),
    "guardianship": ("strength", "Staff know who the designated safeguarding lead is.", "Staff focus group, twelve staff, 4 March."),
    "environment": ("significant_concern", "Older men wait at the bus stop by the school gates.", "Observation at home time on three days."),
}
ACTION = "Walk the bus stop at home time with the neighbourhood police team."
REVIEW_TEXT = "Name-calling reports fell by half; students say the bus stop feels safer."
SHARED_NOTE = "Shared note: the head asked to move the staff focus group to Thursday."
ASSESSOR_NOTE = "Assessor-only note: the front door holds a strategy discussion about one pupil."


def make_rich_assessment(app, side) -> uuid.UUID:
    """An assessment of school1 (led by the assessor; the DSL and head collaborate; the police partner is a
    member) with a finding in each domain, a survey supporting them with imported tallies, an action, a
    review, a stage move, and a shared and an assessor-only note."""
    from portal.assessments.models import AssessmentReview, AssessmentStage, AssessmentTransition, Domain, SurveyAnswer, SurveyImport, SurveyQuestion
    from portal.extensions import db
    from portal.partnership.models import ActionStatus, PlanAction

    assessment_id = make_assessment(app, side, members={"partner": "partner"})
    finding_ids = [
        make_finding(app, side, assessment_id, domain=domain, rating=rating, text=text, evidence=evidence)
        for domain, (rating, text, evidence) in FINDINGS.items()
    ]
    method_id = make_method(app, side, assessment_id, kind="survey", found="Most students feel safe in lessons, fewer at the bus stop.", findings=finding_ids)
    with _scope(app, side, side.assessor):
        survey = SurveyImport(method_id=method_id, respondents=120, filename="survey.csv", imported_by_id=side.assessor.id)
        db.session.add(survey)
        db.session.flush()
        question = SurveyQuestion(import_id=survey.id, position=1, text="Do you feel safe at the bus stop?", answered=118)
        free = SurveyQuestion(import_id=survey.id, position=2, text="Anything else?", answered=40, free_text=True)
        db.session.add_all([question, free])
        db.session.flush()
        db.session.add_all([SurveyAnswer(question_id=question.id, answer="Yes", count=47), SurveyAnswer(question_id=question.id, answer="No", count=71)])
        db.session.add(
            PlanAction(
                assessment_id=assessment_id,
                domain=Domain.ENVIRONMENT,
                description=ACTION,
                owner_organisation_id=side.police,
                due_on=date(2026, 5, 1),
                status=ActionStatus.IN_PROGRESS,
                created_by_id=side.assessor.id,
            )
        )
        db.session.add(
            AssessmentReview(
                assessment_id=assessment_id,
                review_due_on=date(2026, 7, 1),
                reviewed_on=date(2026, 6, 30),
                what_changed=REVIEW_TEXT,
                young_people_say="Year 9 say staff step in now.",
                told_young_people="Assemblies for each year group.",
                told_parents="A letter home.",
                told_school_community="The governors' meeting in July.",
                sustaining_safety="The DSL checks the bus stop each term.",
                updated_by_id=side.assessor.id,
            )
        )
        db.session.add(
            AssessmentTransition(
                assessment_id=assessment_id,
                actor_id=side.assessor.id,
                from_stage=AssessmentStage.PLANNING,
                to_stage=AssessmentStage.FIELDWORK,
                comment="The school agreed the planning.",
            )
        )
        db.session.commit()
    make_note(app, side, assessment_id, SHARED_NOTE, by="head1")
    make_note(app, side, assessment_id, ASSESSOR_NOTE, assessor_only=True)
    return assessment_id


def make_report(app, side, assessment_id, *, by: str = "dsl1", ready: bool = True) -> uuid.UUID:
    """A report asked for by ``by`` (made directly: no job), ready with a small file, or still pending."""
    from portal.assessments.models import AssessmentReport
    from portal.casework import files
    from portal.casework.models import ExportStatus
    from portal.extensions import db

    data = b"%PDF-1.4\n% a report\n%%EOF\n"
    with _scope(app, side, side.people[by]):
        report = AssessmentReport(assessment_id=assessment_id, requested_by_id=side.people[by].id, status=ExportStatus.PENDING, storage_key=files.new_key())
        if ready:
            files.write(report.storage_key, data)
            report.status, report.size_bytes, report.completed_at = ExportStatus.READY, len(data), utcnow()
        db.session.add(report)
        db.session.commit()
        return report.id


# Reading back --------------------------------------------------------------------------------------------


def _reports(app, side):
    from portal.assessments.models import AssessmentReport
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(AssessmentReport).order_by(AssessmentReport.created_at)).scalars().all()
        db.session.expunge_all()
        return rows


def _outbox(app, side):
    from jobs.models import OutboxJob
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(OutboxJob).where(OutboxJob.name == JOB)).scalars().all()
        db.session.expunge_all()
        return rows


def _stored_files(app, side) -> list[Path]:
    root = Path(app.config["FILE_STORE_PATH"]) / str(side.authority_id)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _run_job_again(app, side, outbox_id):
    from jobs.runner import run_outbox_job

    with app.app_context():
        return run_outbox_job(str(side.authority_id), str(outbox_id))


def _pages(data: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (table cells wrap their lines)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def _marking_heights(data: bytes) -> list[list[float]]:
    """For each page, where "OFFICIAL-SENSITIVE" is printed, as a fraction of the page's height from the
    bottom (so 0.97 is at the top, 0.03 at the bottom)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    heights = []
    for page in reader.pages:
        found = []
        top = float(page.mediabox.top)

        def visit(text, cm, tm, font, size, found=found, top=top):
            if "OFFICIAL-SENSITIVE" in text:
                found.append(round(pypdf.mult(tm, cm)[5] / top, 2))

        page.extract_text(visitor_text=visit)
        heights.append(found)
    return heights


def _ask(client, assessment_id) -> str:
    response = client.post(f"/school-assessments/{assessment_id}/reports")
    assert response.status_code == 302
    assert re.fullmatch(r"/school-assessments/reports/[0-9a-f-]{36}", response.headers["Location"])
    return response.headers["Location"]


# Building and downloading ------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["assessor", "dsl1"])
def test_the_report_holds_the_assessment_and_no_note_of_any_kind(app, world, person):
    """Does the PDF, asked for by the lead assessor or by the school's DSL, hold the school, every finding with
    its evidence, the survey's counts, the action, the review and the stage history, marked OFFICIAL-SENSITIVE
    at the top and bottom of every page and numbered, but neither the shared nor the assessor-only note?"""
    a = world.a
    assessment_id = make_rich_assessment(app, a)
    client = signed_in_client(app, a.people[person])
    detail_url = _ask(client, assessment_id)

    download = client.get(f"{detail_url}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    pages = _pages(download.data)
    text = " ".join(pages)
    assert len(pages) >= 2
    assert f"Page 1 of {len(pages)}" in pages[0] and f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in pages)
    # Printed in the top margin and the bottom margin of every page.
    for heights in _marking_heights(download.data):
        assert max(heights) > 0.95 and min(heights) < 0.05, heights

    for expected in (
        "School assessment of Avonford Primary School",
        "School assessment by children's social care",
        "Several Year 9 girls are being groomed by older men who wait at the gates.",
        "A direct request",
        f"Lead assessor {a.assessor.full_name}",
        a.dsl1.full_name,
        a.head1.full_name,
        a.partner.full_name,
        "Generated",
        f"for {a.people[person].full_name}",
        "Pupil development needs",
        "Guardianship capacity",
        "Environmental and family factors",
        "Significant concern",
        "Survey, 10 February 2026",
        "Do you feel safe at the bus stop? (118 answered)",
        "Yes 47",
        "No 71",
        "120 responses",
        ACTION,
        "Avonford Police",
        "1 May 2026",
        "In progress",
        REVIEW_TEXT,
        "The DSL checks the bus stop each term.",
        "30 June 2026",
        "Planning to Fieldwork",
        "The school agreed the planning.",
    ):
        assert expected in text, expected
    for _domain, (_rating, finding, evidence) in FINDINGS.items():
        assert finding in text and evidence in text
    # Findings in the triangle's order, each with the method that supports it.
    assert text.index(FINDINGS["pupil_development"][1]) < text.index(FINDINGS["guardianship"][1]) < text.index(FINDINGS["environment"][1])
    assert text.count("Survey, 10 February 2026") >= 4

    assert SHARED_NOTE not in text and ASSESSOR_NOTE not in text
    assert "Shared note" not in text and "Assessor-only" not in text and "strategy discussion" not in text


def test_asking_for_the_report_is_audited_and_only_the_requester_downloads_it(app, world):
    """Is each step audited (asked, built, downloaded), is the requester told, is the file named after the
    school and the day, never cached, and does nobody else, not even the lead assessor, get it?"""
    a = world.a
    assessment_id = make_rich_assessment(app, a)
    client = signed_in_client(app, a.dsl1)

    reports_page = page_text(client.get(f"/school-assessments/{assessment_id}/reports"))
    assert "Create the PDF report" in reports_page and "You have not asked for a report of this assessment yet." in reports_page
    detail_url = _ask(client, assessment_id)

    detail = client.get(detail_url)
    text = page_text(detail)
    assert "Your report is ready" in text
    assert re.search(r"Download the report \(PDF, \d+(KB| bytes)\)", text)
    assert "<progress" not in detail.get_data(as_text=True) and 'http-equiv="refresh"' not in detail.get_data(as_text=True)
    listing = page_text(client.get(f"/school-assessments/{assessment_id}/reports"))
    assert re.search(r"Ready Download the report asked for .+ \(PDF, \d+(KB| bytes)\)", listing)

    download = client.get(f"{detail_url}/download")
    today = utcnow().astimezone(UK).date().isoformat()
    assert download.headers["Content-Disposition"] == f"attachment; filename=school-assessment-avonford-primary-school-{today}.pdf"
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    [report] = _reports(app, a)
    assert (report.status.value, report.requested_by_id, report.size_bytes) == ("ready", a.dsl1.id, len(download.data))
    assert report.downloaded_at is not None
    events = [(e.action, e.actor_id, e.object_type, e.object_id) for e in audit_events(app, a.authority_id) if e.action.startswith("export.")]
    assert events == [
        ("export.requested", a.dsl1.id, "assessment_report", str(report.id)),
        ("export.built", None, "assessment_report", str(report.id)),
        ("export.downloaded", a.dsl1.id, "assessment_report", str(report.id)),
    ]
    assert [e.object_id for e in audit_events(app, a.authority_id, "record.viewed") if e.object_type == "assessment_report"] == [str(report.id)]
    assert notifications(app, a, a.dsl1, "report") == ["Your school assessment report is ready"]

    # Others on the assessment (the lead, the head) do not see or download it, and do not see it listed.
    for key in ("assessor", "head1"):
        other = signed_in_client(app, a.people[key])
        assert other.get(f"{detail_url}/download").status_code == 404, key
        assert other.get(detail_url).status_code == 404, key
        assert "You have not asked for a report of this assessment yet." in page_text(other.get(f"/school-assessments/{assessment_id}/reports"))
    refusals = [(e.actor_id, e.object_type) for e in audit_events(app, a.authority_id, "access.not_found")]
    assert refusals == [(a.assessor.id, "assessment_report")] * 2 + [(a.head1.id, "assessment_report")] * 2
    assert len(audit_events(app, a.authority_id, "export.downloaded")) == 1


def test_people_not_on_the_assessment_cannot_ask(app, world):
    """Are another school's DSL and a partner who is not a member refused (404) the page and the request,
    with nothing queued?"""
    a = world.a
    assessment_id = make_rich_assessment(app, a)
    for key in ("dsl2", "partner2"):
        client = signed_in_client(app, a.people[key])
        assert client.get(f"/school-assessments/{assessment_id}/reports").status_code == 404, key
        assert client.post(f"/school-assessments/{assessment_id}/reports").status_code == 404, key
    assert _reports(app, a) == [] and _outbox(app, a) == []
    # A partner who is a member may ask.
    _ask(signed_in_client(app, a.partner), assessment_id)
    assert [r.requested_by_id for r in _reports(app, a)] == [a.partner.id]


def test_a_requester_no_longer_on_the_assessment_cannot_download_and_nothing_is_built(app, world):
    """When the requester is removed from the assessment, is their ready report no longer theirs to download
    (404), and does a job still waiting build nothing, mark the report failed and tell them?"""
    from flask import g

    from jobs.dispatch import INLINE_KEY
    from jobs.outbox import enqueue
    from portal.assessments.models import AssessmentMember, AssessmentReport
    from portal.casework import files
    from portal.casework.models import ExportStatus
    from portal.extensions import db

    a = world.a
    assessment_id = make_rich_assessment(app, a)
    client = signed_in_client(app, a.partner)
    detail_url = _ask(client, assessment_id)
    assert client.get(f"{detail_url}/download").status_code == 200
    # A second report asked for, its job not yet run (queued, as with a worker that is busy).
    with _scope(app, a, a.partner):
        waiting = AssessmentReport(assessment_id=assessment_id, requested_by_id=a.partner.id, status=ExportStatus.PENDING, storage_key=files.new_key())
        db.session.add(waiting)
        db.session.flush()
        outbox_id = enqueue(JOB, dedupe_key=f"assessment_report:{waiting.id}", report_id=waiting.id).id
        waiting_id = waiting.id
        db.session.commit()
        g.pop(INLINE_KEY)  # not run when this context ends: the worker is busy
    with _scope(app, a):
        db.session.execute(AssessmentMember.__table__.delete().where(AssessmentMember.user_id == a.partner.id, AssessmentMember.authority_id == a.authority_id))
        db.session.commit()
    files_before = _stored_files(app, a)

    assert client.get(f"{detail_url}/download").status_code == 404
    assert client.get(detail_url).status_code == 404
    assert _run_job_again(app, a, outbox_id) == "done"
    assert _stored_files(app, a) == files_before
    assert {r.id: r.status.value for r in _reports(app, a)}[waiting_id] == "failed"
    assert notifications(app, a, a.partner, "report")[-1] == "Your school assessment report was not prepared"
    assert len(audit_events(app, a.authority_id, "export.built")) == 1
    assert len(audit_events(app, a.authority_id, "export.downloaded")) == 1


# Failures and retries ------------------------------------------------------------------------------------


def test_a_failed_build_is_retried_without_a_second_file(app, world, monkeypatch):
    """When the build fails once, does the page show the progress while it waits (refreshing itself, nothing
    to download yet), and does the retry leave exactly one file and the report ready?"""
    import portal.assessments.jobs

    real_render = portal.assessments.jobs.render_assessment_report_pdf
    calls = {"n": 0}

    def flaky_render(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("WeasyPrint ran out of memory")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(portal.assessments.jobs, "render_assessment_report_pdf", flaky_render)
    a = world.a
    assessment_id = make_rich_assessment(app, a)
    client = signed_in_client(app, a.dsl1)
    before = len(_stored_files(app, a))
    detail_url = _ask(client, assessment_id)

    [row] = _outbox(app, a)
    assert (row.status.value, row.attempts) == ("pending", 1) and "out of memory" in row.last_error
    assert len(_stored_files(app, a)) == before
    waiting = client.get(detail_url)
    markup = waiting.get_data(as_text=True)
    assert "Your report is being prepared" in page_text(waiting)
    assert re.search(r'<label for="report-progress">Progress</label><br><progress id="report-progress">', markup)
    assert '<meta http-equiv="refresh" content="3">' in markup
    assert "Download the report" not in page_text(waiting)
    assert client.get(f"{detail_url}/download").headers["Location"] == detail_url
    assert "Being prepared See its progress" in page_text(client.get(f"/school-assessments/{assessment_id}/reports"))

    assert _run_job_again(app, a, row.id) == "done"
    assert len(_stored_files(app, a)) == before + 1
    [report] = _reports(app, a)
    assert report.status.value == "ready"
    assert "Your report is ready" in page_text(client.get(detail_url))
    assert ACTION in " ".join(_pages(client.get(f"{detail_url}/download").data))


def test_a_build_that_fails_after_writing_the_file_leaves_one_file(app, world, monkeypatch):
    """If the job dies after the file was written (its transaction rolled back), does the retry write over the
    same file rather than leave an orphan?"""
    import portal.assessments.jobs

    real_notify = portal.assessments.jobs.notify
    calls = {"n": 0}

    def flaky_notify(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        return real_notify(*args, **kwargs)

    monkeypatch.setattr(portal.assessments.jobs, "notify", flaky_notify)
    a = world.a
    assessment_id = make_rich_assessment(app, a)
    before = len(_stored_files(app, a))
    _ask(signed_in_client(app, a.assessor), assessment_id)
    assert len(_stored_files(app, a)) == before + 1  # written, but the report was not marked ready
    assert _reports(app, a)[0].status.value == "pending"

    [row] = _outbox(app, a)
    assert _run_job_again(app, a, row.id) == "done"
    assert len(_stored_files(app, a)) == before + 1
    [report] = _reports(app, a)
    assert report.status.value == "ready"
    assert len(audit_events(app, a.authority_id, "export.built")) == 1


def test_the_job_run_twice_builds_one_file(app, world):
    """Does a job delivered twice, or called twice, leave one file, one ready report and one "built" event?"""
    from portal.assessments.jobs import assessment_report_pdf
    from portal.extensions import db
    from tenants.context import tenant_scope

    a = world.a
    assessment_id = make_rich_assessment(app, a)
    _ask(signed_in_client(app, a.dsl1), assessment_id)
    [row] = _outbox(app, a)
    assert _run_job_again(app, a, row.id) == "already done"
    [report] = _reports(app, a)
    for _ in range(2):
        with app.app_context(), tenant_scope(a.authority_id):
            assessment_report_pdf(report_id=str(report.id))
            db.session.commit()
    assert len(_stored_files(app, a)) == 1
    assert [r.status.value for r in _reports(app, a)] == ["ready"]
    assert len(audit_events(app, a.authority_id, "export.built")) == 1


def test_after_the_last_attempt_the_requester_is_told_and_can_try_again(app, world, monkeypatch):
    """When every attempt fails, is the report marked failed, the requester told, the page no longer waiting
    but saying so with "Try again", which asks for a new report?"""
    import portal.assessments.jobs

    def broken_render(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(portal.assessments.jobs, "render_assessment_report_pdf", broken_render)
    a = world.a
    assessment_id = make_rich_assessment(app, a)
    client = signed_in_client(app, a.dsl1)
    detail_url = _ask(client, assessment_id)
    [row] = _outbox(app, a)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            _run_job_again(app, a, row.id)

    [row] = _outbox(app, a)
    assert (row.status.value, row.attempts) == ("failed", 3)
    [report] = _reports(app, a)
    assert report.status.value == "failed" and _stored_files(app, a) == []
    assert notifications(app, a, a.dsl1, "report") == ["Your school assessment report could not be prepared"]
    page = client.get(detail_url)
    markup = page.get_data(as_text=True)
    assert "Your report could not be prepared" in page_text(page)
    assert 'http-equiv="refresh"' not in markup and "<progress" not in markup
    retry = re.search(r'<form method="post" action="([^"]+)".*?</form>', markup.split('id="main-content"')[1], re.S)
    assert retry.group(1) == f"/school-assessments/{assessment_id}/reports" and "Try again" in retry.group(0)
    assert client.get(f"{detail_url}/download").status_code == 302

    monkeypatch.undo()
    again = _ask(client, assessment_id)
    assert again != detail_url
    assert "Your report is ready" in page_text(client.get(again))
    assert [r.status.value for r in _reports(app, a)] == ["failed", "ready"]


def test_an_old_report_keeps_the_day_it_was_made_in_its_file_name(app, world):
    """Is the file named after the day the report was prepared, not the day it is downloaded?"""
    from portal.assessments.models import AssessmentReport

    a = world.a
    assessment_id = make_assessment(app, a)
    report_id = make_report(app, a, assessment_id)
    with _scope(app, a):
        from portal.extensions import db

        report = db.session.execute(select(AssessmentReport).where(AssessmentReport.id == report_id)).scalar_one()
        report.completed_at = utcnow() - timedelta(days=3)
        db.session.commit()
    made = (utcnow() - timedelta(days=3)).astimezone(UK).date().isoformat()
    download = signed_in_client(app, a.dsl1).get(f"/school-assessments/reports/{report_id}/download")
    assert download.headers["Content-Disposition"] == f"attachment; filename=school-assessment-avonford-primary-school-{made}.pdf"
