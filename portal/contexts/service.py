"""Context referrals and the panel's decisions.

* Threshold indicators are versioned per authority (:func:`current_thresholds`, :func:`new_version`);
  the first version is the seed's "example school threshold indicators".
* :func:`suggest_level` turns the indicators checked into a level.
* :func:`decide` records the panel's decision and opens the workspace it chose — a safety summit, a
  school partnership meeting, or a school assessment (by social care, or the school's Beyond Referrals
  self-assessment) — linked both ways (``ContextReferral.summit_id`` and friends), and tells the referrer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from portal.assessments.models import AssessmentKind, AssessmentTrigger, SchoolAssessment
from portal.audit.service import record
from portal.casework.people import notify_all, school_casework_ids
from portal.clock import utcnow
from portal.contexts.actions import Action
from portal.contexts.models import (
    DECISION_LEVEL,
    ContextReferral,
    ContextReferralStatus,
    PanelDecision,
    ThresholdIndicator,
    ThresholdSet,
)
from portal.extensions import db
from portal.meetings.models import MeetingReturn, PartnershipMeeting
from portal.notifications.service import page_path
from portal.partnership.actions import Action as WorkspaceAction
from portal.partnership.models import Participant, ParticipantRole
from portal.summits.models import SafetySummit
from portal.vocabulary import Level

#: The levels of the school threshold indicators, in order.
THRESHOLD_LEVELS = (Level.UNIVERSAL, Level.CHILD_IN_NEED, Level.CHILD_PROTECTION)

THRESHOLD_HEADINGS = {
    Level.UNIVERSAL: "Universal",
    Level.CHILD_IN_NEED: "Child in need",
    Level.CHILD_PROTECTION: "Child protection",
}

_SEED = Path(__file__).with_name("threshold_indicators.json")


def seed_indicators() -> dict[Level, list[str]]:
    data = json.loads(_SEED.read_text(encoding="utf-8"))
    return {Level(level): list(texts) for level, texts in data["levels"].items()}


def current_thresholds() -> ThresholdSet:
    """The authority's indicators in force: the highest version, made from the seed if there is none."""
    latest = db.session.execute(select(ThresholdSet).order_by(ThresholdSet.number.desc()).limit(1)).scalar_one_or_none()
    if latest is not None:
        return latest
    return new_version(seed_indicators(), note="First version: the example school threshold indicators.", created_by_id=None)


def new_version(indicators: dict[Level, list[str]], *, note: str | None, created_by_id) -> ThresholdSet:
    """Save ``indicators`` as the next version (versions are never edited in place)."""
    number = (db.session.execute(select(func.max(ThresholdSet.number))).scalar() or 0) + 1
    version = ThresholdSet(number=number, note=(note or "").strip() or None, created_by_id=created_by_id)
    db.session.add(version)
    db.session.flush()
    for level in THRESHOLD_LEVELS:
        for position, text in enumerate(t.strip() for t in indicators.get(level, []) if t and t.strip()):
            db.session.add(ThresholdIndicator(threshold_set_id=version.id, level=level, position=position, text=text))
    db.session.flush()
    if created_by_id is not None:
        record(Action.THRESHOLDS_CHANGED, object_type="threshold_set", object_id=version.id, details={"version": number})
    return version


def suggest_level(indicators: list[ThresholdIndicator]) -> Level:
    """The level the checked indicators point to: child protection if any child-protection indicator is
    checked, else child in need if any of those is, else universal."""
    levels = {indicator.level for indicator in indicators}
    for level in (Level.CHILD_PROTECTION, Level.CHILD_IN_NEED):
        if level in levels:
            return level
    return Level.UNIVERSAL


