"""The network's shared resources: a library of documents (policy templates, training materials), each
with its versions, who uploaded each and when, and what changed.

The same attachment rules as everywhere else (``portal.casework.attachments``): the type is read from the
file's bytes, never its name; the size limit; the file kept outside the web root under a random name
(``portal.casework.files``), and served only through the policy check, as a download (audited).

Every member of the network adds resources; the person who added one, or the network lead, uploads a new
version, edits its details (with optimistic locking) or archives it. Archiving withdraws it: it leaves
the library's list and search, and its page and files are then for the person who added it and the network
lead only (a 404 for everyone else, even with the link).
"""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import locking
from portal.audit.service import record
from portal.casework import files
from portal.clock import uk_datetime
from portal.extensions import db
from portal.forums import queries, service
from portal.forums.actions import Action
from portal.forums.blueprint import bp
from portal.forums.forms import ArchiveForm, DetailsFields, DetailsForm, ResourceForm, VersionForm
from portal.forums.models import ForumCategory, ForumResource, ForumResourceVersion
from portal.forums.policy import members_only
from portal.model_base import as_uuid
from portal.policies import get_or_404, policy_for, visible_query
from portal.text import clean_text
from portal.uploads import download_name, max_size_label, safe_filename

#: What the file hint says (the types are the attachment rules' own).
FILE_HINT = "A PDF, Word, Excel, OpenDocument text, JPEG or PNG file, up to {limit}. The type is checked from the file itself, not its name."

#: Said with the identifiable-child check's matches when the form had a file: a browser never keeps it.
FILE_AGAIN = "Your file has not been uploaded yet: select it again before you select {button}."

#: The details a stale edit compares, with their labels.
DETAIL_LABELS = {"title": "Title", "description": "Description", "category": "Category"}


# Helpers -------------------------------------------------------------------------------------------


def _categories() -> list[ForumCategory]:
    """The network's open categories, in the lead's order."""
    return (
        db.session.execute(visible_query(ForumCategory).where(ForumCategory.archived_at.is_(None)).order_by(ForumCategory.position, ForumCategory.name))
        .scalars()
        .all()
    )


def _category_choices(form: DetailsFields, categories, current=None) -> None:
    pairs = [("", "No category")] + [(str(c.id), c.name) for c in categories]
    if current is not None and str(current.id) not in {value for value, _ in pairs}:
        pairs.append((str(current.id), f"{current.name} (archived)"))  # kept, so saving does not change it silently
    form.category.choices = pairs


def _category_of(resource: ForumResource) -> ForumCategory | None:
    if resource.category_id is None:
        return None
    return db.session.execute(visible_query(ForumCategory).where(ForumCategory.id == resource.category_id)).scalar_one_or_none()


def _file_hint() -> str:
    return FILE_HINT.format(limit=max_size_label())  # the limit as the refusal message says it


