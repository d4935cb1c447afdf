"""Every change to a child-protection file's transfer, on both sides. Each is audited (ids and choices,
never the file's words) and tells who needs to know; the page commits.

The sending school: the pupil is leaving (for a school of this authority, of another on the portal, or not
on the portal), the destination is
confirmed (the 5-school-day clock starts), the file is sent with the DSL's note (a snapshot and its PDF,
delivered by a job), or the transfer is withdrawn. The receiving school: its DSLs open the file (the sender
sees "opened"), accept it for a pupil on their register (matched by UPN, else name and date of birth, or
added) — the history then appears in the child's chronology there, marked as from the previous school —
or reject it with a reason; then they review it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from jobs.outbox import enqueue
from portal.accounts.models import User
from portal.audit.service import record
from portal.authorities.models import Organisation, OrganisationKind
from portal.casework import chronology, files
from portal.casework.models import EntryKind
from portal.casework.people import notify_all, school_casework_ids
from portal.casework.schooldays import authority_school_calendar
from portal.clock import uk_date, utcnow
from portal.extensions import db
from portal.pupils import service as pupil_service
from portal.pupils.models import Pupil
from portal.pupils.service import Leaver
from portal.transfers import handover, snapshot
from portal.transfers.actions import Action
from portal.transfers.base import (
    DELIVER_JOB,
    EMAIL_LINK_JOB,
    LINK_VALID_FOR,
    STILL_GOING,
    WRONG_CODES_ALLOWED,
    TransferRefused,
    audit_transfer,
    file_received,
    incoming_link,
    transfer_path,
)
from portal.transfers.handover import HandoverStatus
from portal.transfers.links import current_link, end_link, new_link
from portal.transfers.models import (
    DestinationKind,
    IncomingStatus,
    IncomingTransfer,
    LinkEnd,
    PupilTransfer,
    TransferFile,
    TransferStatus,
)
from tenants.context import current as current_context
from tenants.directory import other_authorities_schools

__all__ = ["DELIVER_JOB", "EMAIL_LINK_JOB", "LINK_VALID_FOR", "WRONG_CODES_ALLOWED", "TransferRefused", "incoming_link"]


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


@dataclass(frozen=True)
class OtherAuthoritySchool:
    """A school of another authority on the portal, as the establishments directory shows it."""

    authority_id: uuid.UUID
    id: uuid.UUID
    name: str
    urn: str | None
    authority_name: str


def record_leaving(
    pupil: Pupil, *, leaving_on: date, destination: Organisation | OtherAuthoritySchool | OutsideSchool, confirmed: bool, actor_id: uuid.UUID
) -> PupilTransfer:
    """Record that ``pupil`` is leaving on ``leaving_on`` for ``destination`` (a school of this authority, or
    one not on the portal); with the destination confirmed, the 5-school-day clock starts now."""
    if isinstance(destination, Organisation) and destination.id == pupil.organisation_id:
        raise TransferRefused("Select the school the pupil is going to, not their school now", field="destination")
    open_one = db.session.execute(select(PupilTransfer.id).where(PupilTransfer.pupil_id == pupil.id, PupilTransfer.status.in_(STILL_GOING))).first()
    if open_one is not None:
        raise TransferRefused("This pupil's leaving is already recorded: change it on its page")
    if pupil.file_transferred_at is not None:
        raise TransferRefused("This pupil's child-protection file has already been received by their new school")
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
    elif isinstance(destination, OtherAuthoritySchool):
        transfer.destination_kind = DestinationKind.OTHER_AUTHORITY
        transfer.destination_authority_id, transfer.destination_authority_name = destination.authority_id, destination.authority_name
        transfer.destination_school_id = destination.id
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
    where = "outside the portal" if isinstance(destination, OutsideSchool) else str(destination.id)
    audit_transfer(Action.TRANSFER_RECORDED, transfer, destination=where, confirmed=confirmed)
    return transfer


def confirm_destination(transfer: PupilTransfer, *, actor_id: uuid.UUID) -> None:
    """The new school has confirmed: the clock starts."""
    if not transfer.is_open or transfer.confirmed_at is not None:
        raise TransferRefused("The destination is already confirmed")
    start_clock(transfer, utcnow())
    audit_transfer(Action.TRANSFER_CONFIRMED, transfer, due_at=transfer.due_at.isoformat())


def withdraw(transfer: PupilTransfer, *, actor_id: uuid.UUID) -> None:
    """The pupil is not leaving after all (or not for there): nothing is sent."""
    if not transfer.is_open:
        raise TransferRefused("A file that has been sent cannot be withdrawn: ask the new school to reject it")
    transfer.status = TransferStatus.WITHDRAWN
    transfer.withdrawn_at = utcnow()
    audit_transfer(Action.TRANSFER_WITHDRAWN, transfer)


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
    audit_transfer(
        Action.TRANSFER_SENT,
        transfer,
        lines=len(content["chronology"]),
        attachments=len(content["attachments"]),
        on_time=transfer.due_at is None or now <= transfer.due_at,
    )
    code = new_link(transfer, actor)[1] if transfer.destination_kind == DestinationKind.OUTSIDE else None
    enqueue(DELIVER_JOB, dedupe_key=f"transfer_deliver:{transfer.id}", transfer_file_id=sent.id)
    return sent, code


# The receiving school -----------------------------------------------------------------------------------


def _source(incoming: IncomingTransfer) -> PupilTransfer | None:
    """The sending school's record, when it is of this authority."""
    if incoming.handover_id is not None:
        return None  # another authority's: the receipt goes back through the hand-over
    return db.session.execute(select(PupilTransfer).where(PupilTransfer.id == incoming.source_transfer_id)).unique().scalar_one_or_none()


