"""The people of the authority: the list, inviting someone, a person's page, their roles, and what an
administrator does to an account (deactivate, reactivate, resend the invitation, reset two-factor
authentication, unlock)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from forms import choices
from portal.accounts.models import Membership, Role, User
from portal.admin import service
from portal.admin.blueprint import admin_only, bp
from portal.admin.forms import AUTHORITY_LEVEL, AddMembershipForm, InviteUserForm
from portal.authorities.models import AuthorityDuty, Organisation
from portal.clock import utcnow
from portal.extensions import db
from portal.model_base import as_uuid
from portal.pagination import page_number
from portal.policies import get_or_404, visible_query

#: People on one page of the list.
PAGE_SIZE = 50


def _organisation_choices() -> tuple[list, dict[str, Organisation]]:
    organisations = (
        db.session.execute(visible_query(Organisation).where(Organisation.archived_at.is_(None)).order_by(Organisation.kind, Organisation.name)).scalars().all()
    )
    pairs = [("", "Select an organisation"), (AUTHORITY_LEVEL, "The authority itself (authority administrators only)")]
    pairs += [(str(o.id), f"{o.name} ({o.kind.label})") for o in organisations]
    return choices(pairs), {str(o.id): o for o in organisations}


def _role_and_organisation(form, organisations_by_id) -> tuple[Role, Organisation | None]:
    """The role a valid form asks for, and where (no organisation for an authority administrator)."""
    role = Role(form.role.data)
    return role, None if role is Role.AUTHORITY_ADMIN else organisations_by_id[form.organisation.data]


@bp.route("/users")
@admin_only
def users():
    status = request.args.get("status") or ""
    search = (request.args.get("q") or "").strip()
    organisation_id = request.args.get("organisation") or ""
    query = visible_query(User)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.where(or_(func.lower(User.full_name).like(like, escape="\\"), User.email.like(like, escape="\\")))
    if organisation_id:
        query = query.where(User.id.in_(select(Membership.user_id).where(Membership.organisation_id == as_uuid(organisation_id))))
    if status == "active":
        query = query.where(User.deactivated_at.is_(None), User.password_hash.is_not(None))
    elif status == "invited":
        query = query.where(User.deactivated_at.is_(None), User.password_hash.is_(None))
    elif status == "deactivated":
        query = query.where(User.deactivated_at.is_not(None))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = page_number()
    items = (
        db.session.execute(query.order_by(User.full_name, User.email).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).options(selectinload(User.memberships)))
        .unique()
        .scalars()
        .all()
    )
    organisations = db.session.execute(visible_query(Organisation).order_by(Organisation.name)).scalars().all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/users.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        args=args,
        status=status,
        search=search,
        organisation_id=organisation_id,
        organisations=organisations,
        now=utcnow(),
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@admin_only
def user_invite():
    form = InviteUserForm()
    organisation_choices, organisations_by_id = _organisation_choices()
    form.organisation.choices = organisation_choices
    form.organisations_by_id = organisations_by_id
    if request.method == "GET" and request.args.get("organisation") in organisations_by_id:
        form.organisation.data = request.args["organisation"]
    if form.validate_on_submit():
        role, organisation = _role_and_organisation(form, organisations_by_id)
        try:
            user = service.invite(
                email=form.email.data,
                full_name=form.full_name.data.strip(),
                job_title=(form.job_title.data or "").strip() or None,
                role=role,
                organisation=organisation,
                by_id=current_user.id,
            )
        except service.Refused as refused:
            form.email.errors.append(str(refused))
        else:
            db.session.commit()
            days = current_app.config["INVITATION_VALID_DAYS"]
            flash(f"An invitation has been sent to {user.email}. It expires in {days} days.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_invite.html", form=form)


@bp.route("/users/<uuid:user_id>")
@admin_only
def user_detail(user_id):
    user = get_or_404(User, user_id)
    duties = db.session.execute(visible_query(AuthorityDuty).where(AuthorityDuty.user_id == user.id)).scalars().all()
    db.session.commit()  # the audited view
    return render_template("admin/user_detail.html", user=user, duties=duties, now=utcnow())


@bp.route("/users/<uuid:user_id>/roles/new", methods=["GET", "POST"])
@admin_only
def membership_new(user_id):
    user = get_or_404(User, user_id, action="edit")
    form = AddMembershipForm()
    organisation_choices, organisations_by_id = _organisation_choices()
    form.organisation.choices = organisation_choices
    form.organisations_by_id = organisations_by_id
    if form.validate_on_submit():
        role, organisation = _role_and_organisation(form, organisations_by_id)
        try:
            membership = service.add_membership(user, role, organisation, by_id=current_user.id)
        except service.Refused as refused:
            form.role.errors.append(str(refused))
        else:
            where = service.where_held(membership)
            db.session.commit()
            flash(f"{user.full_name} is now {membership.role.label.lower()}{where}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/membership_new.html", form=form, user=user)


@bp.route("/users/<uuid:user_id>/roles/<uuid:membership_id>/remove", methods=["POST"])
@admin_only
def membership_remove(user_id, membership_id):
    user = get_or_404(User, user_id, action="edit")
    membership = get_or_404(Membership, membership_id, action="remove")
    if membership.user_id != user.id:
        abort(404)
    try:
        service.remove_membership(user, membership, by_id=current_user.id)
    except service.Refused as refused:
        flash(str(refused))
    else:
        db.session.commit()
        flash(f"The role has been removed from {user.full_name}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/deactivate", methods=["POST"])
@admin_only
def user_deactivate(user_id):
    user = get_or_404(User, user_id, action="deactivate")
    if service.deactivate_user(user):
        db.session.commit()
        flash(f"{user.full_name} has been deactivated and signed out everywhere.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/reactivate", methods=["POST"])
@admin_only
def user_reactivate(user_id):
    user = get_or_404(User, user_id, action="reactivate")
    if service.reactivate_user(user):
        db.session.commit()
        flash(f"{user.full_name} can sign in again.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/resend-invitation", methods=["POST"])
@admin_only
def user_resend_invitation(user_id):
    user = get_or_404(User, user_id, action="invite")
    if not service.resend_invitation(user):
        flash(f"{user.full_name} has already created their account.")
    else:
        db.session.commit()
        flash(f"A new invitation has been sent to {user.email}. Earlier invitation links no longer work.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/reset-two-factor", methods=["POST"])
@admin_only
def user_reset_two_factor(user_id):
    user = get_or_404(User, user_id, action="reset_two_factor")
    if service.reset_two_factor(user):
        db.session.commit()
        flash(f"{user.full_name}'s two-factor authentication has been reset. They will set it up again when they next sign in.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/unlock", methods=["POST"])
@admin_only
def user_unlock(user_id):
    user = get_or_404(User, user_id, action="unlock")
    if service.unlock_user(user):
        db.session.commit()
        flash(f"{user.full_name} can try to sign in again.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))
