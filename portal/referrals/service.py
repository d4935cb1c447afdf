"""What happens to a referral: the school starts it as a draft, saves it as often as it likes, submits it
or deletes it; the front door works it through the workflow; both sides talk on its thread. Each function
changes the referral in the current transaction, with its audit event, its line on the pupil's chronology
and its notifications; the view commits.

The workflow (every transition checked, recorded with who, when and the comment, and fed back to the
school):

    draft -> submitted -> acknowledged -> (information requested <-> information provided) -> decided -> closed

The front door acknowledges, asks for information, decides (with a written reason) and closes; the
school submits and provides information. A decision can also be made while information is awaited.
The one-working-day clock starts at submission (``due_at``); see ``portal/referrals/jobs.py`` for its
warnings and escalations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.advice.models import AdviceRequest
from portal.audit.service import record
from portal.casework import attachments, chronology, files
from portal.casework.models import Attachment, EntryKind
from portal.casework.people import front_door_ids, notify_all
from portal.casework.workingdays import authority_calendar
from portal.clock import uk_date, utcnow
from portal.extensions import db
from portal.needs import service as needs
from portal.needs.models import NeedIndicator
from portal.notifications.service import page_path
from portal.policies import visible_query
from portal.pupils.models import Pupil
from portal.referrals import household
from portal.referrals.actions import Action
from portal.referrals.models import Consent, ParentsAware, Referral, ReferralDecision, ReferralMessage, ReferralStatus, ReferralTransition
from portal.text import clean_text
from portal.vocabulary import HarmCategory, Level, harm_labels

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
    if referral.consent is None:
        problems["consent"] = "Select whether consent to the referral was sought from the parents or carers"
    elif referral.consent == Consent.NOT_SOUGHT and not (referral.consent_not_sought_reason or "").strip():
        problems["consent_not_sought_reason"] = "Enter why consent was not sought, for example that asking would put the child at risk"
    if referral.school_view_level is None:
        problems["school_view_level"] = "Select the level of need the school thinks this is"
    elif not (referral.school_view_reason or "").strip():
        suggested = needs.suggest_level(needs.referral_indicators(referral.id))
        if message := needs.reason_missing(referral.school_view_level, suggested, referral.school_view_reason, who="the school thinks"):
            problems["school_view_reason"] = message
    if not referral.chronology_shared and not (referral.chronology_not_shared_reason or "").strip():
        problems["chronology_not_shared_reason"] = "Enter why the front door should not read the child's chronology"
    return problems


def transition(
    referral: Referral,
    action: str,
    *,
    actor_id,
    comment: str | None = None,
    decision: ReferralDecision | None = None,
    decision_level: Level | None = None,
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
    if action == "decide" and decision_level is None:
        raise TransitionRefused("Select the level of need the front door has found", field="decision_level")
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
        referral.decision_level = decision_level
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
        details={
            "from": previous.value,
            "to": step.target.value,
            **({"decision": decision.value} if decision else {}),
            **({"decision_level": decision_level.value} if decision_level and action == "decide" else {}),
        },
    )
    title = step.label
    if action == "decide":
        title = f"Referral decision: {decision.label}"
    chronology.add(
        pupil_id=referral.pupil_id,
        organisation_id=referral.organisation_id,
        kind=EntryKind.REFERRAL,
        title=title,
        substance=_step_substance(referral, action, comment, decision),
        object_type="referral",
        object_id=referral.id,
        occurred_at=now,
        actor_id=actor_id,
    )
    _tell(referral, step, decision)
    return row


def referral_substance(referral: Referral) -> chronology.Substance:
    """What the school told the front door when it sent the referral, as the chronology keeps it."""
    parents = referral.parents_aware.label if referral.parents_aware else None
    if referral.parents_aware == ParentsAware.NO and referral.parents_not_aware_reason:
        parents = f"No: {referral.parents_not_aware_reason}"
    names = [a.filename for a in db.session.execute(select(Attachment).where(Attachment.referral_id == referral.id).order_by(Attachment.created_at)).scalars()]
    people, agencies = household.entries(referral)
    return chronology.lines(
        ("The child's address", referral.address),
        ("Lives with", referral.lives_with),
        ("Communication needs", referral.communication_needs),
        ("Disability", referral.disability),
        ("Ethnicity", referral.ethnicity),
        ("Religion", referral.religion),
        ("Household members and significant adults", "\n".join(household.person_line(p) for p in people if p.kind.value == "household")),
        ("Siblings", "\n".join(household.person_line(p) for p in people if p.kind.value == "sibling")),
        ("Other agencies and professionals", "\n".join(household.agency_line(a) for a in agencies)),
        ("Categories of harm", ", ".join(harm_labels(referral.categories))),
        ("What happened", referral.what_happened),
        ("The child's voice", referral.child_voice),
        ("Immediate danger", "Yes" if referral.immediate_danger else "No"),
        ("Police", f"Called{f' (reference {referral.police_reference})' if referral.police_reference else ''}" if referral.police_called else None),
        ("Parents or carers know about the referral", parents),
        ("Consent to the referral", household.consent_line(referral)),
        ("Levels-of-need indicators ticked", needs.indicator_lines(needs.referral_indicators(referral.id))),
        ("The school's view of the level", referral.school_view_level.label if referral.school_view_level else None),
        ("Why the school's view differs from the indicators", referral.school_view_reason),
        ("The child's chronology", chronology_sharing(referral)),
        ("Attachments", ", ".join(names)),
    )


def chronology_sharing(referral: Referral) -> str:
    """The DSL's choice about the child's chronology, in words."""
    if referral.chronology_shared:
        return "Shared with the front door, read-only, with this referral"
    return f"Not shared with the front door: {referral.chronology_not_shared_reason or 'no reason given'}"


def _step_substance(referral: Referral, action: str, comment: str | None, decision: ReferralDecision | None) -> chronology.Substance:
    """What a step of the workflow said: the referral itself when it is sent, the question and the answer
    when information is asked for and given, the decision and its reason."""
    if action == "submit":
        return referral_substance(referral)
    if action == "request_information":
        return chronology.lines(("What the front door asked for", comment))
    if action == "provide_information":
        return chronology.lines(("What the school sent", comment))
    if action == "decide":
        return chronology.lines(
            ("Decision", decision.label if decision else None),
            ("Level of need found", referral.decision_level.label if referral.decision_level else None),
            ("Reason", comment),
        )
    return chronology.lines(("Comment", comment))


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


# Drafts -------------------------------------------------------------------------------------------


def _from_advice(advice: AdviceRequest) -> str:
    """The question asked of the front door, and its answer, as the start of a referral's account."""
    text = f"Our question to the front door ({uk_date(advice.created_at)}):\n{advice.question.strip()}"
    if advice.answer:
        when = f" ({uk_date(advice.answered_at)})" if advice.answered_at else ""
        outcome = f" Outcome: {advice.outcome.label}." if advice.outcome else ""
        text += f"\n\nThe front door's advice{when}:{outcome}\n{advice.answer.strip()}"
    return text


