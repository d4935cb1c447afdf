"""Home: what the signed-in user's roles give them, with the figures that exist so far."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.authorities.models import Organisation
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.models import Notification
from portal.policies import is_admin, visible_query

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index():
    return redirect(url_for("dashboard.home" if current_user.is_authenticated else "accounts.sign_in"))


def _admin_figures() -> dict:
    users = db.session.execute(visible_query(User)).scalars().all()
    now = utcnow()
    organisations = db.session.execute(
        select(Organisation.kind, func.count()).where(Organisation.archived_at.is_(None)).group_by(Organisation.kind)
    ).all()
    return {
        "active_users": sum(1 for u in users if u.status == "active"),
        "invited_users": sum(1 for u in users if u.status == "invited"),
        "deactivated_users": sum(1 for u in users if u.status == "deactivated"),
        "locked_users": sum(1 for u in users if u.is_locked(now)),
        "without_two_factor": sum(1 for u in users if u.status == "active" and not u.two_factor_enabled),
        "organisations": sorted(((kind.label, count) for kind, count in organisations), key=lambda row: row[0]),
    }


@bp.route("/home")
@login_required
def home():
    memberships = sorted(current_user.memberships, key=lambda m: (list(Role).index(m.role), m.organisation.name if m.organisation else ""))
    latest = db.session.execute(
        visible_query(Notification).where(Notification.read_at.is_(None)).order_by(Notification.created_at.desc()).limit(5)
    ).scalars().all()
    return render_template(
        "dashboard/home.html",
        memberships=memberships,
        notifications=latest,
        admin=_admin_figures() if is_admin(current_user) else None,
    )
