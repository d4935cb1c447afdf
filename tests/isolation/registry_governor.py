"""Isolation declarations for the governor report and the school's training and review dates (see
``registry.py`` for the fields).

The report is the school's head's and governors' only; the dates are the head's to change (a governor reads
them in the report). The school's DSL and staff, the authority administrator, social care and partners
are refused; another school's DSL and head get 404."""

from __future__ import annotations

from tests.isolation.registry_selfreview import NOT_SELF_REVIEW, OTHER_SCHOOL, _head_of_school2
from tests.isolation.route import RouteIsolation


def _school(app, side):
    _head_of_school2(app, side)
    return {"organisation_id": side.school1}


def _dates_form(app, side):
    return {"dsl_training_on": ["4", "9", "2025"], "policy_reviewed_on": ["1", "9", "2026"], "version": "0"}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("selfreview.governor_report", "GET", "governor1", _school, refused=NOT_SELF_REVIEW, other_school=OTHER_SCHOOL),
    RouteIsolation("selfreview.governor_report_pdf", "GET", "governor1", _school, refused=NOT_SELF_REVIEW, other_school=OTHER_SCHOOL),
    RouteIsolation("selfreview.assurance_dates", "GET", "head1", _school, refused=NOT_SELF_REVIEW + ("governor1",), other_school=OTHER_SCHOOL),
    RouteIsolation(
        "selfreview.assurance_dates", "POST", "head1", _school, refused=NOT_SELF_REVIEW + ("governor1",), data=_dates_form, other_school=OTHER_SCHOOL
    ),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("selfreview.governor_start", "GET"): ("head1", "governor1"),
}
