"""Survey results imported from CSV onto a survey method: the reader (every rule, each problem with its line
and column, free text not kept, identifying columns refused, metadata columns ignored), the page and the
import's job (the upload's request checks only that the file can be read; the job, run in process under
test at the end of the request, checks every line and imports the file whole or not at all, while the
uploader waits on the upload's page): the tallies with counts and percentages, a bad file importing
nothing, importing again replacing the results, an import made after the page was opened not replaced,
who may import and see an upload, the largest file, the example file)."""

from __future__ import annotations

import io
import re
import time
import uuid

import pytest

from portal.assessments.models import AssessmentMethod, SurveyAnswer, SurveyImport, SurveyQuestion, SurveyUpload
from portal.assessments.survey_import import EXAMPLE_CSV, MAX_BYTES, OTHER, FileProblem, Problem, check_file, column_letter, read_survey
from portal.notifications.models import Notification
from portal.pupils.models import ImportStatus
from tests.admin.pages import clean, field_error, page_text
from tests.assessments.test_methods import make_method
from tests.assessments.triangle_support import make_assessment
from tests.factories import _scope
from tests.support import audit_events, detached_rows, signed_in_client

GOOD = (
    "Timestamp,I feel safe at school,I know who to talk to if I am worried,Anything else you want to tell us?\n"
    "04/03/2026 09:12,Agree,Yes,I like my form tutor\n"
    "04/03/2026 09:13,Agree,No,\n"
    "04/03/2026 09:14,Disagree,Yes,\n"
)


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


# The reader -------------------------------------------------------------------------------------------


def test_a_good_file_is_tallied_and_metadata_columns_are_ignored():
    result = read_survey(
        (
            "ID,Start time,Completion time,Last modified time,How safe do you feel?,Year group\n"
            + "1,a,b,c,Very safe,Year 9\n2,a,b,c, Very safe ,Year 10\n3,a,b,c,,Year 9\n"
        ).encode(),
        "C:\\Users\\dsl\\Year 9 survey.csv",
    )
    assert result.ok
    assert result.filename == "Year 9 survey.csv"
    assert result.respondents == 3
    assert result.ignored == ["ID", "Start time", "Completion time", "Last modified time"]
    safe, year = result.questions
    # Answers given by fewer than three people are counted together, not kept as themselves.
    assert (safe.position, safe.column, safe.text, safe.answered, safe.free_text, safe.answers) == (1, "E", "How safe do you feel?", 2, False, [(OTHER, 2)])
    assert (year.column, year.answered, year.answers) == ("F", 3, [(OTHER, 3)])


def test_metadata_headings_are_ignored_whatever_their_capitals_and_a_byte_order_mark_is_allowed():
    result = read_survey("\ufeffTIMESTAMP,  Completion   Time ,Q1\n2026-03-04,x,Yes\n".encode("utf-8"))
    assert result.ok
    assert [q.text for q in result.questions] == ["Q1"]
    assert result.questions[0].answers == [(OTHER, 1)]


def test_a_question_with_more_than_twelve_different_answers_is_free_text_and_its_answers_are_not_kept():
    rows = [f"Answer number {i},Yes" for i in range(13)] + [",No"]
    result = read_survey(_csv("Anything else?,Do you feel safe?", rows))
    assert result.ok
    free, tallied = result.questions
    assert (free.free_text, free.answered, free.answers) == (True, 13, [])
    assert (tallied.free_text, tallied.answers) == (False, [("Yes", 13), (OTHER, 1)])
    # Twelve different answers are still counted.
    result = read_survey(_csv("Favourite place", [f"Place {i}" for i in range(12)] * 3))
    assert result.questions[0].free_text is False and len(result.questions[0].answers) == 12
    # A long free-text answer is not a problem: it is not kept.
    assert read_survey(_csv("Q", [f"{i} " + "x" * 300 for i in range(13)])).ok


def test_in_a_small_survey_a_question_whose_answers_are_all_different_is_free_text():
    """Five responses, five different answers: nobody chose, they wrote — and what they wrote may name a
    child, so it is not kept (fewer than four answers are still counted)."""
    rows = ["Jo in Year 9 said something,Yes", "The bus stop,Yes", "Nothing,No", "My form tutor,Yes", "The toilets near the gym,No"]
    free, tallied = read_survey(_csv("Anything else?,Do you feel safe?", rows)).questions
    assert (free.free_text, free.answered, free.answers) == (True, 5, [])
    assert tallied.answers == [("Yes", 3), (OTHER, 2)]
    assert read_survey(_csv("Q", ["A", "B", "C"])).questions[0].free_text is False


def test_answers_differing_only_in_capitals_are_counted_as_one_with_the_spelling_most_gave():
    rows = ["Yes", "yes", "Yes", "YES", "No", "no", "No"]
    assert read_survey(_csv("Do you feel safe?", rows)).questions[0].answers == [("Yes", 4), ("No", 3)]


