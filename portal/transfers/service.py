"""Every change to a child-protection file's transfer, on both sides. Each is audited (ids and choices,
never the file's words) and tells who needs to know; the page commits.

The sending school: the pupil is leaving (for a school of this authority, for now), the destination is
confirmed (the 5-school-day clock starts), the file is sent with the DSL's note (a snapshot and its PDF,
delivered by a job), or the transfer is withdrawn. The receiving school: its DSLs open the file (the sender
sees "opened"), accept it for a pupil on their register (matched by UPN, else name and date of birth, or
added) — the history then appears in the child's chronology there, marked as from the previous school —
or reject it with a reason; then they review it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from jobs.outbox import enqueue
from portal.accounts.models import User
from portal.accounts.security import keyed_hash
from portal.audit.service import record
from portal.authorities.models import Organisation
from portal.casework import chronology, files
from portal.casework.models import EntryKind
from portal.casework.people import notify_all, school_casework_ids
from portal.casework.schooldays import authority_school_calendar
from portal.clock import uk_date, utcnow
from portal.extensions import db
from portal.notifications.service import page_path
from portal.pupils.models import Pupil
from portal.transfers import snapshot
from portal.transfers.actions import Action
from portal.transfers.models import (
    AWAITING_RECEIPT,
    DestinationKind,
    IncomingStatus,
    IncomingTransfer,
    LinkEnd,
    PupilTransfer,
    TransferFile,
    TransferLink,
    TransferStatus,
)

DELIVER_JOB = "transfers.deliver"
EMAIL_LINK_JOB = "transfers.email_link"
#: How long a school not on the portal has to open its link.
LINK_VALID_FOR = timedelta(days=14)
#: Wrong access codes before a link stops working (the sender can send a new one).
WRONG_CODES_ALLOWED = 5
#: Access codes avoid letters and digits that are easily confused on the phone (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class TransferRefused(ValueError):
    """The step is not possible now; the message says why, for the page (next to ``field`` if given)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _link(transfer: PupilTransfer) -> str:
    return page_path("transfers.detail", transfer_id=transfer.id)


def incoming_link(incoming: IncomingTransfer) -> str:
    return page_path("transfers.incoming", incoming_id=incoming.id)


def _audit(action: str, transfer: PupilTransfer, **details) -> None:
    record(
        action,
        object_type="pupil_transfer",
        object_id=transfer.id,
        organisation_id=transfer.organisation_id,
        details={"pupil_id": str(transfer.pupil_id), **details},
    )


# The sending school -------------------------------------------------------------------------------------


def start_clock(transfer: PupilTransfer, moment: datetime) -> None:
    """The destination is confirmed at ``moment``: the file is due 5 school days later."""
    transfer.confirmed_at = moment
    transfer.due_at = authority_school_calendar().five_school_days_after(moment)


@dataclass(frozen=True)
class OutsideSchool:
    """A school or college not on the portal, and its DSL (to whom the one-time link is emailed)."""

    name: str
    urn: str | None
    dsl: str
    email: str


def record_leaving(pupil: Pupil, *, leaving_on: date, destination: Organisation | OutsideSchool, confirmed: bool, actor_id: uuid.UUID) -> PupilTransfer:
    """Record that ``pupil`` is leaving on ``leaving_on`` for ``destination`` (a school of this authority, or
    one not on the portal); with the destination confirmed, the 5-school-day clock starts now."""
    if isinstance(destination, Organisation) and destination.id == pupil.organisation_id:
        raise TransferRefused("Select the school the pupil is going to, not their school now", field="destination")
    open_one = db.session.execute(
        select(PupilTransfer.id).where(
            PupilTransfer.pupil_id == pupil.id, PupilTransfer.status.in_([TransferStatus.LEAVING, TransferStatus.SENT, TransferStatus.VIEWED])
        )
    ).first()
    if open_one is not None:
        raise TransferRefused("This pupil's leaving is already recorded: change it on its page")
    transfer = PupilTransfer(
        pupil_id=pupil.id,
        organisation_id=pupil.organisation_id,
        leaving_on=leaving_on,
        destination_name=destination.name,
        destination_urn=destination.urn,
        recorded_by_id=actor_id,
        status=TransferStatus.LEAVING,
    )
    if isinstance(destination, Organisation):
        transfer.destination_kind, transfer.destination_organisation_id = DestinationKind.SAME_AUTHORITY, destination.id
    else:
        transfer.destination_kind = DestinationKind.OUTSIDE
        transfer.destination_dsl, transfer.destination_email = destination.dsl, destination.email
    if confirmed:
        start_clock(transfer, utcnow())
    db.session.add(transfer)
    db.session.flush()
    chronology.add(
        pupil_id=pupil.id,
        organisation_id=pupil.organisation_id,
        kind=EntryKind.TRANSFER,
        title=f"Leaving for {destination.name}",
        object_type="pupil_transfer",
        object_id=transfer.id,
        actor_id=actor_id,
        substance=chronology.lines(("Leaving on", uk_date(leaving_on)), ("Destination", "Confirmed" if confirmed else "Not confirmed yet")),
    )
    where = str(destination.id) if isinstance(destination, Organisation) else "outside the portal"
    _audit(Action.TRANSFER_RECORDED, transfer, destination=where, confirmed=confirmed)
    return transfer