def _latest(resource_id) -> ForumResourceVersion | None:
    return db.session.execute(
        visible_query(ForumResourceVersion).where(ForumResourceVersion.resource_id == resource_id).order_by(ForumResourceVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def _versions(resource_id) -> list[ForumResourceVersion]:
    return (
        db.session.execute(
            visible_query(ForumResourceVersion).where(ForumResourceVersion.resource_id == resource_id).order_by(ForumResourceVersion.number.desc())
        )
        .scalars()
        .all()
    )


def _checked_text(*parts, filename: str | None = None) -> str:
    """What the identifiable-child check reads: the words typed, and the file's name as it would be shown
    (with underscores as spaces, so "Jordan_Example.pdf" reads as a name)."""
    words = [p for p in parts if p]
    if filename:
        words.append(safe_filename(filename).replace("_", " "))
    return "\n".join(words)


def _version_label(version: ForumResourceVersion | None) -> str:
    if version is None:
        return "(none)"
    who = queries.names_of([version.uploaded_by_id]).get(version.uploaded_by_id, "someone")
    return f"Version {version.number}: {version.filename}, uploaded by {who} on {uk_datetime(version.created_at)}"


# The library ---------------------------------------------------------------------------------------


@bp.route("/network/resources")
@login_required
@members_only
def resources():
    categories = _categories()
    chosen = as_uuid(request.args.get("category") or "")
    if chosen is not None and chosen not in {c.id for c in categories}:
        chosen = None
    query = visible_query(ForumResource).where(ForumResource.archived_at.is_(None))
    if chosen is not None:
        query = query.where(ForumResource.category_id == chosen)
    rows = db.session.execute(query.order_by(func.lower(ForumResource.title), ForumResource.id)).scalars().all()
    latest = {}
    if rows:
        newest = (
            select(ForumResourceVersion.resource_id, func.max(ForumResourceVersion.number).label("number"))
            .where(ForumResourceVersion.resource_id.in_([r.id for r in rows]))
            .group_by(ForumResourceVersion.resource_id)
            .subquery()
        )
        versions = (
            db.session.execute(
                visible_query(ForumResourceVersion).join(
                    newest, (newest.c.resource_id == ForumResourceVersion.resource_id) & (newest.c.number == ForumResourceVersion.number)
                )
            )
            .scalars()
            .all()
        )
        latest = {v.resource_id: v for v in versions}
    names = queries.names_of(v.uploaded_by_id for v in latest.values())
    shown = {r.category_id for r in rows if r.category_id}
    category_names = {c.id: c.name for c in categories} | (
        dict(db.session.execute(visible_query(ForumCategory).where(ForumCategory.id.in_(shown)).with_only_columns(ForumCategory.id, ForumCategory.name)).all())
        if shown
        else {}
    )  # an archived category still names its resources
    return render_template(
        "forums/resources.html",
        resources=rows,
        latest=latest,
        names=names,
        categories=categories,
        category_names=category_names,
        category_items=[{"value": "", "text": "All categories", "selected": chosen is None}]
        + [{"value": str(c.id), "text": c.name, "selected": c.id == chosen} for c in categories],
        chosen=chosen,
    )


@bp.route("/network/resources/new", methods=["GET", "POST"])
@login_required
@members_only
def resource_new():
    form = ResourceForm()
    _category_choices(form, _categories())
    matches = None
    if form.validate_on_submit():
        title, description, note = form.title.data.strip(), clean_text(form.description.data), clean_text(form.note.data)
        matches, may_save = form.check_child(_checked_text(title, description, note, filename=form.file.data.filename), current_user)
        if may_save:
            resource = service.add_resource(
                title=title,
                description=description,
                category_id=as_uuid(form.category.data or ""),
                upload=form.file.data,
                note=note,
                actor_id=current_user.id,
                matches=matches,
            )
            db.session.commit()
            flash(f"{resource.title} has been added to the shared resources.", "success")
            return redirect(url_for("forums.resource", resource_id=resource.id))
    return render_template(
        "forums/resource_new.html", form=form, file_hint=_file_hint(), matches=matches, file_again=FILE_AGAIN.format(button=form.submit.label.text)
    )


def _page(resource: ForumResource, *, version_form: VersionForm | None = None, changes=None, archive_stale: bool = False, matches=None):
    versions = _versions(resource.id)
    allows = policy_for(ForumResource).allows
    may_upload = allows(current_user, "new_version", resource)
    if version_form is None and may_upload:
        version_form = VersionForm(formdata=None, data={"latest": str(versions[0].number) if versions else "0"})
    archive_form = ArchiveForm(formdata=None, data={"version": str(resource.version)}) if allows(current_user, "archive", resource) else None
    names = queries.names_of([resource.created_by_id, *(v.uploaded_by_id for v in versions)])
    return render_template(
        "forums/resource.html",
        resource=resource,
        category=_category_of(resource),
        versions=versions,
        names=names,
        version_form=version_form if may_upload else None,
        archive_form=archive_form,
        may_edit=allows(current_user, "edit", resource),
        changes=changes,
        archive_stale=archive_stale,
        file_hint=_file_hint(),
        matches=matches,
        file_again=FILE_AGAIN.format(button="Upload the new version"),
    )


@bp.route("/network/resources/<uuid:resource_id>")
@login_required
def resource(resource_id):
    return _page(get_or_404(ForumResource, resource_id))


@bp.route("/network/resources/<uuid:resource_id>/versions", methods=["POST"])
@login_required
def resource_version_new(resource_id):
    resource = get_or_404(ForumResource, resource_id, action="new_version")
    form = VersionForm()
    if not form.validate_on_submit():
        return _page(resource, version_form=form)
    latest = _latest(resource.id)
    current = latest.number if latest else 0
    if form.latest.version != current:
        return _version_conflict(resource, form, latest)
    note = clean_text(form.note.data)
    matches, may_save = form.check_child(_checked_text(note, filename=form.file.data.filename), current_user)
    if not may_save:
        return _page(resource, version_form=form, matches=matches)
    try:
        version = service.add_resource_version(resource, form.file.data, note, current + 1, actor_id=current_user.id, matches=matches)
        db.session.commit()
    except IntegrityError:  # someone else uploaded the same version number at the same moment
        db.session.rollback()
        resource = get_or_404(ForumResource, resource_id, action="new_version")
        return _version_conflict(resource, form, _latest(resource.id))
    flash(f"Version {version.number} of {resource.title} has been uploaded.", "success")
    return redirect(url_for("forums.resource", resource_id=resource.id))


def _version_conflict(resource: ForumResource, form: VersionForm, latest: ForumResourceVersion | None):
    """Someone uploaded a newer version after this page was drawn: refuse (audited), show it, keep the note."""
    seen = None
    if form.latest.version:
        seen = db.session.execute(
            visible_query(ForumResourceVersion).where(ForumResourceVersion.resource_id == resource.id, ForumResourceVersion.number == form.latest.version)
        ).scalar_one_or_none()
    changes = [locking.Change("Latest version", _version_label(latest), _version_label(seen))]
    locking.stale_refused("forum_resource", resource.id)
    resource = get_or_404(ForumResource, resource.id)
    form.latest.data = str(latest.number) if latest else "0"
    form.file.errors.append("Check the version uploaded meanwhile, then select your file again if it is still needed")
    return _page(resource, version_form=form, changes=changes)


def _details(title, description, category_id, names: dict) -> dict:
    """The details as a stale edit compares them (the category by name)."""
    return {"title": title, "description": description, "category": names.get(category_id, "An archived category") if category_id else "No category"}


@bp.route("/network/resources/<uuid:resource_id>/edit", methods=["GET", "POST"])
@login_required
def resource_edit(resource_id):
    resource = get_or_404(ForumResource, resource_id, action="edit")
    current = _category_of(resource)
    data = None
    if request.method == "GET":
        data = {"title": resource.title, "description": resource.description, "category": str(resource.category_id or ""), "version": str(resource.version)}
    form = DetailsForm(data=data)
    categories = _categories()
    _category_choices(form, categories, current)
    names = {c.id: c.name for c in categories} | ({current.id: current.name} if current else {})
    changes = matches = None
    if form.validate_on_submit():
        chosen = as_uuid(form.category.data or "")
        yours = _details(form.title.data.strip(), clean_text(form.description.data), chosen, names)
        if form.version.version != resource.version:
            changes = _details_conflict(resource, form, yours, names)
        else:
            saved = _details(resource.title, resource.description, resource.category_id, names)
            fields = [name for name in DETAIL_LABELS if saved[name] != yours[name]]
            matches, may_save = form.check_child(_checked_text(yours["title"], yours["description"]), current_user)
            if may_save:
                with locking.saving() as save:
                    service.update_resource(
                        resource, title=yours["title"], description=yours["description"], category_id=chosen, fields=fields, matches=matches
                    )
                if save.stale:
                    resource = get_or_404(ForumResource, resource_id, action="edit")
                    changes, matches = _details_conflict(resource, form, yours, names), None
                else:
                    flash("The details have been saved." if fields else "Nothing was changed.", "success")
                    return redirect(url_for("forums.resource", resource_id=resource.id))
    return render_template("forums/resource_new.html", form=form, resource=resource, changes=changes, file_hint=None, matches=matches)


def _details_conflict(resource: ForumResource, form: DetailsForm, yours: dict, names: dict):
    """Refuse a stale edit: audited, what they typed kept, the next save made against the version now."""
    locking.stale_refused("forum_resource", resource.id)
    resource = get_or_404(ForumResource, resource.id)
    form.version.data = str(resource.version)
    return locking.what_changed(_details(resource.title, resource.description, resource.category_id, names), yours, DETAIL_LABELS)


@bp.route("/network/resources/<uuid:resource_id>/archive", methods=["POST"])
@login_required
def resource_archive(resource_id):
    resource = get_or_404(ForumResource, resource_id, action="archive")
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    stale = form.version.version != resource.version
    if not stale:
        with locking.saving() as save:
            service.archive_resource(resource)
        stale = save.stale
    if stale:  # changed since the page was drawn: show it as it is now, and archive only if still wanted
        locking.stale_refused("forum_resource", resource_id)
        return _page(get_or_404(ForumResource, resource_id), archive_stale=True)
    flash(f"{resource.title} has been archived. It is no longer listed in the shared resources.", "success")
    return redirect(url_for("forums.resources"))


@bp.route("/network/resource-versions/<uuid:version_id>/download")
@login_required
def resource_download(version_id):
    """The file of one version, to a member of the network; audited."""
    version = get_or_404(ForumResourceVersion, version_id, action="download")
    try:
        data = files.read(version.storage_key)
    except FileNotFoundError:
        abort(404)
    record(
        Action.FORUM_RESOURCE_DOWNLOADED,
        object_type="forum_resource_version",
        object_id=version.id,
        details={"resource": str(version.resource_id), "number": version.number},
    )
    db.session.commit()
    response = send_file(
        BytesIO(data), mimetype=version.content_type, as_attachment=True, download_name=download_name(version.filename, version.content_type), max_age=0
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
