"""Isolation declarations for the school assessment's plan routes (see ``registry.py`` for the fields).

The assessment is of school1, led by the assessor, with its DSL as a collaborating member. Everyone working
on it sees the plan, adds actions and records the review, the school included; an action is updated by its
owner or by those who run the assessment: the school's DSL and head get 403 for an action they do not own.
"""

from __future__ import annotations

from datetime import date

from tests.isolation.registry_triangle import NOT_ON_ASSESSMENT
from tests.isolation.route import RouteIsolation


def _assessment(app, side):
    from tests.assessments.triangle_support import make_assessment

    return {"assessment_id": make_assessment(app, side)}


def _action_of(owner: str):
    def target(app, side):
        from tests.assessments.test_plan import make_action
        from tests.assessments.triangle_support import make_assessment

        return {"action_id": make_action(app, side, make_assessment(app, side), owner=owner, due_on=date(2099, 1, 1))}

    return target


def _new_action(app, side):
    return {
        "description": "Staff on the corridor at every break",
        "domain": "guardianship",
        "owner": f"organisation:{side.school1}",
        "due_on": ["1", "1", "2099"],
    }


def _assessor_update(app, side):
    return {"owner": f"user:{side.assessor.id}", "status": "in_progress", "progress_note": "Started", "due_on": ["1", "1", "2099"], "version": "1"}


def _owner_update(app, side):
    return {"status": "in_progress", "progress_note": "Started", "due_on": ["1", "1", "2099"], "version": "1"}


def _review(app, side):
    return {"review_due_on": ["1", "7", "2099"], "what_changed": "Staff are on the corridor at every break.", "version": "0"}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("assessments.plan", "GET", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.action_new", "POST", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, data=_new_action, other_school=("dsl2",)),
    # An action the assessor owns: the school's DSL and head see it on the plan but may not update it.
    RouteIsolation("assessments.action_edit", "GET", "assessor", _action_of("assessor"), refused=NOT_ON_ASSESSMENT + ("dsl1", "head1"), other_school=("dsl2",)),
    RouteIsolation(
        "assessments.action_edit",
        "POST",
        "assessor",
        _action_of("assessor"),
        refused=NOT_ON_ASSESSMENT + ("dsl1", "head1"),
        data=_assessor_update,
        other_school=("dsl2",),
    ),
    # An action the DSL owns: they update it; the head (who neither owns it nor runs the assessment) may not.
    RouteIsolation(
        "assessments.action_edit", "POST", "dsl1", _action_of("dsl1"), refused=NOT_ON_ASSESSMENT + ("head1",), data=_owner_update, other_school=("dsl2",)
    ),
    RouteIsolation("assessments.review", "GET", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    RouteIsolation("assessments.review", "POST", "dsl1", _assessment, refused=NOT_ON_ASSESSMENT, data=_review, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {}
