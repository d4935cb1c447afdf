"""The notifications page: list, open (marks read), mark all read."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal.extensions import db
from portal.notifications import service
from portal.notifications.blueprint import bp
from portal.notifications.models import Notification
from portal.pagination import page_number
from portal.policies import get_or_404, visible_query

PAGE_SIZE = 25


@bp.route("")
@login_required
def index():
    page = page_number()
    total = db.session.execute(select(func.count()).select_from(visible_query(Notification).subquery())).scalar_one()
    items = (
        db.session.execute(visible_query(Notification).order_by(Notification.created_at.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars().all()
    )
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render_template("notifications/index.html", items=items, page=page, pages=pages, total=total)


@bp.route("/<uuid:notification_id>", endpoint="open")
@login_required
def open_notification(notification_id):
    """Mark a notification read and go where it points (only ever a path inside the portal)."""
    notification = get_or_404(Notification, notification_id)
    if service.mark_read(notification):
        db.session.commit()
    link = notification.link or ""
    if not link.startswith("/") or link.startswith("//"):
        link = url_for("notifications.index")
    return redirect(link)


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    service.mark_all_read(current_user.id)
    db.session.commit()
    return redirect(url_for("notifications.index"))
