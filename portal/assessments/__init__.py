"""School assessments: the triangle workspace led by children's social care with the school (planning,
findings, methods and evidence, survey results, the plan and its review, the PDF report, the assessor's
dashboard)."""

from __future__ import annotations

from portal.contexts import CONTEXTUAL_ROLES
from portal.features import Feature, MenuEntry, holds


def _runs_assessments(user) -> bool:
    from portal.assessments.policy import may_open_dashboard

    return may_open_dashboard(user)


FEATURE = Feature(
    name="assessments",
    models=("portal.assessments.models",),
    pages=(
        "portal.assessments.views.workspace",
        "portal.assessments.views.dashboard",
        "portal.assessments.views.methods",
        "portal.assessments.views.plan",
        "portal.assessments.views.report",
        "portal.assessments.views.surveys",
        "portal.assessments.views.triangle",
    ),
    blueprints=("portal.assessments.blueprint:bp",),
    policy="portal.assessments.policy",
    jobs="portal.assessments.jobs",
    actions="portal.assessments.actions:Action",
    stored_files=("portal.assessments.reports:stored_files",),
    menu=(
        MenuEntry("School assessments", "assessments.index", 110, holds(*CONTEXTUAL_ROLES), current=("assessments.",), not_current=("assessments.dashboard",)),
        MenuEntry("Assessor's dashboard", "assessments.dashboard", 120, _runs_assessments, current=("assessments.dashboard",)),
    ),
)