def test_an_answer_given_by_fewer_than_three_people_is_not_kept_as_itself():
    """'Who makes you feel unsafe?' is not refused by its heading, but an answer only one or two people
    gave — a name, a sentence — can point to one young person: it is counted under "Other answers"."""
    rows = ["Nobody"] * 5 + ["Jake Smith in 9C"] + ["Older students"] * 3 + ["Jake Smith in 9C "]
    result = read_survey(_csv("Who makes you feel unsafe?", rows))
    assert result.questions[0].answers == [("Nobody", 5), ("Older students", 3), (OTHER, 2)]
    assert "Jake" not in repr(result)


@pytest.mark.parametrize(
    "heading",
    [
        "Name",
        "email",
        "E-mail",
        "Email address",
        "UPN",
        "Date of birth",
        "DOB",
        "Student ID",
        "Pupil ID",
        "Full name",
        "Surname",
        "Postcode",
        "Phone",
        "Your name (optional)",
        "Pupil's name",
    ],
)
def test_columns_that_identify_who_answered_are_refused(heading):
    result = read_survey(_csv(f"Timestamp,Q1,{heading},Q2", ["t,Yes,someone,No"]))
    assert not result.ok
    assert result.errors == [
        Problem(1, f'C ("{heading}")', f'Column C, "{heading}", looks like it identifies who answered: remove it from the file and import it again')
    ]


def test_a_heading_that_asks_for_a_name_is_refused_wherever_the_word_is_and_other_questions_are_not():
    """A question asking for a name collects names, whoever it means: the column is refused (remove it and
    summarise it in what was found)."""
    for heading in (
        "What is your name?",
        "Name of pupil",
        "First and last name",
        "Your name and form",
        "Username",
        "Student number",
        "Candidate number",
        "Mobile phone",
        "Do you know the name of the DSL?",
    ):
        result = read_survey(_csv(f"{heading},Do you feel safe?", ["x,Yes"]))
        assert not result.ok and "looks like it identifies who answered" in result.errors[0].message, heading
    assert read_survey(_csv("Where do you feel least safe?,Do you know who to talk to?", ["The bus stop,Yes"])).ok


def test_every_problem_in_the_file_is_listed_with_its_line_and_column():
    content = (
        "Timestamp,Email,Q1,,Q1,Q2\n"  # line 1: an identifying column, an empty heading with answers, a repeated question
        "t,a,Yes,x,Yes,No\n"
        "t,a,Yes,,Yes\n"  # line 3: too few columns
        "\n"  # a blank line: skipped, but counted
        "t,a," + "y" * 201 + ",,Yes,No,extra\n"  # line 5: too many columns
        "t,a,No,,No," + "z" * 201 + "\n"  # line 6: an answer too long
        '"t\nt",a,No,,No,No\n'  # lines 7 and 8: one row
        "t,a,No,,No\n"  # line 9
    )
    result = read_survey(content.encode())
    assert not result.ok
    assert [(p.line, p.column, p.message) for p in result.errors] == [
        (1, 'B ("Email")', 'Column B, "Email", looks like it identifies who answered: remove it from the file and import it again'),
        (1, "D", "Column D has answers but no question in the header row: add the question as its heading"),
        (1, 'E ("Q1")', 'Column E has the same question as column C, "Q1": each question must be in the file once'),
        (3, "", "Line 3 has 5 columns but the header row has 6: every response needs a cell for each column, even if it is empty"),
        (5, "", "Line 5 has 7 columns but the header row has 6: every response needs a cell for each column, even if it is empty"),
        (6, 'F ("Q2")', "The answer in column F is 201 characters long: an answer must be 200 characters or fewer"),
        (9, "", "Line 9 has 5 columns but the header row has 6: every response needs a cell for each column, even if it is empty"),
    ]
    assert str(result.errors[3]).startswith("Line 3: ")
    assert "y" * 20 not in " ".join(p.message for p in result.errors)  # what someone answered is never quoted


