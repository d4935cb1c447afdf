"""The lead's form for the meeting, the minutes, and the school's pre-meeting return. Each is saved
against the version the person opened: a save on top of someone else's is refused with what changed."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import locking
from portal.clock import uk_datetime
from portal.locking import saving
from portal.meetings import service
from portal.meetings.blueprint import bp
from portal.meetings.forms import MeetingForm, MinutesForm, ReturnForm
from portal.meetings.models import MeetingFormat, MeetingStatus, PartnershipMeeting
from portal.meetings.views.common import meeting_or_404, meeting_return, papers_first, to_detail, typed
from portal.text import clean_text

MEETING_LABELS = {
    "title": "Title",
    "meets_at": "Date and time",
    "format": "Where it is held",
    "location": "Room or joining details",
    "terms_of_reference": "Terms of reference",
    "information_sharing_agreement": "Information-sharing agreement",
    "agenda": "Agenda",
    "follow_up_on": "Follow-up meeting date",
    "status": "Status",
}
MINUTES_LABELS = {"minutes": "Minutes"}
RETURN_LABELS = {
    "trends_and_themes": "Trends and themes affecting students",
    "places": "Places",
    "peer_groups": "Peer groups",
    "strengths": "Strengths",
}


def _meeting_values(meeting: PartnershipMeeting) -> dict:
    values = {name: getattr(meeting, name) for name in MEETING_LABELS}
    values["meets_at"] = uk_datetime(meeting.meets_at)
    return values


def _typed_meeting(form: MeetingForm) -> dict:
    return {
        "title": typed(form.title.data),
        "meets_at": uk_datetime(form.meets_at),
        "format": MeetingFormat(form.format.data),
        "location": clean_text(form.location.data),
        "terms_of_reference": typed(form.terms_of_reference.data),
        "information_sharing_agreement": typed(form.information_sharing_agreement.data),
        "agenda": clean_text(form.agenda.data),
        "follow_up_on": form.follow_up_on.data,
        "status": MeetingStatus(form.status.data),
    }


@bp.route("/meetings/<uuid:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id):
    """The lead's form for the meeting's details, terms of reference, agreement, agenda and follow-up."""
    meeting = meeting_or_404(meeting_id, "edit")
    if (gate := papers_first(meeting)) is not None:
        return gate
    form = MeetingForm()
    if request.method == "GET":
        values = _meeting_values(meeting)
        for name in ("title", "location", "terms_of_reference", "information_sharing_agreement", "agenda", "follow_up_on"):
            getattr(form, name).data = values[name]
        form.show_when(meeting.meets_at)
        form.format.data, form.status.data = meeting.format.value, meeting.status.value
        form.version.data = str(meeting.version)
    conflict = None
    if form.validate_on_submit():
        yours = _typed_meeting(form)
        if form.version.version != meeting.version:
            conflict = locking.what_changed(_meeting_values(meeting), yours, MEETING_LABELS)
        else:
            saved = _meeting_values(meeting)
            changed = {name: form.meets_at if name == "meets_at" else yours[name] for name in MEETING_LABELS if saved[name] != yours[name]}
            with saving() as save:
                reset = service.save_meeting(meeting, changed, editor_id=current_user.id)
            if save.stale:
                conflict = locking.what_changed(_meeting_values(meeting), yours, MEETING_LABELS)
            else:
                message = "The meeting has been saved."
                if reset:
                    message += f" The information-sharing agreement changed: {reset} {'person has' if reset == 1 else 'people have'} been asked to accept the new version."
                flash(message, "success")
                return to_detail(meeting.id)
    if conflict is not None:
        locking.stale_refused("partnership_meeting", meeting.id)
        form.version.data = str(meeting.version)
    return render_template("meetings/edit.html", form=form, meeting=meeting, conflict=conflict)


@bp.route("/meetings/<uuid:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id):
    """The minutes (the meeting's own version: a change to the details meanwhile is a conflict too)."""
    meeting = meeting_or_404(meeting_id, "record_minutes")
    if (gate := papers_first(meeting)) is not None:
        return gate
    form = MinutesForm()
    if request.method == "GET":
        form.minutes.data = meeting.minutes
        form.version.data = str(meeting.version)
    conflict = None
    if form.validate_on_submit():
        yours = {"minutes": clean_text(form.minutes.data)}
        if form.version.version != meeting.version:
            conflict = locking.what_changed({"minutes": meeting.minutes}, yours, MINUTES_LABELS)
        else:
            with saving() as save:
                service.save_minutes(meeting, yours["minutes"], actor_id=current_user.id)
            if save.stale:
                conflict = locking.what_changed({"minutes": meeting.minutes}, yours, MINUTES_LABELS)
            else:
                flash("The minutes have been saved.", "success")
                return to_detail(meeting.id, "minutes")
    if conflict is not None:
        locking.stale_refused("partnership_meeting", meeting.id)
        form.version.data = str(meeting.version)
    return render_template("meetings/minutes.html", form=form, meeting=meeting, conflict=conflict)


@bp.route("/meetings/<uuid:meeting_id>/return", methods=["GET", "POST"])
@login_required
def return_edit(meeting_id):
    """The school's DSL (or head, or the lead) writes the return; "Send to the meeting" tells the lead."""
    meeting = meeting_or_404(meeting_id, "edit_return")
    if (gate := papers_first(meeting)) is not None:
        return gate
    row = meeting_return(meeting)
    if row is None:  # a meeting opened without one
        row = service.new_return(meeting)
    form = ReturnForm()
    if request.method == "GET":
        for name in RETURN_LABELS:
            getattr(form, name).data = getattr(row, name)
        form.version.data = str(row.version)

    def saved() -> dict:
        return {name: getattr(row, name) for name in RETURN_LABELS}

    conflict = None
    if form.validate_on_submit():
        yours = {name: clean_text(getattr(form, name).data) for name in RETURN_LABELS}
        if form.version.version != row.version:
            conflict = locking.what_changed(saved(), yours, RETURN_LABELS)
        else:
            with saving() as save:
                service.save_return(meeting, row, yours, sending=form.sending, actor_id=current_user.id)
            if save.stale:
                conflict = locking.what_changed(saved(), yours, RETURN_LABELS)
            elif form.sending:
                flash("The pre-meeting return has been sent to the meeting. The lead has been told.", "success")
                return to_detail(meeting.id, "return")
            else:
                flash(
                    "The pre-meeting return has been saved. It has not been sent to the meeting yet."
                    if row.submitted_at is None
                    else "The pre-meeting return has been saved.",
                    "success",
                )
                return redirect(url_for("meetings.return_edit", meeting_id=meeting.id))
    if conflict is not None:
        locking.stale_refused("meeting_return", row.id)
        form.version.data = str(row.version)
    return render_template("meetings/return.html", form=form, meeting=meeting, meeting_return=row, conflict=conflict)