def start(pupil: Pupil, *, created_by_id, advice: AdviceRequest | None = None) -> Referral:
    """A new draft about ``pupil``; started from an advice request, it begins with what was asked and
    answered (and the request's categories of harm)."""
    referral = Referral(
        organisation_id=pupil.organisation_id,
        pupil_id=pupil.id,
        created_by_id=created_by_id,
        advice_request_id=advice.id if advice else None,
    )
    # Made under the guidance in force now: it keeps that version.
    version = needs.current_guidance()
    referral.need_guidance_id = version.id
    household.prefill_from_register(referral, pupil)
    if advice is not None:
        known = {c.value for c in HarmCategory}
        referral.categories = [c for c in (advice.categories or []) if c in known]
        referral.what_happened = _from_advice(advice)
        referral.school_view_level = advice.dsl_view_level
        referral.school_view_reason = advice.dsl_view_reason
    db.session.add(referral)
    db.session.flush()
    if advice is not None:
        # The request's ticks: all of them under the same version; under a newer one, those it still has.
        needs.tick_referral(referral.id, needs.carried(needs.advice_indicators(advice.id), version))
    details = {"pupil_id": str(pupil.id)}
    if advice is not None:
        details["advice_request_id"] = str(advice.id)
    record(Action.REFERRAL_CREATED, object_type="referral", object_id=referral.id, organisation_id=referral.organisation_id, details=details)
    if advice is not None and advice.pupil_id is None:
        # Asked without naming the child: now that the DSL has named them, the question and the answer
        # join the child's chronology (at the time they were asked), linked to the request.
        chronology.add(
            pupil_id=pupil.id,
            organisation_id=referral.organisation_id,
            kind=EntryKind.ADVICE,
            title="Advice asked of the front door without naming the child",
            substance=chronology.lines(
                ("The question", advice.question),
                ("The front door's outcome", advice.outcome.label if advice.outcome else None),
                ("The front door's advice", advice.answer),
                ("Linked", f"The DSL named the child and started a referral from this request on {uk_date(utcnow())}"),
            ),
            object_type="advice_request",
            object_id=advice.id,
            occurred_at=advice.created_at,
            actor_id=advice.requested_by_id,
        )
    chronology.add(
        pupil_id=pupil.id,
        organisation_id=referral.organisation_id,
        kind=EntryKind.REFERRAL,
        title="Referral started (draft)",
        substance=chronology.lines(("Started from", f"The advice request of {uk_date(advice.created_at)}" if advice is not None else None)),
        object_type="referral",
        object_id=referral.id,
    )
    return referral


