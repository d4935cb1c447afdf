"""The authority's timescales for disagreements, set by its administrator."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.accounts.models import Role
from portal.disagreements import service
from portal.disagreements.blueprint import bp
from portal.disagreements.forms import TimescalesForm
from portal.disagreements.models import STAGE_NAMES
from portal.locking import saving
from portal.policies import roles_required


@bp.route("/settings/disagreements", methods=["GET", "POST"])
@roles_required(Role.AUTHORITY_ADMIN)
def timescales():
    current = service.timescales()
    form = TimescalesForm()
    if request.method == "GET":
        form.stage1_days.data, form.stage2_days.data, form.stage3_days.data = (current.stage_days[s] for s in (1, 2, 3))
        form.escalate_days.data = current.escalate_days
        form.version.data = str(current.version or 0)
    elif form.validate_on_submit():
        if (form.version.version or 0) != (current.version or 0):
            form.form_errors.append("Someone else changed the timescales while you were editing them. Check the timescales shown and save again")
            form.version.data = str(current.version or 0)
        else:
            with saving() as save:
                service.change_timescales(
                    stage_days={1: form.stage1_days.data, 2: form.stage2_days.data, 3: form.stage3_days.data}, escalate_days=form.escalate_days.data
                )
            if save.stale:
                flash("Someone else changed the timescales at the same moment. Check them and save again.", "important")
                return redirect(url_for("disagreements.timescales"))
            flash("The timescales have been saved. They apply to stages started from now on.", "success")
            return redirect(url_for("disagreements.timescales"))
    return render_template(
        "disagreements/settings.html", form=form, stage_names=STAGE_NAMES, current=current
    ), 200 if request.method == "GET" or not form.errors else 400
