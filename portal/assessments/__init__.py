"""School assessments: the triangle workspace led by children's social care with the school (planning,
findings, methods and evidence, survey results, the plan and its review, the PDF report, the assessor's
dashboard)."""

from __future__ import annotations

from portal.contexts import CONTEXTUAL_ROLES
from portal.features import Feature, MenuEntry, holds


def _runs_assessments(user) -> bool:
    from portal.assessments.dashboard import may_open

    return may_open(user)


FEATURE = Feature(
    name="assessments",
    models=("portal.assessments.models",),
    pages=("portal.assessments.views",),
    blueprints=("portal.assessments.blueprint:bp",),
    policy="portal.assessments.policy",
    jobs="portal.assessments.jobs",
    actions="portal.assessments.actions:Action",
    menu=(
        MenuEntry("School assessments", "assessments.index", 110, holds(*CONTEXTUAL_ROLES), current=("assessments.",), not_current=("assessments.dashboard",)),
        MenuEntry("Assessor's dashboard", "assessments.dashboard", 120, _runs_assessments, current=("assessments.dashboard",)),
    ),
)