def _mark_handover(incoming: IncomingTransfer, status: HandoverStatus, *, by: str | None = None, reason: str | None = None) -> None:
    """From another authority: write the receipt on the hand-over, for the sending authority to collect."""
    if incoming.handover_id is None:
        return
    mail = handover.addressed(incoming.handover_id)
    if mail is not None:
        mail.status, mail.status_at, mail.decided_by, mail.rejection_reason = status, utcnow(), by, reason


def opened(incoming: IncomingTransfer, *, actor_id: uuid.UUID) -> None:
    """The receiving school has opened the file: the sender sees "opened" (once)."""
    if incoming.viewed_at is not None:
        return
    incoming.viewed_at = utcnow()
    _mark_handover(incoming, HandoverStatus.OPENED)
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
        entry = chronology.add(
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
        if line.get("significant"):  # a significant event at the previous school stays one here
            entry.significant, entry.significant_at = True, now
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
    _mark_handover(incoming, HandoverStatus.ACCEPTED, by=actor.full_name)
    source = _source(incoming)
    if source is not None:
        source.status, source.received_at, source.received_by, source.received_role = (
            TransferStatus.RECEIVED,
            now,
            actor.full_name,
            "Designated safeguarding lead",
        )
        file_received(source, now)
        notify_all(
            school_casework_ids(source.organisation_id),
            f"{incoming.organisation.name} has received a child-protection file you sent",
            link=transfer_path(source),
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
    _mark_handover(incoming, HandoverStatus.REJECTED, by=actor.full_name, reason=reason.strip())
    _discard_copy(incoming)
    source = _source(incoming)
    if source is not None:
        source.status, source.rejected_at, source.rejection_reason = TransferStatus.REJECTED, now, reason.strip()
        notify_all(
            school_casework_ids(source.organisation_id),
            f"{incoming.organisation.name} has rejected a child-protection file you sent",
            link=transfer_path(source),
        )
    record(Action.TRANSFER_REJECTED, object_type="incoming_transfer", object_id=incoming.id, organisation_id=incoming.organisation_id, details={})


def _discard_copy(incoming: IncomingTransfer) -> None:
    """The receiving school's copy of a file that is not for it (rejected, or withdrawn by the sender): its
    PDF and attachments removed, its contents and note blanked. What stays is who sent it, when, and why it
    went, so that the school's records say what happened without keeping a child's file it should not hold."""
    for key in [incoming.pdf_key, *(item["storage_key"] for item in incoming.attachments)]:
        files.remove(key)
    incoming.content, incoming.attachments, incoming.note = {"discarded": True}, [], None


def remind_receiver(transfer: PupilTransfer, *, actor: User) -> None:
    """Send the new school's DSLs a reminder of a file waiting for them (a school of this authority; a file
    handed to another authority, or a link, is chased by phone or a new link)."""
    if transfer.destination_kind != DestinationKind.SAME_AUTHORITY or transfer.status not in (TransferStatus.SENT, TransferStatus.VIEWED):
        raise TransferRefused("Only a file waiting at a school of this authority can be chased from here")
    copy = db.session.execute(select(IncomingTransfer).where(IncomingTransfer.source_transfer_id == transfer.id)).unique().scalar_one_or_none()
    if copy is None or copy.status != IncomingStatus.WAITING:
        raise TransferRefused("The file is not waiting at the new school any more")
    notify_all(
        school_casework_ids(copy.organisation_id),
        f"Reminder: a child-protection file from {transfer.organisation.name} is waiting for you to accept it",
        link=incoming_link(copy),
    )
    audit_transfer(Action.TRANSFER_CHASED, transfer)


def redirect(transfer: PupilTransfer, *, destination: Organisation | OtherAuthoritySchool | OutsideSchool, confirmed: bool, actor: User) -> PupilTransfer:
    """The file went to the wrong school, or the pupil is going elsewhere: what was sent is stopped (the
    copy waiting at a school of this authority is withdrawn and its contents removed; a one-time link stops)
    and a new transfer to ``destination`` is recorded, to be sent again. This record stays, as "sent to
    another school instead". A file handed to another authority is redirected once that school has
    rejected it."""
    if transfer.status not in (TransferStatus.SENT, TransferStatus.VIEWED, TransferStatus.REJECTED):
        raise TransferRefused("Only a file sent and not yet received can be sent to another school")
    if transfer.destination_kind == DestinationKind.OTHER_AUTHORITY and transfer.status != TransferStatus.REJECTED:
        raise TransferRefused(f"Ask {transfer.destination_name} to reject the file first: it is held by another authority")
    if transfer.destination_kind == DestinationKind.SAME_AUTHORITY:
        copy = db.session.execute(select(IncomingTransfer).where(IncomingTransfer.source_transfer_id == transfer.id)).unique().scalar_one_or_none()
        if copy is not None and copy.status == IncomingStatus.WAITING:
            copy.status, copy.decided_at = IncomingStatus.WITHDRAWN, utcnow()
            _discard_copy(copy)
            notify_all(
                school_casework_ids(copy.organisation_id),
                f"{transfer.organisation.name} has withdrawn a child-protection file it sent you in error",
                link=incoming_link(copy),
            )
    elif transfer.destination_kind == DestinationKind.OUTSIDE:
        link = current_link(transfer)
        if link is not None:
            end_link(link, LinkEnd.REVOKED)
    transfer.status, transfer.withdrawn_at = TransferStatus.REDIRECTED, utcnow()
    db.session.flush()
    pupil = db.session.get(Pupil, transfer.pupil_id)
    again = record_leaving(pupil, leaving_on=transfer.leaving_on, destination=destination, confirmed=confirmed, actor_id=actor.id)
    audit_transfer(Action.TRANSFER_REDIRECTED, transfer, new_transfer_id=str(again.id))
    return again


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


# Leavers in a pupil import ------------------------------------------------------------------------------


def _school_by_urn(urn: str, pupil: Pupil) -> Organisation | OtherAuthoritySchool | None:
    """The open school with this URN: of this authority first, else of another authority on the portal."""
    here = db.session.execute(
        select(Organisation).where(
            Organisation.urn == urn,
            Organisation.kind == OrganisationKind.SCHOOL,
            Organisation.archived_at.is_(None),
            Organisation.id != pupil.organisation_id,
        )
    ).scalar_one_or_none()
    if here is not None:
        return here
    for authority_id, school_id, name, school_urn, authority_name in other_authorities_schools(db.session, pupil.authority_id):
        if school_urn == urn:
            return OtherAuthoritySchool(authority_id=authority_id, id=school_id, name=name, urn=school_urn, authority_name=authority_name)
    return None


def record_imported_leavers(leavers: list[Leaver]) -> list[str]:
    """An imported file says these pupils are leaving: record each leaving for the school its destination
    URN names (the place not yet confirmed: the DSL confirms it, and the clock starts); say which pupils
    still need a destination (no URN, or one not on the portal) and which were recorded already."""
    actor_id = current_context().user_id if current_context() else None
    recorded, unknown, already = 0, [], 0
    for leaver in leavers:
        pupil = leaver.pupil
        if db.session.execute(select(PupilTransfer.id).where(PupilTransfer.pupil_id == pupil.id, PupilTransfer.status.in_(STILL_GOING))).first():
            already += 1
            continue
        destination = _school_by_urn(leaver.destination_urn, pupil) if leaver.destination_urn else None
        if destination is None or actor_id is None:
            unknown.append(pupil.display_name)
            continue
        record_leaving(pupil, leaving_on=leaver.leaving_on, destination=destination, confirmed=False, actor_id=actor_id)
        recorded += 1
    notes = []
    if recorded:
        notes.append(
            f"{recorded} leaving pupil{' is' if recorded == 1 else 's are'} recorded on the Transfers page: "
            "confirm each new school's place there to start the 5 school days."
        )
    if unknown:
        notes.append(
            f"Record where {'this pupil is' if len(unknown) == 1 else 'these pupils are'} going (no destination URN, or one not on the portal): {', '.join(unknown)}."
        )
    if already:
        notes.append(f"{already} leaving pupil{'' if already == 1 else 's'} had their leaving recorded already.")
    return notes


if record_imported_leavers not in pupil_service.LEAVER_HANDLERS:
    pupil_service.LEAVER_HANDLERS.append(record_imported_leavers)


def _keys_in(items) -> list[str]:
    return [item.get("storage_key") for item in items or [] if isinstance(item, dict)]


def stored_files():
    """The storage keys the transfers keep in the authority in context: each file sent (its PDF, and the
    attachments its snapshot names), each file received (its PDF and this authority's copies of its
    attachments) and what a hand-over to another authority names until it is taken in there."""
    for pdf_key, content in db.session.execute(select(TransferFile.pdf_key, TransferFile.content)):
        yield pdf_key
        yield from _keys_in((content or {}).get("attachments"))
    for pdf_key, attachments, content in db.session.execute(select(IncomingTransfer.pdf_key, IncomingTransfer.attachments, IncomingTransfer.content)):
        yield pdf_key
        yield from _keys_in(attachments)
        yield from _keys_in((content or {}).get("attachments"))
    for (package,) in db.session.execute(
        handover.sent_by_us().where(handover.TransferHandover.status == HandoverStatus.POSTED).with_only_columns(handover.TransferHandover.package)
    ):
        yield (package or {}).get("pdf_key")
        yield from _keys_in((package or {}).get("attachments"))
