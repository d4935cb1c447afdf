"""CSV injection: text a spreadsheet would run as a formula never leaves the portal as one, and never gets
in through a register file as a pupil's name."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from portal.csvfiles import csv_text, safe_cell
from portal.pupils.importer import parse

DANGEROUS = ['=HYPERLINK("http://evil.example","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("typed", DANGEROUS)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(typed):
    written = csv_text([["Name"], [typed]])
    assert written.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(written.removeprefix("\ufeff"), newline="")))
    assert rows[1] == ["'" + typed]


def test_ordinary_text_is_written_as_it_is():
    assert [safe_cell(v) for v in ("Jordan", "O'Brien", "3 April 2014", 12, None, "A=B")] == ["Jordan", "O'Brien", "3 April 2014", "12", "", "A=B"]


def test_every_csv_the_portal_writes_goes_through_csvfiles():
    """A new export cannot write CSV around the rule: csv.writer and DictWriter appear only in
    portal/csvfiles.py."""
    root = Path(__file__).resolve().parents[2] / "portal"
    writers = [str(path.relative_to(root)) for path in root.rglob("*.py") if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())]
    assert writers == ["csvfiles.py"]


@pytest.mark.parametrize("column, typed", [("Legal Forename", '=HYPERLINK("x")'), ("Legal Surname", "@SUM(A1)"), ("Preferred Forename", "+cmd")])
def test_a_register_file_cannot_bring_in_a_formula_as_a_name(column, typed):
    cells = {"Legal Surname": "Example", "Legal Forename": "Jordan", "Preferred Forename": "", "Date of Birth": "14/03/2015"} | {column: typed}
    out = io.StringIO()
    csv.writer(out).writerows([list(cells), list(cells.values())])  # as an MIS would write it
    rows, problems = parse(out.getvalue().encode(), date(2026, 12, 7))
    assert rows == [] and len(problems) == 1
    assert problems[0].column == column and "cannot start with =, +, -, @ or a tab" in problems[0].message
