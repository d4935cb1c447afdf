"""The rules of the register without a request: the UPN check letter, and reading a school MIS export
(headings and their aliases, values, dates, and every problem with its line number)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest

from portal.pupils import importer

TODAY = date(2026, 3, 1)


def _parse(text: str, encoding: str = "utf-8"):
    return importer.parse(text.encode(encoding), TODAY)


def _problem(text: str) -> str:
    with pytest.raises(importer.FileProblem) as caught:
        _parse(text)
    return str(caught.value)


# UPNs -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("upn", ["A123456789012", "H801200001001", "F999999999999", "X80120000100C"])
def test_valid_upns_pass(upn):
    """Are UPNs whose first letter is the check letter of the other twelve characters accepted?"""
    assert importer.upn_problem(upn) is None


def test_check_letter_follows_the_dfe_calculation():
    """Is the check letter the DfE's: characters 2–13 weighted 2–13, summed, modulo 23, read from the
    alphabet without I, O and S (a temporary UPN's final letter counts as its place in that alphabet)?"""
    # 1×2 + 2×3 + … + 2×13 = 368; 368 mod 23 = 0 -> A
    assert importer.upn_check_letter("?123456789012") == "A"
    # 8×2 + 1×4 + 2×5 + 1×10 + 1×13 = 53; 53 mod 23 = 7 -> H
    assert importer.upn_check_letter("?801200001001") == "H"
    # a temporary UPN ending in C (value 2): 16 + 4 + 10 + 10 + 2×13 = 66; 66 mod 23 = 20 -> X
    assert importer.upn_check_letter("?80120000100C") == "X"
    assert importer.upn_problem("X80120000100C") is None


@pytest.mark.parametrize(
    "upn, message",
    [
        ("B123456789012", importer.UPN_CHECK_MESSAGE),  # wrong check letter
        ("A123456789021", importer.UPN_CHECK_MESSAGE),  # two digits swapped
        ("A12345678901", importer.UPN_FORMAT_MESSAGE),  # 12 characters
        ("I123456789012", importer.UPN_FORMAT_MESSAGE),  # I is never a check letter
        ("1234567890123", importer.UPN_FORMAT_MESSAGE),  # no letter
        ("A12345678901I", importer.UPN_FORMAT_MESSAGE),
    ],
)
def test_invalid_upns_are_refused(upn, message):
    assert importer.upn_problem(upn) == message


# Reading a file ---------------------------------------------------------------------------------------------


def test_aliases_any_case_bom_and_both_date_formats():
    """Are headings read whatever their capitals and by their usual aliases, a BOM ignored, and dates
    read as DD/MM/YYYY or YYYY-MM-DD?"""
    rows, errors = _parse(
        "\ufeffsurname,FIRST NAME,Known As,Date of Birth,NC Year,SEN,Looked After,Child Protection Plan,EAL,Favourite colour\n"
        "Example,Jordan,Jo,14/03/2015,Year 6,K,Yes,TRUE,Y,blue\n"
        "Sample,Amira,,2012-09-02,R,EHCP,No,FALSE,N,\n"
        "Jones,Sam,,1/9/2020,n1,N,n,0,,\n"
    )
    assert errors == []
    assert [r.values for r in rows] == [
        {
            "legal_forename": "Jordan",
            "legal_surname": "Example",
            "preferred_name": "Jo",
            "date_of_birth": date(2015, 3, 14),
            "year_group": "6",
            "sen": True,
            "looked_after": True,
            "child_protection_plan": True,
            "eal": True,
        },
        {
            "legal_forename": "Amira",
            "legal_surname": "Sample",
            "preferred_name": None,
            "date_of_birth": date(2012, 9, 2),
            "year_group": "R",
            "sen": True,
            "looked_after": False,
            "child_protection_plan": False,
            "eal": False,
        },
        {
            "legal_forename": "Sam",
            "legal_surname": "Jones",
            "preferred_name": None,
            "date_of_birth": date(2020, 9, 1),
            "year_group": "N1",
            "sen": False,
            "looked_after": False,
            "child_protection_plan": False,
            "eal": False,
        },
    ]
    assert [r.line for r in rows] == [2, 3, 4]


def test_more_aliases_and_values():
    """Are the other usual headings read (Legal Surname, Legal Forename, Preferred Forename, DOB, Year
    Group, SEN Status, In Care, CP Plan, First Language), and EAL set from a first language other than
    English?"""
    rows, errors = _parse(
        "UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Year Group,SEN Status,In Care,CP Plan,First Language\n"
        "a123456789012,Example,Jordan,,14/03/2015,7,SEN support,Y,N,Polish\n"
        ",Sample,Amira,,02/09/2012,Reception,N,N,Y,English\n"
        ",Jones,Sam,,2016-01-01,Y11,E,N,N,\n"
    )
    assert errors == []
    assert [(r.upn, r.values["year_group"], r.values["sen"], r.values["looked_after"], r.values["child_protection_plan"], r.values["eal"]) for r in rows] == [
        ("A123456789012", "7", True, True, False, True),
        (None, "R", False, False, True, False),
        (None, "11", True, False, False, False),
    ]


def test_columns_the_file_lacks_are_not_in_the_row():
    """Does a file without (say) SEN or year group columns leave those out, so an update keeps them?"""
    rows, errors = _parse("Forename,Surname,DOB\nJordan,Example,14/03/2015\n")
    assert errors == []
    assert rows[0].values == {"legal_forename": "Jordan", "legal_surname": "Example", "date_of_birth": date(2015, 3, 14)}


def test_every_row_problem_is_listed_with_its_line_and_column():
    """Is every problem of every row found, each with its line number (the heading is line 1, blank
    lines count) and the column as headed in the file?"""
    rows, errors = _parse(
        "UPN,Surname,Forename,Date of Birth,Year,SEN,In Care\n"
        "A123456789012,Example,Jordan,14/03/2015,6,N,N\n"
        "\n"
        "B123456789012,Sample,Amira,31/02/2015,6,N,N\n"
        ",,Sam,03-04-2015,Year 15,maybe,perhaps\n"
        "A123456789012,Twin,Jordan,14/03/2015,6,N,N\n"
        ",Old,Person,01/01/1990,,N,N\n"
        ",Future,Child,01/01/2027,,N,N\n"
    )
    assert [str(e) for e in errors] == [
        "Line 4: Date of Birth '31/02/2015' is not a real date",
        "Line 4: UPN 'B123456789012' is not a real UPN: its check letter does not match the rest of it",
        "Line 5: Surname is empty: every pupil needs a legal forename and surname",
        "Line 5: Date of Birth '03-04-2015' is not a date written as DD/MM/YYYY (like 14/03/2015) or YYYY-MM-DD",
        "Line 5: Year 'Year 15' is not a year group: use R, N1, N2 or a year from 1 to 14, like 'Year 7' or '7'",
        "Line 5: SEN 'maybe' is not a SEN status: use N (none), K (SEN support) or E (EHC plan), or Y or N",
        "Line 5: In Care 'perhaps' is not Y or N (Yes or No, TRUE or FALSE are also accepted)",
        "Line 6: UPN A123456789012 is also on line 2: each pupil must be in the file once",
        "Line 7: Date of Birth '01/01/1990' would make the pupil 36 years old: a pupil must be aged 2 to 25",
        "Line 8: Date of Birth '01/01/2027' must be in the past",
    ]


def test_the_same_pupil_twice_without_a_upn_is_a_problem():
    rows, errors = _parse("Surname,Forename,DOB\nExample,Jordan,14/03/2015\nEXAMPLE,jordan,2015-03-14\n")
    assert [str(e) for e in errors] == ["Line 3: the same pupil (name and date of birth) is also on line 2: each pupil must be in the file once"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "The selected file is empty"),
        ("\ufeff\n\n  \n", "The selected file is empty"),
        (
            "Jordan,Example,14/03/2015\n",
            "The first line of the file must be the column headings, like UPN, Legal Surname, Legal Forename, Date of Birth. Download the example file to see them",
        ),
        ("UPN,Surname,Forename\nA123456789012,Example,Jordan\n", "The file must have a column for each pupil's date of birth (headed Date of Birth or DOB)"),
        (
            "UPN,Year\n",
            "The file must have a column for each pupil's surname (headed Legal Surname or Surname), forename (headed Legal Forename, Forename or First Name) and date of birth (headed Date of Birth or DOB)",
        ),
        ("Surname,Forename,DOB\n", "The selected file has column headings but no pupils"),
    ],
)
def test_problems_with_the_whole_file(content, message):
    assert _problem(content) == message


