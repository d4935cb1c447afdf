"""Resolving professional differences: what happens to a disagreement.

A school's DSL or head who disagrees with the front door's decision on a referral (once decided or
closed), or with its answer to a request for advice, raises a disagreement: the reason (required) and
what they want to happen. One disagreement is in progress per referral or advice request at a time. It
then goes through the authority's stages, each with its own timescale in working days (weekends, bank
holidays and the authority's closure days do not count: ``portal.casework.workingdays``):

====== ============================================ ======================================= ========
stage  in the procedure                             who responds in the portal              default
====== ============================================ ======================================= ========
1      the front-door manager                       a front-door officer who did not make   2 days
                                                    the decision
2      the head of service                          a front-door officer who neither made   5 days
                                                    the decision nor answered stage 1
3      the safeguarding partnership                 the authority administrator             10 days
====== ============================================ ======================================= ========

The portal has no "front-door manager" or "head of service" role (``portal.accounts.models.Role``), and
no role system is invented for them: the responders are front-door officers (``Role.FRONT_DOOR``) kept
apart from the decision as above, and the authority's front-door managers (the duty named in its
settings, ``Duty.FRONT_DOOR_MANAGER``) are the ones told when a stage 1 or 2 response is asked for, is
near its deadline or is overdue (every eligible front-door officer, if none is named). Stage 3 is the
partnership's: the authority administrator (``Role.AUTHORITY_ADMIN``), the only partnership role there
is, who sees a disagreement only once it reaches stage 3, and never the child's record (the
disagreement's page names no child for them). Nobody who holds the referring school's casework responds
at any stage (separation of duties): they are a party to it.

Each response is one of: upheld (the decision stands), decision changed (the referral gets the new
decision and its reason, the earlier one kept in its transitions; an advice request its new outcome and
answer), or referred on to the next stage (not at the last). An upheld response at stage 1 or 2 waits for
the school, which escalates it to the next stage within the authority's set time, or accepts it (which
resolves the disagreement); left longer, the decision stands (``jobs.check_clock``). An upheld response
at the last stage resolves it.

Every step is audited, written on the child's chronology (not for an anonymous request for advice: no
child) and told to the school; each function changes the current transaction only (flush, never commit).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Membership, Role, User
from portal.advice.actions import Action as AdviceAction
from portal.advice.models import AdviceOutcome, AdviceRequest, AdviceStatus
from portal.audit.service import record
from portal.casework import chronology
from portal.casework.models import EntryKind
from portal.casework.people import front_door_ids, front_door_manager_ids, notify_all, school_casework_ids
from portal.casework.workingdays import WorkingCalendar, authority_calendar
from portal.clock import UK, utcnow
from portal.disagreements.actions import Action
from portal.disagreements.models import (
    DEFAULT_ESCALATE_DAYS,
    DEFAULT_STAGE_DAYS,
    IN_PROGRESS,
    LAST_STAGE,
    STAGES,
    Disagreement,
    DisagreementSettings,
    DisagreementStatus,
    DisagreementStep,
    Resolution,
    StageOutcome,
    StepKind,
)
from portal.extensions import db
from portal.notifications.service import page_path
from portal.referrals.actions import Action as ReferralAction
from portal.referrals.models import DECIDED_STATUSES, Referral, ReferralDecision, ReferralTransition
from portal.selfreview.aggregates import THRESHOLD, Cell
from portal.text import clean_text
from portal.vocabulary import Level

#: A referral may be disagreed with once the front door has decided it.
DECIDED = DECIDED_STATUSES


class Refused(ValueError):
    """The step is not possible now; the message says why, for the page (next to ``field``, if any)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# The authority's timescales ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timescales:
    stage_days: dict[int, int]
    escalate_days: int
    version: int | None = None


def timescales() -> Timescales:
    """The authority's timescales (the defaults until its administrator sets them)."""
    row = db.session.execute(select(DisagreementSettings)).scalar_one_or_none()
    if row is None:
        return Timescales(dict(DEFAULT_STAGE_DAYS), DEFAULT_ESCALATE_DAYS)
    return Timescales({stage: row.days(stage) for stage in STAGES}, row.escalate_days, row.version)


