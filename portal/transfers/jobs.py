"""The transfer's jobs.

* ``transfers.deliver``: after a DSL sends a file — make its PDF (kept at the sending school), copy the PDF
  and every attachment into the receiving school's own copy, and tell the receiving school's DSLs. A job
  delivered twice delivers once (the receiving copy is found by the sending record's id).
* ``transfers.check_clock``: the 5-school-day clock — remind the school's DSLs at the start of the 3rd
  school day, tell the head at the start of the 5th, and the authority's named transfer leads once the
  file is overdue. Each is sent once per transfer.
"""

from __future__ import annotations

import uuid

from flask import render_template
from sqlalchemy import select

from jobs.registry import job
from portal.accounts.models import Membership, Role, User
from portal.audit.service import record
from portal.authorities.models import AuthorityDuty, Duty
from portal.casework import files
from portal.casework.people import notify_all, school_casework_ids
from portal.casework.schooldays import authority_school_calendar
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.mail import external_url, send_templated
from portal.notifications.service import page_path
from portal.pdf import render_pdf
from portal.transfers.actions import Action
from portal.transfers.models import DestinationKind, IncomingTransfer, PupilTransfer, TransferFile, TransferLink, TransferStatus
from portal.transfers.service import DELIVER_JOB, EMAIL_LINK_JOB, current_link, incoming_link, issue_link_secret


def render_file_pdf(sent: TransferFile, transfer: PupilTransfer) -> bytes:
    """The file as the new school reads it on paper: the sending DSL's note first, then the chronology
    with every line's substance, the manual entries and the attachments' names."""
    return render_pdf(render_template("transfers/file_pdf.html", file=sent.content, note=sent.note, transfer=transfer, generated_at=utcnow()))


def _copy(key: str) -> str:
    """A copy of a stored file under a new name (the receiving school's own copy)."""
    copy = files.new_key()
    files.write(copy, files.read(key))
    return copy


@job(DELIVER_JOB, queue="exports", max_attempts=5)
def deliver(transfer_file_id: str) -> None:
    sent = db.session.execute(select(TransferFile).where(TransferFile.id == uuid.UUID(str(transfer_file_id)))).scalar_one()
    transfer = db.session.execute(select(PupilTransfer).where(PupilTransfer.id == sent.transfer_id).with_for_update(of=PupilTransfer)).unique().scalar_one()
    if transfer.destination_kind == DestinationKind.OUTSIDE:
        if not files.exists(sent.pdf_key):
            files.write(sent.pdf_key, render_file_pdf(sent, transfer))
        link = current_link(transfer)
        if link is not None:
            _email_link(link, transfer)
        return
    if db.session.execute(select(IncomingTransfer.id).where(IncomingTransfer.source_transfer_id == transfer.id)).first() is not None:
        return  # delivered already (a retried job)
    pdf = render_file_pdf(sent, transfer)
    files.write(sent.pdf_key, pdf)
    received_pdf = files.new_key()
    files.write(received_pdf, pdf)
    copies = [
        {**{k: v for k, v in item.items() if k != "storage_key"}, "storage_key": _copy(item["storage_key"])} for item in sent.content.get("attachments", [])
    ]
    sender = db.session.get(User, transfer.sent_by_id)
    incoming = IncomingTransfer(
        organisation_id=transfer.destination_organisation_id,
        from_school=transfer.organisation.name,
        from_urn=transfer.organisation.urn,
        from_authority=None,
        sent_by=sender.full_name if sender else "The sending school",
        source_transfer_id=transfer.id,
        content=sent.content,
        note=sent.note,
        pdf_key=received_pdf,
        attachments=copies,
    )
    db.session.add(incoming)
    db.session.flush()
    record(
        Action.TRANSFER_DELIVERED,
        object_type="pupil_transfer",
        object_id=transfer.id,
        actor_id=None,
        organisation_id=transfer.organisation_id,
        details={"incoming_id": str(incoming.id), "pdf_bytes": len(pdf), "attachments": len(copies)},
    )
    notify_all(
        school_casework_ids(incoming.organisation_id),
        f"A child-protection file has been sent to you by {transfer.organisation.name}",
        link=incoming_link(incoming),
    )


