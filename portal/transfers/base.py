"""What the transfer feature's services share: the refusal they raise, the links and audit of a transfer,
the jobs' names, the transfer's rules of time (the link's 14 days, the wrong codes allowed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.audit.service import record
from portal.authorities.models import Authority
from portal.extensions import db
from portal.notifications.service import page_path
from portal.transfers.actions import Action
from portal.transfers.models import IncomingTransfer, PupilTransfer, TransferStatus

#: A transfer still under way: a pupil has one at a time.
STILL_GOING = (TransferStatus.LEAVING, TransferStatus.SENT, TransferStatus.VIEWED)

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


def transfer_path(transfer: PupilTransfer) -> str:
    return page_path("transfers.detail", transfer_id=transfer.id)


def incoming_link(incoming: IncomingTransfer) -> str:
    return page_path("transfers.incoming", incoming_id=incoming.id)


def audit_transfer(action: str, transfer: PupilTransfer, **details) -> None:
    record(
        action,
        object_type="pupil_transfer",
        object_id=transfer.id,
        organisation_id=transfer.organisation_id,
        details={"pupil_id": str(transfer.pupil_id), **details},
    )


def file_received(transfer: PupilTransfer, when: datetime) -> None:
    """The new school has the file: the sending school's records of the child become read-only now and
    close when the authority's setting says (at once by default; after the days it keeps a read-only
    copy). Only the record of the transfer and its receipt stay open to the school; the child leaves the
    register if they had not already."""
    pupil = transfer.pupil
    if pupil.file_transferred_at is not None:
        return
    authority = db.session.get(Authority, transfer.authority_id)
    kept_days = (authority.sent_copy_days if authority is not None else None) or 0
    pupil.file_transferred_at, pupil.records_closed_at = when, when + timedelta(days=kept_days)
    if pupil.left_at is None:
        pupil.left_at = when
    record(
        Action.RECORDS_CLOSED,
        object_type="pupil",
        object_id=pupil.id,
        actor_id=None,
        organisation_id=transfer.organisation_id,
        details={"transfer_id": str(transfer.id), "read_only_days": kept_days},
    )
