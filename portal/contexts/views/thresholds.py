"""The authority's school threshold indicators (its administrator's settings): the version in force,
changing them (saved as a new version; earlier ones are kept as they were), and any earlier version."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import locking
from portal.accounts.models import Role
from portal.audit.service import render_audited
from portal.contexts import service
from portal.contexts.blueprint import bp
from portal.contexts.forms import ThresholdsForm
from portal.contexts.models import ThresholdSet
from portal.contexts.service import THRESHOLD_HEADINGS, THRESHOLD_LEVELS, current_thresholds
from portal.extensions import db
from portal.policies import get_or_404, roles_required, visible_query
from portal.vocabulary import Level

admin_only = roles_required(Role.AUTHORITY_ADMIN)


@bp.route("/admin/settings/threshold-indicators")
@admin_only
def thresholds():
    current = current_thresholds()
    # Who saved each version, loaded with the list (not a query per version).
    versions = (
        db.session.execute(visible_query(ThresholdSet).options(selectinload(ThresholdSet.created_by)).order_by(ThresholdSet.number.desc())).scalars().all()
    )
    page = render_template("contexts/thresholds.html", current=current, versions=versions)
    db.session.commit()  # the first version, if this authority had none
    return page


def _indicator_text(indicators, level: Level) -> str:
    return "\n".join(i.text for i in indicators if i.level == level)


@bp.route("/admin/settings/threshold-indicators/edit", methods=["GET", "POST"])
@admin_only
def thresholds_edit():
    """Change the indicators: the change is saved as a new version (earlier ones are kept as they were)."""
    current = current_thresholds()
    form = ThresholdsForm()
    if request.method == "GET":
        for level in THRESHOLD_LEVELS:
            form[level.value].data = _indicator_text(current.indicators, level)
        form.version.data = str(current.number)
    changes = None
    if request.method == "POST" and form.validate():
        if form.version.version != current.number:
            changes = _thresholds_conflict(form)
        else:
            try:
                saved = service.new_version(form.indicators(), note=form.note.data, created_by_id=current_user.id)
                number = saved.number
                db.session.commit()
            except IntegrityError:  # someone saved a version at the same moment
                db.session.rollback()
                changes = _thresholds_conflict(form)
            else:
                flash(f"Version {number} of the school threshold indicators has been saved. New context referrals use it from now on.", "success")
                return redirect(url_for("contexts.thresholds"))
    return render_audited("contexts/thresholds_edit.html", form=form, current=current_thresholds(), changes=changes)


def _thresholds_conflict(form: ThresholdsForm):
    locking.stale_refused("threshold_set", current_thresholds().id)
    current = current_thresholds()
    form.version.data = str(current.number)
    labels = {level.value: THRESHOLD_HEADINGS[level] for level in THRESHOLD_LEVELS}
    saved = {level.value: _indicator_text(current.indicators, level) for level in THRESHOLD_LEVELS}
    yours = {level.value: "\n".join(lines) for level, lines in form.indicators().items()}
    return locking.what_changed(saved, yours, labels)


@bp.route("/admin/settings/threshold-indicators/<uuid:threshold_set_id>")
@admin_only
def threshold_version(threshold_set_id):
    version = get_or_404(ThresholdSet, threshold_set_id)
    return render_template("contexts/threshold_version.html", version=version, latest=current_thresholds())
