"""Context referrals and the panel's decisions.

* Threshold indicators are versioned per authority (:func:`current_thresholds`, :func:`new_version`);
  the first version is the seed's "example school threshold indicators".
* :func:`suggest_level` turns the indicators checked into a level.
* :func:`raise_referral` saves a referral and tells the panel; :func:`list_on_panel` puts it on a panel
  meeting's agenda; :func:`save_panel_meeting` and :func:`record_panel_attendance` keep the meetings.
* :func:`decide` records the panel's decision and opens the workspace it chose — a safety summit, a
  school partnership meeting (each through its own feature's service, as their pages open them), or a
  school assessment (by social care, or the school's Beyond Referrals self-assessment) — linked both ways
  (``ContextReferral.summit_id`` and friends), and tells the referrer.

Each function audits and notifies; the caller has checked the person's right and commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from portal.accounts.models import Role
from portal.assessments.models import AssessmentKind, AssessmentTrigger, SchoolAssessment
from portal.audit.service import record
from portal.authorities.models import Organisation
from portal.casework import chronology
from portal.casework.models import EntryKind
from portal.casework.people import front_door_ids, notify_all, school_casework_ids
from portal.clock import uk_datetime, utcnow
from portal.contexts.actions import Action
from portal.contexts.models import (
    DECISION_LEVEL,
    ContextReferral,
    ContextReferralIndicator,
    ContextReferralPupil,
    ContextReferralStatus,
    ContextSubject,
    PanelDecision,
    PanelMeeting,
    ThresholdIndicator,
    ThresholdSet,
)
from portal.contexts.people import panel_duty, people
from portal.extensions import db
from portal.meetings.models import PartnershipMeeting
from portal.meetings.service import open_meeting
from portal.notifications.service import page_path
from portal.partnership import service as partnership
from portal.partnership.models import ParticipantRole
from portal.policies import casework_schools
from portal.pupils.models import YEAR_GROUPS, Pupil
from portal.summits.models import SafetySummit
from portal.summits.service import open_summit
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


# Raising a referral and the panel's agenda ---------------------------------------------------------


def referrer_organisation(user, school_id):
    """The organisation the referral is raised from: the school itself (its DSL or head), else the
    referrer's social care organisation, school or partner agency."""
    if school_id in casework_schools(user):
        return school_id
    for ids in (user.organisation_ids(Role.FRONT_DOOR, Role.ASSESSOR), casework_schools(user), user.organisation_ids(Role.PARTNER), user.organisation_ids()):
        if ids:
            return sorted(ids)[0]
    return school_id


def raise_referral(
    school: Organisation,
    thresholds: ThresholdSet,
    *,
    subject: ContextSubject,
    subject_description: str | None,
    concern: str,
    categories: list[str],
    young_people_count: int | None,
    year_groups: list[str],
    indicators: list[ThresholdIndicator],
    pupils: list[Pupil],
    suggestion: Level,
    agrees: bool,
    level: Level | None,
    level_reason: str,
    raised_by,
    summit: SafetySummit | None = None,
    summit_evidence: str | None = None,
) -> ContextReferral:
    """Save a context referral against the indicators in force (``indicators``: those checked; ``level``:
    the referrer's own view, when they do not agree with the ``suggestion``), and tell the panel. From a
    safety summit, with its evidence. The school hears of it when it did not raise it itself."""
    referral = ContextReferral(
        organisation_id=school.id,
        subject=subject,
        subject_description=subject_description,
        concern=concern.strip(),
        categories=list(dict.fromkeys(categories)),
        young_people_count=young_people_count,
        year_groups=[y for y in YEAR_GROUPS if y in (year_groups or [])],
        threshold_set_id=thresholds.id,
        suggested_level=suggestion,
        agrees_with_suggestion=agrees,
        referrer_level=suggestion if agrees else level,
        level_reason=level_reason.strip(),
        raised_by_id=raised_by.id,
        raised_by_organisation_id=referrer_organisation(raised_by, school.id),
        source_summit_id=summit.id if summit else None,
        summit_evidence=((summit_evidence or "").strip() or None) if summit else None,
    )
    db.session.add(referral)
    db.session.flush()
    for indicator in indicators:
        db.session.add(ContextReferralIndicator(context_referral_id=referral.id, indicator_id=indicator.id))
    for pupil in pupils:
        db.session.add(ContextReferralPupil(context_referral_id=referral.id, pupil_id=pupil.id))
        chronology.add(
            pupil_id=pupil.id,
            organisation_id=pupil.organisation_id,
            kind=EntryKind.CONTEXT,
            title=f"Named in a context referral about {school.name}",
            object_type="context_referral",
            object_id=referral.id,
            actor_id=raised_by.id,
            substance=chronology.lines(
                ("The context", " — ".join(filter(None, [subject.label, (subject_description or "").strip()]))),
                ("What has been happening", concern),
            ),
        )
    details = {"threshold_version": thresholds.number, "indicators": len(indicators), "pupils": len(pupils)}
    if summit is not None:
        details["summit_id"] = str(summit.id)
    record(Action.CONTEXT_REFERRAL_RAISED, object_type="context_referral", object_id=referral.id, organisation_id=school.id, details=details)
    link = page_path("contexts.detail", context_referral_id=referral.id)
    panel = front_door_ids() + [u.id for u in people(panel_duty())]
    notify_all(panel, f"New context referral about {school.name}", link=link, exclude={raised_by.id})
    if referral.raised_by_organisation_id != school.id:
        notify_all(school_casework_ids(school.id), f"A context referral has been raised about {school.name}", link=link, exclude={raised_by.id, *panel})
    return referral


