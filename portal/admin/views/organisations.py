"""The organisations of the authority: the list, adding and editing one, archiving and restoring."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.admin import service
from portal.admin.blueprint import admin_only, bp
from portal.admin.forms import OrganisationForm
from portal.authorities.models import Organisation, OrganisationKind, SchoolPhase
from portal.extensions import db
from portal.locking import saving
from portal.policies import get_or_404, visible_query


@bp.route("/organisations")
@admin_only
def organisations():
    show_archived = request.args.get("archived") == "1"
    kind = request.args.get("kind") or None
    query = visible_query(Organisation).order_by(Organisation.kind, Organisation.name)
    if not show_archived:
        query = query.where(Organisation.archived_at.is_(None))
    if kind in {k.value for k in OrganisationKind}:
        query = query.where(Organisation.kind == OrganisationKind(kind))
    items = db.session.execute(query).scalars().all()
    return render_template("admin/organisations.html", items=items, show_archived=show_archived, kind=kind, kinds=list(OrganisationKind))


def _details(form: OrganisationForm) -> service.OrganisationDetails:
    return service.OrganisationDetails(
        name=form.name.data.strip(),
        kind=OrganisationKind(form.kind.data),
        urn=form.urn.data or None,
        phase=SchoolPhase(form.phase.data) if form.phase.data else None,
        contact_email=form.contact_email.data or None,
    )


def _urn_taken(form: OrganisationForm, organisation_id=None) -> bool:
    """Whether the URN typed is another organisation's (then said on the form)."""
    if form.urn.data and service.urn_in_use(form.urn.data, except_id=organisation_id):
        form.urn.errors.append("Another organisation in your authority already has this URN")
        return True
    return False


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_only
def organisation_new():
    form = OrganisationForm()
    if form.validate_on_submit() and not _urn_taken(form):
        organisation = service.create_organisation(_details(form))
        db.session.commit()
        flash(f"{organisation.name} has been added.", "success")
        return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<uuid:organisation_id>/edit", methods=["GET", "POST"])
@admin_only
def organisation_edit(organisation_id):
    organisation = get_or_404(Organisation, organisation_id, action="edit")
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = organisation.kind.value
        form.phase.data = organisation.phase.value if organisation.phase else ""
        form.version.data = str(organisation.version)
    conflict = None
    if form.validate_on_submit() and not _urn_taken(form, organisation.id):
        if form.version.version != organisation.version:
            conflict = organisation
        else:
            with saving() as save:
                service.update_organisation(organisation, _details(form))
            if save.stale:
                conflict = db.session.get(Organisation, organisation_id)
            else:
                flash(f"{organisation.name} has been updated.", "success")
                return redirect(url_for("admin.organisations"))
    if conflict is not None:
        # Keep what they typed; show what is saved now; the next save is made against the new version.
        form.version.data = str(conflict.version)
        form.form_errors.append("conflict")
    return render_template("admin/organisation_form.html", form=form, organisation=organisation, conflict=conflict)


@bp.route("/organisations/<uuid:organisation_id>/archive", methods=["POST"])
@admin_only
def organisation_archive(organisation_id):
    organisation = get_or_404(Organisation, organisation_id, action="archive")
    if service.archive_organisation(organisation):
        db.session.commit()
        flash(f"{organisation.name} has been archived. Its people keep their accounts; remove their roles if they have left.", "success")
    return redirect(url_for("admin.organisations"))


@bp.route("/organisations/<uuid:organisation_id>/restore", methods=["POST"])
@admin_only
def organisation_restore(organisation_id):
    organisation = get_or_404(Organisation, organisation_id, action="restore")
    if service.restore_organisation(organisation):
        db.session.commit()
        flash(f"{organisation.name} has been restored.", "success")
    return redirect(url_for("admin.organisations", archived="1"))
