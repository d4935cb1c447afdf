"""Isolation declarations for the school assessment's report routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

from tests.isolation.registry_triangle import NOT_ON_ASSESSMENT
from tests.isolation.route import RouteIsolation


def _assessment(app, side):
    from tests.assessments.support import make_assessment

    return {"assessment_id": make_assessment(app, side)}


def _dsl_report(app, side):
    """A ready report asked for by the school's DSL: only they see and download it."""
    from tests.assessments.support import make_assessment
    from tests.assessments.test_report import make_report

    return {"report_id": make_report(app, side, make_assessment(app, side), by="dsl1")}


#: The lead assessor and the head work on the assessment but did not ask for the DSL's report.
NOT_THE_REQUESTER = NOT_ON_ASSESSMENT + ("assessor", "head1")

ENTRIES: list[RouteIsolation] = [
    RouteIsolation("assessments.reports", "GET", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.report_new", "POST", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.report_detail", "GET", "dsl1", _dsl_report, refused=NOT_THE_REQUESTER, other_school=("dsl2",)),
    RouteIsolation("assessments.report_download", "GET", "dsl1", _dsl_report, refused=NOT_THE_REQUESTER, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {}