def change_timescales(*, stage_days: dict[int, int], escalate_days: int) -> DisagreementSettings:
    """Set the authority's timescales (for disagreements raised or escalated from now on); audited."""
    row = db.session.execute(select(DisagreementSettings)).scalar_one_or_none()
    if row is None:
        row = DisagreementSettings()
        db.session.add(row)
    before = {"stage1": row.stage1_days, "stage2": row.stage2_days, "stage3": row.stage3_days, "escalate": row.escalate_days}
    row.stage1_days, row.stage2_days, row.stage3_days = stage_days[1], stage_days[2], stage_days[3]
    row.escalate_days = escalate_days
    db.session.flush()
    after = {"stage1": row.stage1_days, "stage2": row.stage2_days, "stage3": row.stage3_days, "escalate": row.escalate_days}
    record(Action.DISAGREEMENT_SETTINGS_CHANGED, object_type="disagreement_settings", object_id=row.id, details={"before": before, "after": after})
    return row


# Working days -----------------------------------------------------------------------------------------


def _previous_working_day(calendar: WorkingCalendar, day: date) -> date:
    candidate = day - timedelta(days=1)
    for _ in range(366):
        if calendar.is_working_day(candidate):
            return candidate
        candidate -= timedelta(days=1)
    raise ValueError("No working day within a year: check the authority's calendar.")


def working_days_after(calendar: WorkingCalendar, moment: datetime, days: int) -> datetime:
    """When something started at ``moment`` with ``days`` working days is due (UTC), by the rule of the
    one-working-day clock: started on a working day at time T, due at T on the ``days``-th working day
    after; started on a non-working day, it counts from the start of the next working day."""
    local = moment.astimezone(UK)
    if calendar.is_working_day(local.date()):
        day, at = local.date(), local.time().replace(tzinfo=None)
    else:
        day, at = calendar.next_working_day(local.date()), time(0, 0)
    for _ in range(days):
        day = calendar.next_working_day(day)
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


def reminder_time(calendar: WorkingCalendar, start: datetime, due: datetime) -> datetime:
    """When the responders are reminded: the same time on the working day before the deadline (half-way
    through a stage of one working day, which has no working day before its deadline)."""
    local = due.astimezone(UK)
    before = datetime.combine(_previous_working_day(calendar, local.date()), local.time().replace(tzinfo=None), tzinfo=UK).astimezone(UTC)
    return before if before > start else start + (due - start) / 2


def _start_stage(disagreement: Disagreement, stage: int, now: datetime) -> None:
    calendar = authority_calendar()
    disagreement.stage = stage
    disagreement.status = DisagreementStatus.OPEN
    disagreement.stage_started_at = now
    disagreement.due_at = working_days_after(calendar, now, timescales().stage_days[stage])
    disagreement.remind_at = reminder_time(calendar, now, disagreement.due_at)
    disagreement.reminded_at = None
    disagreement.escalated_at = None


# What a disagreement is about -----------------------------------------------------------------------


def subject_of(disagreement: Disagreement) -> Referral | AdviceRequest:
    """The referral or request for advice (read by id in the authority: the caller has the disagreement)."""
    if disagreement.referral_id:
        return db.session.execute(select(Referral).where(Referral.id == disagreement.referral_id)).unique().scalar_one()
    return db.session.execute(select(AdviceRequest).where(AdviceRequest.id == disagreement.advice_request_id)).unique().scalar_one()


def decision_label(subject: Referral | AdviceRequest) -> str:
    if isinstance(subject, Referral):
        return subject.decision.label if subject.decision else "No decision"
    return subject.outcome.label if subject.outcome else "Not answered"


def decided(subject: Referral | AdviceRequest) -> bool:
    """Has the front door decided (a referral) or answered (advice) yet?"""
    if isinstance(subject, Referral):
        return subject.status in DECIDED
    return subject.status == AdviceStatus.ANSWERED


def in_progress_for(subject: Referral | AdviceRequest) -> Disagreement | None:
    column = Disagreement.referral_id if isinstance(subject, Referral) else Disagreement.advice_request_id
    return db.session.execute(select(Disagreement).where(column == subject.id, Disagreement.status.in_(IN_PROGRESS))).unique().scalar_one_or_none()


def history_for(subject: Referral | AdviceRequest) -> list[Disagreement]:
    """Every disagreement about ``subject``, newest first, with their steps."""
    column = Disagreement.referral_id if isinstance(subject, Referral) else Disagreement.advice_request_id
    query = select(Disagreement).where(column == subject.id).options(selectinload(Disagreement.steps)).order_by(Disagreement.created_at.desc())
    return list(db.session.execute(query).unique().scalars())


# Who is told --------------------------------------------------------------------------------------------


