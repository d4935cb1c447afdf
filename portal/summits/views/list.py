"""The summits a person may see, and planning a new one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.authorities.models import Organisation, OrganisationKind
from portal.extensions import db
from portal.partnership.models import Invitation, InvitationStatus
from portal.policies import casework_organisations, invitable_organisations, is_social_care, roles_required, visible_query
from portal.summits import service
from portal.summits.blueprint import bp
from portal.summits.forms import NewSummitForm
from portal.summits.models import SafetySummit, SummitStatus
from portal.summits.policy import summit_content_ids
from portal.summits.views.common import PRACTITIONER_ROLES, select_from

S = SummitStatus
_EDUCATION = [k for k in OrganisationKind if k.is_education]


@bp.route("/summits")
@roles_required(*PRACTITIONER_ROLES)
def index():
    """Summits the person may see: invitations waiting for their organisation first, then upcoming,
    being followed up and closed."""
    summits = (
        db.session.execute(visible_query(SafetySummit).order_by(SafetySummit.starts_at.is_(None), SafetySummit.starts_at, SafetySummit.created_at))
        .unique()
        .scalars()
        .all()
    )
    ids = [s.id for s in summits]
    content = set(db.session.execute(summit_content_ids(current_user).where(SafetySummit.id.in_(ids))).scalars()) if ids else set()
    mine = sorted(invitable_organisations(current_user))
    invitations = (
        db.session.execute(visible_query(Invitation).where(Invitation.summit_id.in_(ids), Invitation.organisation_id.in_(mine))).unique().scalars().all()
        if ids and mine
        else []
    )
    waiting_ids = {i.summit_id for i in invitations if i.status == InvitationStatus.INVITED}
    by_id = {s.id: s for s in summits}
    return render_template(
        "summits/index.html",
        waiting=[(by_id[i.summit_id], i) for i in invitations if i.summit_id in waiting_ids and i.summit_id not in content],
        groups=[
            ("Upcoming", [s for s in summits if s.id in content and s.status == S.PLANNING]),
            ("Being followed up", [s for s in summits if s.id in content and s.status == S.HELD]),
            ("Closed", [s for s in summits if s.id in content and s.status == S.CLOSED]),
        ],
        declined=[by_id[i.summit_id] for i in invitations if i.status == InvitationStatus.DECLINED and i.summit_id not in content | waiting_ids],
        may_create=current_user.has_role(Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR),
    )


def _hosts() -> list[Organisation]:
    """Schools the person may plan a summit for: any (children's social care), or their own."""
    query = visible_query(Organisation).where(Organisation.kind.in_(_EDUCATION), Organisation.archived_at.is_(None))
    if not is_social_care(current_user):
        own = [o.id for o in casework_organisations()]
        if not own:
            return []
        query = query.where(Organisation.id.in_(own))
    return db.session.execute(query.order_by(Organisation.name)).scalars().all()


@bp.route("/summits/new", methods=["GET", "POST"])
@roles_required(Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR)
def new():
    hosts = _hosts()
    form = NewSummitForm()
    select_from(form.host, {str(h.id): h.name for h in hosts}, "Choose a school")
    if request.method == "GET" and len(hosts) == 1:
        form.host.data = str(hosts[0].id)
    if form.validate_on_submit():
        host = next((h for h in hosts if str(h.id) == form.host.data), None)
        if host is None:
            form.host.errors.append("Select a school from the list")
        else:
            summit = service.open_summit(host, title=form.title.data, actor_id=current_user.id)
            db.session.commit()
            flash("The summit has been created. You are its organiser: plan it below.", "success")
            return redirect(url_for("summits.edit", summit_id=summit.id))
    return render_template("summits/new.html", form=form, hosts=hosts)
