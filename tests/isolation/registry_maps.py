"""Isolation declarations for the maps module's routes (see ``registry.py`` for the fields).

Every target is on a summit hosted by school1 to which the police partner (``partner``) was invited and
accepted: the partner may see the map, but is not a facilitator or an organiser. School2's DSL
(``dsl2``) and the health partner (``partner2``) are not in the summit.
"""

from __future__ import annotations

from io import BytesIO

from tests.isolation.route import RouteIsolation

#: People of the authority with no part in the summit (or no role that sees summits).
OUTSIDERS = ("staff1", "governor1", "admin", "partner2")
#: ... and the invited partner, who sees the map but may not change it.
NOT_FACILITATORS = OUTSIDERS + ("partner",)


def _summit(app, side):
    from tests.summits.map_support import summit_with_partner

    return {"summit_id": summit_with_partner(app, side)}


def _map(app, side):
    from tests.summits.map_support import map_with_partner

    return {"map_id": map_with_partner(app, side)}


def _marker(app, side):
    from tests.summits.map_support import make_marker, map_with_partner

    return {"marker_id": make_marker(app, side, map_with_partner(app, side))}


def _link(app, side):
    from tests.summits.map_support import make_link, map_with_partner

    return {"link_id": make_link(app, side, map_with_partner(app, side))[0]}


def _upload_form(app, side):
    from tests.summits.map_support import png_bytes

    return {
        "title": "Streets around the school",
        "kind": "neighbourhood",
        "description": "The streets between the school and the bus station; north is up.",
        "grid_columns": "8",
        "grid_rows": "6",
        "activity": "",
        "image": (BytesIO(png_bytes()), "map.png"),
    }


def _marker_form(app, side):
    return {"square": "C2", "safety": "unsafe", "place": "The underpass", "method": "grid"}


def _link_form(app, side):
    return {"link-group_label": "Group 2, Year 9", "link-lasts": "3"}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("maps.upload", "GET", "dsl1", _summit, refused=NOT_FACILITATORS, other_school=("dsl2",)),
    RouteIsolation("maps.upload", "POST", "dsl1", _summit, refused=NOT_FACILITATORS, data=_upload_form, other_school=("dsl2",)),
    RouteIsolation("maps.detail", "GET", "dsl1", _map, refused=OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation("maps.image", "GET", "dsl1", _map, refused=OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation("maps.place", "POST", "dsl1", _map, refused=NOT_FACILITATORS, data=_marker_form, other_school=("dsl2",)),
    RouteIsolation("maps.marker_delete", "POST", "dsl1", _marker, refused=NOT_FACILITATORS, other_school=("dsl2",)),
    RouteIsolation("maps.link_new", "POST", "dsl1", _map, refused=NOT_FACILITATORS, data=_link_form, other_school=("dsl2",)),
    RouteIsolation("maps.link_revoke", "POST", "dsl1", _link, refused=NOT_FACILITATORS, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {
    "maps.tablet": (
        "an anonymous tablet link: a secret (stored only as a keyed hash) and an authority slug, no sign-in. "
        "tests/summits/test_maps_tablet.py: works for its own map only, expires (410), revoked (410), its summit closed "
        "(410), one device, refused (403) in a browser signed in to the portal, another authority's slug 404 (an unknown "
        "secret is not written to any audit log), shows no other group's markers or summit content"
    ),
    "maps.tablet_image": "the tablet link's own map image only (another map's id 404; signed in 403): tests/summits/test_maps_tablet.py",
}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {}
