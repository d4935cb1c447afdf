"""Isolation declarations for the methods and evidence routes of a school assessment (see ``registry.py``)."""

from __future__ import annotations

from tests.isolation.registry_triangle import NOT_ON_ASSESSMENT
from tests.isolation.route import RouteIsolation


def _assessment(app, side):
    from tests.assessments.triangle_support import make_assessment

    return {"assessment_id": make_assessment(app, side)}


def _assessor_method(app, side):
    """A method added by the lead assessor (the school's people may see it, not edit it)."""
    from tests.assessments.test_methods import make_method
    from tests.assessments.triangle_support import make_assessment

    return {"method_id": make_method(app, side, make_assessment(app, side))}


def _method_form(app, side):
    from tests.assessments.test_methods import method_form

    return method_form(version="1")


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("assessments.methods", "GET", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.method_new", "GET", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.method_new", "POST", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, data=_method_form, other_school=("dsl2",)),
    # Only the author or someone who runs the assessment edits a method: the school's DSL and head get 403.
    RouteIsolation("assessments.method_edit", "GET", "assessor", _assessor_method, refused=NOT_ON_ASSESSMENT + ("dsl1", "head1"), other_school=("dsl2",)),
    RouteIsolation(
        "assessments.method_edit",
        "POST",
        "assessor",
        _assessor_method,
        refused=NOT_ON_ASSESSMENT + ("dsl1", "head1"),
        data=_method_form,
        other_school=("dsl2",),
    ),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {}
