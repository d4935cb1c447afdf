"""Safety maps: upload, markers (mouse, touch, keyboard, or a grid square without JavaScript), the
anonymous tablet link, and the summary of areas marked unsafe.

Seed ("Neighbourhoods"): give students large maps of the local area and of their school to mark the
areas that feel safe or unsafe; ask young people to write down suggestions on how to make unsafe spaces
safer.

Signed-in pages go through ``portal.policies``: a map is summit content (``SafetyMap``), markers are
placed by the summit's facilitators, links are made by facilitators and seen by their maker and the
organisers.

The tablet pages (``tablet``, ``tablet_image``) need no sign-in. The link itself is the permission: the
authority is found by the slug in its path, everything else happens inside that one authority's tenant
context (with no user), and the link is found by the keyed hash of its secret. It shows only its own map
and the markers placed through it, to the one browser that opened it first, until it expires, is turned
off (by a facilitator, or because its maker was removed from the summit) or the summit is closed; never in
a browser signed in to the portal (the tablet is handed to young people).
"""

from __future__ import annotations

import hmac
import secrets

from flask import Blueprint, abort, current_app, flash, get_flashed_messages, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update

from portal.accounts.security import keyed_hash
from portal.accounts.sessions import current_authority
from portal.audit.service import record, record_now
from portal.authorities.models import Authority
from portal.casework import files
from portal.clock import utcnow
from portal.extensions import db, limiter
from portal.model_base import as_uuid
from portal.policies import get_or_404, visible_query
from portal.summits.actions import Action
from portal.summits.map_forms import LinkForm, MapUploadForm, MarkerForm, TabletMarkerForm
from portal.summits.map_service import Grid, expiry_choices, expiry_from, link_state, new_link, new_marker, revoke_link, unsafe_areas
from portal.summits.models import MapKind, MapLink, MapMarker, SafetyMap, SafetySummit, SummitActivity, SummitStatus
from portal.summits.policy import summit_facilitator, summit_organiser
from tenants.context import platform_scope, tenant_scope

bp = Blueprint("maps", __name__, template_folder="templates")

#: The cookie that says which browser claimed a tablet link (its value is stored only as a keyed hash).
DEVICE_COOKIE = "map_device"


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _image_response(safety_map: SafetyMap):
    try:
        data = files.read(safety_map.storage_key)
    except FileNotFoundError:
        abort(404)
    response = make_response(data)
    response.mimetype = safety_map.content_type
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


def _summit_of(safety_map: SafetyMap) -> SafetySummit:
    return db.session.execute(select(SafetySummit).where(SafetySummit.id == safety_map.summit_id)).unique().scalar_one()


def _markers(query) -> list[MapMarker]:
    return db.session.execute(query.order_by(MapMarker.created_at, MapMarker.id)).scalars().all()


# Uploading a map ----------------------------------------------------------------------------------------


@bp.route("/summits/<uuid:summit_id>/maps/new", methods=["GET", "POST"])
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
        image = form.cleaned_image
        key = files.new_key()
        files.write(key, image.data)
        safety_map = SafetyMap(
            summit_id=summit.id,
            activity_id=as_uuid(form.activity.data) if form.activity.data else None,
            title=form.title.data.strip(),
            kind=MapKind(form.kind.data),
            description=form.description.data.strip(),
            content_type=image.content_type,
            size_bytes=len(image.data),
            width=image.width,
            height=image.height,
            storage_key=key,
            grid_columns=form.grid_columns.data,
            grid_rows=form.grid_rows.data,
            uploaded_by_id=current_user.id,
        )
        db.session.add(safety_map)
        db.session.flush()
        record(
            Action.SAFETY_MAP_UPLOADED,
            object_type="safety_map",
            object_id=safety_map.id,
            organisation_id=summit.host_organisation_id,
            details={"summit_id": str(summit.id), "type": image.content_type, "bytes": len(image.data), "width": image.width, "height": image.height},
        )
        db.session.commit()
        flash("The map has been uploaded. Groups can now mark the places that feel safe or unsafe.", "success")
        return redirect(url_for("maps.detail", map_id=safety_map.id))
    return render_template("maps/upload.html", form=form, summit=summit)


@bp.route("/maps/<uuid:map_id>/image")
@login_required
def image(map_id):
    """The map image, to someone who may see the summit's content."""
    return _image_response(get_or_404(SafetyMap, map_id))


# The map page -------------------------------------------------------------------------------------------


def _link_form(summit: SafetySummit, **kwargs) -> LinkForm:
    options, default = expiry_choices(summit.ends_at, utcnow())
    return LinkForm(options, default, prefix="link", **kwargs)


