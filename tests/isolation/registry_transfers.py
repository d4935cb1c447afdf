"""Isolation declarations for the child-protection file transfer's routes (see ``registry.py`` for the
fields). A transfer is seen by the sending school's casework roles; a file received, by the receiving
school's. Nobody else: not staff, governors, the administrator, the front door, an assessor or a partner."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from portal.clock import uk_today
from tests.isolation.route import RouteIsolation

#: Same authority, not the school's casework.
NOT_CASEWORK = ("staff1", "governor1", "admin", "front_door", "assessor", "partner")
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _pupil(app, side):
    from tests.factories import make_pupil

    return {"pupil_id": make_pupil(app, side)}


def _leaving_form(app, side):
    leaving = uk_today() + timedelta(days=10)
    return {"leaving_on": [str(leaving.day), str(leaving.month), str(leaving.year)], "destination": str(side.school2), "confirmed": "yes"}


def _transfer(app, side, *, sender="dsl1", school="school1", to="school2", confirmed=True, send=False, attach=False, outside=False):
    """A pupil of ``school`` leaving for ``to`` (recorded by ``sender``), confirmed, and sent when asked
    (the file delivered, as the job would); returns (transfer id, the file received or None)."""
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.authorities.models import Organisation
    from portal.casework import attachments
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from portal.transfers import service
    from portal.transfers.jobs import deliver
    from portal.transfers.models import IncomingTransfer
    from tenants import tenant_scope
    from tests.factories import make_concern, make_pupil

    person = side.people[sender]
    # A name of its own: the signed-out test builds every target in one database, and a file is matched by name.
    pupil_id = make_pupil(app, side, school=school, legal_forename=f"Jordan {uuid.uuid4().hex[:6]}")
    concern_id = make_concern(app, side, pupil_id, by="dsl1" if school == "school1" else "dsl2", school=school)
    with app.app_context(), tenant_scope(side.authority_id, person.id):
        if attach:
            upload = FileStorage(io.BytesIO(TINY_PDF), filename="body map.pdf", content_type="application/pdf")
            attachments.save(upload, organisation_id=getattr(side, school), concern_id=concern_id, uploaded_by_id=person.id)
        pupil = db.session.get(Pupil, pupil_id)
        destination = (
            service.OutsideSchool(name="St Aidan's College", urn=None, dsl="Morgan Reese", email="m.reese@st-aidans.example.org")
            if outside
            else db.session.get(Organisation, getattr(side, to))
        )
        transfer = service.record_leaving(pupil, leaving_on=uk_today() + timedelta(days=10), destination=destination, confirmed=confirmed, actor_id=person.id)
        incoming_id = None
        if send:
            sent, _code = service.send(transfer, note="Support from the school nurse weekly.", actor=db.session.get(User, person.id))
            db.session.flush()
            deliver(str(sent.id))
            if not outside:
                incoming_id = db.session.execute(select(IncomingTransfer.id).where(IncomingTransfer.source_transfer_id == transfer.id)).scalar_one()
        db.session.commit()
        return transfer.id, incoming_id


def _open_transfer(app, side):
    return {"transfer_id": _transfer(app, side)[0]}


def _unconfirmed(app, side):
    return {"transfer_id": _transfer(app, side, confirmed=False)[0]}


def _sent(app, side):
    return {"transfer_id": _transfer(app, side, send=True)[0]}


def _sent_outside(app, side):
    """A file school1's DSL has sent to a college not on the portal (its link emailed)."""
    return {"transfer_id": _transfer(app, side, send=True, outside=True)[0]}


def _incoming(app, side):
    """A file sent by school2 (its DSL) to school1."""
    return {"incoming_id": _transfer(app, side, sender="dsl2", school="school2", to="school1", send=True)[1]}


def _incoming_with_attachment(app, side):
    return {"incoming_id": _transfer(app, side, sender="dsl2", school="school2", to="school1", send=True, attach=True)[1], "number": 0}


