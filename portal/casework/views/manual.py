"""Manual entries: what happened outside the portal, recorded by a DSL on a pupil's chronology, and
corrected with every change kept (who, when, each field before and after)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import locking
from portal.audit.service import record
from portal.casework import record as record_service
from portal.casework.actions import Action
from portal.casework.blueprint import bp
from portal.casework.forms import ManualEntryForm
from portal.casework.models import ManualEntry
from portal.extensions import db
from portal.policies import get_or_404
from portal.pupils.models import Pupil


@bp.route("/pupils/<uuid:pupil_id>/chronology/new", methods=["GET", "POST"])
@login_required
def manual_new(pupil_id):
    """Record a call, a meeting, a conference, a visit or information from another agency."""
    pupil = get_or_404(Pupil, pupil_id, action="add_to_file")
    form = ManualEntryForm()
    if form.validate_on_submit():
        entry = record_service.add_manual_entry(pupil, form.details(), actor_id=current_user.id)
        db.session.commit()
        flash(f"'{entry.kind.label}' has been added to the chronology.", "success")
        return redirect(url_for("casework.chronology", pupil_id=pupil.id))
    return render_template("casework/manual_form.html", form=form, pupil=pupil, entry=None, conflict=None)


def _pupil_of(entry: ManualEntry) -> Pupil:
    return get_or_404(Pupil, entry.pupil_id, action="open")


@bp.route("/chronology/entries/<uuid:entry_id>")
@login_required
def manual_entry(entry_id):
    """One manual entry as it is now, and every change made to it (audited read)."""
    entry = get_or_404(ManualEntry, entry_id)
    pupil = _pupil_of(entry)
    page = render_template("casework/manual_entry.html", entry=entry, pupil=pupil, revisions=record_service.revisions(entry))
    db.session.commit()
    return page


@bp.route("/chronology/entries/<uuid:entry_id>/edit", methods=["GET", "POST"])
@login_required
def manual_edit(entry_id):
    """Correct a manual entry; the change is kept and shown in its history. A save on top of someone
    else's is refused with what changed."""
    entry = get_or_404(ManualEntry, entry_id, action="edit")
    pupil = _pupil_of(entry)
    form = ManualEntryForm()
    conflict = None
    if request.method == "GET":
        form.show(record_service.details_of(entry))
        form.version.data = str(entry.version)
        record(Action.RECORD_VIEWED, object_type="manual_entry", object_id=entry.id, organisation_id=entry.organisation_id, details={"page": "edit"})
        db.session.commit()
    elif form.validate_on_submit():
        yours = form.details()
        if form.version.version != entry.version:
            conflict = _conflict(entry, yours, form)
        else:
            with locking.saving() as save:
                changes = record_service.change_manual_entry(entry, yours, actor_id=current_user.id)
            if save.stale:
                entry = get_or_404(ManualEntry, entry_id, action="edit")
                conflict = _conflict(entry, yours, form)
            else:
                if changes:
                    flash("The entry has been corrected. The change is kept in its history.", "success")
                else:
                    flash("No changes were made.")
                return redirect(url_for("casework.manual_entry", entry_id=entry.id))
    return render_template("casework/manual_form.html", form=form, pupil=pupil, entry=entry, conflict=conflict)


def _conflict(entry: ManualEntry, yours, form: ManualEntryForm) -> list[locking.Change]:
    """What someone else saved meanwhile; the person's words stay in the form, and the next save is made
    against the version saved now."""
    locking.stale_refused("manual_entry", entry.id)
    form.version.data = str(entry.version)
    changes = record_service.changes_between(record_service.details_of(entry), yours)
    return [locking.Change(label, saved, typed) for label, (saved, typed) in changes.items()]