def list_on_panel(referral: ContextReferral, meeting: PanelMeeting, *, actor_id) -> None:
    """Put a referral awaiting a decision on a panel meeting's agenda; the referrer is told when."""
    referral.panel_meeting_id = meeting.id
    record(
        Action.CONTEXT_REFERRAL_LISTED,
        object_type="context_referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={"panel_meeting_id": str(meeting.id)},
    )
    notify_all(
        [referral.raised_by_id],
        f"Your context referral about {referral.organisation.name} is on the agenda of the context panel on {uk_datetime(meeting.meets_at)}",
        link=page_path("contexts.detail", context_referral_id=referral.id),
        exclude={actor_id},
    )


# Panel meetings ------------------------------------------------------------------------------------


def save_panel_meeting(meeting: PanelMeeting | None, *, meets_at, venue: str, chair_id, notes: str | None, actor_id) -> PanelMeeting:
    """Schedule a panel meeting (``meeting`` is ``None``) or save one's date, place, chair and notes."""
    creating = meeting is None
    if creating:
        meeting = PanelMeeting(created_by_id=actor_id)
        db.session.add(meeting)
    meeting.meets_at = meets_at
    meeting.venue = venue.strip()
    meeting.chair_id = chair_id
    meeting.notes = (notes or "").strip() or None
    db.session.flush()
    record(Action.PANEL_MEETING_SAVED, object_type="panel_meeting", object_id=meeting.id, details={"created": creating})
    return meeting


def record_panel_attendance(meeting: PanelMeeting, people_shown: dict, chosen: list[str], others: str | None, *, actor_id) -> None:
    """Who attended: of ``people_shown`` (user id as text -> user), those ``chosen`` (joining the meeting
    if they were not taking part yet), and ``others`` present, in words. A new version of the meeting even
    when only the ticks changed, so an older page's save is refused."""
    rows = {str(p.user_id): p for p in partnership.participants(meeting)}
    for uid, user in people_shown.items():
        row = rows.get(uid)
        if uid in chosen:
            row = row or partnership.add_participant(meeting, user.id, ParticipantRole.ATTENDEE, actor_id=actor_id)
            row.attended = True
        elif row is not None:
            row.attended = False
    meeting.other_attendees = others
    flag_modified(meeting, "other_attendees")
    db.session.flush()
    record(Action.PANEL_ATTENDANCE_RECORDED, object_type="panel_meeting", object_id=meeting.id, details={"attended": len(chosen), "others": bool(others)})


# The panel's decision ------------------------------------------------------------------------------


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
    for named in db.session.execute(
        select(Pupil).join(ContextReferralPupil, ContextReferralPupil.pupil_id == Pupil.id).where(ContextReferralPupil.context_referral_id == referral.id)
    ).scalars():
        chronology.add(
            pupil_id=named.id,
            organisation_id=named.organisation_id,
            kind=EntryKind.CONTEXT,
            title=f"Context panel decision: {decision.decision.label}",
            object_type="context_referral",
            object_id=referral.id,
            actor_id=actor_id,
            substance=chronology.lines(("Decision", decision.decision.label), ("Level", level.label), ("Reason", reason), ("Advice to the school", advice)),
        )
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
    opened_by = {"context_referral": str(referral.id)}
    if decision.decision == PanelDecision.BELOW_THRESHOLD:
        return None
    # The decision is audited and told to the school itself (below): opening the summit or the meeting
    # tells no one and audits no participant, unlike their own "new" pages.
    if decision.decision == PanelDecision.SAFETY_SUMMIT:
        return open_summit(school, title=f"Safety summit at {school.name}", actor_id=actor_id, details=opened_by, tell_school=False, audit_organiser=False)
    if decision.decision == PanelDecision.PARTNERSHIP_MEETING:
        return open_meeting(school, actor_id=actor_id, details=opened_by, tell_school=False, audit_organiser=False)
    from portal.assessments.service import open_assessment

    # The school's DSLs and head join as collaborating members, the lead as an assessor; audited there.
    return open_assessment(
        school,
        kind=AssessmentKind.SELF_ASSESSMENT if decision.decision == PanelDecision.SELF_ASSESSMENT else AssessmentKind.SCHOOL_ASSESSMENT,
        trigger=AssessmentTrigger.PANEL_DECISION,
        reason=reason,
        lead_id=decision.lead_id,
        actor_id=actor_id,
        details=opened_by,
    )


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
