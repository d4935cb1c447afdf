"""The hand-over between authorities: the only path by which a child's data crosses from one authority on
the portal to another.

It is a mailbox, not a bypass. Each side only ever works in its own tenant scope:

1. The sending authority's delivery job *posts* a :class:`TransferHandover`: the file as it was sent (the
   snapshot, the DSL's note), the names of its PDF and attachments in the sending authority's file store,
   and the receiving school (found through the establishments directory: name, URN and authority only).
   It may insert rows *from* itself, nothing else.
2. The receiving authority's intake job *takes* the hand-overs addressed to it: it copies the PDF and
   attachments into its own store, makes the receiving school's :class:`IncomingTransfer`, and marks the
   hand-over taken. It may read and mark rows *to* itself, nothing else.
3. As the receiving school opens, accepts or rejects the file, it writes the receipt on the hand-over; the
   sending authority's job reads it back onto its own transfer record.

Both audit chains record each step (posted, taken; opened/accepted/rejected on the receiving side, the
receipt collected on the sending side). On PostgreSQL, row-level security on ``transfer_handovers`` holds
each authority to its side (migration 0012): a sender sees and inserts only its own rows, a receiver sees
and updates only the receipt columns of rows addressed to it; no other table of either authority is
visible to the other. The ORM queries here filter the same way (SQLite has no row-level security).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.context import require_authority_id


class HandoverStatus(LabelledEnum):
    POSTED = "posted"
    TAKEN = "taken"
    OPENED = "opened"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNDELIVERABLE = "undeliverable"


HandoverStatus.LABELS = {
    "posted": "Handed over, not yet taken in",
    "taken": "Taken in by the receiving authority",
    "opened": "Opened by the new school",
    "accepted": "Accepted by the new school",
    "rejected": "Rejected by the new school",
    "undeliverable": "The receiving school is not on the portal any more",
}


class TransferHandover(HasUUID, HasCreatedAt, db.Model):
    """A child-protection file handed from one authority to another (see the module's docstring). Not
    tenant-owned: it belongs to two authorities, each held to its own side."""

    __tablename__ = "transfer_handovers"
    __table_args__ = (
        Index("ix_transfer_handovers_to", "to_authority_id", "status"),
        Index("ix_transfer_handovers_from", "from_authority_id", "source_transfer_id"),
    )

    from_authority_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("authorities.id", ondelete="RESTRICT"), nullable=False)
    to_authority_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("authorities.id", ondelete="RESTRICT"), nullable=False)
    #: The receiving school, an organisation of ``to_authority_id`` (checked when it is taken in).
    to_organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: The sending school's transfer record (an id in the sending authority).
    source_transfer_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: What travels: ``{file, note, from_school, from_urn, from_authority, sent_by, pdf_key, attachments}``.
    package: Mapped[dict] = mapped_column(JSON, nullable=False)
    status: Mapped[HandoverStatus] = mapped_column(enum_column(HandoverStatus), nullable=False, default=HandoverStatus.POSTED)
    #: The receiving side's marks: taken in (its own copy's id), then the receipt.
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incoming_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    #: The sending side's mark: the receipt collected onto its transfer record (by status).
    collected_status: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


def sent_by_us():
    """The hand-overs this authority has posted."""
    return select(TransferHandover).where(TransferHandover.from_authority_id == require_authority_id())


def addressed_to_us():
    """The hand-overs posted to this authority."""
    return select(TransferHandover).where(TransferHandover.to_authority_id == require_authority_id())


def post(*, to_authority_id: uuid.UUID, to_organisation_id: uuid.UUID, source_transfer_id: uuid.UUID, package: dict) -> TransferHandover:
    """Post a file to another authority, from the authority in context."""
    sender = require_authority_id()
    if to_authority_id == sender:
        raise ValueError("A hand-over goes to another authority")
    handover = TransferHandover(
        from_authority_id=sender,
        to_authority_id=to_authority_id,
        to_organisation_id=to_organisation_id,
        source_transfer_id=source_transfer_id,
        package=package,
        status=HandoverStatus.POSTED,
    )
    db.session.add(handover)
    db.session.flush()
    return handover


def addressed(handover_id: uuid.UUID) -> TransferHandover | None:
    """A hand-over posted to this authority, by id (``None`` for any other)."""
    return db.session.execute(addressed_to_us().where(TransferHandover.id == handover_id)).scalar_one_or_none()