def confirm_destination(transfer: PupilTransfer, *, actor_id: uuid.UUID) -> None:
    """The new school has confirmed: the clock starts."""
    if not transfer.is_open or transfer.confirmed_at is not None:
        raise TransferRefused("The destination is already confirmed")
    start_clock(transfer, utcnow())
    _audit(Action.TRANSFER_CONFIRMED, transfer, due_at=transfer.due_at.isoformat())


def withdraw(transfer: PupilTransfer, *, actor_id: uuid.UUID) -> None:
    """The pupil is not leaving after all (or not for there): nothing is sent."""
    if not transfer.is_open:
        raise TransferRefused("A file that has been sent cannot be withdrawn: ask the new school to reject it")
    transfer.status = TransferStatus.WITHDRAWN
    transfer.withdrawn_at = utcnow()
    _audit(Action.TRANSFER_WITHDRAWN, transfer)


def send(transfer: PupilTransfer, *, note: str | None, actor: User) -> tuple[TransferFile, str | None]:
    """Send the whole file to the new school: a snapshot of it now, with the DSL's ``note``; a job makes its
    PDF, copies its attachments and delivers it (to a school not on the portal: emails its DSL a one-time
    link). The clock stops. Returns the file and, for a school not on the portal, the access code the
    sending DSL gives by phone (shown to them once, never stored)."""
    if not transfer.is_open:
        raise TransferRefused("This file has already been sent or the transfer withdrawn")
    if transfer.confirmed_at is None:
        raise TransferRefused("Confirm the destination before sending the file: the new school must be expecting the pupil")
    pupil = db.session.get(Pupil, transfer.pupil_id)
    content = snapshot.build(pupil, school=transfer.organisation, sent_by=actor, destination=transfer.destination_name)
    sent = TransferFile(transfer_id=transfer.id, content=content, note=note, pdf_key=files.new_key())
    db.session.add(sent)
    now = utcnow()
    transfer.status, transfer.sent_at, transfer.sent_by_id = TransferStatus.SENT, now, actor.id
    db.session.flush()
    chronology.add(
        pupil_id=transfer.pupil_id,
        organisation_id=transfer.organisation_id,
        kind=EntryKind.TRANSFER,
        title=f"Child-protection file sent to {transfer.destination_name}",
        object_type="pupil_transfer",
        object_id=transfer.id,
        actor_id=actor.id,
        substance=chronology.lines(("What the new school should know now", note)),
    )
    _audit(
        Action.TRANSFER_SENT,
        transfer,
        lines=len(content["chronology"]),
        attachments=len(content["attachments"]),
        on_time=transfer.due_at is None or now <= transfer.due_at,
    )
    code = _new_link(transfer, actor)[1] if transfer.destination_kind == DestinationKind.OUTSIDE else None
    enqueue(DELIVER_JOB, dedupe_key=f"transfer_deliver:{transfer.id}", transfer_file_id=sent.id)
    return sent, code


# A school not on the portal: the one-time link ---------------------------------------------------------


def normalise_code(typed: str | None) -> str:
    """An access code as typed (any case, with or without spaces and dashes) in its stored form."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def current_link(transfer: PupilTransfer) -> TransferLink | None:
    """The transfer's latest link (working or not)."""
    query = select(TransferLink).where(TransferLink.transfer_id == transfer.id)
    query = query.order_by(TransferLink.ended_at.is_(None).desc(), TransferLink.ended_at.desc(), TransferLink.created_at.desc()).limit(1)
    return db.session.execute(query).unique().scalar_one_or_none()


