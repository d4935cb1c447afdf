"""Isolation declarations for the concerns module's routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

import uuid

from tests.isolation.registry import ADMIN_REFUSED  # defined before registry.py imports this module
from tests.isolation.route import RouteIsolation

#: Nobody outside the school's casework sees a concern (an administrator neither: separation of duties).
NOT_CASEWORK = ("governor1", "admin", "front_door", "assessor", "partner")


def _concern(app, side):
    """A concern logged by staff1 about a pupil of school1."""
    from tests.factories import make_concern, make_pupil

    return {"concern_id": make_concern(app, side, make_pupil(app, side), by="staff1")}


def _colleagues_concern(app, side):
    """A concern logged by another member of staff at school1 (not staff1)."""
    from portal.clock import utcnow
    from portal.concerns.models import Concern
    from portal.extensions import db
    from tenants import tenant_scope
    from tests.factories import make_pupil
    from tests.world import create_user

    colleague = create_user(app, side.authority_id, f"colleague-{uuid.uuid4().hex[:8]}@{side.slug}.example.org", "staff", side.school1)
    pupil_id = make_pupil(app, side)
    with app.app_context(), tenant_scope(side.authority_id, colleague.id):
        concern = Concern(
            organisation_id=side.school1,
            pupil_id=pupil_id,
            raised_by_id=colleague.id,
            category="neglect",
            seen_or_heard="No coat in the snow.",
            occurred_at=utcnow(),
        )
        db.session.add(concern)
        db.session.commit()
        return {"concern_id": concern.id}


def _triage_form(app, side):
    return {"action_taken": "Spoke to mum; school nurse to check in weekly.", "outcome": "monitor", "response_to_reporter": "", "version": "1"}


def _category(app, side):
    from portal.concerns.models import ConcernCategory
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        category = ConcernCategory(key=f"custom-knife-crime-{uuid.uuid4().hex[:8]}", label="Knife crime")
        db.session.add(category)
        db.session.commit()
        return {"category_id": category.id}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("concerns.detail", "GET", "dsl1", _concern, refused=NOT_CASEWORK, other_school=("dsl2",)),
    # The staff rule: a member of staff sees the concerns they logged, never a colleague's (404). Also
    # tested in tests/concerns/test_visibility.py.
    RouteIsolation("concerns.detail", "GET", "dsl1", _colleagues_concern, refused=("staff1",), other_school=("dsl2",)),
    RouteIsolation("concerns.detail", "GET", "staff1", _concern, refused=NOT_CASEWORK, other_school=("dsl2",)),
    # Triage is for the school's DSLs and head: staff1 may read the concern they logged (above) but not
    # triage it (403), nor a colleague's (404).
    RouteIsolation("concerns.triage", "GET", "dsl1", _concern, refused=("staff1",) + NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("concerns.triage", "POST", "dsl1", _concern, refused=("staff1",) + NOT_CASEWORK, other_school=("dsl2",), data=_triage_form),
    RouteIsolation("concerns.triage", "GET", "head1", _colleagues_concern, refused=("staff1",), other_school=("dsl2",)),
    RouteIsolation("concerns.category_archive", "POST", "admin", _category, refused=ADMIN_REFUSED),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("concerns.index", "GET"): ("staff1", "dsl1", "head1", "dsl2"),
    ("concerns.new", "GET"): ("staff1", "dsl1", "head1", "dsl2"),
    ("concerns.categories", "GET"): ("admin",),
}
