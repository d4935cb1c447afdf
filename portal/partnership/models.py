"""What the contextual workspaces share: organisations invited, people taking part, and plan actions.

A workspace is a safety summit, a school partnership meeting or a context panel meeting. Each row here
belongs to exactly one of them (a CHECK says so), through composite foreign keys like every tenant row.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Index, Integer, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.assessments.models import Domain
from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args

#: The workspace columns, in the order the CHECKs list them.
WORKSPACE_COLUMNS = ("summit_id", "meeting_id", "panel_meeting_id")


def _one_of(*columns: str) -> str:
    return " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns) + " = 1"


class InvitationStatus(LabelledEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


InvitationStatus.LABELS = {"invited": "Waiting for a reply", "accepted": "Accepted", "declined": "Declined"}


class Invitation(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An organisation (a school or a partner agency) invited into a workspace; it accepts or declines."""

    __tablename__ = "workspace_invitations"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("summit_id", "safety_summits", ondelete="CASCADE"),
        parent_key("meeting_id", "partnership_meetings", ondelete="CASCADE"),
        parent_key("panel_meeting_id", "panel_meetings", ondelete="CASCADE"),
        parent_key("invited_by_id", "users"),
        parent_key("responded_by_id", "users"),
        UniqueConstraint("authority_id", "organisation_id", "summit_id", name="uq_invitation_summit"),
        UniqueConstraint("authority_id", "organisation_id", "meeting_id", name="uq_invitation_meeting"),
        UniqueConstraint("authority_id", "organisation_id", "panel_meeting_id", name="uq_invitation_panel"),
        Index("ix_invitations_organisation", "authority_id", "organisation_id", "status"),
        CheckConstraint(_one_of(*WORKSPACE_COLUMNS), name="invitation_one_workspace"),
        CheckConstraint("status = 'invited' OR (responded_at IS NOT NULL AND responded_by_id IS NOT NULL)", name="response_recorded"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    summit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    panel_meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[InvitationStatus] = mapped_column(enum_column(InvitationStatus), nullable=False, default=InvitationStatus.INVITED)
    invited_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    responded_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the organisation declined, or a note with its acceptance.
    response_note: Mapped[str | None] = mapped_column(Text)

    organisation = tenant_relationship("Organisation", "Invitation.organisation_id", lazy="joined")


class ParticipantRole(LabelledEnum):
    ORGANISER = "organiser"
    FACILITATOR = "facilitator"
    ATTENDEE = "attendee"


ParticipantRole.LABELS = {"organiser": "Organiser", "facilitator": "Facilitator", "attendee": "Attendee"}


class Participant(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A person taking part in a workspace: organiser, facilitator or attendee.

    For a partnership meeting, ``information_sharing_accepted_at`` is when they accepted the meeting's
    information-sharing agreement; they see the meeting's papers only after it. ``attended`` records
    who was there (a panel's attendance, a meeting's).
    """

    __tablename__ = "workspace_participants"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users"),
        parent_key("summit_id", "safety_summits", ondelete="CASCADE"),
        parent_key("meeting_id", "partnership_meetings", ondelete="CASCADE"),
        parent_key("panel_meeting_id", "panel_meetings", ondelete="CASCADE"),
        parent_key("added_by_id", "users"),
        UniqueConstraint("authority_id", "user_id", "summit_id", name="uq_participant_summit"),
        UniqueConstraint("authority_id", "user_id", "meeting_id", name="uq_participant_meeting"),
        UniqueConstraint("authority_id", "user_id", "panel_meeting_id", name="uq_participant_panel"),
        Index("ix_participants_user", "authority_id", "user_id"),
        CheckConstraint(_one_of(*WORKSPACE_COLUMNS), name="participant_one_workspace"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    summit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    panel_meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole), nullable=False, default=ParticipantRole.ATTENDEE)
    added_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    information_sharing_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column(Boolean)

    user = tenant_relationship("User", "Participant.user_id", lazy="joined")


class ActionStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NO_LONGER_NEEDED = "no_longer_needed"


ActionStatus.LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "no_longer_needed": "No longer needed",
}

#: The workspaces a plan action can belong to (exactly one).
ACTION_WORKSPACE_COLUMNS = ("summit_id", "meeting_id", "assessment_id")

#: Statuses of an action still to do: these can be overdue.
OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class PlanAction(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An action in a summit's, a partnership meeting's or a school assessment's plan: what, who owns it, by when, status.

    The owner is a person or an organisation (exactly one). ``overdue_notified_on`` is the due date the
    owner was told about, so the scheduled job tells them once per due date (moving the date re-arms it).
    """

    __tablename__ = "plan_actions"
    __table_args__ = tenant_table_args(
        parent_key("summit_id", "safety_summits", ondelete="CASCADE"),
        parent_key("meeting_id", "partnership_meetings", ondelete="CASCADE"),
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("owner_user_id", "users"),
        parent_key("owner_organisation_id", "organisations"),
        parent_key("created_by_id", "users"),
        Index("ix_plan_actions_summit", "authority_id", "summit_id", "due_on"),
        Index("ix_plan_actions_meeting", "authority_id", "meeting_id", "due_on"),
        Index("ix_plan_actions_assessment", "authority_id", "assessment_id", "due_on"),
        Index("ix_plan_actions_open_by_due", "authority_id", "status", "due_on"),
        CheckConstraint(_one_of(*ACTION_WORKSPACE_COLUMNS), name="action_one_workspace"),
        CheckConstraint(_one_of("owner_user_id", "owner_organisation_id"), name="action_one_owner"),
        CheckConstraint("status <> 'done' OR completed_at IS NOT NULL", name="done_has_date"),
        CheckConstraint("domain IS NULL OR assessment_id IS NOT NULL", name="domain_only_in_assessment"),
    )

    summit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: A school assessment's plan; its actions also say which domain of the triangle they address.
    assessment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    domain: Mapped[Domain | None] = mapped_column(enum_column(Domain))
    description: Mapped[str] = mapped_column(Text, nullable=False)
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), nullable=False, default=ActionStatus.NOT_STARTED)
    progress_note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    owner_user = tenant_relationship("User", "PlanAction.owner_user_id", lazy="joined")
    owner_organisation = tenant_relationship("Organisation", "PlanAction.owner_organisation_id", lazy="joined")

    @property
    def owner_name(self) -> str:
        if self.owner_user is not None:
            return self.owner_user.full_name
        return self.owner_organisation.name if self.owner_organisation is not None else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on < today
