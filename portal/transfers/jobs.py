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
from datetime import timedelta

from flask import render_template
from sqlalchemy import select

from jobs.registry import job
from portal.accounts.models import User
from portal.audit.service import record
from portal.authorities.models import Authority, Duty, Organisation, OrganisationKind
from portal.casework import files
from portal.casework.people import duty_ids, notify_all, school_casework_ids, school_head_ids
from portal.casework.schooldays import authority_school_calendar
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.mail import external_url, send_templated
from portal.notifications.service import page_path
from portal.pdf import render_pdf
from portal.transfers import handover
from portal.transfers.actions import Action
from portal.transfers.base import DELIVER_JOB, EMAIL_LINK_JOB, file_received, incoming_link
from portal.transfers.handover import HandoverStatus, TransferHandover
from portal.transfers.links import current_link, issue_link_secret
from portal.transfers.models import DestinationKind, IncomingTransfer, PupilTransfer, TransferFile, TransferLink, TransferStatus
from tenants.context import require_authority_id


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
    if transfer.destination_kind == DestinationKind.OTHER_AUTHORITY:
        _hand_over(sent, transfer)
        return
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


def _hand_over(sent: TransferFile, transfer: PupilTransfer) -> None:
    """Post the file to the receiving authority (once: a retried job finds it posted). What travels is the
    file as it was sent and the names of its PDF and attachments in this authority's store; the receiving
    authority's intake copies them into its own."""
    if db.session.execute(handover.sent_by_us().where(TransferHandover.source_transfer_id == transfer.id)).first() is not None:
        return
    if not files.exists(sent.pdf_key):
        files.write(sent.pdf_key, render_file_pdf(sent, transfer))
    sender = db.session.get(User, transfer.sent_by_id)
    authority = db.session.get(Authority, transfer.authority_id)
    mail = handover.post(
        to_authority_id=transfer.destination_authority_id,
        to_organisation_id=transfer.destination_school_id,
        source_transfer_id=transfer.id,
        package={
            "file": sent.content,
            "note": sent.note,
            "from_school": transfer.organisation.name,
            "from_urn": transfer.organisation.urn,
            "from_authority": authority.name,
            "sent_by": sender.full_name if sender else "The sending school",
            "pdf_key": sent.pdf_key,
            "attachments": sent.content.get("attachments", []),
        },
    )
    record(
        Action.HANDED_OVER,
        object_type="pupil_transfer",
        object_id=transfer.id,
        actor_id=None,
        organisation_id=transfer.organisation_id,
        details={
            "handover_id": str(mail.id),
            "to_authority_id": str(transfer.destination_authority_id),
            "attachments": len(sent.content.get("attachments", [])),
        },
    )


def _copy_in(key: str, mail: TransferHandover) -> str:
    """This authority's own copy of a file the sender named in the hand-over: the one read of another
    authority's file store, and only of the keys in a hand-over addressed to this authority."""
    copy = files.new_key()
    files.write(copy, files.path_for(key, authority_id=mail.from_authority_id).read_bytes())
    return copy


@job("transfers.take_handovers", queue="exports")
def take_handovers() -> None:
    """The receiving authority takes in the files handed over to it: its own copies of the PDF and the
    attachments, the receiving school's incoming file, its DSLs told. A school no longer open here makes
    the hand-over undeliverable (the sender is told)."""
    waiting = handover.addressed_to_us().where(TransferHandover.status == HandoverStatus.POSTED).order_by(TransferHandover.created_at)
    for mail in db.session.execute(waiting.with_for_update(skip_locked=True).limit(50)).scalars().all():
        school = db.session.execute(
            select(Organisation).where(
                Organisation.id == mail.to_organisation_id, Organisation.kind == OrganisationKind.SCHOOL, Organisation.archived_at.is_(None)
            )
        ).scalar_one_or_none()
        now = utcnow()
        if school is None:
            mail.status, mail.status_at = HandoverStatus.UNDELIVERABLE, now
            record(Action.TAKEN_IN, object_type="transfer_handover", object_id=mail.id, actor_id=None, details={"delivered": False})
            continue
        package = mail.package
        incoming = IncomingTransfer(
            organisation_id=school.id,
            from_school=package["from_school"],
            from_urn=package.get("from_urn"),
            from_authority=package["from_authority"],
            sent_by=package["sent_by"],
            source_transfer_id=mail.source_transfer_id,
            handover_id=mail.id,
            content=package["file"],
            note=package.get("note"),
            pdf_key=_copy_in(package["pdf_key"], mail),
            attachments=[
                {**{k: v for k, v in item.items() if k != "storage_key"}, "storage_key": _copy_in(item["storage_key"], mail)} for item in package["attachments"]
            ],
        )
        db.session.add(incoming)
        db.session.flush()
        mail.status, mail.taken_at, mail.incoming_id = HandoverStatus.TAKEN, now, incoming.id
        record(
            Action.TAKEN_IN,
            object_type="incoming_transfer",
            object_id=incoming.id,
            actor_id=None,
            organisation_id=school.id,
            details={"handover_id": str(mail.id), "from_authority_id": str(mail.from_authority_id), "attachments": len(incoming.attachments)},
        )
        notify_all(
            school_casework_ids(school.id),
            f"A child-protection file has been sent to you by {package['from_school']} ({package['from_authority']})",
            link=incoming_link(incoming),
        )


