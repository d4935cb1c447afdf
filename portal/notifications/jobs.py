"""Notification jobs: the email copy of an in-app notification (title and a link; no case details)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from jobs.registry import job
from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.mail import external_url, send_templated
from portal.notifications.models import Notification


@job("notifications.email_notification", queue="notifications")
def email_notification(notification_id: str) -> None:
    notification = db.session.execute(select(Notification).where(Notification.id == uuid.UUID(str(notification_id)))).scalar_one()  # payload ids are strings
    if notification.emailed_at is not None:
        return
    user = db.session.execute(select(User).where(User.id == notification.user_id)).scalar_one()
    if user.status != "active":
        return
    send_templated(
        to=user.email,
        subject=f"Safeguarding Partnership Portal: {notification.title}",
        template="notification",
        user_id=user.id,
        user=user,
        notification=notification,
        link=external_url("notifications.open", notification_id=notification.id),
    )
    notification.emailed_at = utcnow()
