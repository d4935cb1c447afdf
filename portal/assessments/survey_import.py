"""Reading the results of a survey from a CSV export (Microsoft Forms, Google Forms, a spreadsheet) into
tallies, with no database: :func:`read_survey` checks the whole file and returns either the tallies or
every problem with its line and column, so the job imports a file whole or not at all (:func:`check_file`
is the quick check the upload's own request makes).

Only tallies are kept: how many answered each question and how many gave each answer. A question whose
answers are mostly different (more than :data:`MAX_CHOICES` distinct answers, or, in a small survey, at
least :data:`MIN_ALL_DIFFERENT` answers all different from each other) is free text: its answers are not
kept, because they may name a child; only how many answered it. Answers differing only in capitals count
as one (shown as the spelling most gave); an answer given by fewer than :data:`MIN_COUNT` people is not
kept as itself but counted in "Other answers". A column whose heading looks like
it identifies who answered (a name, an email address, a UPN...) is refused: the file must not hold it.
Metadata columns that survey tools add (a timestamp, a response id) are ignored.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

#: A file larger than this is refused (5,000 responses to 60 short questions fit well within it).
MAX_BYTES = 2 * 1024 * 1024
MAX_QUESTIONS = 60
MAX_RESPONSES = 5000
#: A question with more distinct answers than this is free text: its answers are not kept.
MAX_CHOICES = 12
#: A question answered this many times or more with every answer different is free text too (a small
#: survey's free-text question has fewer than 12 answers, but nobody gives the same one).
MIN_ALL_DIFFERENT = 4
#: An answer given by fewer people than this is not kept as itself: such answers are counted together
#: as :data:`OTHER` (a rare answer can be a sentence, and can point to one young person).
MIN_COUNT = 3
OTHER = "Other answers (each given by fewer than 3 people)"
MAX_ANSWER = 200
MAX_QUESTION = 1000

#: Columns survey tools add that are not questions (compared in lower case): ignored.
METADATA = frozenset({"timestamp", "id", "start time", "completion time", "last modified time"})
#: Column headings that identify who answered (compared in lower case, punctuation removed): refused.
IDENTIFYING = frozenset(
    {
        "name",
        "first name",
        "surname",
        "last name",
        "full name",
        "email",
        "e mail",
        "email address",
        "e mail address",
        "upn",
        "date of birth",
        "dob",
        "student id",
        "pupil id",
        "address",
        "postcode",
        "post code",
        "phone",
        "phone number",
        "telephone",
        "telephone number",
        "mobile",
        "mobile number",
        "d o b",
    }
)
#: Words before a heading that still make it identifying ("Your name", "Pupil's email").
_OWNERS = ("your ", "student ", "students ", "pupil ", "pupils ", "child ", "childs ", "respondent ", "respondents ")

NOT_UTF8 = "The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'"


@dataclass(frozen=True)
class Problem:
    """One problem in the file: its line (the header row is line 1), its column (a spreadsheet letter and
    heading, like 'C ("Email")', or empty for the whole line) and what to do about it. Never quotes what
    someone answered."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class Question:
    """One question (a column of the file) and its tallies."""

    position: int
    column: str
    text: str
    answered: int = 0
    free_text: bool = False
    #: (answer, how many gave it), most given first; empty for a free-text question.
    answers: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Result:
    """What :func:`read_survey` found. ``problem`` is about the file as a whole (nothing else was checked);
    ``errors`` are the problems of its lines. The file may be imported only when ``ok``."""

    filename: str
    respondents: int = 0
    questions: list[Question] = field(default_factory=list)
    #: The headings of the metadata columns that were ignored.
    ignored: list[str] = field(default_factory=list)
    problem: str | None = None
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.errors

    @property
    def error_count(self) -> int:
        return 1 if self.problem else len(self.errors)

    @property
    def free_text_questions(self) -> int:
        return sum(1 for q in self.questions if q.free_text)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def clean_filename(filename: str | None) -> str:
    """The file's own name (no folders), at most 255 characters."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    return name[:255] or "survey.csv"


def _heading(text: str) -> str:
    """A heading compared with the lists above: lower case, punctuation and extra spaces removed."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|_", " ", text)).strip().casefold()


#: Words that make any heading identifying wherever they appear ("What is your name?", "Name of pupil",
#: "Username", "Candidate number"): the column is refused, even if it is a question about something else
#: ("Can you name an adult you trust?") — remove it, and summarise what it asked in what was found.
IDENTIFYING_WORDS = frozenset(
    {"name", "names", "forename", "surname", "username", "email", "upn", "dob", "postcode", "address", "phone", "mobile", "telephone"}
)
IDENTIFYING_PHRASES = (
    "e mail",
    "date of birth",
    "student id",
    "pupil id",
    "student number",
    "pupil number",
    "candidate number",
    "admission number",
    "post code",
    "d o b",
)


