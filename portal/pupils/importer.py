"""Reading a school MIS export (CSV) into the register, and the rules shared with the pupil form.

Pure functions, testable without a request: :func:`parse` turns the file's bytes into rows (or a
:class:`FileProblem` about the file as a whole, or a list of :class:`RowError`), and :func:`plan`
matches those rows to the pupils already on the register. ``portal.pupils.service.import_register``
changes the register only when neither found an error, so a file is imported whole or not at all.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from portal.csvfiles import formula_problem
from portal.pupils.models import YEAR_GROUPS, age_on

#: A file larger than this is refused (a school of 3,000 pupils exports well under 1MB).
MAX_BYTES = 2 * 1024 * 1024
MIN_AGE, MAX_AGE = 2, 25

# Unique pupil numbers ---------------------------------------------------------------------------------

#: The DfE's check-letter alphabet: A–Z without I, O and S; a letter's value is its place (A = 0).
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_FORMAT_MESSAGE = "Enter a UPN in the correct format, like A123456789012"
UPN_CHECK_MESSAGE = "Enter a real UPN: the check letter (the first letter) does not match the rest of the UPN. Check it against the pupil's records"
_UPN = re.compile(rf"[{UPN_LETTERS}]\d{{11}}[\d{UPN_LETTERS}]")


def normalise_upn(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def upn_check_letter(upn: str) -> str:
    """The check letter of a UPN from its characters 2 to 13 (DfE: each weighted by its position, 2 to
    13, summed, modulo 23). A letter in place 13 (a temporary UPN) counts as its value in the alphabet."""
    total = 0
    for position, char in enumerate(upn[1:13], start=2):
        value = int(char) if char.isdigit() else UPN_LETTERS.index(char)
        total += value * position
    return UPN_LETTERS[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why a (normalised) UPN is not valid, or ``None``."""
    if not _UPN.fullmatch(upn):
        return UPN_FORMAT_MESSAGE
    if upn[0] != upn_check_letter(upn):
        return UPN_CHECK_MESSAGE
    return None


# Dates of birth ----------------------------------------------------------------------------------------


def date_of_birth_problem(born: date, today: date) -> str | None:
    """Why ``born`` cannot be a pupil's date of birth (the end of a sentence), or ``None``."""
    if born >= today:
        return "must be in the past"
    age = age_on(born, today)
    if not MIN_AGE <= age <= MAX_AGE:
        return f"would make the pupil {age} year{'' if age == 1 else 's'} old: a pupil must be aged {MIN_AGE} to {MAX_AGE}"
    return None


# The file ---------------------------------------------------------------------------------------------