def test_a_file_that_is_not_utf8_text_or_too_large():
    not_text = "The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'"
    with pytest.raises(importer.FileProblem, match="UTF-8"):
        importer.parse("Surname,Forename,DOB\nBront\u00eb,Anne,14/03/2015\n".encode("latin-1"), TODAY)
    with pytest.raises(importer.FileProblem) as caught:
        importer.parse(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", TODAY)  # an Excel workbook
    assert str(caught.value) == not_text
    with pytest.raises(importer.FileProblem) as caught:
        importer.parse(b"Surname,Forename,DOB\n" + b"Example,Jordan,14/03/2015\n" * 90_000, TODAY)
    assert str(caught.value) == "The selected file must be smaller than 2MB"


# Matching rows to the register --------------------------------------------------------------------------------


@dataclass
class _Pupil:
    legal_forename: str
    legal_surname: str
    date_of_birth: date
    upn: str | None = None
    preferred_name: str | None = None
    year_group: str | None = None
    sen: bool = False
    looked_after: bool = False
    child_protection_plan: bool = False
    eal: bool = False
    id: uuid.UUID = None

    def __post_init__(self):
        self.id = uuid.uuid4()


def test_plan_matches_by_upn_then_by_name_and_date_of_birth():
    """Is a row matched to a pupil by UPN (even with a new surname), else by name and date of birth
    ignoring case; unchanged rows counted, new ones added?"""
    by_upn = _Pupil("Jordan", "Example", date(2015, 3, 14), upn="A123456789012")
    by_name = _Pupil("Amira", "Sample", date(2012, 9, 2), year_group="9")
    same = _Pupil("Sam", "Jones", date(2016, 1, 1))
    rows, errors = _parse(
        "UPN,Surname,Forename,DOB\nA123456789012,Example-Smith,Jordan,14/03/2015\n,SAMPLE,amira,02/09/2012\n,Jones,Sam,01/01/2016\n,New,Pupil,01/01/2017\n"
    )
    plan = importer.plan(rows, [by_upn, by_name, same])
    assert plan.errors == []
    assert [(p, changed) for p, _, changed in plan.updates] == [(by_upn, ["legal_surname"]), (by_name, ["legal_forename", "legal_surname"])]
    assert plan.unchanged == 1
    assert [r.values["legal_surname"] for r in plan.creates] == ["New"]


def test_plan_refuses_ambiguous_and_conflicting_matches():
    twin1 = _Pupil("Jordan", "Example", date(2015, 3, 14))
    twin2 = _Pupil("Jordan", "Example", date(2015, 3, 14))
    other = _Pupil("Amira", "Sample", date(2012, 9, 2), upn="H801200001001")
    rows, _ = _parse("UPN,Surname,Forename,DOB\n,Example,Jordan,14/03/2015\nA123456789012,Sample,Amira,02/09/2012\n")
    plan = importer.plan(rows, [twin1, twin2, other])
    assert [str(e) for e in plan.errors] == [
        "Line 2: more than one pupil on the register has this name and date of birth: add the pupil's UPN so we know which one",
        "Line 3: a pupil with this name and date of birth is on the register with a different UPN (H801200001001): check the UPN",
    ]


def test_a_heading_in_the_file_twice_is_refused_by_name():
    """Two columns with the same heading: which one holds the pupils' surnames? The file is refused
    rather than one of them being read and the other ignored. Different headings for one field (Surname
    and Legal Surname) are read best first, as before."""
    assert _problem("Surname,Forename,Date of Birth,surname\nExample,Jordan,14/03/2015,Other\n") == (
        'The column heading "surname" is in the file more than once: each column must be in the file once, so remove the other one'
    )
    rows, errors = _parse("Surname,Legal Surname,Forename,Date of Birth\nShort,Example,Jordan,14/03/2015\n")
    assert errors == [] and rows[0].values["legal_surname"] == "Example"