def identifies(heading: str) -> bool:
    """Does a column heading look like it identifies who answered (or asks for a name)?"""
    text = _heading(re.sub(r"\([^)]*\)", " ", heading.replace("'", "").replace("\u2019", "")))
    if text in IDENTIFYING:
        return True
    if any(text.startswith(owner) and text[len(owner) :] in IDENTIFYING for owner in _OWNERS):
        return True
    words = text.split()
    padded = f" {text} "
    return any(word in IDENTIFYING_WORDS for word in words) or any(f" {phrase} " in padded for phrase in IDENTIFYING_PHRASES)


def is_metadata(heading: str) -> bool:
    return re.sub(r"\s+", " ", heading).strip().casefold() in METADATA


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(NOT_UTF8) from None
    if "\x00" in text:
        raise ValueError(NOT_UTF8)
    return text


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Each row of the file with the line it starts on; blank rows left out."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records, line = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error:
        raise ValueError(f"The selected file could not be read as a CSV file (a problem near line {reader.line_num or 1})") from None
    return records


def _number(n: int) -> str:
    return f"{n:,}"


class FileProblem(ValueError):
    """The file cannot be read as a survey at all (too large, not UTF-8, not CSV, empty, no responses, too
    many): nothing else about it is checked."""


def _file_records(data: bytes) -> list[tuple[int, list[str]]]:
    """The file's rows (the header row first), or :class:`FileProblem`."""
    if len(data) > MAX_BYTES:
        raise FileProblem("The selected file must be smaller than 2MB")
    try:
        records = _records(_decode(data))
    except ValueError as exc:
        raise FileProblem(str(exc)) from None
    if not records:
        raise FileProblem("The selected file is empty")
    responses = len(records) - 1
    if not responses:
        raise FileProblem("The selected file has a header row of questions but no responses: each response must be a row under the header row")
    if responses > MAX_RESPONSES:
        raise FileProblem(
            f"The selected file has {_number(responses)} responses: a file can have at most {_number(MAX_RESPONSES)}. Split it into smaller files, or import a sample"
        )
    return records


def check_file(data: bytes) -> int:
    """Whether ``data`` can be read as a survey at all (cheap enough for the upload's own request): the
    number of responses, or :class:`FileProblem`. The questions and answers are checked by
    :func:`read_survey`, in a job (``portal.assessments.jobs``)."""
    return len(_file_records(data)) - 1


def read_survey(data: bytes, filename: str | None = None) -> Result:
    """The tallies of a survey's CSV export, or every problem with it (see the module's docstring)."""
    result = Result(filename=clean_filename(filename))
    try:
        records = _file_records(data)
    except FileProblem as problem:
        result.problem = str(problem)
        return result

    header_line, header = records[0]
    responses = records[1:]
    width = len(header)
    rows = []  # the rows with the header's number of columns
    for line, cells in responses:
        if len(cells) != width:
            result.errors.append(
                Problem(
                    line,
                    "",
                    f"Line {line} has {len(cells)} column{'' if len(cells) == 1 else 's'} but the header row has {width}: every response needs a cell for each column, even if it is empty",
                )
            )
        else:
            rows.append((line, cells))

    columns = _question_columns(header, header_line, rows, result)
    if result.problem:
        result.errors.clear()
        return result
    result.respondents = len(responses)
    result.questions = [question for _index, question in columns]
    for index, question in columns:
        _tally(index, question, rows, result)
    result.errors.sort(key=lambda p: p.line)
    return result


