"""The organisers' plan of a summit, and the practitioners taking part in it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.clock import UK
from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.partnership import service as partnership
from portal.partnership.models import ParticipantRole
from portal.policies import get_or_404
from portal.summits import service
from portal.summits.blueprint import bp
from portal.summits.forms import ParticipantForm, PlanForm, RemoveParticipantForm, year_field_name
from portal.summits.models import SafetySummit
from portal.summits.views.common import conflict, practitioners, select_from, to_detail
from portal.summits.words import PLAN_LABELS, YEAR_GROUPS, plan_values, when_text, young_people_text
from portal.text import clean_text


def _typed_plan(form: PlanForm) -> dict:
    return {
        "title": (form.title.data or "").strip(),
        "when": when_text(form.starts_at, form.ends_at),
        "venue": clean_text(form.venue.data),
        "young_people": young_people_text(form.young_people),
        "consent_arranged": form.consent_arranged.data == "yes",
        "consent_notes": clean_text(form.consent_notes.data),
        "inclusion_and_safety": clean_text(form.inclusion_and_safety.data),
    }


def _fill_plan(form: PlanForm, summit) -> None:
    form.title.data = summit.title
    if summit.starts_at:
        start = summit.starts_at.astimezone(UK)
        form.day.data = start.date()
        form.start_time.data = start.strftime("%H:%M")
    if summit.ends_at:
        form.end_time.data = summit.ends_at.astimezone(UK).strftime("%H:%M")
    form.venue.data = summit.venue
    for year in YEAR_GROUPS:
        form[year_field_name(year)].data = (summit.young_people or {}).get(year) or None
    form.consent_arranged.data = "yes" if summit.consent_arranged else "no"
    form.consent_notes.data = summit.consent_notes
    form.inclusion_and_safety.data = summit.inclusion_and_safety
    form.version.data = str(summit.version)


@bp.route("/summits/<uuid:summit_id>/edit", methods=["GET", "POST"])
@login_required
def edit(summit_id):
    """Organisers edit the plan: name, date and times (UK time), venue, young people by year group,
    consent, and how it is made inclusive and safe."""
    summit = get_or_404(SafetySummit, summit_id, action="plan")
    form = PlanForm()
    if request.method == "GET":
        _fill_plan(form, summit)
    changes = None
    if form.validate_on_submit():
        if form.version.version != summit.version:
            changes = conflict("safety_summit", summit, plan_values(summit), _typed_plan(form), PLAN_LABELS, form)
        else:
            with saving() as save:
                service.save_plan(
                    summit,
                    title=form.title.data,
                    starts_at=form.starts_at,
                    ends_at=form.ends_at,
                    venue=form.venue.data,
                    young_people=form.young_people,
                    consent_arranged=form.consent_arranged.data == "yes",
                    consent_notes=form.consent_notes.data,
                    inclusion_and_safety=form.inclusion_and_safety.data,
                )
            if not save.stale:
                flash("The plan has been saved.", "success")
                return to_detail(summit.id)
            summit = get_or_404(SafetySummit, summit_id, action="plan")
            changes = conflict("safety_summit", summit, plan_values(summit), _typed_plan(form), PLAN_LABELS, form)
    return render_template("summits/plan.html", form=form, summit=summit, changes=changes)


@bp.route("/summits/<uuid:summit_id>/participants", methods=["GET", "POST"])
@login_required
def participants(summit_id):
    """Add practitioners attending (from social care, the host and the organisations that accepted) as
    organiser, facilitator or attendee; or remove them."""
    summit = get_or_404(SafetySummit, summit_id, action="plan")
    people = partnership.participants(summit)
    candidates = practitioners(summit)
    form = ParticipantForm()
    select_from(form.user, {str(k): v for k, v in candidates.items()}, "Choose a practitioner")
    if request.method == "POST" and "remove" in request.form:
        remove = RemoveParticipantForm()
        row = next((p for p in people if str(p.id) == remove.remove.data), None)
        if remove.validate_on_submit() and row is not None:
            name = row.user.full_name
            revoked = service.remove_person(summit, row, actor_id=current_user.id)
            db.session.commit()
            turned_off = {0: "", 1: " The tablet link they made has been turned off."}.get(
                revoked, f" The {revoked} tablet links they made have been turned off."
            )
            flash(f"{name} is no longer taking part.{turned_off}", "success")
        else:
            flash("That person is not taking part in this summit.")
        return redirect(url_for("summits.participants", summit_id=summit.id))
    if form.validate_on_submit():
        user_id = as_uuid(form.user.data)
        if user_id not in candidates:
            form.user.errors.append("Select a practitioner from the list")
        else:
            role = ParticipantRole(form.role.data)
            service.add_person(summit, user_id, role, actor_id=current_user.id)
            db.session.commit()
            flash(f"{candidates[user_id].split(',')[0]} is taking part as {role.label.lower()}.", "success")
            return redirect(url_for("summits.participants", summit_id=summit.id))
    return render_template("summits/participants.html", summit=summit, people=people, form=form, remove_form=RemoveParticipantForm(formdata=None))