def _detail_page(safety_map: SafetyMap, *, marker_form: MarkerForm | None = None, link_form: LinkForm | None = None):
    summit = _summit_of(safety_map)
    grid = Grid.of(safety_map)
    facilitator = summit_facilitator(current_user, summit)
    markers = _markers(visible_query(MapMarker).where(MapMarker.map_id == safety_map.id))
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
        markers=markers,
        areas=unsafe_areas(grid, markers),
        marker_form=marker_form if facilitator else None,
        link_form=link_form if facilitator else None,
        links=[(link, link_state(link, now, summit_closed=summit.status == SummitStatus.CLOSED)) for link in links],
        organiser=summit_organiser(current_user, summit),
        error_title=bool((marker_form and marker_form.errors) or (link_form and link_form.errors)),
    )


@bp.route("/maps/<uuid:map_id>")
@login_required
def detail(map_id):
    """The map with every marker, the summary of areas marked unsafe, the table of markers, and for
    facilitators the marker form and the tablet links."""
    return _detail_page(get_or_404(SafetyMap, map_id))


@bp.route("/maps/<uuid:map_id>/markers", methods=["POST"])
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
    _save_marker(safety_map, marker)
    flash(f"Marker added to square {Grid.of(safety_map).label(marker.grid_column, marker.grid_row)}.", "success")
    return redirect(url_for("maps.detail", map_id=safety_map.id, _anchor="place-marker"))


def _save_marker(safety_map: SafetyMap, marker: MapMarker) -> None:
    db.session.add(marker)
    db.session.flush()
    record(
        Action.MAP_MARKER_PLACED,
        object_type="map_marker",
        object_id=marker.id,
        details={
            "map_id": str(safety_map.id),
            "square": Grid.of(safety_map).label(marker.grid_column, marker.grid_row),
            "safety": marker.safety.value,
            "method": marker.method.value,
            **({"link_id": str(marker.link_id)} if marker.link_id else {}),
        },
    )
    db.session.commit()


@bp.route("/maps/markers/<uuid:marker_id>/delete", methods=["POST"])
@login_required
def marker_delete(marker_id):
    """An organiser removes a marker (placed by mistake, or naming someone)."""
    marker = get_or_404(MapMarker, marker_id)
    safety_map = get_or_404(SafetyMap, marker.map_id, action="delete")
    square = Grid.of(safety_map).label(marker.grid_column, marker.grid_row)
    db.session.delete(marker)
    record(Action.MAP_MARKER_REMOVED, object_type="map_marker", object_id=marker_id, details={"map_id": str(safety_map.id), "square": square})
    db.session.commit()
    flash(f"The marker in square {square} has been removed.", "success")
    return redirect(url_for("maps.detail", map_id=safety_map.id, _anchor="markers"))


# Tablet links (made by facilitators) ----------------------------------------------------------------------


@bp.route("/maps/<uuid:map_id>/links", methods=["POST"])
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
    link, secret = new_link(safety_map, group_label=form.group_label.data, expires_at=expires_at, created_by_id=current_user.id)
    db.session.add(link)
    db.session.flush()
    record(
        Action.MAP_LINK_CREATED,
        object_type="map_link",
        object_id=link.id,
        organisation_id=summit.host_organisation_id,
        details={"map_id": str(safety_map.id), "expires_at": expires_at.isoformat()},
    )
    db.session.commit()
    from portal.qr import qr_svg

    # The portal's public address (as in emails), not the Host header of this request.
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("maps.tablet", authority_slug=current_authority().slug, secret=secret)
    html = render_template("maps/link_created.html", safety_map=safety_map, link=link, url=url, qr_svg=qr_svg(url))
    return _no_store(make_response(html))


@bp.route("/maps/links/<uuid:link_id>/revoke", methods=["POST"])
@login_required
def link_revoke(link_id):
    """Turn a tablet link off (the tablet was lost, or the session is over)."""
    link = get_or_404(MapLink, link_id, action="revoke")
    if link.revoked_at is None:
        revoke_link(link, utcnow())
        db.session.commit()
    flash(f"The tablet link for {link.group_label} has been turned off. It cannot be used again.", "success")
    return redirect(url_for("maps.detail", map_id=link.map_id, _anchor="tablet-links"))


# The tablet pages (no sign-in) ----------------------------------------------------------------------------

#: Refusals (unknown, expired, turned off, summit closed, another device, signed in) per address: enough for
#: a room of tablets on one school network reloading an old link, too few to fill an authority's audit log or
#: to try secrets.
TABLET_REFUSALS = "60 per minute"


def _refused(response) -> bool:
    return response.status_code in (403, 404, 410)


tablet_rate_limit = limiter.limit(TABLET_REFUSALS, deduct_when=_refused)


def _authority_id(slug: str):
    """The authority a link's path names. The register of authorities is not tenant-owned; it is read in
    the platform scope, as the sign-in directory does, and nothing else is read there."""
    with platform_scope("anonymous map link: find the authority named in the link"):
        authority_id = db.session.execute(select(Authority.id).where(Authority.slug == slug)).scalar_one_or_none()
        db.session.rollback()
    if authority_id is None:
        abort(404)
    return authority_id


