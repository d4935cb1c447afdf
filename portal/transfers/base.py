"""What the transfer feature's services share: the refusal they raise, the links and audit of a transfer,
the jobs' names, the transfer's rules of time (the link's 14 days, the wrong codes allowed)."""

from __future__ import annotations

from datetime import timedelta

from portal.audit.service import record
from portal.notifications.service import page_path
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
