"""Isolation declarations for the school assessment's survey routes (see ``registry.py`` for the fields)."""

from __future__ import annotations

import io

from tests.isolation.registry_triangle import NOT_ON_ASSESSMENT
from tests.isolation.route import RouteIsolation


def _assessor_survey(app, side):
    """A survey method added by the lead assessor: the school's people see its results, not import them."""
    from tests.assessments.test_methods import make_method
    from tests.assessments.triangle_support import make_assessment

    return {"method_id": make_method(app, side, make_assessment(app, side), kind="survey")}


def _survey_upload(app, side):
    """A valid CSV upload (a fresh stream for each request: the suite posts it once per person)."""
    content = b"Timestamp,I feel safe at school\r\n04/03/2026 09:12,Agree\r\n04/03/2026 09:13,Disagree\r\n"
    return {"file": (io.BytesIO(content), "survey.csv")}


def _upload(app, side):
    """A finished upload of the assessor's survey (its file imported): everyone who sees the method sees it."""
    from portal.assessments.models import AssessmentMethod, SurveyUpload
    from portal.extensions import db
    from portal.pupils.models import ImportStatus
    from tests.factories import _scope

    method_id = _assessor_survey(app, side)["method_id"]
    with _scope(app, side):
        method = db.session.get(AssessmentMethod, method_id)
        upload = SurveyUpload(
            organisation_id=side.school1,
            assessment_id=method.assessment_id,
            method_id=method_id,
            requested_by_id=side.assessor.id,
            status=ImportStatus.DONE,
            filename="survey.csv",
            respondents=2,
            questions=1,
        )
        db.session.add(upload)
        db.session.commit()
        return {"upload_id": upload.id}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("assessments.survey", "GET", "dsl1", _assessor_survey, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
    # Only the method's author or someone who runs the assessment imports: the school's DSL and head get 403.
    RouteIsolation(
        "assessments.survey", "POST", "assessor", _assessor_survey, refused=NOT_ON_ASSESSMENT + ("dsl1", "head1"), data=_survey_upload, other_school=("dsl2",)
    ),
    # An upload's page (its progress, counts and problems): everyone who sees the method, as its results.
    RouteIsolation("assessments.survey_upload", "GET", "dsl1", _upload, refused=NOT_ON_ASSESSMENT, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
#: The example file: those who may see school assessments (the roles of ``assessments.index``).
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("assessments.survey_example", "GET"): ("dsl1", "head1", "dsl2", "front_door", "assessor", "partner", "partner2"),
}
