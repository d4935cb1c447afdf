"""Isolation declarations for the pupils module's routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.factories import make_pupil
from tests.isolation.route import RouteIsolation

#: Staff see school1's pupils in lists (to log a concern) but may not open the record: 403.
REFUSED = ("staff1", "governor1", "admin", "front_door", "assessor", "partner")
CASEWORK = ("dsl1", "head1", "dsl2")


def _pupil(app, side):
    return {"pupil_id": make_pupil(app, side)}


def _pupil_form(app, side):
    return {
        "legal_forename": "Jordan",
        "legal_surname": "Example-Smith",
        "preferred_name": "Jo",
        "date_of_birth": ["14", "3", "2015"],
        "year_group": "6",
        "upn": "A123456789012",
        "flags": ["sen"],
        "version": "1",
    }


def _pupil_route(endpoint, method, data=None):
    return RouteIsolation(endpoint, method, "dsl1", _pupil, refused=REFUSED, data=data, other_school=("dsl2",))


def _import(app, side):
    """A finished register import of school1, uploaded by dsl1 (only they see it)."""
    from portal.extensions import db
    from portal.pupils.models import ImportStatus, PupilImport
    from tests.factories import _scope

    with _scope(app, side):
        upload = PupilImport(organisation_id=side.school1, requested_by_id=side.dsl1.id, status=ImportStatus.DONE, rows=2, added=2, updated=0, unchanged=0)
        db.session.add(upload)
        db.session.commit()
        return {"import_id": upload.id}


ENTRIES: list[RouteIsolation] = [
    # Only its uploader: the school's head too is refused (404).
    RouteIsolation("pupils.import_detail", "GET", "dsl1", _import, refused=(*REFUSED, "head1"), other_school=("dsl2",)),
    _pupil_route("pupils.detail", "GET"),
    _pupil_route("pupils.edit", "GET"),
    _pupil_route("pupils.edit", "POST", _pupil_form),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("pupils.index", "GET"): CASEWORK,
    ("pupils.new", "GET"): CASEWORK,
    ("pupils.import_csv", "GET"): CASEWORK,
    ("pupils.import_example", "GET"): CASEWORK,
}
