"""A pupil's child-protection file on its way to their new school (Keeping Children Safe in Education:
within 5 school days, separately from the main pupil file, securely, with receipt confirmed).

* :class:`PupilTransfer` is the sending school's record: the pupil is leaving, for where, whether the
  destination is confirmed, the 5-school-day clock, what was sent and the receipt. It stays at the
  sending school after the pupil has gone.
* :class:`TransferFile` is what was sent: a snapshot of the whole file (the chronology with every line's
  substance, concerns, triage, advice, referrals and decisions, manual entries, attachments), the sending
  DSL's note for the new school, and its PDF. Written once; later changes at the old school do not alter
  it.
* :class:`IncomingTransfer` is the receiving school's copy: waiting, accepted (matched to a pupil on its
  register, or added to it) or rejected, and the receiving DSL's review.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, Date, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import UK
from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class TransferStatus(LabelledEnum):
    LEAVING = "leaving"
    SENT = "sent"
    VIEWED = "viewed"
    RECEIVED = "received"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REDIRECTED = "redirected"


TransferStatus.LABELS = {
    "leaving": "Leaving: file not sent yet",
    "sent": "Sent: not opened yet",
    "viewed": "Opened by the new school",
    "received": "Received",
    "rejected": "Rejected by the new school",
    "withdrawn": "Withdrawn",
    "redirected": "Sent to another school instead",
}

#: The transfers whose 5-school-day clock runs: the file has still to be sent.
OPEN_STATUSES = (TransferStatus.LEAVING,)
#: Sent and waiting for the new school.
AWAITING_RECEIPT = (TransferStatus.SENT, TransferStatus.VIEWED)


class DestinationKind(LabelledEnum):
    SAME_AUTHORITY = "same_authority"
    OTHER_AUTHORITY = "other_authority"
    OUTSIDE = "outside"


DestinationKind.LABELS = {
    "same_authority": "A school in this authority",
    "other_authority": "A school of another authority on the portal",
    "outside": "A school or college not on the portal",
}


class PupilTransfer(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The sending school's record of a pupil leaving and their file's transfer."""

    __tablename__ = "pupil_transfers"
    __table_args__ = tenant_table_args(
        parent_key("pupil_id", "pupils"),
        parent_key("organisation_id", "organisations"),
        parent_key("destination_organisation_id", "organisations"),
        parent_key("recorded_by_id", "users"),
        parent_key("sent_by_id", "users"),
        CheckConstraint("destination_kind <> 'same_authority' OR destination_organisation_id IS NOT NULL", name="same_authority_names_the_school"),
        CheckConstraint("destination_kind <> 'outside' OR (destination_dsl IS NOT NULL AND destination_email IS NOT NULL)", name="outside_names_its_dsl"),
        Index("ix_pupil_transfers_school", "authority_id", "organisation_id", "status", "due_at"),
    )

    pupil_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    leaving_on: Mapped[date] = mapped_column(Date, nullable=False)
    destination_kind: Mapped[DestinationKind] = mapped_column(enum_column(DestinationKind), nullable=False)
    #: A school of this authority.
    destination_organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The destination as the page names it (for every kind): its name and URN.
    destination_name: Mapped[str] = mapped_column(String(200), nullable=False)
    destination_urn: Mapped[str | None] = mapped_column(String(6))
    #: A school of another authority on the portal: that authority (its id and name; not a key into it).
    destination_authority_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    destination_authority_name: Mapped[str | None] = mapped_column(String(200))
    destination_school_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: A school not on the portal: its DSL, to whom the one-time link is emailed.
    destination_dsl: Mapped[str | None] = mapped_column(String(200))
    destination_email: Mapped[str | None] = mapped_column(String(254))
    #: Whether the destination is confirmed (the new school has the child on roll, or will): the clock starts.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: 5 school days from the confirmation: when the file must have been sent.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[TransferStatus] = mapped_column(enum_column(TransferStatus), nullable=False, default=TransferStatus.LEAVING)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The receipt: who at the new school, their role, when.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by: Mapped[str | None] = mapped_column(String(200))
    received_role: Mapped[str | None] = mapped_column(String(200))
    #: A school not on the portal says which school received it and on what date.
    received_school: Mapped[str | None] = mapped_column(String(200))
    received_on: Mapped[date | None] = mapped_column(Date)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The clock's reminders, each sent once: the school's DSLs (day 3), the head (day 5), the
    #: authority's transfer lead (overdue).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    head_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lead_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    pupil = tenant_relationship("Pupil", "PupilTransfer.pupil_id", lazy="joined")
    organisation = tenant_relationship("Organisation", "PupilTransfer.organisation_id", lazy="joined")
    recorded_by = tenant_relationship("User", "PupilTransfer.recorded_by_id")
    sent_by = tenant_relationship("User", "PupilTransfer.sent_by_id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def due_day(self) -> date | None:
        """The 5th school day, by the end of which the file must be sent (``due_at`` is the UK midnight
        that ends it)."""
        if self.due_at is None:
            return None
        return self.due_at.astimezone(UK).date() - timedelta(days=1)

    @property
    def due_text(self) -> str:
        """``Wednesday 17 March 2027``: the day the file must be sent by the end of."""
        return self.due_day.strftime("%A %-d %B %Y") if self.due_day else ""


class TransferFile(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """What was sent: the whole file as it was at that moment, the sending DSL's note, and its PDF. The
    application role may add these, and (on PostgreSQL) change one only to remove the sending school's copy
    once the authority's time for keeping it is over (migration 0013): never to rewrite what was sent."""

    __tablename__ = "transfer_files"
    __table_args__ = tenant_table_args(
        parent_key("transfer_id", "pupil_transfers"),
        Index("ix_transfer_files_transfer", "authority_id", "transfer_id"),
    )

    transfer_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: The structured file (see ``portal.transfers.snapshot``).
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    #: The summary "what the new school should know now", in the sending DSL's words.
    note: Mapped[str | None] = mapped_column(Text)
    #: The PDF of the file, in the sending school's store (made by the delivery job).
    pdf_key: Mapped[str] = mapped_column(String(64), nullable=False)
    #: When the sending school's copy was removed after the receipt (the authority's setting): its content is
    #: then only what was sent, counted (``{"disposed": true, "counts": {...}}``), and its PDF is gone.
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def counts(self) -> dict[str, int]:
        """How many chronology lines, concerns, referrals, manual entries and attachments were sent."""
        if self.content.get("disposed"):
            return dict(self.content.get("counts", {}))
        return {part: len(self.content.get(part, [])) for part in ("chronology", "concerns", "referrals", "manual_entries", "attachments")}


class LinkEnd(LabelledEnum):
    """Why a one-time link stopped working (before it expired)."""

    RECEIPT = "receipt"
    REVOKED = "revoked"
    REPLACED = "replaced"
    WRONG_CODES = "wrong_codes"


LinkEnd.LABELS = {
    "receipt": "Receipt confirmed",
    "revoked": "Revoked by your school",
    "replaced": "Replaced by a new link",
    "wrong_codes": "Stopped after too many wrong access codes",
}


class TransferLink(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The one-time link by which a school not on the portal receives a file: emailed to its named DSL,
    opened with an access code the sending DSL gives by phone, valid for 14 days, and stopped by the
    receipt, by the sender, by a new link or by too many wrong codes. Only keyed hashes of the link's
    secret and of the code are stored."""

    __tablename__ = "transfer_links"
    __table_args__ = tenant_table_args(
        parent_key("transfer_id", "pupil_transfers"),
        parent_key("created_by_id", "users"),
        Index("ix_transfer_links_transfer", "authority_id", "transfer_id"),
        Index("ix_transfer_links_token", "token_hash"),
    )

    transfer_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    recipient: Mapped[str] = mapped_column(String(200), nullable=False)
    #: Set by the job that emails the link (the secret itself is never stored).
    token_hash: Mapped[str | None] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wrong_codes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_because: Mapped[LinkEnd | None] = mapped_column(enum_column(LinkEnd))
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    transfer = tenant_relationship("PupilTransfer", "TransferLink.transfer_id", lazy="joined")

    def problem(self, now: datetime) -> str:
        """Why the link cannot be used now (``""`` if it can): ``ended`` or ``expired``."""
        if self.ended_at is not None:
            return "ended"
        if self.expires_at <= now:
            return "expired"
        return ""


class IncomingStatus(LabelledEnum):
    WAITING = "waiting"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


IncomingStatus.LABELS = {"waiting": "Waiting for you", "accepted": "Accepted", "rejected": "Rejected", "withdrawn": "Withdrawn by the sending school"}

#: The receiving school's copy is of a file not for it: its contents are removed.
DISCARDED = (IncomingStatus.REJECTED, IncomingStatus.WITHDRAWN)


class IncomingTransfer(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A child-protection file sent to a school of this authority: the receiving school's own copy."""

    __tablename__ = "incoming_transfers"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("pupil_id", "pupils"),
        parent_key("decided_by_id", "users"),
        parent_key("reviewed_by_id", "users"),
        Index("ix_incoming_transfers_school", "authority_id", "organisation_id", "status", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: Where it came from, as the sending school is named (and its authority, when another one).
    from_school: Mapped[str] = mapped_column(String(200), nullable=False)
    from_urn: Mapped[str | None] = mapped_column(String(6))
    from_authority: Mapped[str | None] = mapped_column(String(200))
    sent_by: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The sending school's record (an id in the sending authority; not a key across authorities).
    source_transfer_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: From another authority: the hand-over it came by (``portal.transfers.handover``).
    handover_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    #: The receiving school's copies: the PDF, and each attachment (``[{filename, content_type,
    #: size_bytes, sha256, storage_key}]``).
    pdf_key: Mapped[str] = mapped_column(String(64), nullable=False)
    attachments: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[IncomingStatus] = mapped_column(enum_column(IncomingStatus), nullable=False, default=IncomingStatus.WAITING)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The pupil on the register the file was accepted for.
    pupil_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    #: The receiving DSL's review of the file once accepted: when, by whom, what they will do.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    review_actions: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation = tenant_relationship("Organisation", "IncomingTransfer.organisation_id", lazy="joined")
    decided_by = tenant_relationship("User", "IncomingTransfer.decided_by_id")
    reviewed_by = tenant_relationship("User", "IncomingTransfer.reviewed_by_id")
    pupil = tenant_relationship("Pupil", "IncomingTransfer.pupil_id")

    @property
    def discarded(self) -> bool:
        """Rejected or withdrawn: the school keeps who sent it, when and why it went, not the file."""
        return self.status in DISCARDED

    @property
    def pupil_details(self) -> dict:
        """The pupil as the sending school had them (name, date of birth, UPN, year group)."""
        return dict(self.content.get("pupil", {}))
