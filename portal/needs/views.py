"""The levels-of-need guidance (its administrator's settings: the version in force, a new version, any
earlier version) and threshold calibration (the authority dashboard's page of agreement between the
schools and the front door)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import locking
from portal.accounts.models import Role
from portal.audit.actions import Action
from portal.audit.service import record_now, render_audited
from portal.casework.people import front_door_manager_ids
from portal.extensions import db
from portal.needs import service
from portal.needs.blueprint import bp
from portal.needs.calibration import ADVICE_COLUMN_HEADINGS, COLUMN_HEADINGS, COLUMNS, calibration
from portal.needs.forms import LEVEL_FIELDS, GuidanceForm
from portal.needs.models import NeedGuidance
from portal.needs.service import HEADINGS, current_guidance
from portal.policies import get_or_404, is_admin, roles_required, visible_query
from portal.vocabulary import Level

admin_only = roles_required(Role.AUTHORITY_ADMIN)


@bp.route("/admin/settings/levels-of-need")
@admin_only
def guidance():
    current = current_guidance()
    # Who saved each version, loaded with the list (not a query per version).
    versions = (
        db.session.execute(visible_query(NeedGuidance).options(selectinload(NeedGuidance.created_by)).order_by(NeedGuidance.number.desc())).scalars().all()
    )
    page = render_template("needs/guidance.html", current=current, versions=versions, by_level=service.by_level(current.indicators), headings=HEADINGS)
    db.session.commit()  # the first version, if this authority had none
    return page


def _text(indicators, level: Level) -> str:
    return "\n".join(i.text for i in indicators if i.level == level)


@bp.route("/admin/settings/levels-of-need/new", methods=["GET", "POST"])
@admin_only
def guidance_edit():
    """A new version, prefilled from the one in force (earlier versions are kept as they were)."""
    current = current_guidance()
    form = GuidanceForm()
    if request.method == "GET":
        for level in LEVEL_FIELDS:
            form[level.value].data = _text(current.indicators, level)
        form.version.data = str(current.number)
    changes = None
    if request.method == "POST" and form.validate():
        if form.version.version != current.number:
            changes = _conflict(form)
        else:
            try:
                number = service.new_version(form.indicators(), note=form.note.data, created_by_id=current_user.id).number
                db.session.commit()
            except IntegrityError:  # someone saved a version at the same moment
                db.session.rollback()
                changes = _conflict(form)
            else:
                flash(f"Version {number} of the levels-of-need guidance has been saved. New referrals and advice requests use it from now on.", "success")
                return redirect(url_for("needs.guidance"))
    return render_audited("needs/guidance_edit.html", form=form, current=current_guidance(), changes=changes)


def _conflict(form: GuidanceForm):
    locking.stale_refused("need_guidance", current_guidance().id)
    current = current_guidance()
    form.version.data = str(current.number)
    labels = {level.value: HEADINGS[level] for level in LEVEL_FIELDS}
    saved = {level.value: _text(current.indicators, level) for level in LEVEL_FIELDS}
    yours = {level.value: "\n".join(lines) for level, lines in form.indicators().items()}
    return locking.what_changed(saved, yours, labels)


@bp.route("/admin/settings/levels-of-need/<uuid:guidance_id>")
@admin_only
def guidance_version(guidance_id):
    version = get_or_404(NeedGuidance, guidance_id)
    return render_template(
        "needs/guidance_version.html", version=version, latest=current_guidance(), by_level=service.by_level(version.indicators), headings=HEADINGS
    )


def sees_authority_dashboard(user) -> bool:
    """Who sees the authority's figures on the dashboard: its administrator and the front-door managers."""
    return is_admin(user) or user.id in front_door_manager_ids()


@bp.route("/dashboard/threshold-calibration")
@roles_required(Role.AUTHORITY_ADMIN, Role.FRONT_DOOR)
def calibration_page():
    """Agreement between the schools' view of the level and the front door's decision (counts only)."""
    if not sees_authority_dashboard(current_user):
        record_now(Action.ACCESS_DENIED, object_type="page", details={"page": "needs.calibration_page"})
        abort(403)
    return render_template(
        "needs/calibration.html",
        figures=calibration(),
        columns=COLUMNS,
        column_headings=COLUMN_HEADINGS,
        advice_column_headings=ADVICE_COLUMN_HEADINGS,
        headings=HEADINGS,
    )