def _admin_ids() -> list[uuid.UUID]:
    query = (
        select(Membership.user_id)
        .join(User, (User.id == Membership.user_id) & (User.authority_id == Membership.authority_id))
        .where(Membership.role == Role.AUTHORITY_ADMIN, User.deactivated_at.is_(None), User.password_hash.is_not(None))
    )
    return sorted(set(db.session.execute(query).scalars().all()))


def responder_ids(disagreement: Disagreement) -> list[uuid.UUID]:
    """Who is asked for the current stage's response: the partnership (administrators) at the last stage;
    before it, the front-door managers (every front-door officer if none is named), less those kept apart
    from it (the decision's author, the stage 1 responder at stage 2, the school's own DSLs and head)."""
    if disagreement.stage == LAST_STAGE:
        people = _admin_ids()
    else:
        excluded = {disagreement.disputed_by_id, *school_casework_ids(disagreement.organisation_id)}
        if disagreement.stage == 2:
            excluded.add(disagreement.stage1_responder_id)
        people = [p for p in front_door_manager_ids() if p not in excluded] or [p for p in front_door_ids() if p not in excluded]
    return [p for p in people if p not in set(school_casework_ids(disagreement.organisation_id))]


def school_ids(disagreement: Disagreement) -> list[uuid.UUID]:
    """The school's side: whoever raised it, and the school's DSLs and head."""
    return list(dict.fromkeys([disagreement.raised_by_id, *school_casework_ids(disagreement.organisation_id)]))


def _link(disagreement: Disagreement) -> str:
    return page_path("disagreements.detail", disagreement_id=disagreement.id)


def _what(disagreement: Disagreement) -> str:
    """What it is about, in a notification's title (never the child's name: notifications go by email)."""
    return "a referral decision" if disagreement.referral_id else "the answer to a request for advice"


# The record --------------------------------------------------------------------------------------------


def _step(disagreement: Disagreement, kind: StepKind, *, actor_id, outcome=None, body=None, before=None, after=None) -> DisagreementStep:
    step = DisagreementStep(
        disagreement_id=disagreement.id,
        stage=disagreement.stage,
        kind=kind,
        outcome=outcome,
        body=body,
        actor_id=actor_id,
        decision_before=before,
        decision_after=after,
    )
    db.session.add(step)
    return step


def _audit(disagreement: Disagreement, action: str, actor_id=..., **details) -> None:
    subject = {"referral_id": str(disagreement.referral_id)} if disagreement.referral_id else {"advice_request_id": str(disagreement.advice_request_id)}
    kwargs = {} if actor_id is ... else {"actor_id": actor_id}
    record(
        action,
        object_type="disagreement",
        object_id=disagreement.id,
        organisation_id=disagreement.organisation_id,
        details={**subject, "stage": disagreement.stage, **details},
        **kwargs,
    )


def _chronology(disagreement: Disagreement, title: str, substance: chronology.Substance, *, actor_id, at: datetime) -> None:
    """A line on the child's chronology (none for an anonymous request for advice)."""
    if disagreement.pupil_id is None:
        return
    referral = disagreement.referral_id is not None
    chronology.add(
        pupil_id=disagreement.pupil_id,
        organisation_id=disagreement.organisation_id,
        kind=EntryKind.REFERRAL if referral else EntryKind.ADVICE,
        title=title,
        substance=substance,
        object_type="referral" if referral else "advice_request",
        object_id=disagreement.referral_id if referral else disagreement.advice_request_id,
        occurred_at=at,
        actor_id=actor_id,
    )


# Raising -------------------------------------------------------------------------------------------------


