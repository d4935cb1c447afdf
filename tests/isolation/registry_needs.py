"""Isolation declarations for the levels-of-need routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

#: Everyone in the authority but its administrator.
ALL_BUT_ADMIN = ("staff1", "dsl1", "dsl2", "head1", "governor1", "front_door", "assessor", "partner")


def _guidance(app, side):
    from portal.extensions import db
    from portal.needs.service import current_guidance
    from tests.factories import _scope

    with _scope(app, side):
        version_id = current_guidance().id
        db.session.commit()
        return {"guidance_id": version_id}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("needs.guidance_version", "GET", "admin", _guidance, refused=ALL_BUT_ADMIN),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed. The
#: calibration page is the authority dashboard's: its administrator and the front-door managers (the
#: world names none, so the front door is refused there; tests/needs test a named manager).
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("needs.guidance", "GET"): ("admin",),
    ("needs.guidance_edit", "GET"): ("admin",),
    ("needs.calibration_page", "GET"): ("admin",),
}
