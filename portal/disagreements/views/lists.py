"""The front door's list of disagreements in progress, by deadline (the partnership's administrator sees
those that reached stage 3, without the children's names)."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_login import current_user
from sqlalchemy import and_, or_
from sqlalchemy.orm import selectinload

from portal.accounts.models import Role
from portal.audit.actions import Action
from portal.audit.service import record, render_audited
from portal.clock import utcnow
from portal.disagreements import service
from portal.disagreements.blueprint import bp
from portal.disagreements.models import IN_PROGRESS, Disagreement, DisagreementStatus
from portal.disagreements.policy import may_respond
from portal.extensions import db
from portal.pagination import fetch_page, request_cursor
from portal.policies import is_admin, is_front_door, roles_required, visible_query
from portal.referrals.display import deadline_words

PAGE_SIZE = 50


@bp.route("/disagreements")
@roles_required(Role.FRONT_DOOR, Role.AUTHORITY_ADMIN)
def open_list():
    sees_children = is_front_door(current_user)
    query = visible_query(Disagreement).where(Disagreement.status.in_(IN_PROGRESS))
    if sees_children:
        # The page's children, read by their ids once the page is chosen (not joined into the list's query).
        query = query.options(selectinload(Disagreement.pupil))
    after = request_cursor(2, datetime, uuid.UUID)
    if after:
        moment, last_id = after
        query = query.where(or_(Disagreement.due_at > moment, and_(Disagreement.due_at == moment, Disagreement.id > last_id)))
    page = fetch_page(db.session, query.order_by(Disagreement.due_at, Disagreement.id), PAGE_SIZE, lambda d: (d.due_at, d.id))
    record(Action.RECORD_VIEWED, object_type="disagreement_list", details={"shown": len(page.items)})
    return render_audited(
        "disagreements/list.html",
        page=page,
        first_page=after is None,
        sees_children=sees_children,
        may_respond=lambda d: d.status == DisagreementStatus.OPEN and may_respond(current_user, d),
        deadline_words=deadline_words,
        admin=is_admin(current_user),
        timescales=service.timescales(),
        now=utcnow(),
        Status=DisagreementStatus,
    )
