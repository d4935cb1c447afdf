"""Changes made from the shared casework pages: an attachment's download recorded, a chronology PDF asked
for (a job builds it) and downloaded, and the authority's working-day calendar changed. Each is audited
in the current transaction; the view commits. (Attachments are kept by ``portal.casework.attachments``.)
"""

from __future__ import annotations

from datetime import date

from jobs.outbox import enqueue
from portal.audit.service import record
from portal.casework import files
from portal.casework import jobs as exports
from portal.casework.actions import Action
from portal.casework.attachments import parent_of
from portal.casework.models import Attachment, CalendarDay, ChronologyExport, EntryKind, ExportStatus
from portal.casework.workingdays import WorkingCalendar
from portal.clock import uk_date, utcnow
from portal.extensions import db
from portal.policies import visible_query
from portal.pupils.models import Pupil

# Downloads ----------------------------------------------------------------------------------------


def attachment_downloaded(attachment: Attachment) -> None:
    """Audit a download of ``attachment`` (which concern, advice request or referral it belongs to)."""
    parent_type, parent_id = parent_of(attachment)
    record(
        Action.ATTACHMENT_DOWNLOADED,
        object_type="attachment",
        object_id=attachment.id,
        organisation_id=attachment.organisation_id,
        details={"parent": parent_type, "parent_id": str(parent_id)},
    )


# Chronology PDFs ------------------------------------------------------------------------------------


def request_export(pupil: Pupil, kinds: list[EntryKind], *, significant_only: bool = False, requested_by_id) -> ChronologyExport:
    """Ask for a PDF of the pupil's chronology (the lines of ``kinds``; the significant events only, when
    asked); a job builds it."""
    export = ChronologyExport(
        pupil_id=pupil.id,
        organisation_id=pupil.organisation_id,
        requested_by_id=requested_by_id,
        kinds=[k.value for k in kinds],
        significant_only=significant_only,
        status=ExportStatus.PENDING,
        # Chosen now, so a retried job overwrites its own file rather than leaving a second one.
        storage_key=files.new_key(),
    )
    db.session.add(export)
    db.session.flush()
    record(
        Action.EXPORT_REQUESTED,
        object_type="chronology_export",
        object_id=export.id,
        organisation_id=pupil.organisation_id,
        details={"pupil_id": str(pupil.id), "kinds": export.kinds, "significant_only": significant_only},
    )
    enqueue(exports.JOB_NAME, dedupe_key=exports.dedupe_key(export.id), export_id=export.id)
    return export


def export_downloaded(export: ChronologyExport) -> None:
    """Note (and audit) that the requester has downloaded their PDF."""
    export.downloaded_at = utcnow()
    record(
        Action.EXPORT_DOWNLOADED,
        object_type="chronology_export",
        object_id=export.id,
        organisation_id=export.organisation_id,
        details={"pupil_id": str(export.pupil_id)},
    )


# The authority's working-day calendar ---------------------------------------------------------------


def calendar_problem(day: date, working: bool) -> tuple[str, str] | None:
    """Why ``day`` cannot be added to the calendar as a working day (or a closure), as the form field it
    is about and the message; ``None`` if it can. A day is changed once (removed first to change it
    again), and only to differ from England's usual working days."""
    taken = db.session.execute(visible_query(CalendarDay).where(CalendarDay.day == day)).scalar_one_or_none()
    default = WorkingCalendar().is_working_day(day)
    if taken is not None:
        return "day", f"{uk_date(day)} is already in your calendar ({taken.label}). Remove it first to change it"
    if default == working:
        usual = "a working day" if default else "not a working day"
        return "working", f"{day.strftime('%A')} {uk_date(day)} is already {usual} in England, so there is nothing to change"
    return None


def add_calendar_day(day: date, *, working: bool, label: str) -> CalendarDay:
    """Make ``day`` a working day or a closure for the authority (``IntegrityError`` if someone added the
    same date a moment ago)."""
    entry = CalendarDay(day=day, is_working_day=working, label=label)
    db.session.add(entry)
    db.session.flush()
    record(
        Action.CALENDAR_CHANGED,
        object_type="calendar_day",
        object_id=entry.id,
        details={"change": "added", "day": day.isoformat(), "working_day": entry.is_working_day},
    )
    return entry


def remove_calendar_day(entry: CalendarDay) -> None:
    """Remove the authority's change to a day: it follows England's usual working days again."""
    record(
        Action.CALENDAR_CHANGED,
        object_type="calendar_day",
        object_id=entry.id,
        details={"change": "removed", "day": entry.day.isoformat(), "working_day": entry.is_working_day},
    )
    db.session.delete(entry)
