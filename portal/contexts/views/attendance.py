"""Who attended a panel meeting: the panel, the invited organisations' people and anyone else taking
part, saved against the meeting's version."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import locking
from portal.accounts.models import User
from portal.contexts import service
from portal.contexts.blueprint import bp
from portal.contexts.forms import AttendanceForm
from portal.contexts.models import PanelMeeting
from portal.contexts.people import panel_people, people
from portal.extensions import db
from portal.locking import saving
from portal.partnership import service as partnership
from portal.partnership.models import InvitationStatus
from portal.policies import get_or_404


def _attendance_groups(meeting: PanelMeeting, invitations) -> list[tuple[str, list[User]]]:
    """Who may be ticked as present: the panel (social care and named members), then each invited
    organisation's people, then anyone else already taking part."""
    groups = [("Children's social care and panel members", panel_people())]
    seen = {u.id for u in groups[0][1]}
    for invitation in invitations:
        if invitation.status == InvitationStatus.DECLINED:
            continue
        ids = [i for i in partnership.organisation_contacts(invitation.organisation_id) if i not in seen]
        found = people(User.id.in_(ids)) if ids else []
        seen.update(u.id for u in found)
        groups.append((invitation.organisation.name, found))
    others = [p.user for p in partnership.participants(meeting) if p.user_id not in seen and p.user is not None]
    if others:
        groups.append(("Also taking part", others))
    return [(heading, members) for heading, members in groups if members]


@bp.route("/context-panel/<uuid:panel_meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def panel_attendance(panel_meeting_id):
    meeting = get_or_404(PanelMeeting, panel_meeting_id, action="record_attendance")
    groups = _attendance_groups(meeting, partnership.invitations(meeting))
    shown = {str(u.id): u for _, members in groups for u in members}
    form = AttendanceForm()
    if request.method == "GET":
        form.attended.data = [str(p.user_id) for p in partnership.participants(meeting) if p.attended]
        form.others.data = meeting.other_attendees
        form.version.data = str(meeting.version)
    changes = None
    if form.validate_on_submit():
        chosen = [uid for uid in shown if uid in set(form.attended.data or [])]
        others = (form.others.data or "").strip() or None
        if form.version.version != meeting.version:
            changes = _attendance_conflict(meeting, chosen, others, shown)
        else:
            with saving() as save:
                service.record_panel_attendance(meeting, shown, chosen, others, actor_id=current_user.id)
            if save.stale:
                changes = _attendance_conflict(meeting, chosen, others, shown)
            else:
                flash("The attendance has been saved.", "success")
                return redirect(url_for("contexts.panel_detail", panel_meeting_id=meeting.id, _anchor="attendance"))
    form.attended.data = [uid for uid in shown if uid in set(form.attended.data or [])]
    return render_template("contexts/panel_attendance.html", form=form, meeting=meeting, groups=groups, changes=changes)


def _attendance_conflict(meeting, chosen, others, shown):
    meeting_id = meeting.id
    locking.stale_refused("panel_meeting", meeting_id)
    meeting = db.session.get(PanelMeeting, meeting_id)
    saved_names = sorted(p.user.full_name for p in partnership.participants(meeting) if p.attended and p.user is not None)
    yours = sorted(shown[uid].full_name for uid in chosen)
    return locking.what_changed(
        {"attended": ", ".join(saved_names), "others": meeting.other_attendees},
        {"attended": ", ".join(yours), "others": others},
        {"attended": "Who attended", "others": "Others present"},
    )
