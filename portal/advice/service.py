"""What happens to an advice request: asked, taken, answered, replied to. Each step is audited in the
same transaction, put on the named pupil's chronology, and told to the other side.

Notification titles never name the child: they go by email too.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from portal.advice.actions import Action
from portal.advice.models import AdviceMessage, AdviceOutcome, AdviceRequest, AdviceStatus
from portal.audit.service import record
from portal.casework import attachments, chronology
from portal.casework.models import EntryKind
from portal.casework.people import front_door_ids, notify_all
from portal.clock import utcnow
from portal.extensions import db
from portal.needs import service as needs
from portal.needs.models import NeedGuidance, NeedIndicator
from portal.notifications.service import page_path
from portal.vocabulary import Level, Urgency


def _link(advice: AdviceRequest) -> str:
    return page_path("advice.detail", advice_id=advice.id)


def view_line(level: Level | None) -> str:
    """The DSL's view of the level, in words ("Not sure" when they gave none)."""
    return level.label if level is not None else "Not sure"


def ask(
    *,
    organisation,
    pupil,
    requested_by_id,
    question: str,
    categories: list[str],
    urgency: Urgency,
    uploads=(),
    guidance: NeedGuidance | None = None,
    indicators: list[NeedIndicator] = (),
    view_level: Level | None = None,
    view_reason: str | None = None,
) -> AdviceRequest:
    """A new request from a school (``pupil`` is ``None`` for an anonymous consultation), made under the
    levels-of-need ``guidance`` in force (the caller has checked ``indicators`` are of it), with the DSL's
    view of the level if they have one and why it differs from the level the indicators suggest."""
    guidance = guidance or needs.current_guidance()
    advice = AdviceRequest(
        organisation_id=organisation.id,
        pupil_id=pupil.id if pupil is not None else None,
        requested_by_id=requested_by_id,
        question=question.strip(),
        categories=list(categories),
        urgency=urgency,
        status=AdviceStatus.WAITING,
        need_guidance_id=guidance.id,
        dsl_view_level=view_level,
        dsl_view_reason=(view_reason or "").strip() or None,
    )
    db.session.add(advice)
    db.session.flush()
    needs.tick_advice(advice.id, list(indicators))
    ticked = needs.indicator_lines(indicators)
    kept = [
        attachments.save(upload, organisation_id=organisation.id, advice_request_id=advice.id, uploaded_by_id=requested_by_id).filename for upload in uploads
    ]
    record(
        Action.ADVICE_REQUESTED,
        object_type="advice_request",
        object_id=advice.id,
        organisation_id=organisation.id,
        details={
            "urgency": urgency.value,
            "named": "yes" if pupil is not None else "no",
            "need_guidance_version": guidance.number,
            "indicators": [str(i.id) for i in indicators],
            "dsl_view_level": view_level.value if view_level is not None else "not_sure",
        },
    )
    if pupil is not None:
        chronology.add(
            pupil_id=pupil.id,
            organisation_id=organisation.id,
            kind=EntryKind.ADVICE,
            title="Advice asked of the front door",
            object_type="advice_request",
            object_id=advice.id,
            occurred_at=advice.created_at,
            actor_id=requested_by_id,
            substance=chronology.lines(
                ("The question", advice.question),
                ("How soon", urgency.label),
                ("Levels-of-need indicators ticked", ticked),
                ("The DSL's view of the level", view_line(view_level)),
                ("Why the DSL's view differs from the indicators", advice.dsl_view_reason),
                ("Attachments", ", ".join(kept)),
            ),
        )
    title = f"New request for advice from {organisation.name}"
    if urgency == Urgency.TODAY:
        title += " (urgent)"
    notify_all(front_door_ids(), title, link=_link(advice))
    return advice


def take(advice: AdviceRequest, *, actor_id) -> uuid.UUID | None:
    """The front-door officer ``actor_id`` takes the request; returns who had it before, if someone else."""
    previous = advice.taken_by_id if advice.taken_by_id != actor_id else None
    advice.taken_by_id = actor_id
    advice.taken_at = utcnow()
    if advice.status == AdviceStatus.WAITING:
        advice.status = AdviceStatus.TAKEN
    details = {"previous_taken_by": str(previous)} if previous else {}
    record(Action.ADVICE_TAKEN, object_type="advice_request", object_id=advice.id, organisation_id=advice.organisation_id, details=details)
    return previous


def answer(advice: AdviceRequest, *, actor_id, outcome: AdviceOutcome, text: str, level: Level) -> None:
    """Answer (or change the answer to) a request, with the level of need the front door thinks it is;
    the requester is told."""
    changed = advice.status == AdviceStatus.ANSWERED
    now = utcnow()
    advice.outcome = outcome
    advice.answer_level = level
    advice.answer = text.strip()
    advice.answered_by_id = actor_id
    advice.answered_at = now
    advice.status = AdviceStatus.ANSWERED
    if advice.taken_by_id is None:
        advice.taken_by_id, advice.taken_at = actor_id, now
    record(
        Action.ADVICE_ANSWERED,
        object_type="advice_request",
        object_id=advice.id,
        organisation_id=advice.organisation_id,
        details={"outcome": outcome.value, "answer_level": level.value, **({"changed": "yes"} if changed else {})},
    )
    if advice.pupil_id is not None:
        chronology.add(
            pupil_id=advice.pupil_id,
            organisation_id=advice.organisation_id,
            kind=EntryKind.ADVICE,
            title=f"Front-door advice: {outcome.label}",
            substance=chronology.lines(("The front door's answer", advice.answer), ("The front door's view of the level", level.label)),
            object_type="advice_request",
            object_id=advice.id,
            occurred_at=now,
            actor_id=actor_id,
        )
    title = "The front door has changed its answer to your request for advice" if changed else "The front door has answered your request for advice"
    notify_all([advice.requested_by_id], title, link=_link(advice))


def reply(advice: AdviceRequest, *, author_id, from_front_door: bool, body: str) -> AdviceMessage:
    """A message on the thread; the other side is told (the officer who took it, or the whole front door)."""
    message = AdviceMessage(advice_request_id=advice.id, author_id=author_id, from_front_door=from_front_door, body=body.strip())
    db.session.add(message)
    db.session.flush()
    record(
        Action.ADVICE_MESSAGE,
        object_type="advice_request",
        object_id=advice.id,
        organisation_id=advice.organisation_id,
        details={"message_id": str(message.id), "from": "front_door" if from_front_door else "school"},
    )
    if advice.pupil_id is not None:
        chronology.add(
            pupil_id=advice.pupil_id,
            organisation_id=advice.organisation_id,
            kind=EntryKind.ADVICE,
            title="Reply from the front door about the request for advice" if from_front_door else "Reply from the school about the request for advice",
            object_type="advice_request",
            object_id=advice.id,
            actor_id=author_id,
            substance=chronology.lines(("The reply", message.body)),
        )
    if from_front_door:
        notify_all([advice.requested_by_id], "The front door has replied about your request for advice", link=_link(advice), exclude={author_id})
    else:
        recipients = [advice.taken_by_id] if advice.taken_by_id else front_door_ids()
        notify_all(recipients, f"{advice.organisation.name} has replied about a request for advice", link=_link(advice), exclude={author_id})
    return message


def asked_ago(moment: datetime, now: datetime | None = None) -> str:
    """``asked 3 hours ago``: how long a request has been waiting, in words."""
    seconds = max(0, int(((now or utcnow()) - moment).total_seconds()))
    if seconds < 60:
        return "asked just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"asked {count} {unit}{'' if count == 1 else 's'} ago"
    return "asked just now"
