"""Survey results imported from CSV, attached to a survey method of a school assessment.

The upload's request checks only that the file can be read at all; a job then checks the whole file
(:mod:`portal.assessments.survey_import`) and imports it (``portal.assessments.jobs``) while the uploader
waits on the upload's page: if any line has a problem, nothing is imported and every problem is listed
with its line and column. Only tallies are kept: how many
answered each question and how many gave each answer; free-text answers are not imported (they may name a
child) and a column that identifies who answered is refused. Importing again replaces the results. Everyone
who sees the method sees its results; its author or someone who runs the assessment imports them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from flask import Response, abort, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import HiddenField, SubmitField, ValidationError

from forms import BaseForm, GovFileInput, GovSubmitInput
from jobs.outbox import enqueue
from portal.accounts.models import Role
from portal.assessments import jobs as survey_jobs
from portal.assessments import survey_import
from portal.assessments.actions import Action
from portal.assessments.blueprint import bp
from portal.assessments.models import AssessmentMethod, MethodKind, SchoolAssessment, SurveyAnswer, SurveyImport, SurveyQuestion, SurveyUpload
from portal.audit.service import record, record_now, render_audited
from portal.extensions import db
from portal.locking import stale_refused
from portal.policies import get_or_404, policy_for, require, roles_required, visible_query

#: At most this many problems are listed on the page (the rest are counted).
SHOWN_ERRORS = 100


class SurveyForm(BaseForm):
    file = FileField(
        "Upload the survey results",
        widget=GovFileInput(),
        description=(
            "A CSV file saved as UTF-8, smaller than 2MB: a header row of questions, then one row for each response. "
            "Columns that identify who answered (like a name or an email address) are refused. Free-text answers are not kept."
        ),
    )
    #: The import the page showed ("none" when there was none): importing replaces it, so an import made by
    #: someone else after the page was loaded is not silently replaced.
    replaces = HiddenField()
    submit = SubmitField("Check and import", widget=GovSubmitInput())

    def validate_file(self, field):
        if not getattr(field.data, "filename", None):
            raise ValidationError("Select a CSV file of the survey results")


def _method(method_id) -> tuple[AssessmentMethod, SchoolAssessment]:
    """The survey method (404 for a method of another kind) and its assessment."""
    method = get_or_404(AssessmentMethod, method_id)
    if method.kind != MethodKind.SURVEY:
        abort(404)
    return method, get_or_404(SchoolAssessment, method.assessment_id)


def _saved(method_id):
    """The method's import, and its questions (in the file's order) each with its answers (most given first)."""
    imported = db.session.execute(visible_query(SurveyImport).where(SurveyImport.method_id == method_id)).unique().scalar_one_or_none()
    if imported is None:
        return None, []
    questions = (
        db.session.execute(visible_query(SurveyQuestion).where(SurveyQuestion.import_id == imported.id).order_by(SurveyQuestion.position)).scalars().all()
    )
    answers = defaultdict(list)
    rows = db.session.execute(
        visible_query(SurveyAnswer)
        .where(SurveyAnswer.question_id.in_(select(SurveyQuestion.id).where(SurveyQuestion.import_id == imported.id)))
        .order_by(SurveyAnswer.count.desc(), SurveyAnswer.answer)
    ).scalars()
    for answer in rows:
        answers[answer.question_id].append(answer)
    return imported, [(q, answers[q.id]) for q in questions]


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


#: What the page's ``replaces`` field says when it showed no results.
NO_RESULTS = "none"

#: A ``replaces`` the page did not give (the results it showed are not known): nothing is stored.
STALE_PAGE = (
    "Someone else imported results for this survey after you opened this page. Nothing has been imported: "
    "check the results below, then upload your file again if it should replace them"
)


def _replaces(value: str | None) -> tuple[bool, uuid.UUID | None]:
    """What the page's ``replaces`` field names: ``(True, None)`` for no results, ``(True, id)`` for an
    import, ``(False, None)`` for anything else (not a value the page gives)."""
    value = (value or NO_RESULTS).strip()
    if value == NO_RESULTS:
        return True, None
    try:
        return True, uuid.UUID(value)
    except ValueError:
        return False, None


@bp.route("/school-assessments/methods/<uuid:method_id>/survey", methods=["GET", "POST"])
@login_required
def survey(method_id):
    """The method's imported results, and (to those who may import them) the upload. Whether the file can
    be read at all is said here, next to the field; its questions and answers are checked and imported by
    a job (``portal.assessments.jobs``), and the uploader waits on the upload's page."""
    method, assessment = _method(method_id)
    may_import = policy_for(AssessmentMethod).allows(current_user, "edit", method)
    form = SurveyForm()
    if request.method == "POST":
        require("edit", method)  # refused (403, audited) before the file is read
        if form.validate_on_submit():
            data = form.file.data.stream.read(survey_import.MAX_BYTES + 1)
            known, replaces = _replaces(form.replaces.data)
            try:
                respondents = survey_import.check_file(data)
            except survey_import.FileProblem as problem:
                record_now(
                    Action.ASSESSMENT_SURVEY_IMPORT_REFUSED,
                    object_type="assessment_method",
                    object_id=method.id,
                    organisation_id=assessment.organisation_id,
                    details={"assessment": str(assessment.id), "errors": 1},
                )
                form.file.errors.append(str(problem))
            else:
                if not known:
                    stale_refused("assessment_method", method.id)
                    form.file.errors.append(STALE_PAGE)
                else:
                    upload = SurveyUpload(
                        organisation_id=assessment.organisation_id,
                        assessment_id=assessment.id,
                        method_id=method.id,
                        requested_by_id=current_user.id,
                        content=data,
                        filename=survey_import.clean_filename(form.file.data.filename),
                        respondents=respondents,
                        replaces=replaces,
                    )
                    db.session.add(upload)
                    db.session.flush()
                    enqueue(survey_jobs.SURVEY_JOB_NAME, dedupe_key=survey_jobs.survey_dedupe_key(upload.id), upload_id=upload.id)
                    record(
                        Action.ASSESSMENT_SURVEY_UPLOADED,
                        object_type="assessment_method",
                        object_id=method.id,
                        organisation_id=assessment.organisation_id,
                        details={"assessment": str(assessment.id), "upload": str(upload.id), "respondents": respondents},
                    )
                    db.session.commit()
                    return redirect(url_for("assessments.survey_upload", upload_id=upload.id))
    imported, questions = _saved(method.id)
    form.replaces.data = str(imported.id) if imported else NO_RESULTS  # what an upload from this page replaces
    if request.method == "GET":
        record(
            Action.RECORD_VIEWED, object_type="assessment_method", object_id=method.id, organisation_id=assessment.organisation_id, details={"page": "survey"}
        )
    return render_audited(
        "assessments/survey.html",
        assessment=assessment,
        method=method,
        imported=imported,
        questions=questions,
        may_import=may_import,
        form=form,
        max_choices=survey_import.MAX_CHOICES,
    )