def _email_link(link: TransferLink, transfer: PupilTransfer) -> None:
    """Email a school not on the portal its one-time link (once: a retried job finds it sent). The email
    names the sending school, never the child; the access code comes separately, by phone."""
    if link.emailed_at is not None or link.ended_at is not None:
        return
    token = issue_link_secret(link)
    send_templated(
        to=link.email,
        subject=f"A child-protection file from {transfer.organisation.name}",
        template="transfer_link",
        recipient=link.recipient,
        school=transfer.organisation.name,
        destination=transfer.destination_name,
        link=external_url("transfers.outside_file", token=token),
        expires_at=link.expires_at,
    )
    record(
        Action.TRANSFER_DELIVERED,
        object_type="pupil_transfer",
        object_id=transfer.id,
        actor_id=None,
        organisation_id=transfer.organisation_id,
        details={"link_id": str(link.id), "emailed": True},
    )


@job(EMAIL_LINK_JOB, queue="notifications", max_attempts=5)
def email_link(link_id: str) -> None:
    link = db.session.execute(select(TransferLink).where(TransferLink.id == uuid.UUID(str(link_id))).with_for_update(of=TransferLink)).unique().scalar_one()
    _email_link(link, link.transfer)


def head_ids(organisation_id: uuid.UUID) -> list[uuid.UUID]:
    """The head teachers of a school (active accounts)."""
    query = select(Membership.user_id).join(User, User.id == Membership.user_id)
    query = query.where(Membership.organisation_id == organisation_id, Membership.role == Role.HEAD, User.deactivated_at.is_(None))
    return list(db.session.execute(query).scalars())


def transfer_lead_ids() -> list[uuid.UUID]:
    """The people the authority names to oversee transfers of child-protection files."""
    return list(db.session.execute(select(AuthorityDuty.user_id).where(AuthorityDuty.duty == Duty.TRANSFER_LEAD)).scalars())


@job("transfers.check_clock", queue="sla")
def check_clock() -> None:
    now = utcnow()
    calendar = authority_school_calendar()
    waiting = select(PupilTransfer).where(PupilTransfer.status == TransferStatus.LEAVING, PupilTransfer.confirmed_at.is_not(None))
    for transfer in db.session.execute(waiting.with_for_update(skip_locked=True, of=PupilTransfer)).unique().scalars().all():
        day_three, day_five = calendar.reminder_moments(transfer.confirmed_at)
        due = f"by the end of {transfer.due_text}" if transfer.due_at else "now"
        link = page_path("transfers.detail", transfer_id=transfer.id)
        told = []
        if transfer.reminded_at is None and now >= day_three:
            transfer.reminded_at = now
            notify_all(school_casework_ids(transfer.organisation_id), f"A child-protection file must be sent to {transfer.destination_name} {due}", link=link)
            told.append("dsls")
        if transfer.head_told_at is None and now >= day_five:
            transfer.head_told_at = now
            notify_all(head_ids(transfer.organisation_id), f"A child-protection file has still to be sent to {transfer.destination_name} {due}", link=link)
            told.append("head")
        if transfer.lead_told_at is None and transfer.due_at is not None and now > transfer.due_at:
            transfer.lead_told_at = now
            notify_all(
                transfer_lead_ids(),
                f"Overdue: {transfer.organisation.name} has not sent a child-protection file within 5 school days",
                link=page_path("transfers.overdue"),
            )
            told.append("transfer_lead")
        if told:
            record(
                Action.TRANSFER_REMINDED,
                object_type="pupil_transfer",
                object_id=transfer.id,
                actor_id=None,
                organisation_id=transfer.organisation_id,
                details={"told": told},
            )
