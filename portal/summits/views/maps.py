"""Safety maps, signed in: uploading a map, the map with its markers (placed with a mouse, touch, the
keyboard, or a grid square without JavaScript) and the summary of areas marked unsafe, and the tablet
links facilitators make for groups.

Seed ("Neighbourhoods"): give students large maps of the local area and of their school to mark the
areas that feel safe or unsafe; ask young people to write down suggestions on how to make unsafe spaces
safer.

Every object goes through ``portal.policies``: a map is summit content (``SafetyMap``), markers are
placed by the summit's facilitators, links are made by facilitators and seen by their maker and the
organisers.
"""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.accounts.sessions import current_authority
from portal.clock import utcnow
from portal.extensions import db
from portal.model_base import as_uuid
from portal.policies import get_or_404, visible_query
from portal.qr import qr_svg
from portal.summits import map_service
from portal.summits.blueprint import maps_bp
from portal.summits.map_forms import LinkForm, MapUploadForm, MarkerForm
from portal.summits.map_service import Grid, expiry_choices, expiry_from, link_state, new_marker, unsafe_areas
from portal.summits.models import MapKind, MapLink, MapMarker, SafetyMap, SafetySummit, SummitActivity, SummitStatus
from portal.summits.policy import summit_facilitator, summit_organiser
from portal.summits.views.common import image_response, markers, no_store


def _summit_of(safety_map: SafetyMap) -> SafetySummit:
    return db.session.execute(select(SafetySummit).where(SafetySummit.id == safety_map.summit_id)).unique().scalar_one()


@maps_bp.route("/summits/<uuid:summit_id>/maps/new", methods=["GET", "POST"])
@login_required
def upload(summit_id):
    """An organiser uploads a map of the local area or a school floor plan."""
    summit = get_or_404(SafetySummit, summit_id, action="upload_map")
    activities = (
        db.session.execute(visible_query(SummitActivity).where(SummitActivity.summit_id == summit.id).order_by(SummitActivity.created_at))
        .unique()
        .scalars()
        .all()
    )
    form = MapUploadForm(activities)
    if form.validate_on_submit():
        safety_map = map_service.upload_map(
            summit,
            form.cleaned_image,
            activity_id=as_uuid(form.activity.data) if form.activity.data else None,
            title=form.title.data,
            kind=MapKind(form.kind.data),
            description=form.description.data,
            grid_columns=form.grid_columns.data,
            grid_rows=form.grid_rows.data,
            uploaded_by_id=current_user.id,
        )
        db.session.commit()
        flash("The map has been uploaded. Groups can now mark the places that feel safe or unsafe.", "success")
        return redirect(url_for("maps.detail", map_id=safety_map.id))
    return render_template("maps/upload.html", form=form, summit=summit)


@maps_bp.route("/maps/<uuid:map_id>/image")
@login_required
def image(map_id):
    """The map image, to someone who may see the summit's content."""
    return image_response(get_or_404(SafetyMap, map_id))


def _link_form(summit: SafetySummit, **kwargs) -> LinkForm:
    options, default = expiry_choices(summit.ends_at, utcnow())
    return LinkForm(options, default, prefix="link", **kwargs)


def _detail_page(safety_map: SafetyMap, *, marker_form: MarkerForm | None = None, link_form: LinkForm | None = None):
    summit = _summit_of(safety_map)
    grid = Grid.of(safety_map)
    facilitator = summit_facilitator(current_user, summit)
    placed = markers(visible_query(MapMarker).where(MapMarker.map_id == safety_map.id))
    links = []
    if facilitator:
        marker_form = marker_form or MarkerForm(grid, formdata=None)
        link_form = link_form or _link_form(summit, formdata=None)
        links = db.session.execute(visible_query(MapLink).where(MapLink.map_id == safety_map.id).order_by(MapLink.created_at.desc())).scalars().all()
    activity = None
    if safety_map.activity_id:
        activity = db.session.execute(visible_query(SummitActivity).where(SummitActivity.id == safety_map.activity_id)).unique().scalar_one_or_none()
    now = utcnow()
    return render_template(
        "maps/detail.html",
        safety_map=safety_map,
        summit=summit,
        activity=activity,
        grid=grid,
        markers=placed,
        areas=unsafe_areas(grid, placed),
        marker_form=marker_form if facilitator else None,
        link_form=link_form if facilitator else None,
        links=[(link, link_state(link, now, summit_closed=summit.status == SummitStatus.CLOSED)) for link in links],
        organiser=summit_organiser(current_user, summit),
        error_title=bool((marker_form and marker_form.errors) or (link_form and link_form.errors)),
    )