def _end(link: TransferLink, because: LinkEnd) -> None:
    if link.ended_at is None:
        link.ended_at, link.ended_because = utcnow(), because


def _new_link(transfer: PupilTransfer, actor: User) -> tuple[TransferLink, str]:
    """A new link for the destination's DSL (emailed by a job) and its access code; an earlier link stops."""
    earlier = current_link(transfer)
    if earlier is not None:
        _end(earlier, LinkEnd.REPLACED)
    code = _new_code()
    link = TransferLink(
        transfer_id=transfer.id,
        email=transfer.destination_email,
        recipient=transfer.destination_dsl,
        code_hash=keyed_hash(normalise_code(code)),
        expires_at=utcnow() + LINK_VALID_FOR,
        created_by_id=actor.id,
    )
    db.session.add(link)
    db.session.flush()
    return link, code


def issue_link_secret(link: TransferLink) -> str:
    """The link's secret, made when it is emailed: ``<authority id>.<secret>`` (only its keyed hash is kept)."""
    secret = secrets.token_urlsafe(32)
    link.token_hash, link.emailed_at = keyed_hash(secret), utcnow()
    return f"{link.authority_id.hex}.{secret}"


def find_link(secret: str) -> TransferLink | None:
    """The link whose secret this is, in the authority in context."""
    return db.session.execute(select(TransferLink).where(TransferLink.token_hash == keyed_hash(secret))).unique().scalar_one_or_none()


def _link_audit(action: str, link: TransferLink, **details) -> None:
    record(
        action,
        object_type="transfer_link",
        object_id=link.id,
        actor_id=None,
        organisation_id=link.transfer.organisation_id,
        details={"transfer_id": str(link.transfer_id), **details},
    )


def link_seen(link: TransferLink, what: str) -> None:
    """Audit each view of a link's pages: ``code`` (asked for the access code), ``file`` or ``download``."""
    _link_audit(Action.LINK_VIEWED, link, page=what)


def link_refused(link: TransferLink, problem: str) -> None:
    _link_audit(Action.LINK_REFUSED, link, problem=problem)


def check_code(link: TransferLink, typed: str) -> bool:
    """Is ``typed`` the link's access code? A wrong one counts; after too many the link stops and the
    sending school's DSLs are told."""
    if secrets.compare_digest(keyed_hash(normalise_code(typed)), link.code_hash):
        now = utcnow()
        if link.first_opened_at is None:
            link.first_opened_at = now
        transfer = link.transfer
        if transfer.status == TransferStatus.SENT:
            transfer.status, transfer.viewed_at = TransferStatus.VIEWED, now
        _link_audit(Action.LINK_OPENED, link)
        return True
    link.wrong_codes += 1
    _link_audit(Action.LINK_CODE_WRONG, link, wrong_codes=link.wrong_codes)
    if link.wrong_codes >= WRONG_CODES_ALLOWED:
        _end(link, LinkEnd.WRONG_CODES)
        notify_all(
            school_casework_ids(link.transfer.organisation_id),
            f"The link to a child-protection file sent to {link.transfer.destination_name} has stopped after too many wrong access codes",
            link=_link(link.transfer),
        )
    return False


def give_receipt(link: TransferLink, *, name: str, role: str, school: str, received_on: date) -> None:
    """The new school's DSL confirms receipt: the transfer is received, the link stops, the sender is told
    and the receipt joins the child's chronology at the sending school."""
    problem = link.problem(utcnow())
    if problem:
        raise TransferRefused("This link no longer works")
    transfer = link.transfer
    now = utcnow()
    transfer.status, transfer.received_at = TransferStatus.RECEIVED, now
    transfer.received_by, transfer.received_role, transfer.received_school, transfer.received_on = name, role, school, received_on
    if transfer.viewed_at is None:
        transfer.viewed_at = now
    _end(link, LinkEnd.RECEIPT)
    chronology.add(
        pupil_id=transfer.pupil_id,
        organisation_id=transfer.organisation_id,
        kind=EntryKind.TRANSFER,
        title=f"Receipt of the child-protection file confirmed by {school}",
        object_type="pupil_transfer",
        object_id=transfer.id,
        actor_id=None,
        substance=chronology.lines(("Confirmed by", f"{name}, {role}"), ("Received on", uk_date(received_on))),
    )
    notify_all(school_casework_ids(transfer.organisation_id), f"{school} has confirmed receipt of a child-protection file you sent", link=_link(transfer))
    _link_audit(Action.LINK_RECEIPT, link)