def test_an_empty_trailing_column_is_ignored():
    result = read_survey(_csv("Q1,Q2,", ["Yes,No,", "No,No,"]))
    assert result.ok and [q.text for q in result.questions] == ["Q1", "Q2"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The selected file is empty"),
        (b"\n \n,,\n", "The selected file is empty"),
        (b"Q1,Q2\n", "The selected file has a header row of questions but no responses: each response must be a row under the header row"),
        (b"Timestamp,ID\nt,1\n", "The selected file has no questions: the first row must be the questions, one a column, like the example file"),
        ("Q\u00e9,Q2\nOui,Non\n".encode("cp1252"), "The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'"),
        ("Q1,Q2\nYes,No\n".encode("utf-16"), "The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'"),
        (b"Q1\n" + b"Yes\n" * 5001, "The selected file has 5,001 responses: a file can have at most 5,000. Split it into smaller files, or import a sample"),
        (
            ",".join(f"Q{i}" for i in range(61)).encode() + b"\nYes" + b"," * 60 + b"\n",
            "The selected file has 61 questions: a file can have at most 60. Split the survey into smaller files",
        ),
        (b"Q1\n" + b"Yes\n" * (MAX_BYTES // 4 + 1), "The selected file must be smaller than 2MB"),
    ],
)
def test_files_that_cannot_be_read_as_a_survey(content, message):
    result = read_survey(content, "survey.csv")
    assert not result.ok
    assert (result.problem, result.errors, result.error_count) == (message, [], 1)


def test_limits_are_inclusive():
    assert read_survey(b"Q1\n" + b"Yes\n" * 5000).respondents == 5000
    assert len(read_survey(",".join(f"Q{i}" for i in range(60)).encode() + b"\nYes" + b"," * 59 + b"\n").questions) == 60
    assert read_survey(_csv("Q1", ["y" * 200])).ok


def test_column_letters_are_the_spreadsheets():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_the_quick_check_reads_only_what_the_whole_file_needs():
    """The upload's own request: the number of responses, or why the file cannot be read at all (its
    questions and answers are the job's)."""
    assert check_file(GOOD.encode()) == 3
    assert check_file(b"Name,Q1\nJordan,Yes\n") == 1  # an identifying column is found by the job, with its line and column
    for content, message in [
        (b"", "The selected file is empty"),
        (b"Q1,Q2\n", "The selected file has a header row of questions but no responses: each response must be a row under the header row"),
        ("Q1\nOui\n".encode("utf-16"), "The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'"),
        (b"Q1\n" + b"Yes\n" * 5001, "The selected file has 5,001 responses: a file can have at most 5,000. Split it into smaller files, or import a sample"),
        (b"Q1\n" + b"Yes\n" * (MAX_BYTES // 4 + 1), "The selected file must be smaller than 2MB"),
    ]:
        with pytest.raises(FileProblem) as caught:
            check_file(content)
        assert str(caught.value) == message


# The page and the job ---------------------------------------------------------------------------------

UPLOAD_PATH = re.compile(r"/school-assessments/survey-uploads/([0-9a-f-]{36})")


def _survey(app, side, *, by: str = "assessor", kind: str = "survey"):
    assessment_id = make_assessment(app, side)
    return assessment_id, make_method(app, side, assessment_id, by=by, kind=kind)


def _url(method_id) -> str:
    return f"/school-assessments/methods/{method_id}/survey"


def _replaces(client, method_id) -> str:
    """What the page's upload form says it replaces (as a browser would send it)."""
    return re.search(r'name="replaces"[^>]*value="([^"]*)"', client.get(_url(method_id)).get_data(as_text=True)).group(1)


def _upload(client, method_id, content: str | bytes, filename: str = "year-9-survey.csv", replaces: str = "none"):
    """Upload a file from the page as it was when there were no results (``replaces``: what the page showed)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(_url(method_id), data={"file": (io.BytesIO(data), filename), "replaces": replaces}, content_type="multipart/form-data")


def _uploaded(client, method_id, content, **options):
    """Upload a file (its job runs at the end of the request) and open the upload's page it redirects to."""
    response = _upload(client, method_id, content, **options)
    assert response.status_code == 302 and UPLOAD_PATH.fullmatch(response.headers["Location"]), response.status_code
    return client.get(response.headers["Location"])


def _tables(response) -> list[tuple[str, list[list[str]]]]:
    """Each table of the page: its caption and the cells of each body row."""
    markup = response.get_data(as_text=True)
    tables = []
    for table in re.findall(r"<table.*?</table>", markup, re.S):
        caption = clean(re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S).group(1))
        body = re.search(r"<tbody[^>]*>(.*?)</tbody>", table, re.S).group(1)
        rows = [[clean(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
        tables.append((caption, rows))
    return tables


def _saved(app, side):
    return (
        detached_rows(app, SurveyImport, side.authority_id),
        sorted(detached_rows(app, SurveyQuestion, side.authority_id), key=lambda q: q.position),
        detached_rows(app, SurveyAnswer, side.authority_id),
    )


def _waiting_upload(app, side, method_id, content: str | bytes, *, by: str = "assessor", replaces=None) -> uuid.UUID:
    """An upload as the page stores it, its job not yet run."""
    from portal.extensions import db

    data = content.encode() if isinstance(content, str) else content
    [method] = detached_rows(app, AssessmentMethod, side.authority_id, id=method_id)
    with _scope(app, side):
        upload = SurveyUpload(
            organisation_id=side.school1,
            assessment_id=method.assessment_id,
            method_id=method_id,
            requested_by_id=side.people[by].id,
            content=data,
            filename="survey.csv",
            respondents=check_file(data),
            replaces=replaces,
        )
        db.session.add(upload)
        db.session.commit()
        return upload.id


def _run_job(app, side, upload_id) -> None:
    from portal.assessments.jobs import import_survey
    from portal.extensions import db

    with _scope(app, side):
        import_survey(upload_id=str(upload_id))
        db.session.commit()


def test_an_import_shows_each_questions_answers_with_counts_and_percentages(app, world):
    a = world.a
    assessment_id, method_id = _survey(app, a)
    assessor = signed_in_client(app, a.assessor)

    page = page_text(assessor.get(_url(method_id)))
    assert "Import survey results" in page and "Download an example CSV file" in page
    assert "Columns that identify who answered (like a name or an email address) are refused. Free-text answers are not kept." in page

    rows = [f"t,{'Agree' if i < 2 else 'Disagree'},{'Yes' if i else 'No'},Something different {i}" for i in range(3)]
    rows += [f"t,Agree,,Another thing {i}" for i in range(11)]
    done = _uploaded(
        assessor,
        method_id,
        "Timestamp,I feel safe at school,I know who to talk to if I am worried,Anything else you want to tell us?\n" + "\n".join(rows) + "\n",
    )
    text = page_text(done)
    assert "Survey results imported" in text
    assert "The survey results have been imported: 14 responses to 3 questions." in text
    assert "From the file year-9-survey.csv" in text and f"by {a.assessor.full_name}" in text
    assert 'http-equiv="refresh"' not in done.get_data(as_text=True)
    assert f'href="{_url(method_id)}"' in done.get_data(as_text=True)

    shown = assessor.get(_url(method_id))
    text = page_text(shown)
    assert "Responses 14 responses" in text
    assert "From the file year-9-survey.csv" in text
    assert f"by {a.assessor.full_name}" in text
    assert _tables(shown) == [
        ("I feel safe at school 14 of 14 responses answered", [["Agree", "13", "93%"], [OTHER, "1", "7%"]]),
        ("I know who to talk to if I am worried 3 of 14 responses answered", [[OTHER, "3", "100%"]]),
    ]
    assert "Anything else you want to tell us? Free text 14 of 14 responses answered." in text
    assert "Free-text answers are not imported, because they may name a child: summarise them in what was found" in text
    assert "Something different" not in shown.get_data(as_text=True)
    assert "Import the results again" in text

    [imported], questions, answers = _saved(app, a)
    assert (imported.method_id, imported.respondents, imported.filename, imported.imported_by_id) == (method_id, 14, "year-9-survey.csv", a.assessor.id)
    assert [(q.position, q.answered, q.free_text) for q in questions] == [(1, 14, False), (2, 3, False), (3, 14, True)]
    assert sorted((a.answer, a.count) for a in answers) == [("Agree", 13), (OTHER, 1), (OTHER, 3)]
    [event] = audit_events(app, a.authority_id, "assessment.survey_imported")
    assert (event.object_id, event.actor_id, event.organisation_id) == (str(method_id), a.assessor.id, a.school1)
    assert event.details == {"assessment": str(assessment_id), "respondents": 14, "questions": 3, "free_text_questions": 1}

    # The upload is audited; its row keeps the counts and the import it became, not the file.
    [upload] = detached_rows(app, SurveyUpload, a.authority_id)
    assert (upload.status, upload.content, upload.respondents, upload.questions, upload.survey_import_id) == (ImportStatus.DONE, None, 14, 3, imported.id)
    assert upload.replaces is None and upload.finished_at is not None and upload.problems == []
    [uploaded] = audit_events(app, a.authority_id, "assessment.survey_uploaded")
    assert (uploaded.object_id, uploaded.actor_id) == (str(method_id), a.assessor.id)
    assert uploaded.details == {"assessment": str(assessment_id), "upload": str(upload.id), "respondents": 14}
    # The uploader is told it has finished.
    [told] = detached_rows(app, Notification, a.authority_id, user_id=a.assessor.id)
    assert (told.title, told.link) == ("Your survey results have been imported", f"/school-assessments/survey-uploads/{upload.id}")

    # The methods page links to the results with the count; reading them, and the upload's page, is audited.
    methods = assessor.get(f"/school-assessments/{assessment_id}/methods")
    assert "Survey results of the survey on 10 February 2026 : 14 responses" in page_text(methods)
    assert f'href="{_url(method_id)}"' in methods.get_data(as_text=True)
    viewed = [e for e in audit_events(app, a.authority_id, "record.viewed") if e.object_id == str(method_id)]
    assert len(viewed) == 2 and viewed[0].details == {"page": "survey"}
    [read] = [e for e in audit_events(app, a.authority_id, "record.viewed") if e.object_type == "survey_upload"]
    assert (read.object_id, read.actor_id, read.details) == (str(upload.id), a.assessor.id, {"page": "survey_upload", "method": str(method_id)})


def test_the_upload_page_waits_for_the_job_then_shows_the_result(app, world):
    """Before the job has run, the upload's page says so, refreshes itself every 3 seconds, shows a labelled
    progress bar and a "Check again" link; once it has run, the result (and no more refreshing)."""
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    upload_id = _waiting_upload(app, a, method_id, GOOD)
    assessor = signed_in_client(app, a.assessor)
    path = f"/school-assessments/survey-uploads/{upload_id}"

    waiting = assessor.get(path)
    markup, text = waiting.get_data(as_text=True), page_text(waiting)
    assert waiting.status_code == 200
    assert "Your survey results are being imported" in text and "Waiting to start" in text
    assert '<meta http-equiv="refresh" content="3">' in markup
    assert re.search(r'<label for="import-progress">Progress: step 1 of 3[^<]*</label><br><progress id="import-progress" max="3" value="0">', markup)
    assert "The file survey.csv has 3 responses." in text
    assert f'<a class="govuk-link" href="{path}">Check again</a>' in markup
    assert _saved(app, a) == ([], [], [])

    _run_job(app, a, upload_id)
    done = assessor.get(path)
    assert "The survey results have been imported: 3 responses to 3 questions." in page_text(done)
    assert 'http-equiv="refresh"' not in done.get_data(as_text=True)
    assert _saved(app, a)[0][0].respondents == 3
    # A second run (a duplicate delivery) changes nothing.
    _run_job(app, a, upload_id)
    assert len(_saved(app, a)[0]) == 1 and len(audit_events(app, a.authority_id, "assessment.survey_imported")) == 1


def test_a_file_with_one_bad_line_imports_nothing_and_lists_the_problem(app, world):
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    assessor = signed_in_client(app, a.assessor)
    _uploaded(assessor, method_id, GOOD)
    before = _saved(app, a)

    response = _uploaded(assessor, method_id, GOOD + "04/03/2026 09:15,Agree,Yes\n", filename="second.csv", replaces=_replaces(assessor, method_id))
    text = page_text(response)
    assert "Your survey results were not imported" in text
    assert "The file has 1 problem (listed below). Nothing has been imported: correct the file and upload it again" in text
    assert "From the file second.csv" in text and "Upload a corrected file" in text
    assert _tables(response) == [
        (
            "Problems in the file Correct these in the file, then upload it again. The header row of questions is line 1.",
            [
                ["5", "The whole line", "Line 5 has 3 columns but the header row has 4: every response needs a cell for each column, even if it is empty"],
            ],
        )
    ]

    after = _saved(app, a)
    assert [i.id for i in after[0]] == [i.id for i in before[0]] and after[0][0].filename == "year-9-survey.csv"
    assert len(after[1]) == len(before[1]) and len(after[2]) == len(before[2])
    [refused] = audit_events(app, a.authority_id, "assessment.survey_import_refused")
    assert (refused.object_id, refused.actor_id, refused.details["errors"]) == (str(method_id), a.assessor.id, 1)
    assert len(audit_events(app, a.authority_id, "assessment.survey_imported")) == 1
    # What stays of the refused file: the problems, not the file.
    refused_upload = next(u for u in detached_rows(app, SurveyUpload, a.authority_id) if u.filename == "second.csv")
    assert (refused_upload.status, refused_upload.content, refused_upload.problem_count, refused_upload.survey_import_id) == (
        ImportStatus.REFUSED,
        None,
        1,
        None,
    )
    assert refused_upload.problems == [
        [5, "", "Line 5 has 3 columns but the header row has 4: every response needs a cell for each column, even if it is empty"]
    ]
    titles = [n.title for n in detached_rows(app, Notification, a.authority_id, user_id=a.assessor.id)]
    assert sorted(titles) == ["Your survey results have been imported", "Your survey results were not imported"]


def test_identifying_columns_and_unreadable_files_are_refused(app, world):
    """A file that cannot be read at all is refused next to the field, in the upload's request; an identifying
    column is found by the job and listed with its line and column."""
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    assessor = signed_in_client(app, a.assessor)

    response = _uploaded(assessor, method_id, "Timestamp,Name,How safe do you feel?\nt,Jordan Example,Safe\n")
    assert [row for _caption, rows in _tables(response) for row in rows] == [
        ["1", 'B ("Name")', 'Column B, "Name", looks like it identifies who answered: remove it from the file and import it again'],
    ]
    assert "Jordan Example" not in response.get_data(as_text=True)

    unreadable = _upload(assessor, method_id, "Q1,Q2\nOui,Non\n".encode("utf-16"))
    assert unreadable.status_code == 200 and page_text(unreadable).startswith("Error:")
    assert field_error(unreadable, "file") == "The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'"
    assert field_error(_upload(assessor, method_id, b""), "file") == "The selected file is empty"
    assert field_error(assessor.post(_url(method_id), data={}, content_type="multipart/form-data"), "file") == "Select a CSV file of the survey results"
    assert _saved(app, a) == ([], [], [])
    assert [e.details["errors"] for e in audit_events(app, a.authority_id, "assessment.survey_import_refused")] == [1, 1, 1]
    assert len(detached_rows(app, SurveyUpload, a.authority_id)) == 1  # a file refused in the request is not kept


def test_a_whole_file_problem_found_by_the_job_is_said_on_the_upload_page(app, world):
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    response = _uploaded(signed_in_client(app, a.assessor), method_id, "Timestamp,ID\nt,1\n")
    text = page_text(response)
    assert "The selected file has no questions: the first row must be the questions, one a column, like the example file" in text
    assert "Nothing has been imported: the survey's results are as they were." in text
    assert _tables(response) == []


def test_many_problems_are_capped_on_the_page(app, world):
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    response = _uploaded(signed_in_client(app, a.assessor), method_id, "Q1,Q2\n" + "Yes\n" * 130)
    assert "The file has 130 problems (listed below). Nothing has been imported: correct the file and upload it again" in page_text(response)
    [(_caption, rows)] = _tables(response)
    assert len(rows) == 100 and rows[-1][0] == "101"
    assert "And 30 more problems. Correct these first." in page_text(response)
    [upload] = detached_rows(app, SurveyUpload, a.authority_id)
    assert (len(upload.problems), upload.problem_count) == (100, 130)


def test_importing_again_replaces_the_results(app, world):
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    assessor = signed_in_client(app, a.assessor)
    _uploaded(assessor, method_id, GOOD)
    first = _saved(app, a)[0][0].id
    assert "imported: 3 responses to 1 question." in page_text(
        _uploaded(assessor, method_id, "Do you feel safe on the bus?\nYes\nYes\nYes\n", filename="bus.csv", replaces=_replaces(assessor, method_id))
    )

    [imported], [question], [answer] = _saved(app, a)
    assert (imported.respondents, imported.filename, question.text, answer.answer, answer.count) == (3, "bus.csv", "Do you feel safe on the bus?", "Yes", 3)
    assert next(u for u in detached_rows(app, SurveyUpload, a.authority_id) if u.filename == "bus.csv").replaces == first
    shown = assessor.get(_url(method_id))
    assert _tables(shown) == [("Do you feel safe on the bus? 3 of 3 responses answered", [["Yes", "3", "100%"]])]
    assert "I feel safe at school" not in page_text(shown)


def test_an_import_made_after_the_page_was_opened_is_not_silently_replaced(app, world):
    """Two assessors open the page; the first imports; the second's upload is refused by the job (nothing
    changes, audited) and their page now shows the first import, so uploading again replaces it knowingly."""
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    first, second = signed_in_client(app, a.assessor), signed_in_client(app, a.assessor)
    loaded = _replaces(second, method_id)
    assert loaded == "none"
    _uploaded(first, method_id, GOOD)
    response = _uploaded(second, method_id, "Do you feel safe on the bus?\nYes\nYes\nYes\n", filename="bus.csv", replaces=loaded)
    assert "Your survey results were not imported" in page_text(response)
    assert "Someone else imported results for this survey after you opened its page. Nothing has been imported" in page_text(response)
    [imported], _questions, _answers = _saved(app, a)
    assert imported.filename == "year-9-survey.csv"
    assert [(e.object_id, e.actor_id) for e in audit_events(app, a.authority_id, "record.stale_save_refused")] == [(str(method_id), a.assessor.id)]
    assert "Someone else imported results first." in [n.body for n in detached_rows(app, Notification, a.authority_id)]
    assert "imported: 3 responses to 1 question." in page_text(
        _uploaded(second, method_id, "Do you feel safe on the bus?\nYes\nYes\nYes\n", filename="bus.csv", replaces=_replaces(second, method_id))
    )
    assert _saved(app, a)[0][0].filename == "bus.csv"

    # A page that says it showed results that are not an import's id is refused at once (nothing stored).
    refused = _upload(second, method_id, GOOD, replaces="not-an-id")
    assert refused.status_code == 200 and "Someone else imported results for this survey after you opened this page" in field_error(refused, "file")
    assert len(detached_rows(app, SurveyUpload, a.authority_id)) == 3


def test_an_import_made_while_a_file_waits_for_its_job_is_not_replaced(app, world):
    """The page showed no results; someone else's import lands before the upload's job runs: the job finds the
    method's import is not the one the uploader saw, and imports nothing."""
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    waiting = _waiting_upload(app, a, method_id, "Do you feel safe on the bus?\nYes\nYes\nYes\n")
    _uploaded(signed_in_client(app, a.assessor), method_id, GOOD)
    _run_job(app, a, waiting)
    [upload] = detached_rows(app, SurveyUpload, a.authority_id, id=waiting)
    assert upload.status == ImportStatus.REFUSED and upload.content is None and upload.file_problem.startswith("Someone else imported results")
    assert _saved(app, a)[0][0].filename == "year-9-survey.csv"


def test_a_file_uploaded_by_someone_who_may_no_longer_import_is_not_imported(app, world):
    """The job checks again: the DSL who added the survey, and so could import its results, is no longer the
    school's DSL when the job runs (they no longer see the assessment): nothing is imported, audited."""
    from portal.accounts.models import Membership
    from portal.extensions import db

    a = world.a
    _assessment_id, method_id = _survey(app, a, by="dsl1")
    upload_id = _waiting_upload(app, a, method_id, GOOD, by="dsl1")
    with _scope(app, a):
        from sqlalchemy import delete

        db.session.execute(delete(Membership).where(Membership.user_id == a.dsl1.id))
        db.session.commit()
    _run_job(app, a, upload_id)

    [upload] = detached_rows(app, SurveyUpload, a.authority_id)
    assert (upload.status, upload.content) == (ImportStatus.REFUSED, None)
    assert upload.file_problem == "The person who uploaded this file may no longer import this survey's results. Nothing has been imported"
    assert _saved(app, a) == ([], [], [])
    [refused] = audit_events(app, a.authority_id, "assessment.survey_import_refused")
    assert (refused.actor_id, refused.details["reason"]) == (None, "requester may no longer import")
    # Someone who still sees the method sees why.
    assert "may no longer import this survey's results" in page_text(signed_in_client(app, a.assessor).get(f"/school-assessments/survey-uploads/{upload_id}"))


def test_a_file_uploaded_by_someone_who_may_see_but_not_edit_the_method_is_not_imported(app, world):
    """The school's DSL sees the assessor's survey but may not import its results: a file stored in their name
    (as if their right had been taken away after the upload) imports nothing."""
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    upload_id = _waiting_upload(app, a, method_id, GOOD, by="dsl1")
    _run_job(app, a, upload_id)
    [upload] = detached_rows(app, SurveyUpload, a.authority_id)
    assert upload.status == ImportStatus.REFUSED and "may no longer import" in upload.file_problem
    assert _saved(app, a) == ([], [], [])


def test_who_may_open_an_upload_page(app, world):
    """Everyone who sees the method sees its uploads (the school's DSL, though they may not import); another
    school's DSL and a member of staff get 404, audited."""
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    response = _upload(signed_in_client(app, a.assessor), method_id, GOOD)
    path = response.headers["Location"]
    page = signed_in_client(app, a.dsl1).get(path)
    assert page.status_code == 200 and "Upload a corrected file" not in page_text(page)
    for person in (a.dsl2, a.staff1):
        assert signed_in_client(app, person).get(path).status_code == 404
    refused = [e for e in audit_events(app, a.authority_id, "access.not_found") if e.object_type == "survey_upload"]
    assert [e.actor_id for e in refused] == [a.dsl2.id, a.staff1.id]
    assert signed_in_client(app, a.assessor).get(f"/school-assessments/survey-uploads/{uuid.uuid4()}").status_code == 404


def test_the_largest_survey_is_imported_by_the_job(app, world):
    """5,000 responses to 60 questions (1.5MB, under the 2MB limit) are checked and imported whole by the job,
    then imported again over themselves. Measured in the test suite: the upload's request, its job and the
    result page take about 0.5 s on SQLite and on PostgreSQL; both imports together 1.1 s on SQLite and
    1.4 s on PostgreSQL (reading the file is most of it: only tallies are saved, 300 answers here)."""
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    assessor = signed_in_client(app, a.assessor)
    choices = ["Yes", "No", "Maybe", "Often", "Never"]
    header = ",".join(f"Question {q}" for q in range(1, 61))
    rows = [",".join(choices[(r + q) % 5] for q in range(60)) for r in range(5000)]
    content = (header + "\r\n" + "\r\n".join(rows) + "\r\n").encode()
    assert len(content) < MAX_BYTES

    started = time.monotonic()
    done = _uploaded(assessor, method_id, content, filename="whole-school.csv")
    took = time.monotonic() - started
    assert "The survey results have been imported: 5,000 responses to 60 questions." in page_text(done), took
    [imported], questions, answers = _saved(app, a)
    assert (imported.respondents, len(questions), len(answers)) == (5000, 60, 300)
    assert all(q.answered == 5000 and not q.free_text for q in questions) and {a.count for a in answers} == {1000}
    assert took < 60, took

    again = _uploaded(assessor, method_id, content, filename="whole-school-again.csv", replaces=_replaces(assessor, method_id))
    assert "5,000 responses to 60 questions" in page_text(again)
    assert [i.filename for i in _saved(app, a)[0]] == ["whole-school-again.csv"]
    print(f"largest survey ({len(content):,} bytes): first import {took:.2f}s, total {time.monotonic() - started:.2f}s")


def test_the_schools_dsl_sees_the_results_but_may_not_import(app, world):
    a = world.a
    assessment_id, method_id = _survey(app, a)
    _uploaded(signed_in_client(app, a.assessor), method_id, GOOD)
    dsl = signed_in_client(app, a.dsl1)

    page = dsl.get(_url(method_id))
    assert page.status_code == 200
    assert ("I feel safe at school 3 of 3 responses answered", [[OTHER, "3", "100%"]]) in _tables(page)
    assert "Import the results again" not in page_text(page) and 'type="file"' not in page.get_data(as_text=True)

    assert _upload(dsl, method_id, "Q1\nNo\n").status_code == 403
    [denied] = audit_events(app, a.authority_id, "access.denied")
    assert (denied.actor_id, denied.object_id) == (a.dsl1.id, str(method_id))
    assert _saved(app, a)[0][0].respondents == 3
    assert len(detached_rows(app, SurveyUpload, a.authority_id)) == 1

    # Without results, the DSL is told none are imported yet (and offered no import).
    _other, empty_id = _survey(app, a)
    assert "No results have been imported yet." in page_text(dsl.get(_url(empty_id)))
    text = page_text(dsl.get(f"/school-assessments/{_other}/methods"))
    assert "Survey results Not imported yet" in text and "Import survey results" not in text

    # A survey the DSL added is theirs to import.
    _mine, mine = _survey(app, a, by="dsl1")
    assert "Import survey results of the survey on 10 February 2026" in page_text(dsl.get(f"/school-assessments/{_mine}/methods"))
    assert "3 responses to 3 questions" in page_text(_uploaded(dsl, mine, GOOD))


def test_a_method_that_is_not_a_survey_has_no_results_page(app, world):
    a = world.a
    _assessment_id, method_id = _survey(app, a, kind="observation")
    assessor = signed_in_client(app, a.assessor)
    assert assessor.get(_url(method_id)).status_code == 404
    assert _upload(assessor, method_id, GOOD).status_code == 404
    assert _saved(app, a) == ([], [], []) and detached_rows(app, SurveyUpload, a.authority_id) == []


def test_the_edit_page_of_a_survey_links_to_its_results(app, world):
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    assessor = signed_in_client(app, a.assessor)
    assert "Import survey results of the survey on 10 February 2026" in page_text(assessor.get(f"/school-assessments/methods/{method_id}/edit"))
    _uploaded(assessor, method_id, GOOD)
    assert "Survey results of the survey on 10 February 2026 : 3 responses" in page_text(assessor.get(f"/school-assessments/methods/{method_id}/edit"))


def test_the_example_file_downloads_and_imports_cleanly(app, world):
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    dsl = signed_in_client(app, a.dsl1)
    response = dsl.get("/school-assessments/survey-example.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.data.decode("utf-8-sig").splitlines()
    assert (
        lines[0]
        == "Timestamp,I feel safe at school,I know who to talk to if I am worried,Where in or around school do you feel least safe?,Anything else you want to tell us?"
    )
    assert len(lines) >= 13
    assert response.data.decode("utf-8-sig") == EXAMPLE_CSV

    assessor = signed_in_client(app, a.assessor)
    _uploaded(assessor, method_id, response.data, filename="survey-results-example.csv")
    [imported], questions, _answers = _saved(app, a)
    assert imported.respondents == len(lines) - 1
    assert [(q.text, q.free_text) for q in questions] == [
        ("I feel safe at school", False),
        ("I know who to talk to if I am worried", False),
        ("Where in or around school do you feel least safe?", False),
        ("Anything else you want to tell us?", True),
    ]

    assert signed_in_client(app, a.staff1).get("/school-assessments/survey-example.csv").status_code == 403


def test_a_fault_on_every_try_imports_nothing_and_the_page_says_so(app, world, monkeypatch):
    """A fault while importing is tried again (three tries in all); while tries are left the upload's page
    still waits, and after the last it says the file was not imported because of a fault. No results."""
    from sqlalchemy import select

    from jobs.models import JobStatus, OutboxJob
    from jobs.runner import run_outbox_job
    from portal.assessments import jobs as assessment_jobs
    from portal.assessments import service
    from portal.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "import_survey", broken)
    a = world.a
    _assessment_id, method_id = _survey(app, a)
    assessor = signed_in_client(app, a.assessor)
    response = _upload(assessor, method_id, GOOD)  # the first try, in the request's own process
    path = response.headers["Location"]
    upload_id = UPLOAD_PATH.fullmatch(path).group(1)
    assert "Your survey results are being imported" in page_text(assessor.get(path))
    with _scope(app, a):
        outbox = db.session.execute(select(OutboxJob).where(OutboxJob.dedupe_key == assessment_jobs.survey_dedupe_key(upload_id))).scalar_one()
        assert (outbox.attempts, outbox.status) == (1, JobStatus.PENDING)
        outbox_id = outbox.id
        db.session.rollback()
    for _ in range(2):
        with app.app_context():
            try:
                run_outbox_job(str(a.authority_id), str(outbox_id))
            except RuntimeError:
                pass
    page = page_text(assessor.get(path))
    assert "because of a fault in the portal" in page
    assert _saved(app, a) == ([], [], [])
    [row] = detached_rows(app, SurveyUpload, a.authority_id)
    assert (row.status, row.content) == (ImportStatus.REFUSED, None)