class DecisionRefused(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Decision:
    decision: PanelDecision
    reason: str
    #: The panel's level for a child-in-need / child-protection decision.
    level: Level | None = None
    #: Below threshold: the advice the school is given.
    advice: str | None = None
    #: School assessment: the lead assessor (a user id), if named now.
    lead_id: object | None = None


def decide(referral: ContextReferral, decision: Decision, *, actor_id, panel_meeting_id=None) -> object | None:
    """Record the panel's decision on ``referral`` and open the workspace it chose. Returns the workspace
    (``None`` for "below threshold"). The caller checked the actor's right through the policy."""
    if not referral.is_open:
        raise DecisionRefused("This context referral has already been decided.")
    reason = (decision.reason or "").strip()
    if not reason:
        raise DecisionRefused("Enter the reason for the decision", field="reason")
    advice = (decision.advice or "").strip() or None
    if decision.decision == PanelDecision.BELOW_THRESHOLD and not advice:
        raise DecisionRefused("Enter the advice given to the school", field="advice")
    level = DECISION_LEVEL.get(decision.decision) or decision.level
    if level not in (Level.UNIVERSAL, Level.EARLY_HELP, Level.CHILD_IN_NEED, Level.CHILD_PROTECTION):
        raise DecisionRefused("Select child in need or child protection", field="level")
    if decision.decision in (PanelDecision.SELF_ASSESSMENT, PanelDecision.SCHOOL_ASSESSMENT) and level not in (
        Level.CHILD_IN_NEED,
        Level.CHILD_PROTECTION,
    ):
        raise DecisionRefused("Select child in need or child protection", field="level")

    thresholds = current_thresholds()  # (a query: before the referral changes)
    now = utcnow()
    workspace = _open_workspace(referral, decision, reason, actor_id)
    referral.status = ContextReferralStatus.DECIDED
    referral.decision = decision.decision
    referral.decided_level = level
    referral.decision_reason = reason
    referral.advice_given = advice
    referral.decided_at = now
    referral.decided_by_id = actor_id
    referral.decision_threshold_set_id = thresholds.id
    if panel_meeting_id is not None:
        referral.panel_meeting_id = panel_meeting_id
    if isinstance(workspace, SafetySummit):
        referral.summit_id = workspace.id
    elif isinstance(workspace, PartnershipMeeting):
        referral.meeting_id = workspace.id
    elif isinstance(workspace, SchoolAssessment):
        referral.assessment_id = workspace.id
    db.session.flush()
    record(
        Action.CONTEXT_REFERRAL_DECIDED,
        object_type="context_referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={"decision": decision.decision.value, "level": level.value, "threshold_version": thresholds.number},
    )
    _tell(referral, workspace)
    return workspace


def _open_workspace(referral: ContextReferral, decision: Decision, reason: str, actor_id):
    school = referral.organisation
    if decision.decision == PanelDecision.BELOW_THRESHOLD:
        return None
    if decision.decision == PanelDecision.SAFETY_SUMMIT:
        workspace = SafetySummit(host_organisation_id=school.id, title=f"Safety summit at {school.name}", created_by_id=actor_id)
        db.session.add(workspace)
        db.session.flush()
        db.session.add(Participant(summit_id=workspace.id, user_id=actor_id, role=ParticipantRole.ORGANISER, added_by_id=actor_id))
        kind = "safety_summit"
    elif decision.decision == PanelDecision.PARTNERSHIP_MEETING:
        from portal.meetings.texts import default_information_sharing_agreement, default_terms_of_reference

        workspace = PartnershipMeeting(
            organisation_id=school.id,
            title=f"School partnership meeting: {school.name}",
            terms_of_reference=default_terms_of_reference(school.name),
            information_sharing_agreement=default_information_sharing_agreement(school.name),
            created_by_id=actor_id,
        )
        db.session.add(workspace)
        db.session.flush()
        db.session.add(MeetingReturn(meeting_id=workspace.id))
        db.session.add(Participant(meeting_id=workspace.id, user_id=actor_id, role=ParticipantRole.ORGANISER, added_by_id=actor_id))
        kind = "partnership_meeting"
    else:
        from portal.assessments.service import open_assessment

        # The school's DSLs and head join as collaborating members, the lead as an assessor; audited there.
        return open_assessment(
            school,
            kind=AssessmentKind.SELF_ASSESSMENT if decision.decision == PanelDecision.SELF_ASSESSMENT else AssessmentKind.SCHOOL_ASSESSMENT,
            trigger=AssessmentTrigger.PANEL_DECISION,
            reason=reason,
            lead_id=decision.lead_id,
            actor_id=actor_id,
            details={"context_referral": str(referral.id)},
        )
    db.session.flush()
    record(
        WorkspaceAction.WORKSPACE_OPENED,
        object_type=kind,
        object_id=workspace.id,
        organisation_id=school.id,
        details={"context_referral": str(referral.id)},
    )
    return workspace


def workspace_link(referral: ContextReferral) -> tuple[str, str] | None:
    """``(label, path)`` of the workspace the decision opened, or ``None``."""
    if referral.summit_id is not None:
        return "Safety summit", page_path("summits.detail", summit_id=referral.summit_id)
    if referral.meeting_id is not None:
        return "School partnership meeting", page_path("meetings.detail", meeting_id=referral.meeting_id)
    if referral.assessment_id is not None:
        return "School assessment", page_path("assessments.detail", assessment_id=referral.assessment_id)
    return None


def _tell(referral: ContextReferral, workspace) -> None:
    """The referrer hears the decision; the school it is about hears it too (it is a partner in what
    follows)."""
    link = page_path("contexts.detail", context_referral_id=referral.id)
    title = f"Context panel decision: {referral.decision.label}"
    notify_all([referral.raised_by_id], title, link=link)
    notify_all(
        school_casework_ids(referral.organisation_id),
        f"Context panel decision about {referral.organisation.name}: {referral.decision.label}",
        link=link,
        exclude={referral.raised_by_id},
    )