@maps_bp.route("/maps/<uuid:map_id>")
@login_required
def detail(map_id):
    """The map with every marker, the summary of areas marked unsafe, the table of markers, and for
    facilitators the marker form and the tablet links."""
    return _detail_page(get_or_404(SafetyMap, map_id))


@maps_bp.route("/maps/<uuid:map_id>/markers", methods=["POST"])
@login_required
def place(map_id):
    """A facilitator places a marker for a group."""
    safety_map = get_or_404(SafetyMap, map_id, action="place_marker")
    form = MarkerForm(Grid.of(safety_map))
    if not form.validate_on_submit():
        return _detail_page(safety_map, marker_form=form)
    marker = new_marker(
        safety_map,
        form.position,
        safety=form.safety.data,
        place=form.place.data,
        note=form.note.data,
        suggestion=form.suggestion.data,
        group_label=form.group_label.data,
        placed_by_id=current_user.id,
    )
    map_service.place_marker(safety_map, marker)
    db.session.commit()
    flash(f"Marker added to square {Grid.of(safety_map).label(marker.grid_column, marker.grid_row)}.", "success")
    return redirect(url_for("maps.detail", map_id=safety_map.id, _anchor="place-marker"))


@maps_bp.route("/maps/markers/<uuid:marker_id>/delete", methods=["POST"])
@login_required
def marker_delete(marker_id):
    """An organiser removes a marker (placed by mistake, or naming someone)."""
    marker = get_or_404(MapMarker, marker_id)
    safety_map = get_or_404(SafetyMap, marker.map_id, action="delete")
    square = map_service.remove_marker(safety_map, marker)
    db.session.commit()
    flash(f"The marker in square {square} has been removed.", "success")
    return redirect(url_for("maps.detail", map_id=safety_map.id, _anchor="markers"))


@maps_bp.route("/maps/<uuid:map_id>/links", methods=["POST"])
@login_required
def link_new(map_id):
    """A facilitator makes a one-time link for a group's tablet; it is shown once, with a QR code."""
    safety_map = get_or_404(SafetyMap, map_id, action="create_link")
    summit = _summit_of(safety_map)
    if summit.status == SummitStatus.CLOSED:
        flash("The summit is closed: tablet links can no longer be made for its maps.")
        return redirect(url_for("maps.detail", map_id=safety_map.id, _anchor="tablet-links"))
    form = _link_form(summit)
    if not form.validate_on_submit():
        return _detail_page(safety_map, link_form=form)
    expires_at = expiry_from(form.lasts.data, summit.ends_at, utcnow())
    link, secret = map_service.make_link(summit, safety_map, group_label=form.group_label.data, expires_at=expires_at, created_by_id=current_user.id)
    db.session.commit()
    # The portal's public address (as in emails), not the Host header of this request.
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("maps.tablet", authority_slug=current_authority().slug, secret=secret)
    html = render_template("maps/link_created.html", safety_map=safety_map, link=link, url=url, qr_svg=qr_svg(url))
    return no_store(make_response(html))


@maps_bp.route("/maps/links/<uuid:link_id>/revoke", methods=["POST"])
@login_required
def link_revoke(link_id):
    """Turn a tablet link off (the tablet was lost, or the session is over)."""
    link = get_or_404(MapLink, link_id, action="revoke")
    if link.revoked_at is None:
        map_service.revoke_link(link, utcnow())
        db.session.commit()
    flash(f"The tablet link for {link.group_label} has been turned off. It cannot be used again.", "success")
    return redirect(url_for("maps.detail", map_id=link.map_id, _anchor="tablet-links"))
