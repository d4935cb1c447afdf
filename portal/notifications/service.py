"""Telling people things: in-app, and by email through a job."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update

from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.models import Notification


def notify(user_id: uuid.UUID, title: str, *, body: str | None = None, link: str | None = None, email: bool = True) -> Notification:
    """Create an in-app notification for ``user_id`` in the current transaction; email it too (a job)."""
    from jobs.outbox import enqueue

    notification = Notification(user_id=user_id, title=title, body=body, link=link)
    db.session.add(notification)
    db.session.flush()
    _forget_count(user_id)
    if email:
        enqueue("notifications.email_notification", notification_id=notification.id)
    return notification


def unread_count(user_id: uuid.UUID) -> int:
    """How many of ``user_id``'s notifications are unread (the count beside the menu item): read with the
    signed-in person's session (``portal.accounts.sessions``) unless this request changed it."""
    from flask import g, has_app_context

    known = g.get("unread_counts", {}).get(user_id) if has_app_context() else None
    if known is not None:
        return known
    return db.session.execute(
        select(func.count()).select_from(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def mark_read(notification: Notification) -> bool:
    """Mark a notification read when it is opened. Whether it was unread."""
    if notification.read_at is not None:
        return False
    notification.read_at = utcnow()
    db.session.flush()
    _forget_count(notification.user_id)
    return True


def mark_all_read(user_id: uuid.UUID) -> None:
    """Mark every unread notification of ``user_id`` read."""
    db.session.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    _forget_count(user_id)


def _forget_count(user_id: uuid.UUID) -> None:
    """The count read with the session no longer holds: the next one is asked of the database."""
    from flask import g, has_app_context

    if has_app_context():
        g.get("unread_counts", {}).pop(user_id, None)


def page_path(endpoint: str, **values) -> str:
    """The path of a page, for a notification's link: built from the URL map, so it works in a job
    (no request) as well as in a view."""
    from flask import current_app

    return current_app.url_map.bind("portal.invalid").build(endpoint, values)
