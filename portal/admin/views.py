"""Authority administration screens. Every view needs the ``authority_admin`` role (403 otherwise,
audited); every object is fetched through ``portal.policies`` (404 for anything outside the authority)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from forms import choices
from portal.accounts.actions import Action as AccountAction
from portal.accounts.models import Membership, RecoveryCode, Role, User
from portal.accounts.service import invite_user
from portal.accounts.sessions import current_authority, revoke_sessions
from portal.admin.forms import (
    AUTHORITY_LEVEL,
    AddMembershipForm,
    AuditFilterForm,
    DutyForm,
    InviteUserForm,
    OrganisationForm,
    SettingsForm,
)
from portal.audit.models import AuditEvent
from portal.audit.service import record
from portal.authorities.actions import Action
from portal.authorities.models import AuthorityDuty, Duty, Organisation, OrganisationKind, SchoolPhase
from portal.clock import UK, utcnow
from portal.extensions import db
from portal.forums import guests
from portal.model_base import as_uuid
from portal.notifications.service import notify
from portal.policies import get_or_404, roles_required, visible_query

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

admin_only = roles_required(Role.AUTHORITY_ADMIN)
PAGE_SIZE = 50


# Organisations --------------------------------------------------------------------------------------


@bp.route("/organisations")
@admin_only
def organisations():
    show_archived = request.args.get("archived") == "1"
    kind = request.args.get("kind") or None
    query = visible_query(Organisation).order_by(Organisation.kind, Organisation.name)
    if not show_archived:
        query = query.where(Organisation.archived_at.is_(None))
    if kind in {k.value for k in OrganisationKind}:
        query = query.where(Organisation.kind == OrganisationKind(kind))
    items = db.session.execute(query).scalars().all()
    return render_template("admin/organisations.html", items=items, show_archived=show_archived, kind=kind, kinds=list(OrganisationKind))


def _apply_organisation_form(form: OrganisationForm, organisation: Organisation) -> None:
    organisation.name = form.name.data.strip()
    organisation.kind = OrganisationKind(form.kind.data)
    organisation.urn = form.urn.data or None
    organisation.phase = SchoolPhase(form.phase.data) if form.phase.data else None
    organisation.contact_email = form.contact_email.data or None


def _urn_taken(form: OrganisationForm, organisation_id=None) -> bool:
    if not form.urn.data:
        return False
    query = select(Organisation.id).where(Organisation.urn == form.urn.data)
    if organisation_id:
        query = query.where(Organisation.id != organisation_id)
    if db.session.execute(query).first():
        form.urn.errors.append("Another organisation in your authority already has this URN")
        return True
    return False


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_only
def organisation_new():
    form = OrganisationForm()
    if form.validate_on_submit() and not _urn_taken(form):
        organisation = Organisation()
        _apply_organisation_form(form, organisation)
        db.session.add(organisation)
        db.session.flush()
        record(
            Action.ORGANISATION_CREATED,
            object_type="organisation",
            object_id=organisation.id,
            organisation_id=organisation.id,
            details={"kind": organisation.kind.value},
        )
        db.session.commit()
        flash(f"{organisation.name} has been added.", "success")
        return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<uuid:organisation_id>/edit", methods=["GET", "POST"])
@admin_only
def organisation_edit(organisation_id):
    organisation = get_or_404(Organisation, organisation_id, action="edit")
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = organisation.kind.value
        form.phase.data = organisation.phase.value if organisation.phase else ""
        form.version.data = str(organisation.version)
    conflict = None
    if form.validate_on_submit() and not _urn_taken(form, organisation.id):
        if form.version.version != organisation.version:
            conflict = organisation
        else:
            _apply_organisation_form(form, organisation)
            try:
                record(Action.ORGANISATION_UPDATED, object_type="organisation", object_id=organisation.id, organisation_id=organisation.id)
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                conflict = db.session.get(Organisation, organisation_id)
            else:
                flash(f"{organisation.name} has been updated.", "success")
                return redirect(url_for("admin.organisations"))
    if conflict is not None:
        # Keep what they typed; show what is saved now; the next save is made against the new version.
        form.version.data = str(conflict.version)
        form.form_errors.append("conflict")
    return render_template("admin/organisation_form.html", form=form, organisation=organisation, conflict=conflict)


@bp.route("/organisations/<uuid:organisation_id>/archive", methods=["POST"])
@admin_only
def organisation_archive(organisation_id):
    organisation = get_or_404(Organisation, organisation_id, action="archive")
    if organisation.archived_at is None:
        organisation.archived_at = utcnow()
        record(Action.ORGANISATION_ARCHIVED, object_type="organisation", object_id=organisation.id, organisation_id=organisation.id)
        db.session.commit()
        flash(f"{organisation.name} has been archived. Its people keep their accounts; remove their roles if they have left.", "success")
    return redirect(url_for("admin.organisations"))


@bp.route("/organisations/<uuid:organisation_id>/restore", methods=["POST"])
@admin_only
def organisation_restore(organisation_id):
    organisation = get_or_404(Organisation, organisation_id, action="restore")
    if organisation.archived_at is not None:
        organisation.archived_at = None
        record(Action.ORGANISATION_RESTORED, object_type="organisation", object_id=organisation.id, organisation_id=organisation.id)
        db.session.commit()
        flash(f"{organisation.name} has been restored.", "success")
    return redirect(url_for("admin.organisations", archived="1"))


# Users and memberships -----------------------------------------------------------------------------


def _organisation_choices() -> tuple[list, dict[str, Organisation]]:
    organisations = (
        db.session.execute(visible_query(Organisation).where(Organisation.archived_at.is_(None)).order_by(Organisation.kind, Organisation.name)).scalars().all()
    )
    pairs = [("", "Select an organisation"), (AUTHORITY_LEVEL, "The authority itself (authority administrators only)")]
    pairs += [(str(o.id), f"{o.name} ({o.kind.label})") for o in organisations]
    return choices(pairs), {str(o.id): o for o in organisations}


def _membership_from(form, user: User, organisations_by_id) -> Membership | None:
    """The membership a valid form asks for, or ``None`` (with the reason on the form) if they have it."""
    role = Role(form.role.data)
    organisation = None if role is Role.AUTHORITY_ADMIN else organisations_by_id[form.organisation.data]
    duplicate = any(m.role == role and m.organisation_id == (organisation.id if organisation else None) for m in user.memberships)
    if duplicate:
        form.role.errors.append("They already have this role in this organisation")
        return None
    return Membership(user_id=user.id, role=role, organisation_id=organisation.id if organisation else None, created_by_id=current_user.id)


def _record_membership(action: str, membership: Membership) -> None:
    record(
        action,
        object_type="membership",
        object_id=membership.id,
        organisation_id=membership.organisation_id,
        details={"user_id": str(membership.user_id), "role": membership.role.value},
    )


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
    page = max(1, request.args.get("page", 1, type=int))
    items = db.session.execute(query.order_by(User.full_name, User.email).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).unique().scalars().all()
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
        user = User(
            email=form.email.data, full_name=form.full_name.data.strip(), job_title=(form.job_title.data or "").strip() or None, invited_by_id=current_user.id
        )
        membership = _membership_from(form, user, organisations_by_id)
        if membership is not None:
            db.session.add(user)
            try:
                db.session.flush()
            except IntegrityError:
                db.session.rollback()
                form.email.errors.append("This email address already has an account. Each person has one account, in one authority")
            else:
                membership.user_id = user.id
                db.session.add(membership)
                db.session.flush()
                _record_membership(Action.MEMBERSHIP_ADDED, membership)
                invite_user(user)
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
        membership = _membership_from(form, user, organisations_by_id)
        if membership is not None:
            db.session.add(membership)
            db.session.flush()
            _record_membership(Action.MEMBERSHIP_ADDED, membership)
            where = f" at {membership.organisation.name}" if membership.organisation_id else ""
            notify(user.id, f"You have been given the role {membership.role.label}{where}", link=url_for("dashboard.home"), email=user.status == "active")
            db.session.commit()
            flash(f"{user.full_name} is now {membership.role.label.lower()}{where}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/membership_new.html", form=form, user=user)


def _is_last_admin(membership: Membership) -> bool:
    """Would removing ``membership`` leave the authority with no active administrator?"""
    if membership.role is not Role.AUTHORITY_ADMIN:
        return False
    # Locked (PostgreSQL), so two administrators removing each other's roles at once cannot both succeed.
    others = db.session.execute(
        select(Membership.id)
        .join(User, (User.id == Membership.user_id) & (User.authority_id == Membership.authority_id))
        .where(Membership.role == Role.AUTHORITY_ADMIN, User.deactivated_at.is_(None), Membership.id != membership.id)
        .with_for_update(of=Membership)
    ).all()
    return not others


@bp.route("/users/<uuid:user_id>/roles/<uuid:membership_id>/remove", methods=["POST"])
@admin_only
def membership_remove(user_id, membership_id):
    user = get_or_404(User, user_id, action="edit")
    membership = get_or_404(Membership, membership_id, action="remove")
    if membership.user_id != user.id:
        abort(404)
    if membership.role is Role.AUTHORITY_ADMIN and user.id == current_user.id:
        flash("You cannot remove your own administrator role. Ask another authority administrator.")
    elif _is_last_admin(membership):
        flash("This is the authority's last administrator. Give someone else the role first.")
    else:
        _record_membership(Action.MEMBERSHIP_REMOVED, membership)
        user.memberships.remove(membership)
        db.session.flush()
        guests.withdraw_if_no_longer_partner(user, because="partner role removed")
        db.session.commit()
        flash(f"The role has been removed from {user.full_name}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/deactivate", methods=["POST"])
@admin_only
def user_deactivate(user_id):
    user = get_or_404(User, user_id, action="deactivate")
    if user.deactivated_at is None:
        user.deactivated_at = utcnow()
        ended = revoke_sessions(user, "deactivated")
        record(AccountAction.USER_DEACTIVATED, object_type="user", object_id=user.id, details={"sessions_ended": ended})
        guests.withdraw_if_no_longer_partner(user, because="account deactivated")
        db.session.commit()
        flash(f"{user.full_name} has been deactivated and signed out everywhere.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/reactivate", methods=["POST"])
@admin_only
def user_reactivate(user_id):
    user = get_or_404(User, user_id, action="reactivate")
    if user.deactivated_at is not None:
        user.deactivated_at = None
        record(AccountAction.USER_REACTIVATED, object_type="user", object_id=user.id)
        db.session.commit()
        flash(f"{user.full_name} can sign in again.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/resend-invitation", methods=["POST"])
@admin_only
def user_resend_invitation(user_id):
    user = get_or_404(User, user_id, action="invite")
    if user.status != "invited":
        flash(f"{user.full_name} has already created their account.")
    else:
        invite_user(user)
        db.session.commit()
        flash(f"A new invitation has been sent to {user.email}. Earlier invitation links no longer work.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/reset-two-factor", methods=["POST"])
@admin_only
def user_reset_two_factor(user_id):
    user = get_or_404(User, user_id, action="reset_two_factor")
    if user.two_factor_enabled:
        user.totp_secret = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        for code in db.session.execute(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).scalars():
            db.session.delete(code)
        ended = revoke_sessions(user, "two_factor_reset")
        record(AccountAction.TWO_FACTOR_RESET, object_type="user", object_id=user.id, details={"sessions_ended": ended})
        notify(
            user.id,
            "Your two-factor authentication was reset by an administrator",
            body="Set it up again the next time you sign in.",
            link=url_for("accounts.two_factor_setup"),
        )
        db.session.commit()
        flash(f"{user.full_name}'s two-factor authentication has been reset. They will set it up again when they next sign in.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<uuid:user_id>/unlock", methods=["POST"])
@admin_only
def user_unlock(user_id):
    user = get_or_404(User, user_id, action="unlock")
    if user.locked_until is not None:
        user.locked_until = None
        user.failed_sign_ins = 0
        record(AccountAction.USER_UPDATED, object_type="user", object_id=user.id, details={"change": "unlocked"})
        db.session.commit()
        flash(f"{user.full_name} can try to sign in again.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


# Settings and duties ---------------------------------------------------------------------------------


def _duty_form() -> DutyForm:
    form = DutyForm(prefix="duty")
    people = db.session.execute(visible_query(User).where(User.deactivated_at.is_(None)).order_by(User.full_name)).unique().scalars().all()
    form.user.choices = choices([("", "Select a person")] + [(str(u.id), f"{u.full_name} ({u.email})") for u in people])
    return form


@bp.route("/settings", methods=["GET", "POST"])
@admin_only
def settings():
    authority = current_authority()
    form = SettingsForm(prefix="settings")
    if request.method == "GET":
        form.require_two_factor.data = authority.require_two_factor
        form.version.data = str(authority.version)
    if form.validate_on_submit():
        if form.version.version != authority.version:
            form.require_two_factor.errors.append("Someone else changed the settings while you were editing them. Check the setting shown and save again")
            form.require_two_factor.data = authority.require_two_factor
            form.version.data = str(authority.version)
        else:
            before = authority.require_two_factor
            authority.require_two_factor = bool(form.require_two_factor.data)
            if before != authority.require_two_factor:
                record(Action.SETTINGS_CHANGED, object_type="authority", object_id=authority.id, details={"require_two_factor": authority.require_two_factor})
            try:
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                flash("Someone else changed the settings at the same moment. Check them and save again.")
                return redirect(url_for("admin.settings"))
            flash("Settings saved.", "success")
            return redirect(url_for("admin.settings"))
    duties = db.session.execute(visible_query(AuthorityDuty)).scalars().all()
    by_duty = {d: [x for x in duties if x.duty == d] for d in Duty}
    return render_template("admin/settings.html", form=form, duty_form=_duty_form(), by_duty=by_duty, authority=authority)


@bp.route("/settings/duties", methods=["POST"])
@admin_only
def duty_add():
    form = _duty_form()
    if form.validate_on_submit():
        user = get_or_404(User, form.user.data, action="edit") if as_uuid(form.user.data) else None
        if user is None:
            form.user.errors.append("Select a person")
        elif user.deactivated_at is not None:
            form.user.errors.append(f"{user.full_name} has been deactivated. Reactivate them first")
        else:
            duty = Duty(form.duty.data)
            exists = db.session.execute(visible_query(AuthorityDuty).where(AuthorityDuty.user_id == user.id, AuthorityDuty.duty == duty)).first()
            if exists:
                form.user.errors.append(f"{user.full_name} is already named for this duty")
            else:
                assignment = AuthorityDuty(user_id=user.id, duty=duty)
                db.session.add(assignment)
                db.session.flush()
                record(Action.DUTY_ASSIGNED, object_type="authority_duty", object_id=assignment.id, details={"user_id": str(user.id), "duty": duty.value})
                notify(user.id, f"You have been named: {duty.label}", link=url_for("dashboard.home"))
                db.session.commit()
                flash(f"{user.full_name} has been named: {duty.label}.", "success")
                return redirect(url_for("admin.settings"))
    authority = current_authority()
    settings_form = SettingsForm(prefix="settings", formdata=None)
    settings_form.require_two_factor.data = authority.require_two_factor
    settings_form.version.data = str(authority.version)
    duties = db.session.execute(visible_query(AuthorityDuty)).scalars().all()
    by_duty = {d: [x for x in duties if x.duty == d] for d in Duty}
    return render_template("admin/settings.html", form=settings_form, duty_form=form, by_duty=by_duty, authority=authority), 400


@bp.route("/settings/duties/<uuid:duty_id>/remove", methods=["POST"])
@admin_only
def duty_remove(duty_id):
    assignment = get_or_404(AuthorityDuty, duty_id, action="remove")
    record(
        Action.DUTY_REMOVED, object_type="authority_duty", object_id=assignment.id, details={"user_id": str(assignment.user_id), "duty": assignment.duty.value}
    )
    db.session.delete(assignment)
    db.session.commit()
    flash("The duty has been removed.", "success")
    return redirect(url_for("admin.settings"))


# Audit log -----------------------------------------------------------------------------------------


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
    page = max(1, request.args.get("page", 1, type=int))
    events = db.session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).scalars().all() if valid else []
    has_next = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    names = {u.id: u for u in people}
    record(
        Action.AUDIT_VIEWED,
        object_type="audit_log",
        details={k: v for k, v in request.args.items() if k in {"actor", "object_type", "object_id", "date_from", "date_to", "page"}},
    )
    db.session.commit()
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit_log.html", form=form, events=events, names=names, page=page, has_next=has_next, args=args)
