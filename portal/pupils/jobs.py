"""The register import's job: a file a DSL uploaded is checked row by row and imported whole, or not at
all, off the web request (a file of 50,000 pupils takes longer than a request may). The page the DSL waits
on shows each step (``PupilImport.status``); the file itself is removed once it has been checked. The steps every
imported file goes through are ``portal.file_imports``."""

from __future__ import annotations

from sqlalchemy import select

from jobs.registry import job
from portal import file_imports
from portal.accounts.models import User
from portal.audit.service import record
from portal.clock import uk_today
from portal.extensions import db
from portal.file_imports import ImportStatus
from portal.notifications.service import notify, page_path
from portal.policies import casework_schools
from portal.pupils import importer, service
from portal.pupils.actions import Action
from portal.pupils.models import PupilImport
from tenants.context import require_authority_id, tenant_scope

JOB_NAME = "pupils.import_register"
#: The problems kept to show (the count says how many there were).
PROBLEMS_SHOWN = 500
MAX_ATTEMPTS = 3


def _refuse(row: PupilImport, *, file_problem: str | None = None, problems: list | None = None) -> None:
    file_imports.refuse(row, kept=PROBLEMS_SHOWN, file_problem=file_problem, problems=problems)


def dedupe_key(import_id) -> str:
    return f"pupil-import:{import_id}"


@job(JOB_NAME, queue="imports", max_attempts=MAX_ATTEMPTS)
def import_register(import_id: str) -> None:
    """Check the file and import it. Each step commits, so the DSL's page can say where it has got to; the
    import itself is one transaction, done once (a second run finds it finished). A fault is retried; after
    the last try the DSL's page says the file was not imported."""
    file_imports.import_or_give_up(_import, PupilImport, import_id, dedupe_key=dedupe_key(import_id), max_attempts=MAX_ATTEMPTS)


def _import(import_id: str) -> None:
    row = file_imports.unfinished(PupilImport, import_id)
    if row is None:
        return
    requester = db.session.execute(select(User).where(User.id == row.requested_by_id)).unique().scalar_one_or_none()
    if requester is None or requester.deactivated_at is not None or row.organisation_id not in casework_schools(requester):
        # Uploaded by someone who no longer holds the school's casework: nothing of it is imported.
        _refuse(row, file_problem="The person who uploaded this file no longer keeps this school's register. Nothing has been imported")
        record(Action.PUPILS_IMPORT_REFUSED, object_type="pupil_import", object_id=row.id, actor_id=None, organisation_id=row.organisation_id)
        return
    file_imports.step(row, ImportStatus.CHECKING)

    data = row.content or b""
    try:
        rows, problems = importer.parse(data, uk_today())
    except importer.FileProblem as problem:
        rows, problems, file_problem = [], [], str(problem)
    else:
        file_problem = None
    row = file_imports.unfinished(PupilImport, import_id)
    if row is None:
        return
    row.rows = len(rows) + len({p.line for p in problems})
    if file_problem or problems:
        _refuse(row, file_problem=file_problem, problems=problems)
        return
    file_imports.step(row, ImportStatus.IMPORTING)

    row = file_imports.unfinished(PupilImport, import_id)
    if row is None:
        return
    try:
        with tenant_scope(require_authority_id(), row.requested_by_id):
            plan = service.import_register(row.organisation_id, rows, actor_id=row.requested_by_id)
    except service.RegisterChanged:
        db.session.rollback()
        row = file_imports.locked(PupilImport, import_id)
        _refuse(row, file_problem="Someone else changed the register while the file was being imported. Nothing has been imported: upload the file again")
        return
    if plan.errors:
        _refuse(row, problems=plan.errors)
        return
    file_imports.done(row)
    row.added, row.updated, row.unchanged, row.notes = len(plan.creates), len(plan.updates), plan.unchanged, plan.leaving_notes
    notify(row.requested_by_id, "Your pupil register import has finished", link=page_path("pupils.import_detail", import_id=row.id), email=False)
