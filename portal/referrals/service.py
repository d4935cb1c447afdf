"""The referral workflow: every transition checked, recorded (who, when, comment), audited, put on the
pupil's chronology and fed back to the school.

    draft -> submitted -> acknowledged -> (information requested <-> information provided) -> decided -> closed

The front door acknowledges, asks for information, decides (with a written reason) and closes; the
school submits and provides information. A decision can also be made while information is awaited.
The one-working-day clock starts at submission (``due_at``); see ``jobs/referrals.py`` for its warnings
and escalations.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.audit.service import record
from portal.casework import chronology
from portal.casework.models import EntryKind
from portal.casework.people import front_door_ids, notify_all
from portal.casework.workingdays import authority_calendar
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.service import page_path
from portal.referrals.actions import Action
from portal.referrals.models import Referral, ReferralDecision, ReferralStatus, ReferralTransition

S = ReferralStatus


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[ReferralStatus, ...]
    target: ReferralStatus
    by_front_door: bool
    #: A comment is required (a question, an answer, a reason).
    needs_comment: bool = False
    label: str = ""


STEPS: dict[str, Step] = {
    "submit": Step("submit", (S.DRAFT,), S.SUBMITTED, False, label="Submitted by the school"),
    "acknowledge": Step("acknowledge", (S.SUBMITTED,), S.ACKNOWLEDGED, True, label="Acknowledged by the front door"),
    "request_information": Step(
        "request_information", (S.ACKNOWLEDGED, S.INFORMATION_PROVIDED), S.INFORMATION_REQUESTED, True, True, "More information requested"
    ),
    "provide_information": Step("provide_information", (S.INFORMATION_REQUESTED,), S.INFORMATION_PROVIDED, False, True, "Information provided by the school"),
    "decide": Step("decide", (S.ACKNOWLEDGED, S.INFORMATION_REQUESTED, S.INFORMATION_PROVIDED), S.DECIDED, True, True, "Decision made"),
    "close": Step("close", (S.DECIDED,), S.CLOSED, True, label="Closed"),
}


class TransitionRefused(ValueError):
    """The step is not possible now; the message says why, for the page."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def available_steps(referral: Referral, *, front_door: bool) -> list[str]:
    return [name for name, step in STEPS.items() if referral.status in step.sources and step.by_front_door == front_door]


def missing_for_submission(referral: Referral) -> dict[str, str]:
    """What a draft still needs before it can be submitted: field name -> message."""
    problems = {}
    if not referral.categories:
        problems["categories"] = "Select at least one category of harm"
    if not (referral.what_happened or "").strip():
        problems["what_happened"] = "Enter what happened"
    if referral.immediate_danger and not referral.police_called:
        problems["police_called"] = "The child is in immediate danger: call the police on 999 first, then confirm that you have"
    if referral.parents_aware is None:
        problems["parents_aware"] = "Select whether the parents or carers know about this referral"
    elif referral.parents_aware.value == "no" and not (referral.parents_not_aware_reason or "").strip():
        problems["parents_not_aware_reason"] = "Enter why the parents or carers do not know"
    if referral.school_view_level is None:
        problems["school_view_level"] = "Select the level of need the school thinks this is"
    return problems


def transition(
    referral: Referral,
    action: str,
    *,
    actor_id,
    comment: str | None = None,
    decision: ReferralDecision | None = None,
) -> ReferralTransition:
    """Apply ``action`` to ``referral`` (the caller has checked the actor's right through the policy)."""
    step = STEPS.get(action)
    if step is None:
        raise TransitionRefused("That is not a step of a referral.")
    if referral.status not in step.sources:
        raise TransitionRefused(f"This referral is {referral.status.label.lower()}: it cannot be {step.label.lower()} now.")
    comment = (comment or "").strip() or None
    if step.needs_comment and not comment:
        message = {
            "request_information": "Enter the information you need from the school",
            "provide_information": "Enter the information the front door asked for",
            "decide": "Enter the reason for the decision",
        }[action]
        raise TransitionRefused(message, field="reason" if action == "decide" else "comment")
    if action == "decide" and decision is None:
        raise TransitionRefused("Select a decision", field="decision")
    if action == "submit":
        problems = missing_for_submission(referral)
        if problems:
            raise TransitionRefused(next(iter(problems.values())), field=next(iter(problems)))

    now = utcnow()
    due_at = authority_calendar().one_working_day_after(now) if action == "submit" else None  # (queries: before any change)
    previous = referral.status
    referral.status = step.target
    if action == "submit":
        referral.submitted_at = now
        referral.due_at = due_at
    elif action == "acknowledge":
        referral.acknowledged_at = now
        referral.acknowledged_by_id = actor_id
    elif action == "decide":
        referral.decision = decision
        referral.decision_reason = comment
        referral.decided_at = now
        referral.decided_by_id = actor_id
        if referral.acknowledged_at is None:
            referral.acknowledged_at = now
            referral.acknowledged_by_id = actor_id
    elif action == "close":
        referral.closed_at = now
    if step.by_front_door:
        referral.last_feedback_at = now

    row = ReferralTransition(referral_id=referral.id, actor_id=actor_id, from_status=previous, to_status=step.target, comment=comment)
    db.session.add(row)
    db.session.flush()
    record(
        Action.REFERRAL_TRANSITION,
        object_type="referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={"from": previous.value, "to": step.target.value, **({"decision": decision.value} if decision else {})},
    )
    title = step.label
    if action == "decide":
        title = f"Referral decision: {decision.label}"
    chronology.add(
        pupil_id=referral.pupil_id,
        organisation_id=referral.organisation_id,
        kind=EntryKind.REFERRAL,
        title=title,
        detail=comment if action in {"decide", "request_information"} else None,
        object_type="referral",
        object_id=referral.id,
        occurred_at=now,
        actor_id=actor_id,
    )
    _tell(referral, step, decision)
    return row


def _tell(referral: Referral, step: Step, decision: ReferralDecision | None) -> None:
    link = page_path("referrals.detail", referral_id=referral.id)
    if step.by_front_door:
        # Feedback to the school: the referring DSL hears about every change (seed 4: schools rarely did).
        title = {
            "acknowledge": "Your referral has been acknowledged",
            "request_information": "The front door needs more information about your referral",
            "decide": f"Decision on your referral: {decision.label if decision else ''}",
            "close": "Your referral has been closed",
        }[step.action]
        notify_all([referral.created_by_id], title, link=link)
    elif step.action == "submit":
        notify_all(front_door_ids(), f"New referral from {referral.organisation.name}", link=link)
    elif step.action == "provide_information":
        recipients = [referral.acknowledged_by_id] if referral.acknowledged_by_id else front_door_ids()
        notify_all(recipients, f"{referral.organisation.name} has provided the information asked for", link=link)
