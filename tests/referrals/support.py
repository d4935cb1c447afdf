"""Helpers for the referral tests: a complete referral form, reading back what was saved and who was told."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

#: A referral form with every answer a submission needs (the child is not in immediate danger).
COMPLETE = {
    "categories": ["neglect", "online_harm"],
    "what_happened": "Came to school hungry on four days this week; says there is no food at home.",
    "child_voice": "Mum sleeps all day and there's nothing in the fridge.",
    "immediate_danger": "no",
    "parents_aware": "yes",
    "school_view_level": "child_in_need",
    "consent": "sought_given",
    "version": "1",
}


def form(**changes) -> dict:
    data = dict(COMPLETE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def referral(app, side, referral_id):
    from portal.referrals.models import Referral
    from tests.world import load

    return load(app, Referral, referral_id, side.authority_id)


def referrals(app, side):
    from portal.extensions import db
    from portal.referrals.models import Referral
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(Referral).order_by(Referral.created_at)).unique().scalars().all()
        db.session.expunge_all()
        return rows


def transitions(app, side, referral_id):
    from portal.extensions import db
    from portal.referrals.models import ReferralTransition
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = (
            db.session.execute(select(ReferralTransition).where(ReferralTransition.referral_id == referral_id).order_by(ReferralTransition.created_at))
            .unique()
            .scalars()
            .all()
        )
        db.session.expunge_all()
        return rows


def notifications(app, side, person, containing: str = "") -> list[str]:
    """The titles of ``person``'s notifications (oldest first), optionally only those containing a phrase."""
    from portal.extensions import db
    from portal.notifications.models import Notification
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        titles = db.session.execute(select(Notification.title).where(Notification.user_id == person.id).order_by(Notification.created_at)).scalars().all()
    return [t for t in titles if containing in t]


def chronology_titles(app, side, pupil_id) -> list[str]:
    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        return (
            db.session.execute(
                select(ChronologyEntry.title).where(ChronologyEntry.pupil_id == pupil_id).order_by(ChronologyEntry.occurred_at, ChronologyEntry.created_at)
            )
            .scalars()
            .all()
        )


def error_next_to(html: str, field_id: str) -> str:
    """The text of the error message shown next to a field (GOV.UK: ``<p id="<field>-error">``), or ''."""
    match = re.search(rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    if not match:
        return ""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).replace("Error:", "").strip())
