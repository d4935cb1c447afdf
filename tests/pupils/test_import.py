"""Importing the register from a school MIS export through the page: a good file, a file with problems
(nothing imported), importing again (updates, not duplicates), and files that cannot be read."""

from __future__ import annotations

import io
import re
from datetime import date

from portal.notifications.models import Notification
from portal.pupils.models import ImportStatus, PupilImport
from tests.admin.pages import field_error, page_text
from tests.factories import make_pupil
from tests.support import audit_events, detached_rows

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
    assert response.status_code == 302 and re.fullmatch(r"/pupils/imports/[0-9a-f-]{36}", response.headers["Location"])
    page = page_text(dsl.get(response.headers["Location"]))
    assert "Import finished" in page and "3 pupils added, 0 updated, 0 unchanged." in page

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
    [uploaded] = audit_events(app, world.a.authority_id, "pupil.import_uploaded")
    assert uploaded.details == {"lines": 3} and uploaded.actor_id == world.a.dsl1.id
    # The file is not kept once it has been checked; the DSL is told it has finished.
    [row] = detached_rows(app, PupilImport, world.a.authority_id)
    assert row.content is None and (row.status, row.added, row.rows) == (ImportStatus.DONE, 3, 3)
    [told] = detached_rows(app, Notification, world.a.authority_id, user_id=world.a.dsl1.id)
    assert (told.title, told.link) == ("Your pupil register import has finished", f"/pupils/imports/{row.id}")


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
    assert response.status_code == 302
    text = page_text(dsl.get(response.headers["Location"]))
    assert "Your file was not imported" in text and "Nothing has been imported: the register is as it was." in text
    assert "The file has 3 problems" in text
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
    assert "1 pupil added, 2 updated, 1 unchanged." in page_text(dsl.get(response.headers["Location"]))

    pupils = {p.id: p for p in register(world.a)}
    assert len(pupils) == 4
    jordan, amira = pupils[ids["Example"]], pupils[ids["Sample"]]
    assert (jordan.legal_surname, jordan.year_group, jordan.preferred_name, jordan.sen) == ("Example-Smith", "7", "Jo", True)  # columns not in the file kept
    assert (amira.legal_surname, amira.legal_forename, amira.eal) == ("SAMPLE", "amira", True)
    imports = audit_events(app, world.a.authority_id, "pupil.imported")
    assert [e.details for e in imports] == [{"added": 3, "updated": 0, "unchanged": 0}, {"added": 1, "updated": 2, "unchanged": 1}]

    # The same file a third time changes nothing.
    response = _upload(dsl, again)
    assert "0 pupils added, 0 updated, 4 unchanged." in page_text(dsl.get(response.headers["Location"]))
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


def test_only_the_person_who_uploaded_a_file_sees_its_import(app, world, dsl, signed_in, register):
    """The import's page (its problems can quote a pupil's UPN) is the uploader's: the school's head, another
    school's DSL and a member of staff get 404, audited."""
    response = _upload(dsl, GOOD)
    path = response.headers["Location"]
    assert dsl.get(path).status_code == 200
    for person in (world.a.head1, world.a.dsl2, world.a.staff1):
        assert signed_in(person).get(path).status_code == 404
    refused = [e for e in audit_events(app, world.a.authority_id, "access.not_found") if e.object_type == "pupil_import"]
    assert [e.actor_id for e in refused] == [world.a.head1.id, world.a.dsl2.id, world.a.staff1.id]


def test_a_file_uploaded_by_someone_who_no_longer_keeps_the_register_is_not_imported(app, world, register):
    """The job checks again: a DSL who lost the school's casework before it ran gets nothing imported."""
    from portal.extensions import db
    from portal.pupils.jobs import import_register
    from tests.factories import _scope

    with _scope(app, world.a):
        upload = PupilImport(organisation_id=world.a.school2, requested_by_id=world.a.dsl1.id, content=GOOD.encode(), rows=3)
        db.session.add(upload)
        db.session.commit()
        import_register(import_id=str(upload.id))
        db.session.commit()
    [row] = detached_rows(app, PupilImport, world.a.authority_id)
    assert row.status == ImportStatus.REFUSED and row.content is None and "no longer keeps this school's register" in row.file_problem
    assert register(world.a, "school2") == []
    assert len(audit_events(app, world.a.authority_id, "pupil.import_refused")) == 1


def test_a_file_of_50000_pupils_is_imported_by_the_job(app, world, dsl, register):
    """The largest file a school can upload (under 2MB: 50,000 pupils with UPN, names and date of birth)
    is checked and imported whole, then imported again with every pupil unchanged."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.pupils.importer import upn_check_letter
    from portal.pupils.models import Pupil
    from tests.factories import _scope

    lines = ["UPN,Legal Surname,Legal Forename,Date of Birth"]
    for n in range(50_000):
        digits = f"{n:011d}0"
        lines.append(f"{upn_check_letter('?' + digits)}{digits},S{n},F{n},14/03/2015")
    content = "\r\n".join(lines) + "\r\n"
    assert len(content.encode()) < 2 * 1024 * 1024
    response = _upload(dsl, content)
    assert response.status_code == 302
    assert "50,000 pupils added, 0 updated, 0 unchanged." in page_text(dsl.get(response.headers["Location"]))
    with _scope(app, world.a):
        assert db.session.execute(select(func.count()).select_from(Pupil).where(Pupil.organisation_id == world.a.school1)).scalar() == 50_000
    again = _upload(dsl, content)
    assert "0 pupils added, 0 updated, 50,000 unchanged." in page_text(dsl.get(again.headers["Location"]))


def test_a_fault_on_every_try_imports_nothing_and_the_page_says_so(app, world, dsl, register, monkeypatch):
    """A fault while importing is tried again (three tries in all); while tries are left the DSL's page
    still waits, and after the last one it says the file was not imported because of a fault. Nothing of
    the file is in the register."""
    from sqlalchemy import select

    from jobs.models import JobStatus, OutboxJob
    from jobs.runner import run_outbox_job
    from portal.extensions import db
    from portal.pupils import jobs as import_jobs
    from portal.pupils import service
    from tenants.context import tenant_scope

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "import_register", broken)
    response = _upload(dsl, GOOD)  # the first try, in the request's own process
    detail = response.headers["Location"]
    import_id = detail.rsplit("/", 1)[1]
    assert "Your file is being imported" in page_text(dsl.get(detail))
    with app.app_context(), tenant_scope(world.a.authority_id):
        outbox = db.session.execute(select(OutboxJob).where(OutboxJob.dedupe_key == import_jobs.dedupe_key(import_id))).scalar_one()
        assert (outbox.attempts, outbox.status) == (1, JobStatus.PENDING)
        outbox_id = outbox.id
        db.session.rollback()
    for _ in range(2):
        with app.app_context():
            try:
                run_outbox_job(str(world.a.authority_id), str(outbox_id))
            except RuntimeError:
                pass
    page = page_text(dsl.get(detail))
    assert "Your file was not imported" in page and "because of a fault in the portal" in page
    assert register(world.a) == []
    [row] = detached_rows(app, PupilImport, world.a.authority_id)
    assert (row.status, row.content) == (ImportStatus.REFUSED, None)