class FileProblem(ValueError):
    """Something wrong with the file as a whole: one message, shown next to the file field."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if not self.column else f"Line {self.line}: {self.column} {self.message}"


@dataclass
class Row:
    """One pupil from the file. ``values`` holds only the columns the file has (a column it does not
    have is left as it is on the register); a UPN cell left empty never clears a UPN."""

    line: int
    values: dict = field(default_factory=dict)
    #: The pupil is leaving: their last day and, when the file says, the URN of the school they go to.
    leaving_on: date | None = None
    destination_urn: str | None = None

    @property
    def upn(self) -> str | None:
        return self.values.get("upn")

    @property
    def name_key(self) -> tuple:
        return name_key(self.values["legal_forename"], self.values["legal_surname"], self.values["date_of_birth"])


def name_key(forename: str, surname: str, born: date) -> tuple:
    return (forename.strip().casefold(), surname.strip().casefold(), born)


#: Field -> the headings it is known by in MIS exports (compared in lower case, spaces collapsed),
#: best first: when a file has two of them, the earlier one is read.
COLUMNS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "unique pupil number"),
    "legal_surname": ("legal surname", "surname", "last name", "family name"),
    "legal_forename": ("legal forename", "forename", "first name", "legal first name", "given name"),
    "preferred_name": ("preferred forename", "preferred name", "known as", "preferred first name"),
    "date_of_birth": ("dob", "date of birth", "birth date", "d.o.b."),
    "year_group": ("year group", "nc year", "national curriculum year", "year"),
    "sen": ("sen status", "sen", "sen provision", "sen stage"),
    "looked_after": ("looked after", "in care", "cla", "lac", "child looked after"),
    "child_protection_plan": ("child protection plan", "cp plan", "cpp"),
    "eal": ("eal", "first language", "home language"),
    "leaving_date": ("leaving date", "date of leaving", "leave date", "date left", "leaving"),
    "destination_urn": ("destination urn", "destination school urn", "next school urn", "new school urn"),
}
REQUIRED = {"legal_surname": "surname", "legal_forename": "forename", "date_of_birth": "date of birth"}
EXAMPLE_HEADINGS = {
    "legal_surname": "Legal Surname or Surname",
    "legal_forename": "Legal Forename, Forename or First Name",
    "date_of_birth": "Date of Birth or DOB",
}


def _heading(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.replace("\ufeff", "")).strip().casefold()


def _columns(header: list[str]) -> dict[str, tuple[int, str]]:
    """Field -> (index, heading as written) for the columns this header row has."""
    found: dict[str, tuple[int, str, int]] = {}
    for index, text in enumerate(header):
        heading = _heading(text)
        for name, aliases in COLUMNS.items():
            if heading in aliases:
                rank = aliases.index(heading)
                if name not in found or rank < found[name][2]:
                    found[name] = (index, text.strip(), rank)
    return {name: (index, text) for name, (index, text, _) in found.items()}


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise FileProblem("The selected file must be smaller than 2MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem("The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'") from None
    if "\x00" in text:
        raise FileProblem("The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'")
    if not text.strip():
        raise FileProblem("The selected file is empty")
    return text


def check_file(data: bytes) -> int:
    """Whether ``data`` can be read as a register at all (cheap enough for the upload's own request): the
    number of pupils' lines, or :class:`FileProblem`. The rows are checked by :func:`parse`, in a job."""
    records, _columns = _records(data)
    return len(records) - 1


def parse(data: bytes, today: date) -> tuple[list[Row], list[RowError]]:
    """The pupils in a CSV file, and every problem with its rows. Raises :class:`FileProblem` for a
    file that cannot be read as a register at all."""
    records, columns = _records(data)
    rows, errors = [], []
    for line, cells in records[1:]:
        row, row_errors = _read_row(line, cells, columns, today)
        errors += row_errors
        if not row_errors:
            rows.append(row)
    errors += _duplicates(rows, [e.line for e in errors])
    return rows, sorted(errors, key=lambda e: e.line)


def _records(data: bytes) -> tuple[list[tuple[int, list[str]]], dict[str, tuple[int, str]]]:
    """The file's non-empty lines (line number, cells), the headings first; and its known columns."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        records = []
        line = 1
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error:
        raise FileProblem(f"The selected file could not be read as a CSV file (a problem near line {reader.line_num})") from None
    records = [(line, cells) for line, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        raise FileProblem("The selected file is empty")
    header_line, header = records[0]
    known = [text.strip() for text in header if any(_heading(text) in aliases for aliases in COLUMNS.values())]
    twice = next((text for index, text in enumerate(known) if _heading(text) in {_heading(t) for t in known[:index]}), None)
    if twice is not None:
        raise FileProblem(f'The column heading "{twice}" is in the file more than once: each column must be in the file once, so remove the other one')
    columns = _columns(header)
    if not columns:
        raise FileProblem(
            "The first line of the file must be the column headings, like UPN, Legal Surname, Legal Forename, Date of Birth. "
            "Download the example file to see them"
        )
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        wanted = [f"{REQUIRED[n]} (headed {EXAMPLE_HEADINGS[n]})" for n in missing]
        wanted_text = wanted[0] if len(wanted) == 1 else ", ".join(wanted[:-1]) + " and " + wanted[-1]
        raise FileProblem(f"The file must have a column for each pupil's {wanted_text}")
    if len(records) == 1:
        raise FileProblem("The selected file has column headings but no pupils")
    return records, columns


def _duplicates(rows: list[Row], bad_lines) -> list[RowError]:
    """The same UPN twice, or (with no UPN) the same name and date of birth twice."""
    errors = []
    seen_upn: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    for row in rows:
        if row.upn:
            if row.upn in seen_upn:
                errors.append(RowError(row.line, "UPN", f"{row.upn} is also on line {seen_upn[row.upn]}: each pupil must be in the file once"))
            seen_upn.setdefault(row.upn, row.line)
        else:
            if row.name_key in seen_name:
                errors.append(
                    RowError(
                        row.line, "", f"the same pupil (name and date of birth) is also on line {seen_name[row.name_key]}: each pupil must be in the file once"
                    )
                )
            seen_name.setdefault(row.name_key, row.line)
    return errors


def _read_row(line: int, cells: list[str], columns: dict, today: date) -> tuple[Row, list[RowError]]:
    row, errors = Row(line), []

    def cell(name: str) -> tuple[str, str]:
        index, heading = columns[name]
        return (cells[index].strip() if index < len(cells) else ""), heading

    for name in ("legal_forename", "legal_surname"):
        value, heading = cell(name)
        if not value:
            errors.append(RowError(line, heading, "is empty: every pupil needs a legal forename and surname"))
        elif len(value) > 100:
            errors.append(RowError(line, heading, "must be 100 characters or fewer"))
        elif formula_problem(value):
            errors.append(RowError(line, heading, formula_problem(value)))
        row.values[name] = value

    if "preferred_name" in columns:
        value, heading = cell("preferred_name")
        if len(value) > 100:
            errors.append(RowError(line, heading, "must be 100 characters or fewer"))
        elif formula_problem(value):
            errors.append(RowError(line, heading, formula_problem(value)))
        row.values["preferred_name"] = value or None

    value, heading = cell("date_of_birth")
    try:
        born = parse_date(value)
    except ValueError as exc:
        errors.append(RowError(line, heading, str(exc)))
    else:
        problem = date_of_birth_problem(born, today)
        if problem:
            errors.append(RowError(line, heading, f"'{value}' {problem}"))
        row.values["date_of_birth"] = born

    if "upn" in columns:
        value, heading = cell("upn")
        upn = normalise_upn(value)
        if upn:
            problem = upn_problem(upn)
            if problem == UPN_FORMAT_MESSAGE:
                errors.append(RowError(line, heading, f"'{value}' is not in the correct format: a UPN is a letter then 12 digits, like A123456789012"))
            elif problem:
                errors.append(RowError(line, heading, f"'{value}' is not a real UPN: its check letter does not match the rest of it"))
            row.values["upn"] = upn

    readers = {"year_group": parse_year_group, "sen": parse_sen, "looked_after": parse_yes_no, "child_protection_plan": parse_yes_no}
    for name, read in readers.items():
        if name in columns:
            value, heading = cell(name)
            try:
                row.values[name] = read(value)
            except ValueError as exc:
                errors.append(RowError(line, heading, f"'{value}' {exc}"))

    if "leaving_date" in columns:
        value, heading = cell("leaving_date")
        if value:
            try:
                row.leaving_on = parse_date(value)
            except ValueError as exc:
                errors.append(RowError(line, heading, str(exc)))
    if "destination_urn" in columns:
        value, heading = cell("destination_urn")
        if value and not re.fullmatch(r"\d{6}", value):
            errors.append(RowError(line, heading, f"'{value}' is not a URN: a URN is 6 digits, like 123456"))
        elif value and row.leaving_on is None:
            errors.append(RowError(line, heading, "is given without a leaving date: add the date the pupil leaves"))
        row.destination_urn = value or None

    if "eal" in columns:
        value, heading = cell("eal")
        read = parse_yes_no if _heading(heading) == "eal" else parse_first_language
        try:
            row.values["eal"] = read(value)
        except ValueError as exc:
            errors.append(RowError(line, heading, f"'{value}' {exc}"))
    return row, errors


# Cell values --------------------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


def parse_date(value: str) -> date:
    """A date written DD/MM/YYYY or YYYY-MM-DD (a time after it, as some exports add, is ignored)."""
    if not value:
        raise ValueError("is empty: every pupil needs a date of birth")
    if match := _DMY.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(f"'{value}' is not a date written as DD/MM/YYYY (like 14/03/2015) or YYYY-MM-DD")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date") from None


def parse_year_group(value: str) -> str | None:
    """``Year 7``, ``Y7``, ``07``, ``R``, ``Reception``, ``N1``, ``Nursery 1`` -> the register's codes."""
    text = re.sub(r"[\s.]+", " ", value).strip().upper()
    if not text:
        return None
    if text in {"R", "REC", "RECEPTION", "YR", "YEAR R"}:
        return "R"
    nursery = re.fullmatch(r"(?:N|NURSERY ?)([12])", text)
    if nursery:
        return f"N{nursery.group(1)}"
    year = re.fullmatch(r"(?:YEAR|YR|Y)? ?0*(\d{1,2})", text)
    if year and year.group(1) in YEAR_GROUPS:
        return year.group(1)
    raise ValueError("is not a year group: use R, N1, N2 or a year from 1 to 14, like 'Year 7' or '7'")


_YES = {"Y", "YES", "TRUE", "T", "1"}
_NO = {"N", "NO", "FALSE", "F", "0", ""}


def parse_yes_no(value: str) -> bool:
    text = value.strip().upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError("is not Y or N (Yes or No, TRUE or FALSE are also accepted)")


#: SEN codes in MIS exports: N none; K SEN support, E EHC plan, S statement (and the older A, P).
_SEN_YES = _YES | {"K", "E", "S", "A", "P", "SEN SUPPORT", "EHCP", "EHC PLAN", "EHC", "STATEMENT", "SCHOOL ACTION", "SCHOOL ACTION PLUS"}
_SEN_NO = _NO | {"NONE", "NO SEN", "NOT SEN"}


def parse_sen(value: str) -> bool:
    text = re.sub(r"\s+", " ", value).strip().upper()
    if text in _SEN_YES:
        return True
    if text in _SEN_NO:
        return False
    raise ValueError("is not a SEN status: use N (none), K (SEN support) or E (EHC plan), or Y or N")


#: First-language entries that do not mean EAL: English, believed English, and 'not known' codes.
_NOT_EAL = {"ENG", "ENGLISH", "ENB", "BELIEVED TO BE ENGLISH", "NOT", "NOT OBTAINED", "INFORMATION NOT OBTAINED", "REF", "REFUSED", "UNKNOWN", "NOT KNOWN"}


def parse_first_language(value: str) -> bool:
    """EAL is yes when a first language other than English is given (or the column says Y)."""
    text = re.sub(r"\s+", " ", value).strip().upper()
    if text in _YES:
        return True
    if text in _NO or text in _NOT_EAL:
        return False
    return True


# Matching rows to the register --------------------------------------------------------------------------


@dataclass
class Plan:
    creates: list[Row] = field(default_factory=list)
    #: (pupil, row, names of the fields that change)
    updates: list[tuple] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: (pupil, row) of the rows that change nothing on the register (a leaving date may still be given).
    same: list[tuple] = field(default_factory=list)
    #: What was done about the pupils the file says are leaving, for the DSL.
    leaving_notes: list[str] = field(default_factory=list)


def plan(rows: list[Row], existing) -> Plan:
    """Match each row to a pupil on the register: by UPN, else by legal forename, legal surname and date
    of birth (ignoring case). ``existing`` is every pupil of the school (including those who left)."""
    by_upn = {p.upn: p for p in existing if p.upn}
    by_name: dict[tuple, list] = {}
    for pupil in existing:
        by_name.setdefault(name_key(pupil.legal_forename, pupil.legal_surname, pupil.date_of_birth), []).append(pupil)

    result = Plan()
    claimed: dict = {}
    for row in rows:
        pupil = by_upn.get(row.upn) if row.upn else None
        if pupil is None:
            candidates = by_name.get(row.name_key, [])
            if len(candidates) > 1:
                result.errors.append(
                    RowError(row.line, "", "more than one pupil on the register has this name and date of birth: add the pupil's UPN so we know which one")
                )
                continue
            if candidates:
                pupil = candidates[0]
                if row.upn and pupil.upn and pupil.upn != row.upn:
                    result.errors.append(
                        RowError(row.line, "", f"a pupil with this name and date of birth is on the register with a different UPN ({pupil.upn}): check the UPN")
                    )
                    continue
        if pupil is None:
            result.creates.append(row)
            continue
        if pupil.id in claimed:
            result.errors.append(RowError(row.line, "", f"this is the same pupil as line {claimed[pupil.id]}: each pupil must be in the file once"))
            continue
        claimed[pupil.id] = row.line
        changed = [name for name, value in row.values.items() if getattr(pupil, name) != value]
        if changed:
            result.updates.append((pupil, row, changed))
        else:
            result.unchanged += 1
            result.same.append((pupil, row))
    return result


EXAMPLE_CSV = (
    "UPN,Legal Surname,Legal Forename,Preferred Forename,Date of Birth,Year Group,SEN Status,In Care,CP Plan,First Language\r\n"
    "A123456789012,Example,Samuel,Sam,14/03/2015,Year 6,N,N,N,English\r\n"
    "H801200001001,Sample,Amira,,02/09/2012,Year 9,K,N,N,Arabic\r\n"
)
