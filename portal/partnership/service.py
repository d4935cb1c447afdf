"""Shared workspace operations: invitations, participants, the information-sharing agreement and plan
actions.

Views check rights through ``portal.policies`` first; these functions record, audit and notify.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from portal.accounts.models import Membership, Role, User
from portal.audit.service import record
from portal.casework.people import notify_all, school_casework_ids
from portal.clock import utcnow
from portal.extensions import db
from portal.partnership.actions import Action
from portal.partnership.models import WORKSPACE_COLUMNS, ActionStatus, Invitation, InvitationStatus, Participant, ParticipantRole, PlanAction

#: The workspace models, by their column name on the shared tables (filled lazily: no import cycle).
_KINDS = {"summit_id": "safety_summit", "meeting_id": "partnership_meeting", "panel_meeting_id": "panel_meeting", "assessment_id": "school_assessment"}


def workspace_column(workspace) -> str:
    """``summit_id``, ``meeting_id``, ``panel_meeting_id`` or ``assessment_id`` (plan actions only) for a
    workspace object."""
    from portal.assessments.models import SchoolAssessment
    from portal.contexts.models import PanelMeeting
    from portal.meetings.models import PartnershipMeeting
    from portal.summits.models import SafetySummit

    pairs = ((SafetySummit, "summit_id"), (PartnershipMeeting, "meeting_id"), (PanelMeeting, "panel_meeting_id"), (SchoolAssessment, "assessment_id"))
    for model, column in pairs:
        if isinstance(workspace, model):
            return column
    raise TypeError(f"Not a workspace: {workspace!r}")


def _of(model, workspace):
    return getattr(model, workspace_column(workspace)) == workspace.id


# Invitations -----------------------------------------------------------------------------------------


def organisation_contacts(organisation_id) -> list:
    """Who answers for an organisation: a school's DSLs and head; a partner agency's partners; a social
    care organisation's front door and assessors."""
    ids = school_casework_ids(organisation_id)
    if ids:
        return ids
    query = (
        select(Membership.user_id)
        .join(User, (User.id == Membership.user_id) & (User.authority_id == Membership.authority_id))
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role.in_([Role.PARTNER, Role.FRONT_DOOR, Role.ASSESSOR]),
            User.deactivated_at.is_(None),
            User.password_hash.is_not(None),
        )
    )
    return sorted(set(db.session.execute(query).scalars().all()))


def invitations(workspace) -> list[Invitation]:
    return db.session.execute(select(Invitation).where(_of(Invitation, workspace)).order_by(Invitation.created_at)).scalars().all()


def invite(workspace, organisation_id, *, actor_id, title: str, link: str) -> Invitation | None:
    """Invite an organisation (once: a second invitation of the same one returns ``None``)."""
    column = workspace_column(workspace)
    existing = db.session.execute(select(Invitation).where(_of(Invitation, workspace), Invitation.organisation_id == organisation_id)).scalar_one_or_none()
    if existing is not None:
        return None
    invitation = Invitation(organisation_id=organisation_id, invited_by_id=actor_id, **{column: workspace.id})
    db.session.add(invitation)
    db.session.flush()
    record(Action.WORKSPACE_INVITED, object_type=_KINDS[column], object_id=workspace.id, organisation_id=organisation_id)
    notify_all(organisation_contacts(organisation_id), f"Invitation: {title}", link=link, exclude={actor_id})
    return invitation


def respond(invitation: Invitation, *, accept: bool, actor_id, note: str | None, inviter_title: str, link: str) -> None:
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.responded_by_id = actor_id
    invitation.responded_at = utcnow()
    invitation.response_note = (note or "").strip() or None
    column = next(c for c in WORKSPACE_COLUMNS if getattr(invitation, c) is not None)
    db.session.flush()
    record(
        Action.WORKSPACE_INVITATION_ANSWERED,
        object_type=_KINDS[column],
        object_id=getattr(invitation, column),
        organisation_id=invitation.organisation_id,
        details={"answer": invitation.status.value},
    )
    verb = "accepted" if accept else "declined"
    notify_all([invitation.invited_by_id], f"{invitation.organisation.name} has {verb} the invitation: {inviter_title}", link=link, exclude={actor_id})


# Participants ----------------------------------------------------------------------------------------


def participants(workspace) -> list[Participant]:
    return (
        db.session.execute(select(Participant).where(_of(Participant, workspace)).order_by(Participant.role, Participant.created_at)).unique().scalars().all()
    )


def participant(workspace, user_id) -> Participant | None:
    return db.session.execute(select(Participant).where(_of(Participant, workspace), Participant.user_id == user_id)).unique().scalar_one_or_none()


