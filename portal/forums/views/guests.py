"""Partners invited into the DSL network (the network lead): inviting a partner agency's person (they are
told) and removing them. An invitation also ends with the person's partner role (``portal.forums.guests``).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from forms import choices
from portal.extensions import db
from portal.forums import queries, service
from portal.forums.blueprint import bp
from portal.forums.forms import GuestForm
from portal.forums.models import ForumGuest
from portal.forums.policy import network_lead
from portal.policies import deny_page, get_or_404, visible_query


@bp.route("/network/guests", methods=["GET", "POST"])
@login_required
def guests():
    if not network_lead(current_user):
        deny_page()
    candidates = queries.invitable_partners()
    organisations = queries.organisations_of({u.id for u in candidates})
    form = GuestForm()
    form.person.choices = choices([("", "Select a person")] + [(u.id, f"{u.full_name} ({organisations.get(u.id, 'partner agency')})") for u in candidates])
    if form.validate_on_submit():
        person = next((u for u in candidates if str(u.id) == form.person.data), None)
        if person is None:
            form.person.errors = ["Select a person from the list"]
        else:
            try:
                service.invite_guest(person, by_id=current_user.id)
                db.session.commit()
            except IntegrityError:  # invited by someone else at the same moment
                db.session.rollback()
                flash(f"{person.full_name} is already in the network.")
            else:
                flash(f"{person.full_name} has been invited to the DSL network and has been told.", "success")
            return redirect(url_for("forums.guests"))
    rows = db.session.execute(visible_query(ForumGuest).order_by(ForumGuest.created_at, ForumGuest.id)).unique().scalars().all()
    return render_template(
        "forums/guests.html",
        form=form,
        guests=rows,
        candidates=candidates,
        organisations={**organisations, **queries.organisations_of({g.user_id for g in rows})},
        names=queries.names_of({g.invited_by_id for g in rows}),
    )


@bp.route("/network/guests/<uuid:guest_id>/remove", methods=["POST"])
@login_required
def guest_remove(guest_id):
    guest = get_or_404(ForumGuest, guest_id, action="remove")
    name = guest.user.full_name if guest.user else "The person"
    service.remove_guest(guest)
    db.session.commit()
    flash(f"{name} has been removed from the DSL network.", "success")
    return redirect(url_for("forums.guests"))
