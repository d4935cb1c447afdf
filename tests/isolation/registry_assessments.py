"""Isolation declarations for the school assessment workspace's routes (see ``registry.py`` for the fields).

The assessment is of school1, opened by the front door and led by the assessor; the school's DSL and
head are collaborating members, and the police partner is a partner member. Another school's DSL gets
404; a partner who is not a member (partner2) gets 404; a member without the right gets 403.
"""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

#: Same authority, no part in the assessment (404), and members who do not run it (403).
OUTSIDERS = ("staff1", "governor1", "admin", "partner2")
NOT_ASSESSORS = ("dsl1", "head1", "partner") + OUTSIDERS
EVERYONE_BUT_ADMIN = ("staff1", "dsl1", "dsl2", "head1", "governor1", "front_door", "assessor", "partner", "partner2")


def _assessment(app, side):
    from tests.assessments.support import make_assessment

    return {"assessment_id": make_assessment(app, side, members={"partner": "partner"})}


def _assessment_alone(app, side):
    """No partner member: the police partner has no part in it."""
    from tests.assessments.support import make_assessment

    return {"assessment_id": make_assessment(app, side)}


def _member(app, side):
    from tests.assessments.support import make_assessment, member_id

    assessment_id = make_assessment(app, side, members={"partner": "partner"})
    return {"assessment_id": assessment_id, "member_id": member_id(app, side, assessment_id, "head1")}


def _next_stage(app, side):
    return {"to": "fieldwork", "comment": ""}


def _person(app, side):
    return {"person": str(side.partner2.id)}


def _note(app, side):
    return {"body": "The school has agreed to run the staff focus group on Tuesday."}


def _planning(app, side):
    return {"version": "1", "responsibility": "The adolescent service manager"}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("assessments.detail", "GET", "partner", _assessment, refused=("staff1", "governor1", "admin", "partner2"), other_school=("dsl2",)),
    RouteIsolation("assessments.transition", "POST", "assessor", _assessment, refused=NOT_ASSESSORS, data=_next_stage, other_school=("dsl2",)),
    RouteIsolation("assessments.member_add", "POST", "assessor", _assessment, refused=NOT_ASSESSORS, data=_person, other_school=("dsl2",)),
    RouteIsolation("assessments.member_remove", "POST", "assessor", _member, refused=NOT_ASSESSORS, other_school=("dsl2",)),
    RouteIsolation(
        "assessments.note_new",
        "POST",
        "dsl1",
        _assessment_alone,
        refused=("staff1", "governor1", "admin", "partner", "partner2"),
        data=_note,
        other_school=("dsl2",),
    ),
    RouteIsolation("assessments.note_new", "POST", "partner", _assessment, refused=OUTSIDERS, data=_note, other_school=("dsl2",)),
    RouteIsolation("assessments.planning", "GET", "assessor", _assessment, refused=NOT_ASSESSORS, other_school=("dsl2",)),
    RouteIsolation("assessments.planning", "POST", "front_door", _assessment, refused=NOT_ASSESSORS, data=_planning, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("assessments.index", "GET"): ("dsl1", "head1", "dsl2", "front_door", "assessor", "partner", "partner2"),
    # Only front-door managers and context panel members (duties nobody holds in the test world): tests/assessments.
    ("assessments.new", "GET"): (),
}
