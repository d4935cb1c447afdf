"""The activities on the day of a summit: the organisers add and edit them; a facilitator writes the
notes of their own."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user, login_required

from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.policies import get_or_404
from portal.summits import service
from portal.summits.blueprint import bp
from portal.summits.forms import ActivityForm
from portal.summits.models import ActivityKind, SafetySummit, SummitActivity
from portal.summits.views.common import conflict, may, participant_choices, select_from, to_detail
from portal.text import clean_text

ACTIVITY_LABELS = {"kind": "Activity", "title": "Title", "facilitator": "Facilitator", "notes": "Notes"}


def _facilitator(form: ActivityForm, options: dict[str, str]):
    """The facilitator chosen (a participant), or ``...`` when the choice is not one of them."""
    if not form.facilitator.data:
        return None
    if form.facilitator.data not in options:
        form.facilitator.errors.append("Select a facilitator from the people taking part")
        return ...
    return as_uuid(form.facilitator.data)


@bp.route("/summits/<uuid:summit_id>/activities/new", methods=["GET", "POST"])
@login_required
def activity_new(summit_id):
    summit = get_or_404(SafetySummit, summit_id, action="plan")
    form = ActivityForm()
    options = participant_choices(summit)
    select_from(form.facilitator, options, "No facilitator yet")
    if form.validate_on_submit():
        facilitator_id = _facilitator(form, options)
        if facilitator_id is not ...:
            activity = service.add_activity(
                summit,
                kind=ActivityKind(form.kind.data),
                title=form.title.data,
                facilitator_id=facilitator_id,
                notes=form.notes.data,
                actor_id=current_user.id,
            )
            db.session.commit()
            flash(f"The activity {activity.title} has been added.", "success")
            return to_detail(summit.id, "activities")
    return render_template("summits/activity.html", form=form, summit=summit, activity=None, changes=None)


def _activity_values(activity) -> dict:
    return {
        "kind": activity.kind,
        "title": activity.title,
        "facilitator": activity.facilitator.full_name if activity.facilitator else None,
        "notes": activity.notes,
    }


@bp.route("/summits/activities/<uuid:activity_id>/edit", methods=["GET", "POST"])
@login_required
def activity_edit(activity_id):
    """Organisers edit an activity; its facilitator edits its notes."""
    activity = get_or_404(SummitActivity, activity_id, action="edit_notes")
    summit = get_or_404(SafetySummit, activity.summit_id)
    organiser = may("plan", summit)
    form = ActivityForm()
    options = participant_choices(summit) if organiser else {}
    if organiser:
        select_from(form.facilitator, options, "No facilitator yet")
    else:
        for name in ("kind", "title", "facilitator"):
            del form[name]
    if request.method == "GET":
        form.notes.data = activity.notes
        form.version.data = str(activity.version)
        if organiser:
            form.kind.data, form.title.data = activity.kind.value, activity.title
            form.facilitator.data = str(activity.facilitator_id) if activity.facilitator_id else ""
    changes = None
    if form.validate_on_submit():
        facilitator_id = _facilitator(form, options) if organiser else activity.facilitator_id
        if facilitator_id is not ...:
            labels = {k: v for k, v in ACTIVITY_LABELS.items() if k in form}
            yours = {"notes": clean_text(form.notes.data)}
            if organiser:
                kind = ActivityKind(form.kind.data)
                yours |= {
                    "kind": kind,
                    "title": clean_text(form.title.data) or kind.label,
                    "facilitator": options.get(form.facilitator.data, "").split(" (")[0] or None,
                }
            if form.version.version != activity.version:
                changes = conflict("summit_activity", activity, _activity_values(activity), yours, labels, form)
            else:
                with saving() as save:
                    if organiser:
                        service.edit_activity(
                            summit,
                            activity,
                            kind=yours["kind"],
                            title=yours["title"],
                            facilitator_id=facilitator_id,
                            notes=yours["notes"],
                            actor_id=current_user.id,
                        )
                    else:
                        service.save_activity_notes(summit, activity, yours["notes"])
                if not save.stale:
                    flash(f"The activity {activity.title} has been saved.", "success")
                    return to_detail(summit.id, "activities")
                activity = get_or_404(SummitActivity, activity_id, action="edit_notes")
                changes = conflict("summit_activity", activity, _activity_values(activity), yours, labels, form)
    return render_template("summits/activity.html", form=form, summit=summit, activity=activity, changes=changes)
