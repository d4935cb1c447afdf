"""The tablet pages of a safety map (``tablet``, ``tablet_image``): no sign-in.

The link itself is the permission: the authority is found by the slug in its path, everything else
happens inside that one authority's tenant context (with no user), and the link is found by the keyed
hash of its secret. It shows only its own map and the markers placed through it, to the one browser that
opened it first, until it expires, is turned off (by a facilitator, or because its maker was removed
from the summit) or the summit is closed; never in a browser signed in to the portal (the tablet is
handed to young people).
"""

from __future__ import annotations

import hmac

from flask import abort, current_app, flash, get_flashed_messages, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.security import keyed_hash
from portal.audit.service import record, record_now
from portal.authorities.models import Authority
from portal.clock import utcnow
from portal.extensions import db, limiter
from portal.summits import map_service
from portal.summits.actions import Action
from portal.summits.blueprint import maps_bp
from portal.summits.map_forms import TabletMarkerForm
from portal.summits.map_service import Grid, link_state, new_marker
from portal.summits.models import MapLink, MapMarker, SafetyMap, SafetySummit, SummitStatus
from portal.summits.views.common import image_response, markers, no_store
from tenants.context import platform_scope, tenant_scope

#: The cookie that says which browser claimed a tablet link (its value is stored only as a keyed hash).
DEVICE_COOKIE = "map_device"

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
    abort(no_store(make_response(page, status)))


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
        device_key = map_service.claim_link(link)
        if device_key is not None:
            db.session.commit()
            return db.session.execute(select(MapLink).where(MapLink.id == link.id)).scalar_one(), device_key
        db.session.rollback()  # another browser claimed it at the same moment
        link = db.session.execute(select(MapLink).where(MapLink.id == link.id)).scalar_one()
    presented = request.cookies.get(DEVICE_COOKIE, "")
    if link.device_hash is None or not presented or not hmac.compare_digest(keyed_hash(presented), link.device_hash):
        _refuse(link, "other_device", 403)
    return link, None


def _too_many(form, link: MapLink) -> bool:
    """The group may not add another marker now: say why, in the error summary and by the first field."""
    problem = map_service.tablet_marker_problem(link)
    if problem:
        form.square.errors.append(problem)
        record(Action.MAP_MARKER_LIMITED, object_type="map_link", object_id=link.id, details={})
        db.session.commit()
    return problem is not None


def _link_map(link: MapLink) -> SafetyMap:
    return db.session.execute(select(SafetyMap).where(SafetyMap.id == link.map_id)).scalar_one()


@maps_bp.route("/young-people/<authority_slug>/map/<secret>", methods=["GET", "POST"])
@tablet_rate_limit
def tablet(authority_slug, secret):
    """The map on a group's tablet: this map and this link's markers only, and the marker form."""
    authority_id = _authority_id(authority_slug)
    with tenant_scope(authority_id):
        link, device_key = _open_link(secret, claim=True)
        safety_map = _link_map(link)
        grid = Grid.of(safety_map)
        form = TabletMarkerForm(grid)
        if device_key is None and form.validate_on_submit() and not _too_many(form, link):
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
            map_service.place_marker(safety_map, marker)
            db.session.commit()
            flash(f"Your marker has been added to square {grid.label(marker.grid_column, marker.grid_row)}. You can add another.", "success")
            return no_store(redirect(request.path))
        html = render_template(
            "maps/tablet.html",
            safety_map=safety_map,
            link=link,
            grid=grid,
            # This link's markers only: never another group's.
            markers=markers(select(MapMarker).where(MapMarker.map_id == safety_map.id, MapMarker.link_id == link.id)),
            form=form,
            messages=get_flashed_messages(),
            image_url=url_for("maps.tablet_image", authority_slug=authority_slug, secret=secret, map_id=safety_map.id),
        )
        response = no_store(make_response(html))
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


@maps_bp.route("/young-people/<authority_slug>/map/<secret>/image/<map_id>")
@tablet_rate_limit
def tablet_image(authority_slug, secret, map_id):
    """The link's own map image, to the browser that claimed the link; any other map id is not found."""
    authority_id = _authority_id(authority_slug)
    with tenant_scope(authority_id):
        link, _ = _open_link(secret, claim=False)
        if str(link.map_id) != map_id:
            _refuse(link, "other_map", 404)
        return image_response(_link_map(link))
