"""What the contexts' pages share: the gate of a page open to a right rather than a role, and reads of
the panel's meetings, organisations and the workspace a decision opened."""

from __future__ import annotations

from datetime import datetime, time
from functools import wraps

from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from portal.assessments.models import SchoolAssessment
from portal.authorities.models import Organisation
from portal.clock import UK, utcnow
from portal.contexts.models import ContextReferral, PanelMeeting
from portal.extensions import db
from portal.meetings.models import PartnershipMeeting
from portal.policies import deny_page, visible_query
from portal.summits.models import SafetySummit


def gate(allowed):
    """View decorator: signed in, and ``allowed(user)``; otherwise 403 (audited), like ``roles_required``
    for rights that come from a duty or an organisation rather than a role."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not allowed(current_user):
                deny_page()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def one(query):
    return db.session.execute(query).unique().scalar_one_or_none()


def organisations(*conditions) -> list[Organisation]:
    return db.session.execute(visible_query(Organisation).where(*conditions).order_by(Organisation.name)).scalars().all()


def start_of_today():
    return datetime.combine(utcnow().astimezone(UK).date(), time(0, 0), tzinfo=UK)


def upcoming_meetings() -> list[PanelMeeting]:
    query = visible_query(PanelMeeting).where(PanelMeeting.meets_at >= start_of_today()).options(selectinload(PanelMeeting.chair))
    return db.session.execute(query.order_by(PanelMeeting.meets_at, PanelMeeting.id)).scalars().all()


def workspace_visible(referral: ContextReferral) -> bool:
    """Whether the current user may open the workspace the decision opened (a school assessment, say,
    is for the people working on it, not everyone who sees the referral)."""
    for model, workspace_id in ((SafetySummit, referral.summit_id), (PartnershipMeeting, referral.meeting_id), (SchoolAssessment, referral.assessment_id)):
        if workspace_id is not None:
            return one(visible_query(model).where(model.id == workspace_id)) is not None
    return False
