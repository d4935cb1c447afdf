"""Safety summits: planning, the activities on the day, safety maps, findings and "You said, we did".

A summit is hosted by one school; other schools and partner agencies are invited and accept or decline.
A school that joined sees the summit's shared content (and nothing else of the other schools). Young
people take part anonymously: no row here holds a young person's name.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, Float, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class SummitStatus(LabelledEnum):
    PLANNING = "planning"
    HELD = "held"
    CLOSED = "closed"


SummitStatus.LABELS = {"planning": "Being planned", "held": "Held: following up", "closed": "Closed"}


class SafetySummit(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One safety summit: usually half a day, hosted by a school."""

    __tablename__ = "safety_summits"
    __table_args__ = tenant_table_args(
        parent_key("host_organisation_id", "organisations"),
        parent_key("created_by_id", "users"),
        Index("ix_safety_summits_host", "authority_id", "host_organisation_id"),
        Index("ix_safety_summits_when", "authority_id", "starts_at"),
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
    )

    host_organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    venue: Mapped[str | None] = mapped_column(String(300))
    #: Young people taking part, by year group: ``{"Year 9": 30, "Year 10": 25}``. Numbers, never names.
    young_people: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    consent_arranged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_notes: Mapped[str | None] = mapped_column(Text)
    #: How taking part is made inclusive and safe for the young people.
    inclusion_and_safety: Mapped[str | None] = mapped_column(Text)
    #: Keys of the planning checklist ticked (``portal.summits.checklist``).
    checklist: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[SummitStatus] = mapped_column(enum_column(SummitStatus), nullable=False, default=SummitStatus.PLANNING)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    host = tenant_relationship("Organisation", "SafetySummit.host_organisation_id", lazy="joined")


class ActivityKind(LabelledEnum):
    ONLINE = "online"
    NEIGHBOURHOOD = "neighbourhood"
    SCHOOL = "school"
    FRIENDSHIPS = "friendships"


ActivityKind.LABELS = {
    "online": "Online spaces",
    "neighbourhood": "Neighbourhood mapping",
    "school": "School mapping",
    "friendships": "Friendships and peers",
}


class SummitActivity(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An activity on the day, with its facilitator and their notes."""

    __tablename__ = "summit_activities"
    __table_args__ = tenant_table_args(
        parent_key("summit_id", "safety_summits", ondelete="CASCADE"),
        parent_key("facilitator_id", "users"),
        Index("ix_summit_activities_summit", "authority_id", "summit_id"),
    )

    summit_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    facilitator_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    facilitator = tenant_relationship("User", "SummitActivity.facilitator_id", lazy="joined")


class SummitFinding(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A finding from the summit (what young people said about safety), optionally from one activity."""

    __tablename__ = "summit_findings"
    __table_args__ = tenant_table_args(
        parent_key("summit_id", "safety_summits", ondelete="CASCADE"),
        parent_key("activity_id", "summit_activities", ondelete="SET NULL"),
        parent_key("created_by_id", "users"),
        Index("ix_summit_findings_summit", "authority_id", "summit_id", "created_at"),
    )

    summit_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    activity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)


class YouSaidWeDid(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """What young people said, what was done, and when and how they were told."""

    __tablename__ = "you_said_we_did"
    __table_args__ = tenant_table_args(
        parent_key("summit_id", "safety_summits", ondelete="CASCADE"),
        parent_key("created_by_id", "users"),
        Index("ix_you_said_we_did_summit", "authority_id", "summit_id", "told_on"),
    )

    summit_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    you_said: Mapped[str] = mapped_column(Text, nullable=False)
    we_did: Mapped[str] = mapped_column(Text, nullable=False)
    told_on: Mapped[date] = mapped_column(Date, nullable=False)
    told_how: Mapped[str] = mapped_column(Text, nullable=False)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)


class MapKind(LabelledEnum):
    NEIGHBOURHOOD = "neighbourhood"
    FLOOR_PLAN = "floor_plan"


MapKind.LABELS = {"neighbourhood": "The local area", "floor_plan": "A school floor plan"}


