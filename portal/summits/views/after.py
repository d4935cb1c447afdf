"""What comes after a summit: its findings, the action plan (named owners, due dates) and "You said, we
did"."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user, login_required

from portal.clock import uk_today
from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.partnership import service as partnership
from portal.partnership.forms import owner_ids, owner_value
from portal.partnership.models import ActionStatus, PlanAction
from portal.policies import get_or_404, not_found
from portal.summits import service
from portal.summits.blueprint import bp
from portal.summits.forms import ActionForm, FindingForm, YouSaidForm
from portal.summits.models import SafetySummit, SummitActivity
from portal.summits.views.common import after_the_summit, conflict, may, owner_options, rows, select_from, to_detail
from portal.text import clean_text

ACTION_LABELS = {"description": "What needs to be done", "owner": "Who owns it", "due_on": "Due date", "status": "Status", "progress_note": "Progress"}


@bp.route("/summits/<uuid:summit_id>/findings/new", methods=["GET", "POST"])
@login_required
def finding_new(summit_id):
    summit = get_or_404(SafetySummit, summit_id, action="add_finding")
    early = after_the_summit(summit)
    if early:
        return early
    activities = rows(SummitActivity, summit, SummitActivity.created_at)
    form = FindingForm()
    select_from(form.activity, {str(a.id): a.title for a in activities}, "Not from one activity")
    if form.validate_on_submit():
        activity_id = as_uuid(form.activity.data) if form.activity.data else None
        if activity_id is not None and activity_id not in {a.id for a in activities}:
            form.activity.errors.append("Select an activity of this summit")
        else:
            service.add_finding(summit, activity_id=activity_id, text=form.text.data, actor_id=current_user.id)
            db.session.commit()
            flash("The finding has been saved.", "success")
            return to_detail(summit.id, "findings")
    return render_template("summits/finding.html", form=form, summit=summit)


def _owner(form: ActionForm, options: dict[str, str]) -> dict | None:
    owner = owner_ids(form.owner.data) if form.owner.data in options else None
    if owner is None:
        form.owner.errors.append("Select who owns the action from the list")
    return owner


@bp.route("/summits/<uuid:summit_id>/actions/new", methods=["GET", "POST"])
@login_required
def action_new(summit_id):
    """An action of the plan: what, a named owner (a person or an organisation), a due date."""
    summit = get_or_404(SafetySummit, summit_id, action="add_action")
    early = after_the_summit(summit)
    if early:
        return early
    form = ActionForm()
    for name in ("status", "progress_note", "version"):
        del form[name]
    options = owner_options(summit)
    select_from(form.owner, options, "Choose an owner")
    if form.validate_on_submit():
        owner = _owner(form, options)
        if form.due_on.data < uk_today():
            form.due_on.errors.append("The due date must be today or in the future")
        elif owner is not None:
            partnership.add_action(
                summit, description=form.description.data, due_on=form.due_on.data, actor_id=current_user.id, link=service.summit_link(summit), **owner
            )
            db.session.commit()
            flash("The action has been added. Its owner has been told.", "success")
            return to_detail(summit.id, "actions")
    return render_template("summits/action.html", form=form, summit=summit, row=None, changes=None, today=uk_today())


def _action_values(row: PlanAction) -> dict:
    return {
        "description": row.description,
        "owner": row.owner_name,
        "due_on": row.due_on,
        "status": row.status,
        "progress_note": row.progress_note,
    }


@bp.route("/summits/actions/<uuid:action_id>/edit", methods=["GET", "POST"])
@login_required
def action_edit(action_id):
    """Organisers change an action; its owner updates the status and progress."""
    row = get_or_404(PlanAction, action_id, action="update")
    if row.summit_id is None:
        not_found("plan_action", action_id)
    summit = get_or_404(SafetySummit, row.summit_id)
    organiser = may("add_action", summit)
    form = ActionForm()
    options = owner_options(summit, row) if organiser else {}
    if organiser:
        select_from(form.owner, options, "Choose an owner")
    else:
        for name in ("description", "owner", "due_on"):
            del form[name]
    if request.method == "GET":
        form.status.data, form.progress_note.data, form.version.data = row.status.value, row.progress_note, str(row.version)
        if organiser:
            form.description.data, form.due_on.data = row.description, row.due_on
            form.owner.data = owner_value(row)
    changes = None
    if form.validate_on_submit():
        owner = _owner(form, options) if organiser else {}
        if owner is not None:
            labels = {k: v for k, v in ACTION_LABELS.items() if k in form}
            yours = {"status": ActionStatus(form.status.data), "progress_note": clean_text(form.progress_note.data)}
            if organiser:
                yours |= {
                    "description": form.description.data.strip(),
                    "owner": options[form.owner.data].removesuffix(" (organisation)"),
                    "due_on": form.due_on.data,
                }
            if form.version.version != row.version:
                changes = conflict("plan_action", row, _action_values(row), yours, labels, form)
            else:
                organisers_part = {"description": yours["description"], "owner": owner, "due_on": yours["due_on"]} if organiser else {}
                with saving() as save:
                    service.update_action(
                        summit,
                        row,
                        status=yours["status"],
                        progress_note=yours["progress_note"],
                        actor_id=current_user.id,
                        by_organiser=organiser,
                        **organisers_part,
                    )
                if not save.stale:
                    flash("The action has been saved.", "success")
                    return to_detail(summit.id, "actions")
                row = get_or_404(PlanAction, action_id, action="update")
                changes = conflict("plan_action", row, _action_values(row), yours, labels, form)
    return render_template("summits/action.html", form=form, summit=summit, row=row, changes=changes, today=uk_today())


@bp.route("/summits/<uuid:summit_id>/you-said-we-did/new", methods=["GET", "POST"])
@login_required
def you_said_new(summit_id):
    """ "You said, we did": what young people said, what was done, and when and how they were told."""
    summit = get_or_404(SafetySummit, summit_id, action="record_you_said")
    early = after_the_summit(summit)
    if early:
        return early
    form = YouSaidForm()
    if form.validate_on_submit():
        service.add_you_said(
            summit, you_said=form.you_said.data, we_did=form.we_did.data, told_on=form.told_on.data, told_how=form.told_how.data, actor_id=current_user.id
        )
        db.session.commit()
        flash("You said, we did has been saved.", "success")
        return to_detail(summit.id, "you-said-we-did")
    return render_template("summits/you_said.html", form=form, summit=summit)
