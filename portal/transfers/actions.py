"""The audited actions of this feature: a child-protection file's transfer, on both sides."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """A pupil's leaving and their file's transfer. (With the actions every feature records: portal.audit.actions.)"""

    TRANSFER_RECORDED = "transfer.leaving_recorded"
    TRANSFER_CONFIRMED = "transfer.destination_confirmed"
    TRANSFER_WITHDRAWN = "transfer.withdrawn"
    TRANSFER_REDIRECTED = "transfer.redirected"
    TRANSFER_CHASED = "transfer.receiver_reminded"
    TRANSFER_SENT = "transfer.sent"
    TRANSFER_DELIVERED = "transfer.delivered"
    TRANSFER_REMINDED = "transfer.reminder_sent"
    TRANSFER_ACCEPTED = "transfer.accepted"
    TRANSFER_REJECTED = "transfer.rejected"
    TRANSFER_REVIEWED = "transfer.reviewed"
    OVERDUE_VIEWED = "transfer.overdue_viewed"
    SENT_COPY_SETTING_CHANGED = "transfer.sent_copy_setting_changed"
    SENT_COPY_REMOVED = "transfer.sent_copy_removed"
    RECORDS_CLOSED = "transfer.sending_school_records_closed"
    HANDED_OVER = "transfer.handed_over"
    TAKEN_IN = "transfer.taken_in"
    RECEIPT_COLLECTED = "transfer.receipt_collected"
    LINK_VIEWED = "transfer.link_viewed"
    LINK_REFUSED = "transfer.link_refused"
    LINK_OPENED = "transfer.link_code_accepted"
    LINK_CODE_WRONG = "transfer.link_code_wrong"
    LINK_RECEIPT = "transfer.link_receipt"
    LINK_REVOKED = "transfer.link_revoked"
    LINK_REISSUED = "transfer.link_reissued"