def revoke_link(transfer: PupilTransfer, *, actor_id: uuid.UUID) -> None:
    """The sending DSL stops the link (sent to the wrong address, or no longer needed)."""
    link = current_link(transfer)
    if link is None or link.problem(utcnow()):
        raise TransferRefused("There is no working link to revoke")
    _end(link, LinkEnd.REVOKED)
    _audit(Action.LINK_REVOKED, transfer, link_id=str(link.id))


def resend_link(transfer: PupilTransfer, *, actor: User) -> str:
    """A new link and access code for the destination's DSL (the earlier link stops); returns the code."""
    if transfer.destination_kind != DestinationKind.OUTSIDE or transfer.status not in AWAITING_RECEIPT:
        raise TransferRefused("A new link can only be sent while the file waits for its receipt")
    link, code = _new_link(transfer, actor)
    _audit(Action.LINK_REISSUED, transfer, link_id=str(link.id))
    enqueue(EMAIL_LINK_JOB, dedupe_key=f"transfer_link:{link.id}", link_id=link.id)
    return code


# The receiving school -----------------------------------------------------------------------------------


def _source(incoming: IncomingTransfer) -> PupilTransfer | None:
    """The sending school's record, when it is of this authority."""
    return db.session.execute(select(PupilTransfer).where(PupilTransfer.id == incoming.source_transfer_id)).unique().scalar_one_or_none()


def opened(incoming: IncomingTransfer, *, actor_id: uuid.UUID) -> None:
    """The receiving school has opened the file: the sender sees "opened" (once)."""
    if incoming.viewed_at is not None:
        return
    incoming.viewed_at = utcnow()
    source = _source(incoming)
    if source is not None and source.status == TransferStatus.SENT:
        source.status, source.viewed_at = TransferStatus.VIEWED, incoming.viewed_at


@dataclass(frozen=True)
class Match:
    """A pupil on the receiving school's register the file may be for, and why."""

    pupil: Pupil
    reason: str


def matches(incoming: IncomingTransfer) -> list[Match]:
    """The pupils on the receiving register the file could be for: the same UPN; else the same legal name
    and date of birth (in any case)."""
    details = incoming.pupil_details
    on_roll = select(Pupil).where(Pupil.organisation_id == incoming.organisation_id)
    if details.get("upn"):
        found = db.session.execute(on_roll.where(Pupil.upn == details["upn"])).scalars().all()
        if found:
            return [Match(p, "The same UPN") for p in found]
    found = (
        db.session.execute(
            on_roll.where(
                func.lower(Pupil.legal_forename) == details["legal_forename"].lower(),
                func.lower(Pupil.legal_surname) == details["legal_surname"].lower(),
                Pupil.date_of_birth == date.fromisoformat(details["date_of_birth"]),
            )
        )
        .scalars()
        .all()
    )
    return [Match(p, "The same name and date of birth") for p in found]


