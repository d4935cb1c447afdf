"""Isolation declarations for the casework module's routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

from werkzeug.datastructures import FileStorage

from portal.clock import UK
from tests.isolation.route import RouteIsolation

EVERYONE_BUT_ADMIN = ("staff1", "dsl1", "dsl2", "head1", "governor1", "front_door", "assessor", "partner")
#: Same school, but not the school's casework (or not a member of the school at all).
NOT_CASEWORK = ("staff1", "governor1", "admin", "front_door", "assessor", "partner")

TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _pupil(app, side):
    from tests.factories import make_pupil

    return {"pupil_id": make_pupil(app, side)}


def _attachment(app, side):
    """A PDF attached to a concern at school1, logged by staff1."""
    from portal.casework import attachments
    from portal.extensions import db
    from tenants import tenant_scope
    from tests.factories import make_concern, make_pupil

    concern_id = make_concern(app, side, make_pupil(app, side))
    with app.app_context(), tenant_scope(side.authority_id, side.staff1.id):
        upload = FileStorage(io.BytesIO(TINY_PDF), filename="body map.pdf", content_type="application/pdf")
        attachment = attachments.save(upload, organisation_id=side.school1, concern_id=concern_id, uploaded_by_id=side.staff1.id)
        db.session.commit()
        return {"attachment_id": attachment.id}


def _ready_export(app, side):
    """A PDF of a school1 pupil's chronology, requested by dsl1, built, its file written."""
    from portal.casework import files
    from portal.casework.models import ChronologyExport, ExportStatus
    from portal.clock import utcnow
    from portal.extensions import db
    from tenants import tenant_scope
    from tests.factories import make_pupil

    pupil_id = make_pupil(app, side)
    with app.app_context(), tenant_scope(side.authority_id, side.dsl1.id):
        key = files.new_key()
        files.write(key, TINY_PDF)
        export = ChronologyExport(
            pupil_id=pupil_id,
            organisation_id=side.school1,
            requested_by_id=side.dsl1.id,
            kinds=[],
            status=ExportStatus.READY,
            storage_key=key,
            size_bytes=len(TINY_PDF),
            completed_at=utcnow(),
        )
        db.session.add(export)
        db.session.commit()
        return {"export_id": export.id}


def _calendar_day(app, side):
    from portal.casework.models import CalendarDay
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        # A date of its own each time (one entry per date per authority).
        day = CalendarDay(day=date(2030, 1, 1) + timedelta(days=uuid.uuid4().int % 3000), is_working_day=False, label="Council closure day")
        db.session.add(day)
        db.session.commit()
        return {"day_id": day.id}


def _school_holiday(app, side):
    from portal.casework.models import SchoolHoliday
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        # Dates of its own each time (holidays of one authority do not overlap).
        first = date(2030, 1, 7) + timedelta(weeks=uuid.uuid4().int % 400)
        holiday = SchoolHoliday(name="Half term", first_day=first, last_day=first + timedelta(days=4))
        db.session.add(holiday)
        db.session.commit()
        return {"holiday_id": holiday.id}


def _export_form(app, side):
    return {"kind": ["concern"]}


def _manual_entry(app, side):
    """A phone call recorded by dsl1 on a school1 pupil's chronology."""
    from portal.casework import record
    from portal.casework.models import ManualKind
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from tenants import tenant_scope
    from tests.factories import make_pupil

    pupil_id = make_pupil(app, side)
    with app.app_context(), tenant_scope(side.authority_id, side.dsl1.id):
        pupil = db.session.get(Pupil, pupil_id)
        details = record.ManualDetails(ManualKind.PHONE_CALL, utcnow() - timedelta(hours=2), "Sam Patel, social worker", "Mum has moved out.", None)
        entry = record.add_manual_entry(pupil, details, actor_id=side.dsl1.id)
        db.session.commit()
        return {"entry_id": entry.id}


def _manual_form(app, side):
    from portal.clock import utcnow

    when = (utcnow() - timedelta(hours=1)).astimezone(UK)
    return {
        "kind": "home_visit",
        "occurred_on": [str(when.day), str(when.month), str(when.year)],
        "occurred_time": when.strftime("%H:%M"),
        "involved": "The DSL and the class teacher; mum",
        "summary": "The house was cold; mum said the electricity had been cut off.",
        "actions": "",
        "version": "1",
    }


def _chronology_line(app, side):
    """The chronology line of a concern about a school1 pupil."""
    from sqlalchemy import select

    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from tenants import tenant_scope
    from tests.factories import make_concern, make_pupil

    concern_id = make_concern(app, side, make_pupil(app, side))
    with app.app_context(), tenant_scope(side.authority_id):
        return {"entry_id": db.session.execute(select(ChronologyEntry.id).where(ChronologyEntry.object_id == concern_id)).scalar_one()}


def _significant_form(app, side):
    return {"significant": "yes"}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation(
        "casework.attachment_download",
        "GET",
        "dsl1",
        _attachment,
        refused=("governor1", "admin", "assessor", "partner", "front_door"),
        other_school=("dsl2",),
    ),
    RouteIsolation("casework.chronology", "GET", "dsl1", _pupil, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("casework.export_new", "POST", "dsl1", _pupil, refused=NOT_CASEWORK, data=_export_form, other_school=("dsl2",)),
    RouteIsolation(
        "casework.export_detail",
        "GET",
        "dsl1",
        _ready_export,
        refused=("head1",) + NOT_CASEWORK,
        other_school=("dsl2",),
    ),
    RouteIsolation(
        "casework.export_download",
        "GET",
        "dsl1",
        _ready_export,
        refused=("head1",) + NOT_CASEWORK,
        other_school=("dsl2",),
    ),
    RouteIsolation("casework.calendar_remove", "POST", "admin", _calendar_day, refused=EVERYONE_BUT_ADMIN),
    RouteIsolation("casework.school_holiday_remove", "POST", "admin", _school_holiday, refused=EVERYONE_BUT_ADMIN),
    # The chronology as the record: the DSL's manual entries and significant events.
    RouteIsolation("casework.manual_new", "GET", "dsl1", _pupil, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("casework.manual_new", "POST", "dsl1", _pupil, refused=NOT_CASEWORK, data=_manual_form, other_school=("dsl2",)),
    RouteIsolation("casework.manual_entry", "GET", "head1", _manual_entry, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("casework.manual_edit", "GET", "dsl1", _manual_entry, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("casework.manual_edit", "POST", "dsl1", _manual_entry, refused=NOT_CASEWORK, data=_manual_form, other_school=("dsl2",)),
    RouteIsolation("casework.significant", "POST", "dsl1", _chronology_line, refused=NOT_CASEWORK, data=_significant_form, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("casework.calendar", "GET"): ("admin",),
    ("casework.school_holidays", "GET"): ("admin",),
}
