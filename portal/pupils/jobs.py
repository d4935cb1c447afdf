"""The register import's job: a file a DSL uploaded is checked row by row and imported whole, or not at
all, off the web request (a file of 50,000 pupils takes longer than a request may). The page the DSL waits
on shows each step (``PupilImport.status``); the file itself is removed once it has been checked."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from jobs.models import OutboxJob
from jobs.registry import job
from portal.accounts.models import User
from portal.audit.service import record
from portal.clock import uk_today, utcnow
from portal.extensions import db
from portal.notifications.service import notify, page_path
from portal.policies import casework_schools
from portal.pupils import importer, service
from portal.pupils.actions import Action
from portal.pupils.models import ImportStatus, PupilImport
from tenants.context import require_authority_id, tenant_scope

JOB_NAME = "pupils.import_register"
#: The problems kept to show (the count says how many there were).
PROBLEMS_SHOWN = 500


def _locked(import_id) -> PupilImport:
    query = select(PupilImport).where(PupilImport.id == uuid.UUID(str(import_id))).with_for_update()
    return db.session.execute(query).unique().scalar_one()


def _refuse(row: PupilImport, *, file_problem: str | None = None, problems: list | None = None) -> None:
    problems = problems or []
    row.status, row.finished_at, row.content = ImportStatus.REFUSED, utcnow(), None
    row.file_problem = file_problem
    row.problems = [[p.line, p.column, p.message] for p in problems[:PROBLEMS_SHOWN]]
    row.problem_count = len(problems) or (1 if file_problem else 0)


MAX_ATTEMPTS = 3


def dedupe_key(import_id) -> str:
    return f"pupil-import:{import_id}"


@job(JOB_NAME, queue="imports", max_attempts=MAX_ATTEMPTS)
def import_register(import_id: str) -> None:
    """Check the file and import it. Each step commits, so the DSL's page can say where it has got to; the
    import itself is one transaction, done once (a second run finds it finished). A fault is retried; after
    the last try the DSL's page says the file was not imported."""
    try:
        _import(import_id)
    except Exception:
        db.session.rollback()  # what the fault left half-done
        outbox = db.session.execute(select(OutboxJob).where(OutboxJob.dedupe_key == dedupe_key(import_id))).scalar_one_or_none()
        if outbox is None or outbox.attempts + 1 >= MAX_ATTEMPTS:
            row = _locked(import_id)
            if not row.finished:
                _refuse(row, file_problem="The file could not be imported because of a fault in the portal. Nothing has been imported: upload the file again")
            db.session.commit()
        raise


def _import(import_id: str) -> None:
    row = _locked(import_id)
    if row.finished:
        return
    requester = db.session.execute(select(User).where(User.id == row.requested_by_id)).unique().scalar_one_or_none()
    if requester is None or requester.deactivated_at is not None or row.organisation_id not in casework_schools(requester):
        # Uploaded by someone who no longer holds the school's casework: nothing of it is imported.
        _refuse(row, file_problem="The person who uploaded this file no longer keeps this school's register. Nothing has been imported")
        record(Action.PUPILS_IMPORT_REFUSED, object_type="pupil_import", object_id=row.id, actor_id=None, organisation_id=row.organisation_id)
        return
    row.status = ImportStatus.CHECKING
    db.session.commit()

    data = row.content or b""
    try:
        rows, problems = importer.parse(data, uk_today())
    except importer.FileProblem as problem:
        rows, problems, file_problem = [], [], str(problem)
    else:
        file_problem = None
    row = _locked(import_id)
    if row.finished:
        return
    row.rows = len(rows) + len({p.line for p in problems})
    if file_problem or problems:
        _refuse(row, file_problem=file_problem, problems=problems)
        return
    row.status = ImportStatus.IMPORTING
    db.session.commit()

    row = _locked(import_id)
    if row.finished:
        return
    try:
        with tenant_scope(require_authority_id(), row.requested_by_id):
            plan = service.import_register(row.organisation_id, rows, actor_id=row.requested_by_id)
    except service.RegisterChanged:
        db.session.rollback()
        row = _locked(import_id)
        _refuse(row, file_problem="Someone else changed the register while the file was being imported. Nothing has been imported: upload the file again")
        return
    if plan.errors:
        _refuse(row, problems=plan.errors)
        return
    row.status, row.finished_at, row.content = ImportStatus.DONE, utcnow(), None
    row.added, row.updated, row.unchanged, row.notes = len(plan.creates), len(plan.updates), plan.unchanged, plan.leaving_notes
    notify(row.requested_by_id, "Your pupil register import has finished", link=page_path("pupils.import_detail", import_id=row.id), email=False)