#: What a receipt on a hand-over means for the sending school's transfer record.
_COLLECTED = {
    HandoverStatus.OPENED: TransferStatus.VIEWED,
    HandoverStatus.ACCEPTED: TransferStatus.RECEIVED,
    HandoverStatus.REJECTED: TransferStatus.REJECTED,
    HandoverStatus.UNDELIVERABLE: TransferStatus.REJECTED,
}


@job("transfers.collect_receipts", queue="sla")
def collect_receipts() -> None:
    """The sending authority reads back what the receiving school did with files handed over: opened,
    received (who, when) or rejected (why), onto its own transfer records; its DSLs are told."""
    news = handover.sent_by_us().where(TransferHandover.status.in_(list(_COLLECTED)))
    for mail in db.session.execute(news.with_for_update(skip_locked=True).limit(200)).scalars().all():
        if mail.collected_status == mail.status.value:
            continue
        transfer = db.session.execute(select(PupilTransfer).where(PupilTransfer.id == mail.source_transfer_id)).unique().scalar_one_or_none()
        mail.collected_status = mail.status.value
        if transfer is None or transfer.status in (TransferStatus.RECEIVED, TransferStatus.REJECTED):
            continue
        when = mail.status_at or utcnow()
        if mail.status == HandoverStatus.OPENED:
            transfer.status, transfer.viewed_at = TransferStatus.VIEWED, when
        elif mail.status == HandoverStatus.ACCEPTED:
            transfer.status, transfer.received_at, transfer.received_by = TransferStatus.RECEIVED, when, mail.decided_by
            transfer.received_role, transfer.received_school = "Designated safeguarding lead", transfer.destination_name
            if transfer.viewed_at is None:
                transfer.viewed_at = when
            file_received(transfer, when)
        else:
            reason = mail.rejection_reason or "The school is not on the portal any more: send the file another way"
            transfer.status, transfer.rejected_at, transfer.rejection_reason = TransferStatus.REJECTED, when, reason
        record(
            Action.RECEIPT_COLLECTED,
            object_type="pupil_transfer",
            object_id=transfer.id,
            actor_id=None,
            organisation_id=transfer.organisation_id,
            details={"handover_id": str(mail.id), "status": mail.status.value},
        )
        if transfer.status != TransferStatus.VIEWED:
            verb = "received" if transfer.status == TransferStatus.RECEIVED else "rejected"
            notify_all(
                school_casework_ids(transfer.organisation_id),
                f"{transfer.destination_name} has {verb} a child-protection file you sent",
                link=page_path("transfers.detail", transfer_id=transfer.id),
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


@job("transfers.dispose_sent_copies", queue="maintenance")
def dispose_sent_copies() -> None:
    """Once the new school has received a file, the sending school keeps the record of the transfer and its
    receipt; a copy of what it sent only for as long as the authority says (none by default). Past that,
    the copy's PDF is removed and its contents are reduced to counts of what was sent. The school's own
    records of the child are not touched here."""
    authority = db.session.get(Authority, require_authority_id())
    cutoff = utcnow() - timedelta(days=authority.sent_copy_days or 0)
    due = (
        select(TransferFile, PupilTransfer)
        .join(PupilTransfer, PupilTransfer.id == TransferFile.transfer_id)
        .where(PupilTransfer.status == TransferStatus.RECEIVED, PupilTransfer.received_at <= cutoff, TransferFile.disposed_at.is_(None))
        .order_by(PupilTransfer.received_at)
        .limit(200)
    )
    for sent, transfer in db.session.execute(due).unique().all():
        counts = sent.counts
        files.remove(sent.pdf_key)
        sent.content, sent.note, sent.disposed_at = {"disposed": True, "counts": counts}, None, utcnow()
        record(
            Action.SENT_COPY_REMOVED,
            object_type="pupil_transfer",
            object_id=transfer.id,
            actor_id=None,
            organisation_id=transfer.organisation_id,
            details={"kept_days": authority.sent_copy_days or 0},
        )


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
            notify_all(
                school_head_ids(transfer.organisation_id), f"A child-protection file has still to be sent to {transfer.destination_name} {due}", link=link
            )
            told.append("head")
        if transfer.lead_told_at is None and transfer.due_at is not None and now > transfer.due_at:
            transfer.lead_told_at = now
            notify_all(
                duty_ids(Duty.TRANSFER_LEAD),
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
