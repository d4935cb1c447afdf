"""The authority's settings (two-factor authentication for everyone) and the people it names for its duties."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload

from forms import choices
from portal.accounts.models import User
from portal.accounts.sessions import current_authority
from portal.admin import service
from portal.admin.blueprint import admin_only, bp
from portal.admin.forms import DutyForm, SettingsForm
from portal.authorities.models import AuthorityDuty, Duty
from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.policies import get_or_404, visible_query


def _duty_form() -> DutyForm:
    form = DutyForm(prefix="duty")
    people = db.session.execute(visible_query(User).where(User.deactivated_at.is_(None)).order_by(User.full_name)).unique().scalars().all()
    form.user.choices = choices([("", "Select a person")] + [(str(u.id), f"{u.full_name} ({u.email})") for u in people])
    return form


def _settings_page(form: SettingsForm, duty_form: DutyForm, authority) -> str:
    # Each person named with the duties (not a query per name).
    duties = db.session.execute(visible_query(AuthorityDuty).options(selectinload(AuthorityDuty.user))).scalars().all()
    by_duty = {d: [x for x in duties if x.duty == d] for d in Duty}
    return render_template("admin/settings.html", form=form, duty_form=duty_form, by_duty=by_duty, authority=authority)


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
            with saving() as save:
                service.change_settings(authority, require_two_factor=bool(form.require_two_factor.data))
            if save.stale:
                flash("Someone else changed the settings at the same moment. Check them and save again.")
                return redirect(url_for("admin.settings"))
            flash("Settings saved.", "success")
            return redirect(url_for("admin.settings"))
    return _settings_page(form, _duty_form(), authority)


@bp.route("/settings/duties", methods=["POST"])
@admin_only
def duty_add():
    form = _duty_form()
    if form.validate_on_submit():
        user = get_or_404(User, form.user.data, action="edit") if as_uuid(form.user.data) else None
        if user is None:
            form.user.errors.append("Select a person")
        else:
            duty = Duty(form.duty.data)
            try:
                service.assign_duty(user, duty)
            except service.Refused as refused:
                form.user.errors.append(str(refused))
            else:
                db.session.commit()
                flash(f"{user.full_name} has been named: {duty.label}.", "success")
                return redirect(url_for("admin.settings"))
    authority = current_authority()
    settings_form = SettingsForm(prefix="settings", formdata=None)
    settings_form.require_two_factor.data = authority.require_two_factor
    settings_form.version.data = str(authority.version)
    return _settings_page(settings_form, form, authority), 400


@bp.route("/settings/duties/<uuid:duty_id>/remove", methods=["POST"])
@admin_only
def duty_remove(duty_id):
    assignment = get_or_404(AuthorityDuty, duty_id, action="remove")
    service.remove_duty(assignment)
    db.session.commit()
    flash("The duty has been removed.", "success")
    return redirect(url_for("admin.settings"))
