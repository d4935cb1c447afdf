"""Who sees a transfer: the sending school's casework roles see what they send (and its receipt, after the
pupil has gone); the receiving school's casework roles see what was sent to them. Nobody else — not the
school's staff or governors, not the administrator, not the front door, not a partner."""

from __future__ import annotations

from portal.policies import Policy, casework_schools, child_of, never, within
from portal.transfers.models import AWAITING_RECEIPT, DestinationKind, IncomingTransfer, PupilTransfer, TransferFile, TransferLink, TransferStatus


def _sender_allows(user, action, obj) -> bool:
    if obj.organisation_id not in casework_schools(user):
        return False
    if action in {"send", "confirm", "withdraw"}:
        return obj.status == TransferStatus.LEAVING
    if action == "remind":
        return obj.destination_kind == DestinationKind.SAME_AUTHORITY and obj.status in AWAITING_RECEIPT
    if action == "redirect":
        return obj.status in (TransferStatus.SENT, TransferStatus.VIEWED, TransferStatus.REJECTED)
    if action in {"revoke_link", "new_link"}:
        return obj.destination_kind == DestinationKind.OUTSIDE and obj.status in AWAITING_RECEIPT
    return action == "download"


def _receiver_allows(user, action, obj) -> bool:
    if obj.organisation_id not in casework_schools(user):
        return False
    if action == "download":
        return not obj.discarded  # a copy rejected or withdrawn keeps nothing to download
    return action in {"decide", "review"}


POLICIES: dict[type, Policy] = {
    PupilTransfer: Policy(visible=lambda user: within(PupilTransfer.organisation_id, casework_schools(user)), allows=_sender_allows, sensitive=True),
    TransferFile: Policy(visible=child_of(TransferFile.transfer_id, PupilTransfer), allows=never),
    # The one-time link is opened by its secret and access code, never through a signed-in person's policy.
    TransferLink: Policy(visible=child_of(TransferLink.transfer_id, PupilTransfer), allows=never),
    IncomingTransfer: Policy(visible=lambda user: within(IncomingTransfer.organisation_id, casework_schools(user)), allows=_receiver_allows, sensitive=True),
}
