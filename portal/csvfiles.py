"""CSV files the portal writes, and the one rule for text a spreadsheet would run: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel, LibreOffice and Sheets
(OWASP "CSV injection"), so it is written with a leading apostrophe, which they show as text. Every CSV
the portal writes goes through :func:`csv_text` (a test refuses ``csv.writer`` anywhere else); text read
from CSV files is refused at the door where it can only be a formula (a pupil's name, ``formula_problem``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

#: What makes a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as a cell's text, neutralised if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(rows: Iterable[Iterable[object]], *, byte_order_mark: bool = True) -> str:
    """``rows`` as CSV text (CRLF line ends, every cell safe), with the byte-order mark Excel needs to read
    UTF-8 unless told not to."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" if byte_order_mark else "") + out.getvalue()


def formula_problem(value: str) -> str | None:
    """Why ``value`` (a name read from a CSV file) cannot be saved, if it would be a formula."""
    if value.startswith(FORMULA_START):
        return f"'{value[:20]}' cannot start with =, +, -, @ or a tab: a spreadsheet would run it as a formula"
    return None