def raise_disagreement(subject: Referral | AdviceRequest, *, actor_id, reason: str | None, wanted: str | None) -> Disagreement:
    """The school disagrees with the decision on ``subject`` (the caller has checked the actor may)."""
    if not decided(subject):
        what = "the front door has decided this referral" if isinstance(subject, Referral) else "the front door has answered this request"
        raise Refused(f"You can disagree only once {what}.")
    reason = clean_text(reason)
    if not reason:
        raise Refused("Enter why you disagree with the decision", field="reason")
    if in_progress_for(subject) is not None:
        raise Refused("There is already a disagreement about this decision in progress. Follow it on its page, or wait until it is resolved.")
    now = utcnow()
    referral = isinstance(subject, Referral)
    disagreement = Disagreement(
        organisation_id=subject.organisation_id,
        referral_id=subject.id if referral else None,
        advice_request_id=None if referral else subject.id,
        pupil_id=subject.pupil_id,
        raised_by_id=actor_id,
        disputed_by_id=subject.decided_by_id if referral else subject.answered_by_id,
        decision_disputed=decision_label(subject),
        reason=reason,
        wanted=clean_text(wanted),
        stage_started_at=now,
    )
    _start_stage(disagreement, 1, now)
    db.session.add(disagreement)
    db.session.flush()
    _step(disagreement, StepKind.RAISED, actor_id=actor_id, body=reason)
    _audit(disagreement, Action.DISAGREEMENT_RAISED, due_at=disagreement.due_at.isoformat())
    _chronology(
        disagreement,
        f"Disagreement raised with the front door's {'decision' if referral else 'advice'}: {disagreement.decision_disputed}",
        chronology.lines(("Why the school disagrees", reason), ("What the school wants to happen", disagreement.wanted)),
        actor_id=actor_id,
        at=now,
    )
    notify_all(
        responder_ids(disagreement), f"{subject.organisation.name} disagrees with {_what(disagreement)}: stage 1 response needed", link=_link(disagreement)
    )
    notify_all(school_ids(disagreement), f"Your school has raised a disagreement with {_what(disagreement)}", link=_link(disagreement), exclude={actor_id})
    return disagreement


# Responding -------------------------------------------------------------------------------------------


def _change_referral(referral: Referral, disagreement: Disagreement, *, actor_id, decision: ReferralDecision, level: Level, reason: str, now: datetime) -> str:
    """The referral gets its new decision, the level of need it now finds, and the reason; the earlier
    decision stays in its transitions (the decision's first time and author stay too: the one-working-day
    clock measured them)."""
    before = referral.decision.label if referral.decision else "No decision"
    before_level = referral.decision_level.label if referral.decision_level else "not recorded"
    referral.decision = decision
    referral.decision_level = level
    referral.decision_reason = reason
    referral.last_feedback_at = now
    comment = (
        f"Decision changed at stage {disagreement.stage} of a disagreement. Earlier decision: {before} (level of need: {before_level}). "
        f"New decision: {decision.label} (level of need: {level.label}).\n\n{reason}"
    )
    db.session.add(ReferralTransition(referral_id=referral.id, actor_id=actor_id, from_status=referral.status, to_status=referral.status, comment=comment))
    record(
        ReferralAction.REFERRAL_TRANSITION,
        object_type="referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={
            "from": referral.status.value,
            "to": referral.status.value,
            "decision": decision.value,
            "decision_level": level.value,
            "disagreement_id": str(disagreement.id),
        },
    )
    return before


def _change_advice(advice: AdviceRequest, disagreement: Disagreement, *, actor_id, outcome: AdviceOutcome, answer: str, now: datetime) -> str:
    before = advice.outcome.label if advice.outcome else "Not answered"
    advice.outcome = outcome
    advice.answer = answer
    advice.answered_by_id = actor_id
    advice.answered_at = now
    record(
        AdviceAction.ADVICE_ANSWERED,
        object_type="advice_request",
        object_id=advice.id,
        organisation_id=advice.organisation_id,
        details={"outcome": outcome.value, "changed": "yes", "disagreement_id": str(disagreement.id)},
    )
    return before


