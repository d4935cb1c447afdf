"""A meeting's actions: the lead adds and edits them; an action's owner updates its status and progress."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user, login_required

from forms import choices
from portal import locking
from portal.audit.service import record_now
from portal.extensions import db
from portal.locking import saving
from portal.meetings import service
from portal.meetings.actions import Action
from portal.meetings.blueprint import bp
from portal.meetings.forms import ActionForm
from portal.meetings.models import PartnershipMeeting
from portal.meetings.views.common import may, meeting_or_404, papers_first, to_detail, typed
from portal.partnership import service as partnership
from portal.partnership.forms import owner_choices, owner_ids, owner_value
from portal.partnership.models import ActionStatus, InvitationStatus, PlanAction
from portal.policies import get_or_404
from portal.text import clean_text

ACTION_LABELS = {"description": "What needs to be done", "owner": "Owner", "due_on": "Due date", "status": "Status", "progress_note": "Progress"}


def _owner_choices(meeting: PartnershipMeeting, current: PlanAction | None = None) -> list[tuple[str, str]]:
    """Who may own an action (and so is told of it): people who accepted the information-sharing
    agreement, then the school and the organisations that accepted the invitation."""
    people = [(p.user_id, p.user.full_name) for p in partnership.participants(meeting) if p.information_sharing_accepted_at is not None]
    accepted = [(i.organisation_id, i.organisation.name) for i in partnership.invitations(meeting) if i.status == InvitationStatus.ACCEPTED]
    return owner_choices(people, [(meeting.organisation_id, meeting.organisation.name), *accepted], current)


@bp.route("/meetings/<uuid:meeting_id>/actions/new", methods=["GET", "POST"])
@login_required
def action_new(meeting_id):
    meeting = meeting_or_404(meeting_id, "add_action")
    if (gate := papers_first(meeting)) is not None:
        return gate
    form = ActionForm()
    del form.status, form.progress_note, form.version
    form.owner.choices = choices([("", "Select the owner")] + _owner_choices(meeting))
    if form.validate_on_submit():
        partnership.add_action(
            meeting,
            description=form.description.data,
            due_on=form.due_on.data,
            actor_id=current_user.id,
            link=service.meeting_link(meeting),
            **owner_ids(form.owner.data),
        )
        db.session.commit()
        flash("The action has been added. Its owner has been told.", "success")
        return to_detail(meeting.id, "actions")
    return render_template("meetings/action_form.html", form=form, meeting=meeting, row=None, conflict=None)


@bp.route("/meetings/<uuid:meeting_id>/actions/<uuid:action_id>/edit", methods=["GET", "POST"])
@login_required
def action_edit(meeting_id, action_id):
    """The lead edits all of an action; its owner (the person, or a member of the organisation) updates
    its status and progress."""
    meeting = meeting_or_404(meeting_id)
    row = get_or_404(PlanAction, action_id, action="update")
    if row.meeting_id != meeting.id:
        record_now(Action.NOT_FOUND, object_type="plan_action", object_id=action_id, details={"action": "update"})
        abort(404)
    lead = may("add_action", meeting)
    form = ActionForm()
    if lead:
        form.owner.choices = choices(_owner_choices(meeting, row))
    else:
        del form.description, form.owner, form.due_on
    if request.method == "GET":
        if lead:
            form.description.data, form.owner.data, form.due_on.data = row.description, owner_value(row), row.due_on
        form.status.data, form.progress_note.data, form.version.data = row.status.value, row.progress_note, str(row.version)
    labels = ACTION_LABELS if lead else {k: ACTION_LABELS[k] for k in ("status", "progress_note")}
    owner_names = dict(_owner_choices(meeting, row)) if lead else {}

    def saved() -> dict:
        return {"description": row.description, "owner": row.owner_name, "due_on": row.due_on, "status": row.status, "progress_note": row.progress_note}

    conflict = None
    if form.validate_on_submit():
        yours = {"status": ActionStatus(form.status.data), "progress_note": clean_text(form.progress_note.data)}
        if lead:
            yours.update(description=typed(form.description.data), owner=owner_names.get(form.owner.data, ""), due_on=form.due_on.data)
        if form.version.version != row.version:
            conflict = locking.what_changed(saved(), yours, labels)
        else:
            lead_part = {"description": yours["description"], "owner": owner_ids(form.owner.data), "due_on": yours["due_on"]} if lead else {}
            with saving() as save:
                service.update_action(meeting, row, status=yours["status"], progress_note=yours["progress_note"], actor_id=current_user.id, **lead_part)
            if save.stale:
                conflict = locking.what_changed(saved(), yours, labels)
            else:
                flash("The action has been saved.", "success")
                return to_detail(meeting.id, "actions")
    if conflict is not None:
        locking.stale_refused("plan_action", row.id)
        form.version.data = str(row.version)
    return render_template("meetings/action_form.html", form=form, meeting=meeting, row=row, conflict=conflict, lead=lead)
