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
from portal.casework.models import Attachment, CalendarDay, ChronologyExport, EntryKind, ExportStatus, SchoolHoliday
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


# The authority's school holidays ----------------------------------------------------------------------


def holiday_dates(first_day: date, last_day: date) -> str:
    """``15 February 2027 to 19 February 2027``, or one date for a holiday of one day."""
    return uk_date(first_day) if first_day == last_day else f"{uk_date(first_day)} to {uk_date(last_day)}"


def school_holiday_problem(first_day: date, last_day: date) -> tuple[str, str] | None:
    """Why a holiday from ``first_day`` to ``last_day`` cannot be added, as the form field it is about and
    the message (it overlaps one already in the calendar, which is named); ``None`` if it can."""
    clash = db.session.execute(
        visible_query(SchoolHoliday)
        .where(SchoolHoliday.first_day <= last_day, SchoolHoliday.last_day >= first_day)
        .order_by(SchoolHoliday.first_day, SchoolHoliday.id)
        .limit(1)
    ).scalar_one_or_none()
    if clash is None:
        return None
    return "first_day", (f"These dates overlap a holiday already in your calendar: {clash.name}, {holiday_dates(clash.first_day, clash.last_day)}")


def add_school_holiday(name: str, first_day: date, last_day: date) -> SchoolHoliday:
    """Add a holiday of all the authority's schools (check :func:`school_holiday_problem` first: two
    administrators adding overlapping holidays at the same moment are not stopped, and the school-day
    count takes the two together)."""
    holiday = SchoolHoliday(name=name, first_day=first_day, last_day=last_day)
    db.session.add(holiday)
    db.session.flush()
    _holiday_changed(holiday, "added")
    return holiday


def remove_school_holiday(holiday: SchoolHoliday) -> None:
    """Remove a school holiday: its weekdays are school days again."""
    _holiday_changed(holiday, "removed")
    db.session.delete(holiday)
    db.session.flush()


def _holiday_changed(holiday: SchoolHoliday, change: str) -> None:
    record(
        Action.SCHOOL_HOLIDAYS_CHANGED,
        object_type="school_holiday",
        object_id=holiday.id,
        details={"change": change, "name": holiday.name, "first_day": holiday.first_day.isoformat(), "last_day": holiday.last_day.isoformat()},
    )
