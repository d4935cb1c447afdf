"""A file someone uploaded, checked and imported by a job (a school's pupil register, a survey's results):
the steps its page shows while it waits (``ImportStatus``), and the pieces every such job is made of.

The job locks the upload's row for each step (:func:`unfinished`) and commits each step as it starts
(:func:`step`), so the page can say where it has got to. The file is imported whole or not at all: a file
that is not imported is refused (:func:`refuse`) with what was wrong with it, and its content is removed
either way. A fault is retried; after the last try the page says the file was not imported because of a
fault (:func:`import_or_give_up`). What is checked, what is imported, who is told and what is audited
stay with each feature's job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String, select
from sqlalchemy.orm import Mapped, mapped_column

from jobs.models import OutboxJob
from portal.clock import utcnow
from portal.extensions import db
from portal.model_base import UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum


class ImportStatus(LabelledEnum):
    WAITING = "waiting"
    CHECKING = "checking"
    IMPORTING = "importing"
    DONE = "done"
    #: The file has problems: nothing was imported.
    REFUSED = "refused"


ImportStatus.LABELS = {
    "waiting": "Waiting to start",
    "checking": "Checking the file",
    "importing": "Importing",
    "done": "Imported",
    "refused": "Not imported",
}


class FileImport:
    """The columns every uploaded file being imported has (a model's own columns say what the file is for
    and what importing it did)."""

    #: The file as uploaded (at most 2MB): removed once it has been checked.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus), nullable=False, default=ImportStatus.WAITING)
    #: Why nothing was imported: a problem with the whole file, or the first problems of its lines
    #: (``[line, column, message]``, see :func:`refuse`), and how many there were.
    file_problem: Mapped[str | None] = mapped_column(String(500))
    problems: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    problem_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        """Imported or refused: the job has nothing more to do."""
        return self.status in (ImportStatus.DONE, ImportStatus.REFUSED)


#: What the page says after the last try ended in a fault.
FAULT = "The file could not be imported because of a fault in the portal. Nothing has been imported: upload the file again"


def locked(model: Any, row_id: object) -> Any:
    """The upload's row (a ``model`` with the columns above), locked until the step commits."""
    query = select(model).where(model.id == uuid.UUID(str(row_id))).with_for_update()
    return db.session.execute(query).unique().scalar_one()


def unfinished(model: Any, row_id: object) -> Any | None:
    """The upload's row, locked, or ``None`` when it is already imported or refused (a second run of the
    job, or the upload refused meanwhile): the next step starts only from an unfinished upload."""
    row = locked(model, row_id)
    return None if row.finished else row


def step(row: Any, status: ImportStatus) -> None:
    """Start the next step, and commit it so the page shows it."""
    row.status = status
    db.session.commit()


def done(row: Any) -> None:
    """The file has been imported: the upload keeps what was done, not the file."""
    row.status, row.finished_at, row.content = ImportStatus.DONE, utcnow(), None


def refuse(row: Any, *, kept: int, file_problem: str | None = None, problems: list | None = None) -> None:
    """Nothing of the file is imported, and the file is removed. The page shows ``file_problem`` (what is
    wrong with the whole file) or the first ``kept`` problems of its lines, as ``[line, column, message]``;
    ``problem_count`` says how many there were in all."""
    problems = problems or []
    row.status, row.finished_at, row.content = ImportStatus.REFUSED, utcnow(), None
    row.file_problem = file_problem
    row.problems = [[p.line, p.column, p.message] for p in problems[:kept]]
    row.problem_count = len(problems) or (1 if file_problem else 0)


def import_or_give_up(run: Callable[[str], None], model: Any, row_id: str, *, dedupe_key: str, max_attempts: int) -> None:
    """Run the job's steps for the upload ``row_id``. On a fault, what it left half-done is rolled back
    and the fault raised again, so the job is tried again; on the last try (the job's outbox row, found
    by ``dedupe_key``, has ``max_attempts - 1`` attempts behind it) the upload is first refused with
    :data:`FAULT`, so its page stops waiting."""
    try:
        run(row_id)
    except Exception:
        db.session.rollback()  # what the fault left half-done
        outbox = db.session.execute(select(OutboxJob).where(OutboxJob.dedupe_key == dedupe_key)).scalar_one_or_none()
        if outbox is None or outbox.attempts + 1 >= max_attempts:
            row = locked(model, row_id)
            if not row.finished:
                refuse(row, kept=0, file_problem=FAULT)  # a problem with the whole file: no lines' problems to keep
            db.session.commit()
        raise