def accept(incoming: IncomingTransfer, *, pupil: Pupil | None, actor: User) -> Pupil:
    """Accept the file for ``pupil`` (one of :func:`matches`), or add the pupil to the register (``None``,
    only when there is no match: a pupil is never added twice). The history is written into the child's
    chronology here, marked as from the previous school; the sender is told it was received."""
    if incoming.status != IncomingStatus.WAITING:
        raise TransferRefused("This file has already been accepted or rejected")
    found = matches(incoming)
    if pupil is None:
        if found:
            raise TransferRefused("Choose the pupil on your register this file is for", field="pupil")
        details = incoming.pupil_details
        pupil = Pupil(
            organisation_id=incoming.organisation_id,
            legal_forename=details["legal_forename"],
            legal_surname=details["legal_surname"],
            preferred_name=details.get("preferred_name"),
            date_of_birth=date.fromisoformat(details["date_of_birth"]),
            year_group=details.get("year_group") or "",
            upn=details.get("upn"),
        )
        db.session.add(pupil)
        db.session.flush()
    elif pupil.id not in {m.pupil.id for m in found}:
        raise TransferRefused("Choose the pupil on your register this file is for", field="pupil")
    now = utcnow()
    incoming.status, incoming.pupil_id, incoming.decided_at, incoming.decided_by_id = IncomingStatus.ACCEPTED, pupil.id, now, actor.id
    for line in incoming.content.get("chronology", []):
        chronology.add(
            pupil_id=pupil.id,
            organisation_id=incoming.organisation_id,
            kind=EntryKind.PREVIOUS_SCHOOL,
            title=f"{line['title']} (at {incoming.from_school})",
            object_type="incoming_transfer",
            object_id=incoming.id,
            occurred_at=datetime.fromisoformat(line["occurred_at"]),
            actor_id=None,
            substance=[*line.get("substance", []), {"label": "Recorded by", "text": f"{line.get('by') or 'the portal'}, at {incoming.from_school}"}],
        )
    chronology.add(
        pupil_id=pupil.id,
        organisation_id=incoming.organisation_id,
        kind=EntryKind.TRANSFER,
        title=f"Child-protection file received from {incoming.from_school}",
        object_type="incoming_transfer",
        object_id=incoming.id,
        actor_id=actor.id,
        substance=chronology.lines(("What the previous school said the new school should know now", incoming.note)),
    )
    source = _source(incoming)
    if source is not None:
        source.status, source.received_at, source.received_by, source.received_role = (
            TransferStatus.RECEIVED,
            now,
            actor.full_name,
            "Designated safeguarding lead",
        )
        notify_all(
            school_casework_ids(source.organisation_id),
            f"{incoming.organisation.name} has received a child-protection file you sent",
            link=_link(source),
        )
    notify_all(
        school_casework_ids(incoming.organisation_id), "A child-protection file is waiting for your review", link=incoming_link(incoming), exclude={actor.id}
    )
    record(
        Action.TRANSFER_ACCEPTED,
        object_type="incoming_transfer",
        object_id=incoming.id,
        organisation_id=incoming.organisation_id,
        details={"pupil_id": str(pupil.id), "matched": bool(found), "lines": len(incoming.content.get("chronology", []))},
    )
    return pupil


def reject(incoming: IncomingTransfer, *, reason: str, actor: User) -> None:
    """Not for this school (the wrong school, or no such pupil expected): the sender is told why."""
    if incoming.status != IncomingStatus.WAITING:
        raise TransferRefused("This file has already been accepted or rejected")
    if not (reason or "").strip():
        raise TransferRefused("Enter why this file is not for your school", field="reason")
    now = utcnow()
    incoming.status, incoming.rejection_reason, incoming.decided_at, incoming.decided_by_id = IncomingStatus.REJECTED, reason.strip(), now, actor.id
    source = _source(incoming)
    if source is not None:
        source.status, source.rejected_at, source.rejection_reason = TransferStatus.REJECTED, now, reason.strip()
        notify_all(
            school_casework_ids(source.organisation_id), f"{incoming.organisation.name} has rejected a child-protection file you sent", link=_link(source)
        )
    record(Action.TRANSFER_REJECTED, object_type="incoming_transfer", object_id=incoming.id, organisation_id=incoming.organisation_id, details={})


def review(incoming: IncomingTransfer, *, actions: str, actor: User) -> None:
    """The receiving DSL has read the file: when, and what they will do."""
    if incoming.status != IncomingStatus.ACCEPTED:
        raise TransferRefused("Accept the file before reviewing it")
    if not (actions or "").strip():
        raise TransferRefused("Enter what you will do, or that nothing more is needed", field="actions")
    incoming.reviewed_at, incoming.reviewed_by_id, incoming.review_actions = utcnow(), actor.id, actions.strip()
    record(Action.TRANSFER_REVIEWED, object_type="incoming_transfer", object_id=incoming.id, organisation_id=incoming.organisation_id, details={})


def downloaded(organisation_id: uuid.UUID, object_type: str, object_id: uuid.UUID, **details) -> None:
    """Audit a download of a file's PDF or one of its attachments."""
    record(Action.RECORD_EXPORTED, object_type=object_type, object_id=object_id, organisation_id=organisation_id, details=details)