def guidance_for(referral: Referral):
    """The levels-of-need guidance the referral is made under (the version in force for one started
    before the guidance existed, until it is saved)."""
    return needs.guidance(referral.need_guidance_id) or needs.current_guidance()


@dataclass(frozen=True)
class DraftAnswers:
    """What the school typed on the referral form, complete or not."""

    categories: list[str]
    what_happened: str
    child_voice: str | None
    #: ``None`` until the question is answered (the column cannot tell "no" from "not answered yet").
    immediate_danger: bool | None
    police_called: bool
    police_reference: str | None
    parents_aware: ParentsAware | None
    parents_not_aware_reason: str | None
    school_view_level: Level | None
    #: ``None`` when the question was not on the form: the chronology is shared unless the DSL says no.
    chronology_shared: bool | None = True
    chronology_not_shared_reason: str | None = None
    address: str | None = None
    lives_with: str | None = None
    communication_needs: str | None = None
    disability: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    consent: Consent | None = None
    consent_not_sought_reason: str | None = None
    consent_refused_note: str | None = None
    school_view_reason: str | None = None
    #: The levels-of-need indicators ticked, of the referral's guidance version (checked by the caller).
    indicators: tuple[NeedIndicator, ...] = ()


def _apply(referral: Referral, answers: DraftAnswers) -> None:
    referral.categories = list(dict.fromkeys(answers.categories))
    referral.what_happened = answers.what_happened.strip()
    referral.child_voice = clean_text(answers.child_voice)
    danger = answers.immediate_danger is True
    referral.immediate_danger = danger
    # The police are called only about a child in danger; the reason only when the parents do not know.
    referral.police_called = danger and answers.police_called
    referral.police_reference = clean_text(answers.police_reference)
    referral.parents_aware = answers.parents_aware
    referral.parents_not_aware_reason = clean_text(answers.parents_not_aware_reason) if answers.parents_aware is ParentsAware.NO else None
    referral.school_view_level = answers.school_view_level
    referral.chronology_shared = answers.chronology_shared is not False
    referral.chronology_not_shared_reason = None if referral.chronology_shared else clean_text(answers.chronology_not_shared_reason)
    referral.address = clean_text(answers.address)
    referral.lives_with = clean_text(answers.lives_with)
    referral.communication_needs = clean_text(answers.communication_needs)
    referral.disability = clean_text(answers.disability)
    referral.ethnicity = clean_text(answers.ethnicity)
    referral.religion = clean_text(answers.religion)
    # Why not, only when it was not sought; the family's answer, only when they refused.
    referral.consent = answers.consent
    referral.consent_not_sought_reason = clean_text(answers.consent_not_sought_reason) if answers.consent is Consent.NOT_SOUGHT else None
    referral.consent_refused_note = clean_text(answers.consent_refused_note) if answers.consent is Consent.SOUGHT_REFUSED else None
    referral.school_view_reason = clean_text(answers.school_view_reason)
    if answers.indicators and referral.need_guidance_id is None:
        referral.need_guidance_id = answers.indicators[0].guidance_id
    needs.tick_referral(referral.id, list(answers.indicators))


def _submission_problems(referral: Referral, answers: DraftAnswers) -> dict[str, str]:
    """Everything that stops the saved draft being sent, by field: what it lacks, and the danger question
    if it was not answered this time."""
    problems = dict(missing_for_submission(referral))
    if answers.immediate_danger is None:
        problems["immediate_danger"] = "Select whether the child is in immediate danger"
    return problems


