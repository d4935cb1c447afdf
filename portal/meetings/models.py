"""School partnership meetings: led by children's social care, with the school as an active partner.

Attendees come from several organisations (the school, social care, police, voluntary services). Each
accepts the meeting's information-sharing agreement before they see its papers: the school's
pre-meeting return, the agenda, the minutes and the actions.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class MeetingFormat(LabelledEnum):
    ONLINE = "online"
    AT_SCHOOL = "at_school"


MeetingFormat.LABELS = {"online": "Online", "at_school": "At the school"}


class MeetingStatus(LabelledEnum):
    PLANNED = "planned"
    HELD = "held"
    CLOSED = "closed"


MeetingStatus.LABELS = {"planned": "Planned", "held": "Held", "closed": "Closed"}


class PartnershipMeeting(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One school partnership meeting (also known as a community mapping meeting)."""

    __tablename__ = "partnership_meetings"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("created_by_id", "users"),
        Index("ix_partnership_meetings_school", "authority_id", "organisation_id", "meets_at"),
        Index("ix_partnership_meetings_when", "authority_id", "meets_at"),
    )

    #: The school, an active partner in the meeting.
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    meets_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    format: Mapped[MeetingFormat] = mapped_column(enum_column(MeetingFormat), nullable=False, default=MeetingFormat.AT_SCHOOL)
    #: The room at the school, or how to join online.
    location: Mapped[str | None] = mapped_column(String(300))
    terms_of_reference: Mapped[str] = mapped_column(Text, nullable=False, default="")
    information_sharing_agreement: Mapped[str] = mapped_column(Text, nullable=False, default="")
    agenda: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), nullable=False, default=MeetingStatus.PLANNED)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation = tenant_relationship("Organisation", "PartnershipMeeting.organisation_id", lazy="joined")
    created_by = tenant_relationship("User", "PartnershipMeeting.created_by_id")


class MeetingReturn(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The school's pre-meeting return: trends and themes affecting students, places, peer groups,
    strengths. Its own row (and version) so the school's edits never collide with the minutes."""

    __tablename__ = "meeting_returns"
    __table_args__ = tenant_table_args(
        parent_key("meeting_id", "partnership_meetings", ondelete="CASCADE"),
        parent_key("updated_by_id", "users"),
        parent_key("submitted_by_id", "users"),
        UniqueConstraint("authority_id", "meeting_id"),
        CheckConstraint("submitted_at IS NULL OR submitted_by_id IS NOT NULL", name="submission_has_author"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    trends_and_themes: Mapped[str | None] = mapped_column(Text)
    places: Mapped[str | None] = mapped_column(Text)
    peer_groups: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