def respond(
    disagreement: Disagreement,
    *,
    actor_id,
    outcome: StageOutcome | None,
    body: str | None,
    new_decision: str | None = None,
    new_level: str | None = None,
) -> DisagreementStep:
    """The current stage's response (the caller has checked the actor may respond)."""
    if disagreement.status != DisagreementStatus.OPEN:
        raise Refused(f"This disagreement is {disagreement.status.label.lower()}: it is not waiting for a response.")
    if outcome is None:
        raise Refused("Select the outcome of this stage", field="outcome")
    if outcome == StageOutcome.REFERRED_ON and disagreement.stage == LAST_STAGE:
        raise Refused("This is the last stage: uphold the decision or change it", field="outcome")
    body = clean_text(body)
    if not body:
        raise Refused("Enter your response to the school", field="response")
    subject = subject_of(disagreement)
    changed_to = None
    if outcome == StageOutcome.DECISION_CHANGED:
        choices = ReferralDecision if isinstance(subject, Referral) else AdviceOutcome
        try:
            changed_to = choices(new_decision or "")
        except ValueError:
            raise Refused("Select the new decision", field="new_decision") from None
        current = subject.decision if isinstance(subject, Referral) else subject.outcome
        if changed_to == current:
            raise Refused("Select a decision different from the one the school disagrees with, or uphold it", field="new_decision")
        if isinstance(subject, Referral):
            try:
                level = Level(new_level or "")
            except ValueError:
                raise Refused("Select the level of need the front door now finds", field="new_level") from None

    now = utcnow()
    stage = disagreement.stage
    before = after = None
    if changed_to is not None:
        if isinstance(subject, Referral):
            before = _change_referral(subject, disagreement, actor_id=actor_id, decision=changed_to, level=level, reason=body, now=now)
        else:
            before = _change_advice(subject, disagreement, actor_id=actor_id, outcome=changed_to, answer=body, now=now)
        after = changed_to.label
    step = _step(disagreement, StepKind.RESPONDED, actor_id=actor_id, outcome=outcome, body=body, before=before, after=after)
    if stage == 1:
        disagreement.stage1_responder_id = actor_id
    _audit(disagreement, Action.DISAGREEMENT_RESPONDED, outcome=outcome.value, **({"decision_before": before, "decision_after": after} if after else {}))

    if outcome == StageOutcome.DECISION_CHANGED:
        _resolve(disagreement, Resolution.DECISION_CHANGED, now)
        title = f"Stage {stage} response to your disagreement: the decision has changed to {after}"
    elif outcome == StageOutcome.REFERRED_ON:
        _start_stage(disagreement, stage + 1, now)
        title = f"Your disagreement with {_what(disagreement)} has been referred on to stage {stage + 1}"
    elif stage == LAST_STAGE:
        _resolve(disagreement, Resolution.UPHELD, now)
        title = f"Stage {stage} response to your disagreement: the decision stands (the last stage)"
    else:
        disagreement.status = DisagreementStatus.AWAITING_SCHOOL
        disagreement.due_at = working_days_after(authority_calendar(), now, timescales().escalate_days)
        disagreement.remind_at = None
        title = f"Stage {stage} response to your disagreement: the decision stands. You may escalate it to stage {stage + 1}"

    substance = chronology.lines(
        ("Outcome", outcome.label),
        ("Earlier decision", before),
        ("New decision", after),
        ("The response", body),
    )
    _chronology(disagreement, f"Disagreement, stage {stage} response: {outcome.label}", substance, actor_id=actor_id, at=now)
    notify_all(school_ids(disagreement), title, link=_link(disagreement), exclude={actor_id})
    if outcome == StageOutcome.REFERRED_ON:
        notify_all(responder_ids(disagreement), f"A disagreement with {_what(disagreement)} has been referred to stage {stage + 1}", link=_link(disagreement))
    return step


def _resolve(disagreement: Disagreement, resolution: Resolution, now: datetime) -> None:
    disagreement.status = DisagreementStatus.RESOLVED
    disagreement.resolution = resolution
    disagreement.resolved_at = now
    disagreement.due_at = None
    disagreement.remind_at = None


# The school's answer to an upheld response ----------------------------------------------------------------


def _awaiting_school(disagreement: Disagreement) -> None:
    if disagreement.status != DisagreementStatus.AWAITING_SCHOOL:
        raise Refused(f"This disagreement is {disagreement.status.label.lower()}: there is no response to escalate or accept.")


def escalate(disagreement: Disagreement, *, actor_id, why: str | None) -> DisagreementStep:
    """The school takes an upheld response to the next stage, saying why it does not resolve the matter."""
    _awaiting_school(disagreement)
    why = clean_text(why)
    if not why:
        raise Refused("Enter why the response does not resolve your disagreement", field="why")
    now = utcnow()
    step = _step(disagreement, StepKind.ESCALATED, actor_id=actor_id, body=why)
    _start_stage(disagreement, disagreement.stage + 1, now)
    step.stage = disagreement.stage
    _audit(disagreement, Action.DISAGREEMENT_ESCALATED, due_at=disagreement.due_at.isoformat())
    _chronology(
        disagreement,
        f"Disagreement escalated by the school to stage {disagreement.stage}",
        chronology.lines(("Why the response does not resolve it", why)),
        actor_id=actor_id,
        at=now,
    )
    name = disagreement.organisation.name
    notify_all(
        responder_ids(disagreement), f"{name} has escalated a disagreement with {_what(disagreement)} to stage {disagreement.stage}", link=_link(disagreement)
    )
    notify_all(
        school_ids(disagreement), f"Your school has escalated its disagreement to stage {disagreement.stage}", link=_link(disagreement), exclude={actor_id}
    )
    return step