def _question_columns(header: list[str], line: int, rows, result: Result) -> list[tuple[int, Question]]:
    """The questions of the header row (with their column index); problems with the header added to
    ``result``."""
    columns: list[tuple[int, Question]] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        text = re.sub(r"\s+", " ", raw).strip()
        letter = column_letter(index)
        where = f'{letter} ("{text}")' if text else letter
        if not text:
            if any(cells[index].strip() for _line, cells in rows):
                result.errors.append(Problem(line, letter, f"Column {letter} has answers but no question in the header row: add the question as its heading"))
            continue  # an empty column, as spreadsheets sometimes add at the end: ignored
        if identifies(text):
            result.errors.append(
                Problem(line, where, f'Column {letter}, "{text}", looks like it identifies who answered: remove it from the file and import it again')
            )
            continue
        if is_metadata(text):
            result.ignored.append(text)
            continue
        key = text.casefold()
        if key in seen:
            result.errors.append(
                Problem(line, where, f'Column {letter} has the same question as column {seen[key]}, "{text}": each question must be in the file once')
            )
            continue
        seen[key] = letter
        if len(text) > MAX_QUESTION:
            result.errors.append(
                Problem(line, letter, f"Column {letter}'s question is longer than {_number(MAX_QUESTION)} characters: shorten it in the header row")
            )
            continue
        columns.append((index, Question(position=len(columns) + 1, column=letter, text=text)))
    if not columns and not result.errors:
        result.problem = "The selected file has no questions: the first row must be the questions, one a column, like the example file"
    elif len(columns) > MAX_QUESTIONS:
        result.problem = f"The selected file has {len(columns)} questions: a file can have at most {MAX_QUESTIONS}. Split the survey into smaller files"
    return columns


def _tally(index: int, question: Question, rows, result: Result) -> None:
    answers = [(line, cells[index].strip()) for line, cells in rows]
    answers = [(line, answer) for line, answer in answers if answer]
    question.answered = len(answers)
    spellings = Counter(answer for _line, answer in answers)
    counts: Counter = Counter()
    shown: dict[str, str] = {}
    for answer, count in sorted(spellings.items(), key=lambda item: (-item[1], item[0])):
        key = answer.casefold()
        shown.setdefault(key, answer)  # the spelling most gave
        counts[shown[key]] += count
    if len(counts) > MAX_CHOICES or (len(answers) >= MIN_ALL_DIFFERENT and len(counts) == len(answers)):
        question.free_text = True  # its answers are not kept, not even checked: they may name a child
        return
    for line, answer in answers:
        if len(answer) > MAX_ANSWER:
            result.errors.append(
                Problem(
                    line,
                    f'{question.column} ("{question.text}")',
                    f"The answer in column {question.column} is {len(answer)} characters long: an answer must be {MAX_ANSWER} characters or fewer",
                )
            )
    kept = {answer: count for answer, count in counts.items() if count >= MIN_COUNT}
    rare = sum(count for count in counts.values() if count < MIN_COUNT)
    question.answers = sorted(kept.items(), key=lambda item: (-item[1], item[0].casefold(), item[0])) + ([(OTHER, rare)] if rare else [])


#: The example file offered for download: a Timestamp column (ignored) and four questions of a school's
#: survey about safety, with made-up responses and no names. The last question is free text (more than
#: twelve different answers), so only how many answered it is imported.
EXAMPLE_CSV = (
    "Timestamp,I feel safe at school,I know who to talk to if I am worried,Where in or around school do you feel least safe?,Anything else you want to tell us?\r\n"
    "04/03/2026 09:12:31,Agree,Yes,The bus stop,I like my form tutor\r\n"
    "04/03/2026 09:13:02,Strongly agree,Yes,Nowhere,\r\n"
    "04/03/2026 09:14:45,Disagree,No,The toilets,People film in the toilets sometimes\r\n"
    "04/03/2026 09:15:10,Agree,Yes,The corridor by the sports hall,It gets crowded between lessons\r\n"
    "04/03/2026 09:16:27,Not sure,Not sure,The bus stop,\r\n"
    "04/03/2026 09:17:03,Agree,Yes,The field at lunchtime,More staff outside at lunch please\r\n"
    "04/03/2026 09:18:44,Strongly disagree,No,The bus stop,Older boys wait outside the gates after school\r\n"
    "04/03/2026 09:19:15,Agree,Yes,Nowhere,No\r\n"
    "04/03/2026 09:20:38,Strongly agree,Yes,The toilets,The new CCTV helps\r\n"
    "04/03/2026 09:21:52,Agree,Not sure,The corridor by the sports hall,Year 11s push in the lunch queue\r\n"
    "04/03/2026 09:23:09,Disagree,Yes,The bus stop,I don't like walking home in the dark\r\n"
    '04/03/2026 09:24:30,Agree,Yes,The field at lunchtime,"Teachers listen, but nothing changes"\r\n'
    "04/03/2026 09:25:47,Agree,Yes,The park next to school,The park is scary after school\r\n"
    "04/03/2026 09:26:15,Strongly agree,Yes,Nowhere,Thank you for asking us\r\n"
    "04/03/2026 09:27:58,Not sure,No,The toilets,Some people say horrible things online\r\n"
    "04/03/2026 09:29:21,Agree,Yes,The bus stop,I want more clubs after school\r\n"
)