def add_participant(workspace, user_id, role: ParticipantRole, *, actor_id) -> Participant:
    """Add (or change the role of) a person; audited."""
    column = workspace_column(workspace)
    row = participant(workspace, user_id)
    if row is None:
        row = Participant(user_id=user_id, role=role, added_by_id=actor_id, **{column: workspace.id})
        db.session.add(row)
    else:
        row.role = role
    db.session.flush()
    record(Action.PARTICIPANT_ADDED, object_type=_KINDS[column], object_id=workspace.id, details={"user": str(user_id), "role": role.value})
    return row


def remove_participant(workspace, row: Participant, *, actor_id) -> None:
    column = workspace_column(workspace)
    record(Action.PARTICIPANT_REMOVED, object_type=_KINDS[column], object_id=workspace.id, details={"user": str(row.user_id)})
    db.session.delete(row)
    db.session.flush()


def accept_agreement(workspace, user_id) -> Participant:
    """The person accepts the workspace's information-sharing agreement (joining as an attendee if they
    were not yet listed). Audited; accepting twice keeps the first time."""
    row = participant(workspace, user_id)
    if row is None:
        row = add_participant(workspace, user_id, ParticipantRole.ATTENDEE, actor_id=user_id)
    if row.information_sharing_accepted_at is None:
        row.information_sharing_accepted_at = utcnow()
        db.session.flush()
        record(Action.INFORMATION_SHARING_ACCEPTED, object_type=_KINDS[workspace_column(workspace)], object_id=workspace.id)
    return row


# Plan actions ----------------------------------------------------------------------------------------


def actions(workspace) -> list[PlanAction]:
    return db.session.execute(select(PlanAction).where(_of(PlanAction, workspace)).order_by(PlanAction.due_on, PlanAction.created_at)).unique().scalars().all()


def add_action(
    workspace,
    *,
    description: str,
    due_on: date,
    owner_user_id=None,
    owner_organisation_id=None,
    actor_id,
    link: str,
    domain=None,
    told: Callable[[list], list] | None = None,
) -> PlanAction:
    """Add an action to a workspace's plan (``domain``: the triangle's domain, for a school assessment).
    Its owner (a person, or an organisation's contacts) is told; ``told`` narrows that to those who may
    see the workspace (a school assessment tells only people who may open it)."""
    column = workspace_column(workspace)
    row = PlanAction(
        domain=domain,
        description=description.strip(),
        due_on=due_on,
        owner_user_id=owner_user_id,
        owner_organisation_id=owner_organisation_id,
        created_by_id=actor_id,
        **{column: workspace.id},
    )
    db.session.add(row)
    db.session.flush()
    record(Action.PLAN_ACTION_ADDED, object_type="plan_action", object_id=row.id, details={column: str(workspace.id)})
    _tell_owner(row, actor_id=actor_id, link=link, told=told)
    return row


def _tell_owner(row: PlanAction, *, actor_id, link: str, told: Callable[[list], list] | None = None) -> None:
    """The action's owner (the person, or the organisation's contacts) hears it is theirs; ``told`` keeps
    only those who may see the workspace, where the workspace says so."""
    owners = [row.owner_user_id] if row.owner_user_id else organisation_contacts(row.owner_organisation_id)
    if told is not None:
        owners = told(owners)
    # The title only: the action's text stays behind the workspace's own access rules (an email can be
    # read anywhere).
    notify_all(owners, f"An action is yours, due {row.due_on.strftime('%-d %B %Y')}", link=link, exclude={actor_id})


def update_action(row: PlanAction, *, status: ActionStatus, progress_note: str | None, due_on: date | None = None) -> None:
    """Change an action's status (and due date); audited. The caller commits (through
    ``portal.locking.saving``: the action carries a version)."""
    if due_on is not None and due_on != row.due_on:
        row.due_on = due_on
        row.overdue_notified_on = None  # a new date: the owner is told again if it passes
    row.status = status
    row.progress_note = (progress_note or "").strip() or None
    row.completed_at = (row.completed_at or utcnow()) if status == ActionStatus.DONE else None  # done once: its date stays
    record(Action.PLAN_ACTION_UPDATED, object_type="plan_action", object_id=row.id, details={"status": status.value})


def change_action(
    row: PlanAction,
    *,
    status: ActionStatus,
    progress_note: str | None,
    actor_id,
    link: str,
    description: str | None = None,
    owner: dict | None = None,
    due_on: date | None = None,
) -> None:
    """Update an action from its page: the status and progress (its owner's part) and, when given, its
    text, owner (``{"owner_user_id": …, "owner_organisation_id": …}``) and due date (the workspace lead's
    part). A new owner is told, as when the action was added."""
    new_owner = owner is not None and owner != {"owner_user_id": row.owner_user_id, "owner_organisation_id": row.owner_organisation_id}
    if description is not None:
        row.description = description
    if owner is not None:
        row.owner_user_id, row.owner_organisation_id = owner["owner_user_id"], owner["owner_organisation_id"]
    update_action(row, status=status, progress_note=progress_note, due_on=due_on)
    if new_owner:
        _tell_owner(row, actor_id=actor_id, link=link)
