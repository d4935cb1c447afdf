"""The front door's queue of referrals: the open ones, nearest deadline first (so the overdue ones lead),
with how many are overdue or due today; or the decided ones, latest first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from flask import request
from flask_login import current_user
from sqlalchemy import and_, case, func, or_, select

from portal.accounts.models import Role
from portal.audit.service import record, render_audited
from portal.authorities.models import Organisation, OrganisationKind
from portal.clock import UK, utcnow
from portal.extensions import db
from portal.model_base import as_uuid
from portal.pagination import request_cursor
from portal.policies import policy_for, roles_required, visible_query
from portal.referrals.actions import Action
from portal.referrals.blueprint import bp
from portal.referrals.models import AWAITING_DECISION, DECIDED_STATUSES, Referral, ReferralStatus
from portal.referrals.views.shared import fetch_rows

S = ReferralStatus

front_door_only = roles_required(Role.FRONT_DOOR)

_EDUCATION = [k for k in OrganisationKind if k.is_education]


@bp.route("/front-door/referrals")
@front_door_only
def queue():
    """Open referrals, the nearest deadline first (so the overdue ones lead); or the decided ones."""
    view = "decided" if request.args.get("view") == "decided" else "open"
    now = utcnow()
    # The filter's schools: their ids and names only (not 200 whole rows).
    schools = db.session.execute(
        visible_query(Organisation).where(Organisation.kind.in_(_EDUCATION)).order_by(Organisation.name).with_only_columns(Organisation.id, Organisation.name)
    ).all()
    school_id = as_uuid(request.args.get("school")) if request.args.get("school") else None
    if school_id not in {s.id for s in schools}:
        school_id = None
    statuses = AWAITING_DECISION if view == "open" else DECIDED_STATUSES
    status = request.args.get("status") or ""
    status = ReferralStatus(status) if status in {s.value for s in statuses} else None

    conditions = [Referral.status.in_(statuses)]
    if school_id:
        conditions.append(Referral.organisation_id == school_id)
    if status:
        conditions.append(Referral.status == status)
    query = visible_query(Referral).where(*conditions)

    summary = None
    if view == "open":
        end_of_today = datetime.combine(now.astimezone(UK).date() + timedelta(days=1), time(0, 0), tzinfo=UK).astimezone(UTC)
        total, overdue, due_today = db.session.execute(
            select(
                func.count(Referral.id),
                func.coalesce(func.sum(case((Referral.due_at <= now, 1), else_=0)), 0),
                func.coalesce(func.sum(case((and_(Referral.due_at > now, Referral.due_at <= end_of_today), 1), else_=0)), 0),
            ).where(policy_for(Referral).visible(current_user), *conditions)
        ).one()
        summary = {"open": total, "overdue": overdue, "due_today": due_today}
        after = request_cursor(2, datetime, uuid.UUID)
        if after:
            query = query.where(or_(Referral.due_at > after[0], and_(Referral.due_at == after[0], Referral.id > after[1])))
        page = fetch_rows(query.order_by(Referral.due_at, Referral.id), lambda r: (r.due_at, r.id))
    else:
        after = request_cursor(2, datetime, uuid.UUID)
        if after:
            query = query.where(or_(Referral.decided_at < after[0], and_(Referral.decided_at == after[0], Referral.id < after[1])))
        page = fetch_rows(query.order_by(Referral.decided_at.desc(), Referral.id.desc()), lambda r: (r.decided_at, r.id))
    record(Action.RECORD_VIEWED, object_type="referral_queue", details={"view": view, "shown": len(page.items)})
    return render_audited(
        "referrals/queue.html",
        view=view,
        page=page,
        first_page=after is None,
        summary=summary,
        schools=schools,
        school_id=school_id,
        statuses=statuses,
        status=status,
        now=now,
    )
