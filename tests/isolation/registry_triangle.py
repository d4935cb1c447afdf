"""Isolation declarations for the triangle's findings routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

#: People of the authority with no part in an assessment of school1 led by the assessor, with its DSL as a
#: collaborating member: staff and governors, the administrator, partners not added as members.
NOT_ON_ASSESSMENT = ("staff1", "governor1", "admin", "partner", "partner2")


def _assessment(app, side):
    from tests.assessments.triangle_support import make_assessment

    return {"assessment_id": make_assessment(app, side)}


def _assessor_finding(app, side):
    """A finding added by the lead assessor (the school's people may see it, not edit it)."""
    from tests.assessments.triangle_support import make_assessment, make_finding

    return {"finding_id": make_finding(app, side, make_assessment(app, side))}


def _finding_form(app, side):
    from tests.assessments.triangle_support import finding_form

    return finding_form(version="1")


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("assessments.triangle", "GET", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.finding_new", "GET", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.finding_new", "POST", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, data=_finding_form, other_school=("dsl2",)),
    # Only the author or someone who runs the assessment edits a finding: the school's DSL and head see
    # the assessor's finding but get 403.
    RouteIsolation("assessments.finding_edit", "GET", "assessor", _assessor_finding, refused=NOT_ON_ASSESSMENT + ("dsl1", "head1"), other_school=("dsl2",)),
    RouteIsolation(
        "assessments.finding_edit",
        "POST",
        "assessor",
        _assessor_finding,
        refused=NOT_ON_ASSESSMENT + ("dsl1", "head1"),
        data=_finding_form,
        other_school=("dsl2",),
    ),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {}
