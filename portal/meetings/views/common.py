"""What the meetings' pages share: fetching a meeting, the gate to its papers, and the lists of its
people and its return as the pages show them."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from portal.extensions import db
from portal.meetings.models import MeetingReturn, PartnershipMeeting
from portal.partnership import service as partnership
from portal.partnership.models import Participant, ParticipantRole
from portal.policies import get_or_404, policy_for, visible_query


def meeting_or_404(meeting_id, action: str = "view") -> PartnershipMeeting:
    return get_or_404(PartnershipMeeting, meeting_id, action=action)


def may(action: str, obj) -> bool:
    """Whether the person signed in may do ``action`` to ``obj`` (to show or hide a part of a page)."""
    return policy_for(type(obj)).allows(current_user, action, obj)


def to_detail(meeting_id, anchor: str | None = None):
    return redirect(url_for("meetings.detail", meeting_id=meeting_id, _anchor=anchor))


def typed(value: str | None) -> str:
    """Typed text as saved: browsers send a textarea's lines ending in CR LF; the portal keeps LF."""
    return (value or "").replace("\r\n", "\n").strip()


def papers_first(meeting: PartnershipMeeting):
    """``None`` when this person may read the meeting's papers; otherwise a redirect to the agreement."""
    if may("read_papers", meeting):
        return None
    flash("Accept the information-sharing agreement before you see or work on this meeting's papers.")
    return to_detail(meeting.id, "agreement")


def listed(meeting: PartnershipMeeting) -> list[Participant]:
    """The people taking part, organisers first."""
    return sorted(partnership.participants(meeting), key=lambda p: p.role != ParticipantRole.ORGANISER)


def meeting_return(meeting: PartnershipMeeting) -> MeetingReturn | None:
    return db.session.execute(visible_query(MeetingReturn).where(MeetingReturn.meeting_id == meeting.id)).scalar_one_or_none()
