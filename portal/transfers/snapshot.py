"""What travels: the whole child-protection file of one pupil at the sending school, as it is at the
moment it is sent — the pupil's details, the chronology with every line's substance (concerns that went no
further included), the concerns with their triage, the advice requests, the referrals with every step and
message, the DSL's manual entries, and the attachments (by name; their bytes are copied with the file).

Plain data (strings, numbers, lists), so that it can be written into the receiving school's record as it
is: later changes at the old school do not alter what was sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.advice.models import AdviceMessage, AdviceRequest
from portal.casework.models import Attachment, ChronologyEntry, ManualEntry
from portal.clock import utcnow
from portal.concerns.models import Concern, ConcernCategory
from portal.extensions import db
from portal.pupils.models import Pupil
from portal.referrals import household
from portal.referrals.models import Referral, ReferralMessage, ReferralTransition
from portal.vocabulary import harm_labels

#: The version of this layout, kept in the file: a receiving school reads what it was sent.
LAYOUT = 1


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def _name(user) -> str | None:
    return user.full_name if user is not None else None


def pupil_details(pupil: Pupil) -> dict[str, Any]:
    return {
        "legal_forename": pupil.legal_forename,
        "legal_surname": pupil.legal_surname,
        "preferred_name": pupil.preferred_name,
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "year_group": pupil.year_group,
        "upn": pupil.upn,
        "flags": list(pupil.flags),
    }


def build(pupil: Pupil, *, school, sent_by, destination: str) -> dict[str, Any]:
    """The file of ``pupil`` at ``school``, for ``destination``, sent by ``sent_by``."""
    at_school = {"pupil_id": pupil.id}
    lines = (
        db.session.execute(
            select(ChronologyEntry)
            .where(ChronologyEntry.pupil_id == pupil.id, ChronologyEntry.organisation_id == school.id)
            .order_by(ChronologyEntry.occurred_at, ChronologyEntry.id)
        )
        .unique()
        .scalars()
    )
    concerns = list(
        db.session.execute(
            select(Concern).filter_by(**at_school).options(selectinload(Concern.raised_by), selectinload(Concern.triaged_by)).order_by(Concern.occurred_at)
        )
        .unique()
        .scalars()
    )
    labels = dict(db.session.execute(select(ConcernCategory.key, ConcernCategory.label)).all())
    advice = list(db.session.execute(select(AdviceRequest).filter_by(**at_school).order_by(AdviceRequest.created_at)).unique().scalars())
    referrals = list(
        db.session.execute(select(Referral).filter_by(**at_school).where(Referral.submitted_at.is_not(None)).order_by(Referral.submitted_at)).unique().scalars()
    )
    manual = db.session.execute(select(ManualEntry).filter_by(**at_school).order_by(ManualEntry.occurred_at)).unique().scalars()
    parents = [Attachment.concern_id.in_([c.id for c in concerns]), Attachment.advice_request_id.in_([a.id for a in advice])]
    parents.append(Attachment.referral_id.in_([r.id for r in referrals]))
    files = db.session.execute(select(Attachment).where(or_(*parents)).order_by(Attachment.created_at)).unique().scalars()
    # Who the child lives with and the professionals involved, as each referral recorded them.
    kin = {r.id: household.entries(r) for r in referrals}
    return {
        "layout": LAYOUT,
        "made_at": utcnow().isoformat(),
        "pupil": pupil_details(pupil),
        "school": {"name": school.name, "urn": school.urn},
        "destination": destination,
        "sent_by": _name(sent_by),
        "chronology": [
            {
                "occurred_at": _when(line.occurred_at),
                "kind": line.kind.label,
                "title": line.title,
                "by": _name(line.actor),
                "substance": list(line.substance or []),
                "significant": line.significant,
            }
            for line in lines
        ],
        "concerns": [
            {
                "occurred_at": _when(c.occurred_at),
                "category": labels.get(c.category, c.category),
                "seen_or_heard": c.seen_or_heard,
                "child_words": c.child_words,
                "location": c.location,
                "urgent": c.urgent,
                "logged_by": _name(c.raised_by),
                "triage": (
                    {"outcome": c.outcome.label, "action_taken": c.action_taken, "told_reporter": c.response_to_reporter, "by": _name(c.triaged_by)}
                    if c.outcome is not None
                    else None
                ),
            }
            for c in concerns
        ],
        "advice": [
            {
                "asked_at": _when(a.created_at),
                "question": a.question,
                "outcome": a.outcome.label if a.outcome else None,
                "answer": a.answer,
                "messages": [
                    {"at": _when(m.created_at), "from": "the front door" if m.from_front_door else "the school", "body": m.body}
                    for m in db.session.execute(
                        select(AdviceMessage).where(AdviceMessage.advice_request_id == a.id).order_by(AdviceMessage.created_at)
                    ).scalars()
                ],
            }
            for a in advice
        ],
        "referrals": [
            {
                "submitted_at": _when(r.submitted_at),
                "categories": harm_labels(r.categories),
                "what_happened": r.what_happened,
                "child_voice": r.child_voice,
                "school_view_level": r.school_view_level.label if r.school_view_level else None,
                "address": r.address,
                "lives_with": r.lives_with,
                "consent": household.consent_line(r),
                "household": [household.person_line(p) for p in kin[r.id][0]],
                "agencies": [household.agency_line(a) for a in kin[r.id][1]],
                "status": r.status.label,
                "decision": r.decision.label if r.decision else None,
                "decision_reason": r.decision_reason,
                "steps": [
                    {"at": _when(t.created_at), "to": t.to_status.label, "comment": t.comment}
                    for t in db.session.execute(
                        select(ReferralTransition).where(ReferralTransition.referral_id == r.id).order_by(ReferralTransition.created_at)
                    ).scalars()
                ],
                "messages": [
                    {"at": _when(m.created_at), "from": "the front door" if m.from_front_door else "the school", "body": m.body}
                    for m in db.session.execute(
                        select(ReferralMessage).where(ReferralMessage.referral_id == r.id).order_by(ReferralMessage.created_at)
                    ).scalars()
                ],
            }
            for r in referrals
        ],
        "manual_entries": [
            {"occurred_at": _when(m.occurred_at), "kind": m.kind.label, "involved": m.involved, "summary": m.summary, "actions": m.actions} for m in manual
        ],
        "attachments": [
            {"filename": f.filename, "content_type": f.content_type, "size_bytes": f.size_bytes, "sha256": f.sha256, "storage_key": f.storage_key}
            for f in files
        ],
    }
