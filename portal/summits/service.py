"""What changes a safety summit: opening one (from the "new summit" page or the context panel's decision),
its plan, checklist and status, the people taking part, the activities on the day, and what comes after
(findings, the action plan, "You said, we did").

Each function audits the change and tells the people it concerns; the caller has checked the person's right
through ``portal.policies`` and commits. The steps every workspace shares (invitations and their answers,
participants, adding an action) are ``portal.partnership.service``'s; the safety maps' are
``portal.summits.map_service``'s.
"""

from __future__ import annotations

from datetime import date, datetime

from portal.audit.service import record
from portal.authorities.models import Organisation
from portal.casework.people import notify_all, school_casework_ids
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.service import page_path
from portal.partnership import service as partnership
from portal.partnership.actions import Action as WorkspaceAction
from portal.partnership.models import ActionStatus, Participant, ParticipantRole, PlanAction
from portal.summits.actions import Action
from portal.summits.map_service import revoke_links_made_by
from portal.summits.models import ActivityKind, SafetySummit, SummitActivity, SummitFinding, SummitStatus, YouSaidWeDid
from portal.summits.words import PLAN_LABELS, plan_values
from portal.text import clean_text

S = SummitStatus

#: The one way a summit moves on, and the button that does it.
NEXT_STATUS = {S.PLANNING: (S.HELD, "Mark the summit as held"), S.HELD: (S.CLOSED, "Close the summit")}


def summit_link(summit: SafetySummit) -> str:
    """The summit's page, as notifications link to it."""
    return page_path("summits.detail", summit_id=summit.id)


def _audit_change(summit: SafetySummit, what: str, **details) -> None:
    record(
        WorkspaceAction.WORKSPACE_UPDATED,
        object_type="safety_summit",
        object_id=summit.id,
        organisation_id=summit.host_organisation_id,
        details={"change": what, **details},
    )


# Opening and planning ------------------------------------------------------------------------------


def open_summit(
    host: Organisation,
    *,
    actor_id,
    title: str | None = None,
    details: dict | None = None,
    tell_school: bool = True,
    audit_organiser: bool = True,
) -> SafetySummit:
    """A new summit hosted by a school, with the person opening it as its organiser; audited.

    The two ways a summit is opened choose what differs: the "new summit" page gives the title typed (else
    "Student Safety Summit at …"), has the host school's DSLs and head told it is being planned
    (``tell_school``) and audits the organiser as a participant added (``audit_organiser``); the context
    panel's decision gives the title "Safety summit at …", names the referral in the audit event
    (``details``) and does neither, as the decision itself is audited and told to the school.
    """
    summit = SafetySummit(host_organisation_id=host.id, title=clean_text(title) or f"Student Safety Summit at {host.name}", created_by_id=actor_id)
    db.session.add(summit)
    db.session.flush()
    record(WorkspaceAction.WORKSPACE_OPENED, object_type="safety_summit", object_id=summit.id, organisation_id=host.id, details=details)
    if audit_organiser:
        partnership.add_participant(summit, actor_id, ParticipantRole.ORGANISER, actor_id=actor_id)
    else:
        db.session.add(Participant(summit_id=summit.id, user_id=actor_id, role=ParticipantRole.ORGANISER, added_by_id=actor_id))
        db.session.flush()
    if tell_school:
        notify_all(school_casework_ids(host.id), f"A safety summit is being planned at {host.name}", link=summit_link(summit), exclude={actor_id})
    return summit


def save_plan(
    summit: SafetySummit,
    *,
    title: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    venue: str | None,
    young_people: dict,
    consent_arranged: bool,
    consent_notes: str | None,
    inclusion_and_safety: str | None,
) -> None:
    """The organisers' plan: name, date and times, venue, young people by year group, consent, and how it
    is made inclusive and safe. Audited with the parts that changed."""
    before = plan_values(summit)
    summit.title = title.strip()
    summit.starts_at, summit.ends_at = starts_at, ends_at
    summit.venue = clean_text(venue)
    summit.young_people = young_people
    summit.consent_arranged = consent_arranged
    summit.consent_notes = clean_text(consent_notes)
    summit.inclusion_and_safety = clean_text(inclusion_and_safety)
    after = plan_values(summit)
    _audit_change(summit, "plan", fields=[k for k in PLAN_LABELS if before[k] != after[k]])


def save_checklist(summit: SafetySummit, ticked: list[str]) -> None:
    """The planning checklist's items ticked (their keys)."""
    summit.checklist = ticked
    _audit_change(summit, "checklist", ticked=ticked)


def move_on(summit: SafetySummit) -> SummitStatus:
    """The summit moves on one step (planning → held → closed). Returns its new status."""
    status = NEXT_STATUS[summit.status][0]
    summit.status = status
    _audit_change(summit, "status", status=status.value)
    return status


# The people taking part ----------------------------------------------------------------------------