def accept(disagreement: Disagreement, *, actor_id) -> DisagreementStep:
    """The school accepts an upheld response: the decision stands and the disagreement is resolved."""
    _awaiting_school(disagreement)
    now = utcnow()
    step = _step(disagreement, StepKind.ACCEPTED, actor_id=actor_id)
    _resolve(disagreement, Resolution.UPHELD, now)
    _audit(disagreement, Action.DISAGREEMENT_ACCEPTED)
    _chronology(disagreement, f"Disagreement resolved: the school accepted the stage {disagreement.stage} response", [], actor_id=actor_id, at=now)
    responded = [s.actor_id for s in disagreement.steps if s.kind == StepKind.RESPONDED and s.actor_id]
    notify_all(responded[-1:], f"{disagreement.organisation.name} has accepted your response to its disagreement", link=_link(disagreement))
    notify_all(
        school_ids(disagreement), "Your school has accepted the response to its disagreement: it is resolved", link=_link(disagreement), exclude={actor_id}
    )
    return step


# The clock (see jobs.py) -------------------------------------------------------------------------------


def remind(disagreement: Disagreement, now: datetime) -> None:
    disagreement.reminded_at = now
    notify_all(
        responder_ids(disagreement),
        f"Reminder: a stage {disagreement.stage} response to a disagreement from {disagreement.organisation.name} is due by the next working day",
        link=_link(disagreement),
    )
    _audit(disagreement, Action.DISAGREEMENT_REMINDED, actor_id=None, due_at=disagreement.due_at.isoformat())


def overdue(disagreement: Disagreement, now: datetime) -> None:
    """Tell those above the responders (the front-door managers; the partnership at the last stage) and
    the school that the stage's response is overdue."""
    disagreement.escalated_at = now
    if disagreement.stage == LAST_STAGE:
        above = _admin_ids()
    else:
        kept_apart = set(school_casework_ids(disagreement.organisation_id))
        above = [p for p in front_door_manager_ids() if p not in kept_apart] or responder_ids(disagreement)
    title = f"Overdue: the stage {disagreement.stage} response to a disagreement from {disagreement.organisation.name} has not been made in time"
    notify_all(above, title, link=_link(disagreement))
    notify_all(
        school_ids(disagreement), f"The stage {disagreement.stage} response to your disagreement is overdue: it has been escalated", link=_link(disagreement)
    )
    _audit(disagreement, Action.DISAGREEMENT_OVERDUE, actor_id=None, due_at=disagreement.due_at.isoformat())


def lapse(disagreement: Disagreement, now: datetime) -> None:
    """The school did not escalate an upheld response in time: the decision stands."""
    _step(disagreement, StepKind.LAPSED, actor_id=None)
    _resolve(disagreement, Resolution.UPHELD, now)
    _audit(disagreement, Action.DISAGREEMENT_LAPSED, actor_id=None)
    _chronology(disagreement, f"Disagreement resolved: the stage {disagreement.stage} response was not escalated in time", [], actor_id=None, at=now)
    notify_all(school_ids(disagreement), "Your disagreement was not escalated in time: the decision stands", link=_link(disagreement))


# The authority's figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageRow:
    stage: int
    #: (column label, cell) in the table's column order; each cell suppressed as the dashboards do.
    cells: list


DASHBOARD_COLUMNS = (("in_progress", "In progress"), (Resolution.UPHELD.value, "Decision stands"), (Resolution.DECISION_CHANGED.value, "Decision changed"))


def dashboard_counts(since: datetime) -> list[StageRow]:
    """Disagreements raised since ``since`` by the stage they reached and how they ended (in progress, the
    decision stands, the decision changed): one ``GROUP BY``, counts only, small counts suppressed."""
    rows = db.session.execute(
        select(Disagreement.stage, Disagreement.status, Disagreement.resolution, func.count())
        .where(Disagreement.created_at >= since)
        .group_by(Disagreement.stage, Disagreement.status, Disagreement.resolution)
    ).all()
    counts: dict[tuple[int, str], int] = {}
    for stage, status, resolution, count in rows:
        key = "in_progress" if status in IN_PROGRESS else resolution.value
        counts[(stage, key)] = counts.get((stage, key), 0) + count
    table = []
    for stage in STAGES:
        cells = []
        for key, label in DASHBOARD_COLUMNS:
            count = counts.get((stage, key), 0)
            cells.append(Cell(label, count, "primary" if 0 < count < THRESHOLD else None))
        table.append(StageRow(stage, cells))
    return table
