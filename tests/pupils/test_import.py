"""Importing the register from a school MIS export through the page: a good file, a file with problems
(nothing imported), importing again (updates, not duplicates), and files that cannot be read."""

from __future__ import annotations

import io
from datetime import date

from tests.admin.pages import field_error, page_text
from tests.factories import make_pupil
from tests.support import audit_events

IMPORT = "/pupils/import"


def _upload(client, content: str | bytes, filename: str = "pupils.csv", url: str = IMPORT):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(url, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


GOOD = (
    "UPN,Legal Surname,Legal Forename,Preferred Forename,Date of Birth,Year Group,SEN Status,In Care,CP Plan,First Language\n"
    "A123456789012,Example,Jordan,Jo,14/03/2015,Year 6,K,N,Y,English\n"
    ",Sample,Amira,,2012-09-02,9,N,Y,N,Arabic\n"
    "H801200001001,Jones,Sam,,01/09/2020,R,N,N,N,\n"
)


def test_a_good_file_adds_the_pupils_says_how_many_and_is_audited_once(app, world, dsl, register):
    """Does a good file add every pupil with their details and flags, say how many were added, and is the
    import audited once with the counts only?"""
    response = _upload(dsl, GOOD)
    assert response.status_code == 302
    listing = dsl.get(response.headers["Location"])
    assert "Import finished: 3 pupils added, 0 updated, 0 unchanged." in page_text(listing)

    pupils = {p.legal_surname: p for p in register(world.a)}
    assert set(pupils) == {"Example", "Sample", "Jones"}
    jordan, amira, sam = pupils["Example"], pupils["Sample"], pupils["Jones"]
    assert (jordan.upn, jordan.preferred_name, jordan.date_of_birth, jordan.year_group) == ("A123456789012", "Jo", date(2015, 3, 14), "6")
    assert (jordan.sen, jordan.child_protection_plan, jordan.looked_after, jordan.eal) == (True, True, False, False)
    assert (amira.upn, amira.date_of_birth, amira.looked_after, amira.eal) == (None, date(2012, 9, 2), True, True)
    assert sam.year_group == "R"
    assert register(world.a, "school2") == []

    [imported] = audit_events(app, world.a.authority_id, "pupil.imported")
    assert imported.details == {"added": 3, "updated": 0, "unchanged": 0}
    assert (imported.actor_id, imported.organisation_id) == (world.a.dsl1.id, world.a.school1)
    assert audit_events(app, world.a.authority_id, "pupil.created") == []


def test_a_file_with_problems_lists_each_by_line_and_imports_nothing(app, world, dsl, register):
    """Does a file with some bad lines list every problem with its line number and column, and import
    nothing at all, not even the good lines?"""
    content = (
        "UPN,Surname,Forename,DOB,Year\n"
        "A123456789012,Example,Jordan,14/03/2015,6\n"
        "B123456789012,Sample,Amira,02/09/2012,9\n"
        ",Jones,Sam,31/02/2015,R\n"
        ",Good,Pupil,01/01/2016,4\n"
        "A123456789012,Twin,Jordan,14/03/2015,6\n"
    )
    response = _upload(dsl, content)
    assert response.status_code == 200
    text = page_text(response)
    assert field_error(response, "file") == "The file has 3 problems (listed below). Nothing has been imported: correct the file and upload it again"
    assert "There is a problem" in text
    for line in (
        "Line 3: UPN 'B123456789012' is not a real UPN: its check letter does not match the rest of it",
        "Line 4: DOB '31/02/2015' is not a real date",
        "Line 6: UPN A123456789012 is also on line 2: each pupil must be in the file once",
    ):
        assert line in text, line
    assert register(world.a) == []
    assert audit_events(app, world.a.authority_id, "pupil.imported") == []


def test_importing_again_updates_by_upn_and_by_name_and_date_of_birth(app, world, dsl, register):
    """Does importing an updated export change the pupils already there (matched by UPN, or without a
    UPN by legal name and date of birth in any case) rather than adding them twice, and count the
    unchanged ones?"""
    assert _upload(dsl, GOOD).status_code == 302
    ids = {p.legal_surname: p.id for p in register(world.a)}

    again = (
        "UPN,Legal Surname,Legal Forename,DOB,Year Group,In Care\n"
        "A123456789012,Example-Smith,Jordan,14/03/2015,Year 7,N\n"  # by UPN: new surname, new year
        ",SAMPLE,amira,02/09/2012,9,Y\n"  # by name and date of birth: only the capitals differ
        "H801200001001,Jones,Sam,01/09/2020,R,N\n"  # unchanged
        ",Brand,New,01/01/2016,4,N\n"
    )
    response = _upload(dsl, again)
    assert response.status_code == 302
    assert "Import finished: 1 pupil added, 2 updated, 1 unchanged." in page_text(dsl.get(response.headers["Location"]))

    pupils = {p.id: p for p in register(world.a)}
    assert len(pupils) == 4
    jordan, amira = pupils[ids["Example"]], pupils[ids["Sample"]]
    assert (jordan.legal_surname, jordan.year_group, jordan.preferred_name, jordan.sen) == ("Example-Smith", "7", "Jo", True)  # columns not in the file kept
    assert (amira.legal_surname, amira.legal_forename, amira.eal) == ("SAMPLE", "amira", True)
    imports = audit_events(app, world.a.authority_id, "pupil.imported")
    assert [e.details for e in imports] == [{"added": 3, "updated": 0, "unchanged": 0}, {"added": 1, "updated": 2, "unchanged": 1}]

    # The same file a third time changes nothing.
    response = _upload(dsl, again)
    assert "Import finished: 0 pupils added, 0 updated, 4 unchanged." in page_text(dsl.get(response.headers["Location"]))
    assert len(register(world.a)) == 4


def test_a_pupil_added_by_hand_gets_their_upn_from_the_import(app, world, dsl, register):
    """Is a pupil added by hand without a UPN matched by name and date of birth, and given the file's UPN?"""
    pupil_id = make_pupil(app, world.a)
    response = _upload(dsl, "UPN,Surname,Forename,DOB\nA123456789012,Example,Jordan,2015-03-14\n")
    assert response.status_code == 302
    [pupil] = register(world.a)
    assert (pupil.id, pupil.upn) == (pupil_id, "A123456789012")


def test_files_that_cannot_be_read_are_explained_next_to_the_file_field(world, dsl, register):
    """Is a missing, empty, non-UTF-8, headless, incomplete or too large file refused with one clear
    message next to the file field?"""
    assert field_error(dsl.post(IMPORT, data={}, content_type="multipart/form-data"), "file") == "Select a CSV file to import"
    cases = [
        (b"", "The selected file is empty"),
        (
            "Surname,Forename,DOB\nBront\u00eb,Anne,14/03/2015\n".encode("cp1252"),
            "The selected file must be a CSV file saved as UTF-8 text. In Excel, use Save as and choose 'CSV UTF-8'",
        ),
        (
            b"Example,Jordan,14/03/2015\n",
            "The first line of the file must be the column headings, like UPN, Legal Surname, Legal Forename, Date of Birth. Download the example file to see them",
        ),
        (b"Surname,Forename\nExample,Jordan\n", "The file must have a column for each pupil's date of birth (headed Date of Birth or DOB)"),
        (b"Surname,Forename,DOB\n" + b"Example,Jordan,14/03/2015\n" * 90_000, "The selected file must be smaller than 2MB"),
    ]
    for content, message in cases:
        response = _upload(dsl, content)
        assert response.status_code == 200, message
        assert field_error(response, "file") == message
    assert register(world.a) == []


def test_the_example_file_downloads_and_imports(world, dsl, register):
    """Can a DSL download the example file (the accepted headings, two made-up pupils), and does it
    import as it is?"""
    response = dsl.get("/pupils/import/example.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("UPN,Legal Surname,Legal Forename,Preferred Forename,Date of Birth,Year Group")
    assert len(text.splitlines()) == 3

    assert _upload(dsl, response.data).status_code == 302
    assert [p.legal_surname for p in register(world.a)] == ["Example", "Sample"]


def test_staff_and_other_roles_cannot_import(app, world, signed_in, register):
    """Is the import refused (403) to a member of staff, so nothing they send is read?"""
    staff = signed_in(world.a.staff1)
    assert _upload(staff, GOOD).status_code == 403
    assert register(world.a) == []
