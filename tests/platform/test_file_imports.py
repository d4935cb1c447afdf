"""A refused file keeps only the first problems of its lines to show, and counts them all
(``portal.file_imports.refuse``)."""

from __future__ import annotations

from types import SimpleNamespace

from portal.file_imports import ImportStatus, refuse


def _upload():
    return SimpleNamespace(status=ImportStatus.CHECKING, finished_at=None, content=b"a,b\n", file_problem=None, problems=[], problem_count=0)


def _problem(line):
    return SimpleNamespace(line=line, column="UPN", message=f"Problem on line {line}")


def test_a_refusal_keeps_the_first_problems_and_counts_them_all():
    row = _upload()
    refuse(row, kept=2, problems=[_problem(n) for n in range(2, 7)])
    assert (row.status, row.content, row.file_problem) == (ImportStatus.REFUSED, None, None)
    assert row.finished_at is not None
    assert row.problems == [[2, "UPN", "Problem on line 2"], [3, "UPN", "Problem on line 3"]]
    assert row.problem_count == 5


def test_a_problem_with_the_whole_file_counts_as_one():
    row = _upload()
    refuse(row, kept=2, file_problem="The file is empty")
    assert (row.status, row.content, row.file_problem, row.problems, row.problem_count) == (ImportStatus.REFUSED, None, "The file is empty", [], 1)