def _accepted(app, side):
    """A file received by school1 and accepted by its DSL (the pupil added to its register)."""
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.transfers import service
    from portal.transfers.models import IncomingTransfer
    from tenants import tenant_scope

    incoming_id = _incoming(app, side)["incoming_id"]
    with app.app_context(), tenant_scope(side.authority_id, side.dsl1.id):
        service.accept(db.session.get(IncomingTransfer, incoming_id), pupil=None, actor=db.session.get(User, side.dsl1.id))
        db.session.commit()
    return {"incoming_id": incoming_id}


def _redirect_form(app, side):
    leaving = uk_today() + timedelta(days=10)
    return {
        "leaving_on": [str(leaving.day), str(leaving.month), str(leaving.year)],
        "destination": "outside",
        "confirmed": "yes",
        "outside_name": "St Aidan's College",
        "outside_dsl": "Morgan Reese",
        "outside_email": "m.reese@st-aidans.example.org",
    }


def _send_form(app, side):
    return {"note": "Weekly support from the school nurse."}


def _accept_form(app, side):
    return {"pupil": "add"}


def _reject_form(app, side):
    return {"reason": "We have no pupil of that name joining us."}


def _review_form(app, side):
    return {"actions": "Meet the child in the first week; call the social worker."}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("transfers.leaving", "GET", "dsl1", _pupil, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.leaving", "POST", "dsl1", _pupil, refused=NOT_CASEWORK, data=_leaving_form, other_school=("dsl2",)),
    RouteIsolation("transfers.detail", "GET", "head1", _open_transfer, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.confirm", "POST", "dsl1", _unconfirmed, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.withdraw", "POST", "dsl1", _open_transfer, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.send", "POST", "dsl1", _open_transfer, refused=NOT_CASEWORK, data=_send_form, other_school=("dsl2",)),
    RouteIsolation("transfers.sent_pdf", "GET", "dsl1", _sent, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.redirect_transfer", "GET", "head1", _sent, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.redirect_transfer", "POST", "dsl1", _sent, refused=NOT_CASEWORK, data=_redirect_form, other_school=("dsl2",)),
    RouteIsolation("transfers.remind", "POST", "head1", _sent, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.new_link", "POST", "dsl1", _sent_outside, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.revoke_link", "POST", "head1", _sent_outside, refused=NOT_CASEWORK, other_school=("dsl2",)),
    # The receiving school: school1 receives from school2, so school2's DSL (the sender) is refused here too.
    RouteIsolation("transfers.incoming", "GET", "dsl1", _incoming, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.accept", "POST", "dsl1", _incoming, refused=NOT_CASEWORK, data=_accept_form, other_school=("dsl2",)),
    RouteIsolation("transfers.reject", "POST", "head1", _incoming, refused=NOT_CASEWORK, data=_reject_form, other_school=("dsl2",)),
    RouteIsolation("transfers.review", "POST", "dsl1", _accepted, refused=NOT_CASEWORK, data=_review_form, other_school=("dsl2",)),
    RouteIsolation("transfers.incoming_pdf", "GET", "dsl1", _incoming, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("transfers.incoming_attachment", "GET", "dsl1", _incoming_with_attachment, refused=NOT_CASEWORK, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {
    "transfers.outside_file": "a one-time link's secret, not an id: tests/transfers/test_outside_link.py (its own file only, the access code, receipt, revocation, expiry)",
    "transfers.outside_download": "a one-time link's secret, not an id: tests/transfers/test_outside_link.py",
    "transfers.outside_receipt": "a one-time link's secret, not an id: tests/transfers/test_outside_link.py",
}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed. Nobody is
#: named transfer lead in the test world, so the overdue list is refused to everyone here
#: (tests/transfers shows a lead using it, and seeing only their own authority's schools).
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("transfers.index", "GET"): ("dsl1", "dsl2", "head1"),
    ("transfers.overdue", "GET"): (),
    ("transfers.sent_copies", "GET"): ("admin",),
    ("transfers.sent_copies", "POST"): ("admin",),
}