def add_person(summit: SafetySummit, user_id, role: ParticipantRole, *, actor_id) -> None:
    """A practitioner takes part as organiser, facilitator or attendee; they are told."""
    partnership.add_participant(summit, user_id, role, actor_id=actor_id)
    notify_all([user_id], f"You are taking part in {summit.title} as {role.label.lower()}", link=summit_link(summit), exclude={actor_id})


def remove_person(summit: SafetySummit, row: Participant, *, actor_id) -> int:
    """A person no longer takes part: the tablet links they made for its maps are turned off with them.
    Returns how many links were."""
    user_id = row.user_id
    partnership.remove_participant(summit, row, actor_id=actor_id)
    return revoke_links_made_by(summit.id, user_id, utcnow())


# Activities on the day -----------------------------------------------------------------------------


def _facilitating(summit: SafetySummit, activity: SummitActivity, user_id, actor_id) -> None:
    """A person given an activity facilitates (an attendee becomes a facilitator) and is told."""
    if user_id is None:
        return
    row = partnership.participant(summit, user_id)
    if row is not None and row.role == ParticipantRole.ATTENDEE:
        partnership.add_participant(summit, user_id, ParticipantRole.FACILITATOR, actor_id=actor_id)
    notify_all([user_id], f"You are facilitating {activity.title} at {summit.title}", link=summit_link(summit), exclude={actor_id})


def add_activity(summit: SafetySummit, *, kind: ActivityKind, title: str | None, facilitator_id, notes: str | None, actor_id) -> SummitActivity:
    """An activity of the day (named after its kind when no title is given); its facilitator is told."""
    activity = SummitActivity(summit_id=summit.id, kind=kind, title=clean_text(title) or kind.label, facilitator_id=facilitator_id, notes=clean_text(notes))
    db.session.add(activity)
    db.session.flush()
    _audit_change(summit, "activity_added", activity=str(activity.id))
    _facilitating(summit, activity, facilitator_id, actor_id)
    return activity


def edit_activity(summit: SafetySummit, activity: SummitActivity, *, kind: ActivityKind, title: str, facilitator_id, notes: str | None, actor_id) -> None:
    """The organisers change an activity; a new facilitator is told."""
    new_facilitator = facilitator_id != activity.facilitator_id
    activity.notes = notes
    activity.kind, activity.title, activity.facilitator_id = kind, title, facilitator_id
    db.session.flush()
    _audit_change(summit, "activity_edited", activity=str(activity.id))
    if new_facilitator:
        _facilitating(summit, activity, facilitator_id, actor_id)


def save_activity_notes(summit: SafetySummit, activity: SummitActivity, notes: str | None) -> None:
    """The facilitator's notes on their activity."""
    activity.notes = notes
    db.session.flush()
    _audit_change(summit, "activity_edited", activity=str(activity.id))


# After the summit ----------------------------------------------------------------------------------


def add_finding(summit: SafetySummit, *, activity_id, text: str, actor_id) -> SummitFinding:
    """What the summit found (from one of its activities, or from the day as a whole)."""
    finding = SummitFinding(summit_id=summit.id, activity_id=activity_id, text=text.strip(), created_by_id=actor_id)
    db.session.add(finding)
    db.session.flush()
    record(
        Action.SUMMIT_FINDING_ADDED,
        object_type="summit_finding",
        object_id=finding.id,
        organisation_id=summit.host_organisation_id,
        details={"summit": str(summit.id)},
    )
    return finding


def update_action(
    summit: SafetySummit,
    row: PlanAction,
    *,
    status: ActionStatus,
    progress_note: str | None,
    actor_id,
    by_organiser: bool,
    description: str | None = None,
    owner: dict | None = None,
    due_on: date | None = None,
) -> None:
    """An organiser changes an action (its text, owner and due date too: a new owner is told); its owner
    updates the status and progress, and whoever added it is told."""
    partnership.change_action(
        row, status=status, progress_note=progress_note, description=description, owner=owner, due_on=due_on, actor_id=actor_id, link=summit_link(summit)
    )
    if not by_organiser:
        notify_all([row.created_by_id], f"Action updated ({row.status.label.lower()}): {summit.title}", link=summit_link(summit), exclude={actor_id})


def add_you_said(summit: SafetySummit, *, you_said: str, we_did: str, told_on: date, told_how: str, actor_id) -> YouSaidWeDid:
    """ "You said, we did": what young people said, what was done, and when and how they were told."""
    row = YouSaidWeDid(
        summit_id=summit.id, you_said=you_said.strip(), we_did=we_did.strip(), told_on=told_on, told_how=told_how.strip(), created_by_id=actor_id
    )
    db.session.add(row)
    db.session.flush()
    record(
        Action.YOU_SAID_WE_DID_ADDED,
        object_type="you_said_we_did",
        object_id=row.id,
        organisation_id=summit.host_organisation_id,
        details={"summit": str(summit.id)},
    )
    return row