def _refuse(link: MapLink, reason: str, status: int):
    """Record the refusal of a real link in its authority's audit log, and answer with a page saying why
    (the answer ends the request)."""
    record_now(Action.MAP_LINK_REFUSED, object_type="map_link", object_id=link.id, details={"reason": reason})
    if status == 404:
        abort(404)
    page = render_template("maps/tablet_problem.html", reason=reason)
    abort(_no_store(make_response(page, status)))


def _summit_closed(link: MapLink) -> bool:
    status = db.session.execute(
        select(SafetySummit.status).join(SafetyMap, SafetyMap.summit_id == SafetySummit.id).where(SafetyMap.id == link.map_id)
    ).scalar_one()
    return status == SummitStatus.CLOSED


def _open_link(secret: str, *, claim: bool) -> tuple[MapLink, str | None]:
    """The link for ``secret`` in the authority in context, if it may be used by this browser now.

    An unknown secret is answered 404 and logged for the operators only: anyone who knows an authority's
    slug could otherwise write rows into its audit log. A browser signed in to the portal is refused: the
    tablet is handed to young people, so the portal must be signed out on it first. The first browser to
    open the link claims it: a random device key goes to that browser in a cookie and its keyed hash to the
    link. Returns the link and, when it was claimed just now, the key to set."""
    link = db.session.execute(select(MapLink).where(MapLink.token_hash == keyed_hash(secret))).scalar_one_or_none()
    if link is None:
        current_app.logger.warning(
            "Tablet map link refused: no such link in authority %s (from %s)", request.view_args.get("authority_slug"), request.remote_addr
        )
        abort(404)
    if current_user.is_authenticated:
        _refuse(link, "signed_in", 403)
    state = link_state(link, utcnow(), summit_closed=_summit_closed(link))
    if state != "active":
        _refuse(link, state, 410)
    if link.device_hash is None and claim:
        device_key = secrets.token_urlsafe(32)
        claimed = db.session.execute(
            update(MapLink)
            .where(MapLink.id == link.id, MapLink.device_hash.is_(None))
            .values(device_hash=keyed_hash(device_key), claimed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            record(Action.MAP_LINK_OPENED, object_type="map_link", object_id=link.id, details={"map_id": str(link.map_id)})
            db.session.commit()
            return db.session.execute(select(MapLink).where(MapLink.id == link.id)).scalar_one(), device_key
        db.session.rollback()  # another browser claimed it at the same moment
        link = db.session.execute(select(MapLink).where(MapLink.id == link.id)).scalar_one()
    presented = request.cookies.get(DEVICE_COOKIE, "")
    if link.device_hash is None or not presented or not hmac.compare_digest(keyed_hash(presented), link.device_hash):
        _refuse(link, "other_device", 403)
    return link, None


def _link_map(link: MapLink) -> SafetyMap:
    return db.session.execute(select(SafetyMap).where(SafetyMap.id == link.map_id)).scalar_one()


@bp.route("/young-people/<authority_slug>/map/<secret>", methods=["GET", "POST"])
@tablet_rate_limit
def tablet(authority_slug, secret):
    """The map on a group's tablet: this map and this link's markers only, and the marker form."""
    authority_id = _authority_id(authority_slug)
    with tenant_scope(authority_id):
        link, device_key = _open_link(secret, claim=True)
        safety_map = _link_map(link)
        grid = Grid.of(safety_map)
        form = TabletMarkerForm(grid)
        if device_key is None and form.validate_on_submit():
            marker = new_marker(
                safety_map,
                form.position,
                safety=form.safety.data,
                place=form.place.data,
                note=form.note.data,
                suggestion=form.suggestion.data,
                group_label=link.group_label,
                link_id=link.id,
            )
            _save_marker(safety_map, marker)
            flash(f"Your marker has been added to square {grid.label(marker.grid_column, marker.grid_row)}. You can add another.", "success")
            return _no_store(redirect(request.path))
        html = render_template(
            "maps/tablet.html",
            safety_map=safety_map,
            link=link,
            grid=grid,
            # This link's markers only: never another group's.
            markers=_markers(select(MapMarker).where(MapMarker.map_id == safety_map.id, MapMarker.link_id == link.id)),
            form=form,
            messages=get_flashed_messages(),
            image_url=url_for("maps.tablet_image", authority_slug=authority_slug, secret=secret, map_id=safety_map.id),
        )
        response = _no_store(make_response(html))
        if device_key is not None:
            response.set_cookie(
                DEVICE_COOKIE,
                device_key,
                max_age=max(60, int((link.expires_at - utcnow()).total_seconds())),
                path=request.path,
                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                httponly=True,
                samesite="Strict",
            )
        return response


@bp.route("/young-people/<authority_slug>/map/<secret>/image/<map_id>")
@tablet_rate_limit
def tablet_image(authority_slug, secret, map_id):
    """The link's own map image, to the browser that claimed the link; any other map id is not found."""
    authority_id = _authority_id(authority_slug)
    with tenant_scope(authority_id):
        link, _ = _open_link(secret, claim=False)
        if str(link.map_id) != map_id:
            _refuse(link, "other_map", 404)
        return _image_response(_link_map(link))