class SafetyMap(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """An uploaded map image on which groups of young people place safe and unsafe markers.

    The image is cut into a grid (``grid_columns`` x ``grid_rows``, columns lettered, rows numbered) so a marker
    can also be placed without JavaScript by choosing a square, and so the summary can group by area.
    """

    __tablename__ = "safety_maps"
    __table_args__ = tenant_table_args(
        parent_key("summit_id", "safety_summits", ondelete="CASCADE"),
        parent_key("activity_id", "summit_activities", ondelete="SET NULL"),
        parent_key("uploaded_by_id", "users"),
        UniqueConstraint("storage_key"),
        Index("ix_safety_maps_summit", "authority_id", "summit_id"),
        CheckConstraint("grid_columns BETWEEN 2 AND 26 AND grid_rows BETWEEN 2 AND 30", name="grid_size"),
        CheckConstraint("width > 0 AND height > 0", name="image_size"),
    )

    summit_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    activity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[MapKind] = mapped_column(enum_column(MapKind), nullable=False)
    #: A text description of the image for people who cannot see it.
    description: Mapped[str] = mapped_column(Text, nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), nullable=False)
    grid_columns: Mapped[int] = mapped_column(Integer, nullable=False, default=8)
    grid_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=6)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)


class Safety(LabelledEnum):
    SAFE = "safe"
    UNSAFE = "unsafe"


Safety.LABELS = {"safe": "Feels safe", "unsafe": "Feels unsafe"}


class MarkerMethod(LabelledEnum):
    POINTER = "pointer"
    KEYBOARD = "keyboard"
    GRID = "grid"


MarkerMethod.LABELS = {"pointer": "Mouse or touch", "keyboard": "Keyboard", "grid": "Grid square"}


class MapLink(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A one-time anonymous link a facilitator opens on a tablet for one group of young people.

    Only a keyed hash of the secret is stored. The first browser to open it claims it (a random device
    key, also stored hashed), so the link cannot be passed on; it works only for its own map and only
    until ``expires_at``; it collects no names.
    """

    __tablename__ = "map_links"
    __table_args__ = tenant_table_args(
        parent_key("map_id", "safety_maps", ondelete="CASCADE"),
        parent_key("created_by_id", "users"),
        UniqueConstraint("token_hash"),
        Index("ix_map_links_map", "authority_id", "map_id"),
    )

    map_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    #: How the facilitator names the group, e.g. "Group 3, Year 9" (never a young person's name).
    group_label: Mapped[str] = mapped_column(String(60), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_hash: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MapMarker(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A marker on a safety map: where (as a fraction of the image, and its grid square), safe or unsafe,
    a note and a suggestion to make it safer. Placed by a facilitator or through an anonymous link."""

    __tablename__ = "map_markers"
    __table_args__ = tenant_table_args(
        parent_key("map_id", "safety_maps", ondelete="CASCADE"),
        parent_key("placed_by_id", "users"),
        parent_key("link_id", "map_links", ondelete="SET NULL"),
        Index("ix_map_markers_map", "authority_id", "map_id", "created_at"),
        CheckConstraint("x >= 0 AND x <= 1 AND y >= 0 AND y <= 1", name="marker_on_map"),
        CheckConstraint("grid_column >= 0 AND grid_row >= 0", name="marker_square"),
        CheckConstraint("placed_by_id IS NOT NULL OR link_id IS NOT NULL", name="marker_has_source"),
    )

    map_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    x: Mapped[float] = mapped_column(Float, nullable=False)
    y: Mapped[float] = mapped_column(Float, nullable=False)
    grid_column: Mapped[int] = mapped_column(Integer, nullable=False)
    grid_row: Mapped[int] = mapped_column(Integer, nullable=False)
    safety: Mapped[Safety] = mapped_column(enum_column(Safety), nullable=False)
    #: What is at that spot, in the young people's words ("the alley by the chip shop").
    place: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    suggestion: Mapped[str | None] = mapped_column(Text)
    group_label: Mapped[str | None] = mapped_column(String(60))
    method: Mapped[MarkerMethod] = mapped_column(enum_column(MarkerMethod), nullable=False)
    placed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    link_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
