"""A school or college not on the portal: the one-time link to its file. Emailed to the destination's DSL (by
a job: only a keyed hash of its secret is kept), opened with an access code the sending DSL gives by phone
(shown to them once; only its keyed hash is kept), valid for 14 days; it stops at the receipt, when the
sender revokes it or sends a new one, or after too many wrong codes. Every view is audited."""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from sqlalchemy import select

from jobs.outbox import enqueue
from portal.accounts.models import User
from portal.accounts.security import keyed_hash
from portal.audit.service import record
from portal.casework import chronology
from portal.casework.models import EntryKind
from portal.casework.people import notify_all, school_casework_ids
from portal.clock import uk_date, utcnow
from portal.extensions import db
from portal.transfers.actions import Action
from portal.transfers.base import (
    CODE_ALPHABET,
    EMAIL_LINK_JOB,
    LINK_VALID_FOR,
    WRONG_CODES_ALLOWED,
    TransferRefused,
    audit_transfer,
    file_received,
    transfer_path,
)
from portal.transfers.models import (
    AWAITING_RECEIPT,
    DestinationKind,
    LinkEnd,
    PupilTransfer,
    TransferLink,
    TransferStatus,
)


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


def end_link(link: TransferLink, because: LinkEnd) -> None:
    if link.ended_at is None:
        link.ended_at, link.ended_because = utcnow(), because


def new_link(transfer: PupilTransfer, actor: User) -> tuple[TransferLink, str]:
    """A new link for the destination's DSL (emailed by a job) and its access code; an earlier link stops."""
    earlier = current_link(transfer)
    if earlier is not None:
        end_link(earlier, LinkEnd.REPLACED)
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
        end_link(link, LinkEnd.WRONG_CODES)
        notify_all(
            school_casework_ids(link.transfer.organisation_id),
            f"The link to a child-protection file sent to {link.transfer.destination_name} has stopped after too many wrong access codes",
            link=transfer_path(link.transfer),
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
    end_link(link, LinkEnd.RECEIPT)
    file_received(transfer, now)
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
    notify_all(
        school_casework_ids(transfer.organisation_id), f"{school} has confirmed receipt of a child-protection file you sent", link=transfer_path(transfer)
    )
    _link_audit(Action.LINK_RECEIPT, link)


def revoke_link(transfer: PupilTransfer, *, actor_id: uuid.UUID) -> None:
    """The sending DSL stops the link (sent to the wrong address, or no longer needed)."""
    link = current_link(transfer)
    if link is None or link.problem(utcnow()):
        raise TransferRefused("There is no working link to revoke")
    end_link(link, LinkEnd.REVOKED)
    audit_transfer(Action.LINK_REVOKED, transfer, link_id=str(link.id))


def resend_link(transfer: PupilTransfer, *, actor: User) -> str:
    """A new link and access code for the destination's DSL (the earlier link stops); returns the code."""
    if transfer.destination_kind != DestinationKind.OUTSIDE or transfer.status not in AWAITING_RECEIPT:
        raise TransferRefused("A new link can only be sent while the file waits for its receipt")
    link, code = new_link(transfer, actor)
    audit_transfer(Action.LINK_REISSUED, transfer, link_id=str(link.id))
    enqueue(EMAIL_LINK_JOB, dedupe_key=f"transfer_link:{link.id}", link_id=link.id)
    return code