@bp.route("/school-assessments/survey-uploads/<uuid:upload_id>")
@login_required
def survey_upload(upload_id):
    """Where the uploader waits while a survey file is checked and imported (the page refreshes itself until
    it is done): then how many responses and questions were imported, or every problem and that nothing
    was. Everyone who sees the method sees it (a problem names a line and a column, never an answer)."""
    upload = get_or_404(SurveyUpload, upload_id)
    method, assessment = _method(upload.method_id)
    record(
        Action.RECORD_VIEWED,
        object_type="survey_upload",
        object_id=upload.id,
        organisation_id=assessment.organisation_id,
        details={"page": "survey_upload", "method": str(method.id)},
    )
    problems = [survey_import.Problem(*p) for p in upload.problems]
    return render_audited(
        "assessments/survey_upload.html",
        upload=upload,
        assessment=assessment,
        method=method,
        may_import=policy_for(AssessmentMethod).allows(current_user, "edit", method),
        problems=problems[:SHOWN_ERRORS],
        more_problems=max(0, upload.problem_count - min(len(problems), SHOWN_ERRORS)),
        summary=_imported_summary(upload),
        problems_summary=_problems_summary(upload),
    )


def _imported_summary(upload: SurveyUpload) -> str:
    return f"The survey results have been imported: {_plural(upload.respondents or 0, 'response')} to {_plural(upload.questions or 0, 'question')}."


def _problems_summary(upload: SurveyUpload) -> str:
    """What the page said next to the field when a file had problems, before files were checked by a job."""
    if upload.file_problem:
        return upload.file_problem
    return f"The file has {_plural(upload.problem_count, 'problem')} (listed below). Nothing has been imported: correct the file and upload it again"


@bp.route("/school-assessments/survey-example.csv")
@roles_required(Role.FRONT_DOOR, Role.ASSESSOR, Role.DSL, Role.HEAD, Role.PARTNER)
def survey_example():
    response = Response("\ufeff" + survey_import.EXAMPLE_CSV, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="survey-results-example.csv"'
    return response


@bp.app_template_global()
def survey_respondents(methods) -> dict:
    """Method id -> how many responded, for the survey methods of ``methods`` with imported results (one
    query, for the methods pages)."""
    ids = [m.id for m in methods if m.kind == MethodKind.SURVEY]
    if not ids:
        return {}
    rows = db.session.execute(
        select(SurveyImport.method_id, SurveyImport.respondents).where(SurveyImport.method_id.in_(ids), policy_for(SurveyImport).visible(current_user))
    )
    return {method_id: respondents for method_id, respondents in rows}