def save_draft(referral: Referral, answers: DraftAnswers, *, uploads, actor_id, submit: bool, kept: list[str]) -> dict[str, str]:
    """Write everything typed onto the draft and keep the uploaded files (audited); with ``submit``, then
    send it to the front door if it is complete. Returns what stops it being sent, by field (nothing when
    it was sent, or only saved).

    The storage names of the files written are added to ``kept`` as they are written, so that the
    caller can remove them if the save is refused."""
    _apply(referral, answers)
    already = len(kept)
    for upload in uploads:
        kept.append(attachments.save(upload, organisation_id=referral.organisation_id, referral_id=referral.id, uploaded_by_id=actor_id).storage_key)
    record(
        Action.REFERRAL_UPDATED,
        object_type="referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={"files_added": len(kept) - already},
    )
    if not submit:
        return {}
    problems = _submission_problems(referral, answers)
    if problems:
        return problems
    try:
        transition(referral, "submit", actor_id=actor_id)
    except TransitionRefused as exc:
        return {exc.field or "": str(exc)}
    return {}


def referral_attachments(referral_id) -> list[Attachment]:
    """The files attached to a referral, oldest first."""
    return (
        db.session.execute(visible_query(Attachment).where(Attachment.referral_id == referral_id).order_by(Attachment.created_at, Attachment.id))
        .scalars()
        .all()
    )


def delete_draft(referral: Referral) -> list[str]:
    """Delete a draft (the caller has checked it is one) with its attachments; the chronology keeps a line
    saying so. Returns the storage names of its files, to remove once the deletion is committed."""
    school_id = referral.organisation_id
    files_to_remove = []
    for attachment in referral_attachments(referral.id):
        files_to_remove.append(attachment.storage_key)
        db.session.delete(attachment)
    people, agencies = household.entries(referral)
    for row in [*people, *agencies]:
        db.session.delete(row)
    db.session.flush()  # (before the referral's own row, which the database would cascade to them)
    chronology.add(
        pupil_id=referral.pupil_id,
        organisation_id=school_id,
        kind=EntryKind.REFERRAL,
        title="Draft referral deleted (not sent)",
        object_type="referral",
        object_id=referral.id,
    )
    record(
        Action.REFERRAL_DELETED,
        object_type="referral",
        object_id=referral.id,
        organisation_id=school_id,
        details={"pupil_id": str(referral.pupil_id), "attachments": len(files_to_remove)},
    )
    db.session.delete(referral)
    return files_to_remove


def remove_files(keys: list[str]) -> None:
    """Remove stored files no row names any more: those of a committed deletion, or those written for a
    save that was refused."""
    for key in keys:
        files.remove(key)


# The thread ---------------------------------------------------------------------------------------


def send_message(referral: Referral, *, author_id, from_front_door: bool, body: str) -> ReferralMessage:
    """A message on the referral's thread; the other side is told (the officer who acknowledged it, or
    the whole front door; or the DSL who made it). A message from the front door is feedback."""
    entry = ReferralMessage(referral_id=referral.id, author_id=author_id, from_front_door=from_front_door, body=body.strip())
    db.session.add(entry)
    db.session.flush()
    now = utcnow()
    if from_front_door:
        referral.last_feedback_at = now
        recipients = [referral.created_by_id]
        title = "The front door has sent you a message about your referral"
    else:
        recipients = [referral.acknowledged_by_id] if referral.acknowledged_by_id else front_door_ids()
        title = f"{referral.organisation.name} has sent a message about a referral"
    record(
        Action.REFERRAL_MESSAGE,
        object_type="referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={"message_id": str(entry.id), "from": "front_door" if from_front_door else "school"},
    )
    chronology.add(
        pupil_id=referral.pupil_id,
        organisation_id=referral.organisation_id,
        kind=EntryKind.REFERRAL,
        title="Message from the front door about the referral" if from_front_door else "Message from the school to the front door about the referral",
        object_type="referral",
        object_id=referral.id,
        occurred_at=now,
        substance=chronology.lines(("The message", entry.body)),
    )
    notify_all(recipients, title, link=page_path("referrals.detail", referral_id=referral.id), exclude={author_id})
    return entry
