"""Home (what the signed-in user's roles give them) and the dashboard of figures (queries in ``figures.py``)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.audit.actions import Action
from portal.audit.service import record, record_now
from portal.authorities.models import Organisation
from portal.casework.people import front_door_manager_ids
from portal.clock import utcnow
from portal.contexts import CONTEXTUAL_ROLES
from portal.dashboard import figures as queries
from portal.dashboard.blueprint import bp
from portal.dashboard.contextual import AGE_BANDS, contextual_figures
from portal.disagreements.service import dashboard_counts as disagreement_counts
from portal.extensions import db
from portal.notifications.models import Notification
from portal.policies import casework_schools, is_admin, roles_required, visible_query


@bp.route("/")
def index():
    return redirect(url_for("dashboard.home" if current_user.is_authenticated else "accounts.sign_in"))


def _admin_figures() -> dict:
    users = db.session.execute(visible_query(User)).scalars().all()
    now = utcnow()
    organisations = db.session.execute(select(Organisation.kind, func.count()).where(Organisation.archived_at.is_(None)).group_by(Organisation.kind)).all()
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
    latest = (
        db.session.execute(visible_query(Notification).where(Notification.read_at.is_(None)).order_by(Notification.created_at.desc()).limit(5)).scalars().all()
    )
    return render_template(
        "dashboard/home.html",
        memberships=memberships,
        notifications=latest,
        admin=_admin_figures() if is_admin(current_user) else None,
    )


@bp.route("/dashboard")
@roles_required(Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER, Role.AUTHORITY_ADMIN)
def figures():
    """The figures the user's roles give: their school's, the front door's, the authority's."""
    now = utcnow()
    school = schools = None
    own = casework_schools(current_user)
    if own:
        schools = queries.school_names(own)
        wanted = request.args.get("school")
        chosen = next((s for s in schools if str(s[0]) == wanted), None) if wanted else schools[0]
        if chosen is None:
            record_now(Action.NOT_FOUND, object_type="organisation", object_id=wanted[:64], details={"action": "dashboard"})
            abort(404)
        school = queries.school_figures(current_user, chosen[0], chosen[1], now)
        if school.open_referrals:
            # The list of open referrals names children: a read of child-level data.
            record(
                Action.RECORD_VIEWED,
                object_type="dashboard",
                organisation_id=school.school_id,
                details={"section": "school", "referrals": len(school.open_referrals)},
            )
            db.session.commit()
    front_door = queries.front_door_figures(current_user, now) if current_user.has_role(Role.FRONT_DOOR) else None
    authority = disagreements = None
    if is_admin(current_user) or current_user.id in front_door_manager_ids():
        authority = queries.authority_figures(request.args.get("period", queries.DEFAULT_PERIOD), now)
        disagreements = disagreement_counts(authority.since)
    return render_template(
        "dashboard/figures.html",
        school=school,
        schools=schools,
        front_door=front_door,
        authority=authority,
        disagreements=disagreements,
        contextual=contextual_figures(current_user, now) if current_user.has_role(*CONTEXTUAL_ROLES) else None,
        age_bands=AGE_BANDS,
        periods=queries.PERIODS,
        concern_days=queries.CONCERN_DAYS,
        now=now,
    )
