"""The authority's audit log, newest first, filtered by who, what and when. Reading it is itself audited."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import request

from forms import choices
from portal.accounts.models import User
from portal.admin import service
from portal.admin.blueprint import admin_only, bp
from portal.admin.forms import AuditFilterForm
from portal.audit.models import AuditEvent
from portal.audit.service import render_audited
from portal.clock import UK
from portal.extensions import db
from portal.model_base import as_uuid
from portal.pagination import page_number
from portal.policies import visible_query

#: Events on one page of the log.
PAGE_SIZE = 50

#: The filters kept in the audit event of a reading.
FILTERS = {"actor", "object_type", "object_id", "date_from", "date_to", "page"}


@bp.route("/audit")
@admin_only
def audit_log():
    form = AuditFilterForm(request.args)
    people = db.session.execute(visible_query(User).order_by(User.full_name)).unique().scalars().all()
    form.actor.choices = choices([("", "Anyone")] + [(str(u.id), f"{u.full_name} ({u.email})") for u in people])
    query = visible_query(AuditEvent).order_by(AuditEvent.seq.desc())
    valid = form.validate() if request.args else True
    if valid:
        if form.actor.data and as_uuid(form.actor.data):
            query = query.where(AuditEvent.actor_id == as_uuid(form.actor.data))
        if form.object_type.data:
            query = query.where(AuditEvent.object_type == form.object_type.data.strip())
        if form.object_id.data:
            query = query.where(AuditEvent.object_id == form.object_id.data.strip())
        if form.date_from.data:
            query = query.where(AuditEvent.occurred_at >= datetime.combine(form.date_from.data, time.min, tzinfo=UK))
        if form.date_to.data:
            query = query.where(AuditEvent.occurred_at < datetime.combine(form.date_to.data + timedelta(days=1), time.min, tzinfo=UK))
    page = page_number()
    events = db.session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars().all() if valid else []
    has_next = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    names = {u.id: u for u in people}
    service.audit_log_read({k: v for k, v in request.args.items() if k in FILTERS})
    args = {k: v for k, v in request.args.items() if k != "page"}
    # Drawn before the commit: committing first expired every event and person, reloaded one by one.
    return render_audited("admin/audit_log.html", form=form, events=events, names=names, page=page, has_next=has_next, args=args)
