"""How context referrals and panel meetings read on the pages: how long ago a referral was raised, a
panel meeting's date and place, and the colour of a referral's status."""

from __future__ import annotations

from datetime import datetime

from portal.clock import UK, uk_datetime
from portal.contexts.models import ContextReferralStatus, PanelMeeting

STATUS_TAG_CLASSES = {ContextReferralStatus.AWAITING_DECISION: "govuk-tag--blue", ContextReferralStatus.DECIDED: "govuk-tag--green"}


def raised_words(moment: datetime, now: datetime) -> str:
    days = (now.astimezone(UK).date() - moment.astimezone(UK).date()).days
    if days <= 0:
        return "raised today"
    return "raised yesterday" if days == 1 else f"raised {days} days ago"


def meeting_label(meeting: PanelMeeting) -> str:
    return f"{uk_datetime(meeting.meets_at, '%A %-d %B %Y at %-I:%M%p')}, {meeting.venue}"
