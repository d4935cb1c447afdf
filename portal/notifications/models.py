"""``Notification`` (in-app) and ``OutboundEmail`` (what was emailed, without the body)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime
from tenants.orm import TenantOwned, parent_key, tenant_table_args


class Notification(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """Something a user should know, shown in the portal (with an unread count in the header)."""

    __tablename__ = "notifications"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users", ondelete="CASCADE"),
        Index("ix_notifications_user", "authority_id", "user_id", "read_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboundEmail(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A record that an email was sent: to whom, about what, when. The body is not kept (it may hold a
    one-time link)."""

    __tablename__ = "outbound_emails"
    __table_args__ = tenant_table_args()

    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    to_address: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    template: Mapped[str] = mapped_column(String(100), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
