"""Factories and read-backs for the school assessment workspace tests (and the isolation registry).

An assessment is opened through the service inside the authority's tenant context, as a direct request:
of school1, opened by the front door, led by the assessor; the school's DSL and head join as members.
"""

from __future__ import annotations

import uuid

from tests.factories import _scope
from tests.support import detached_rows


def make_assessment(
    app,
    side,
    *,
    lead: str | None = "assessor",
    opened_by: str = "front_door",
    school: str = "school1",
    members: dict[str, str] | None = None,
    stage: str | None = None,
) -> uuid.UUID:
    """An assessment; ``members`` maps person keys to extra member roles (``assessor``, ``partner``...)."""
    from portal.assessments.models import AssessmentKind, AssessmentMember, AssessmentMemberRole, AssessmentStage, AssessmentTrigger
    from portal.assessments.service import open_assessment
    from portal.authorities.models import Organisation
    from portal.extensions import db

    with _scope(app, side):
        assessment = open_assessment(
            db.session.get(Organisation, getattr(side, school)),
            kind=AssessmentKind.SCHOOL_ASSESSMENT,
            trigger=AssessmentTrigger.DIRECT_REQUEST,
            reason="Several Year 9 girls are being groomed by older men who wait at the gates.",
            lead_id=side.people[lead].id if lead else None,
            actor_id=side.people[opened_by].id,
        )
        for key, role in (members or {}).items():
            db.session.add(AssessmentMember(assessment_id=assessment.id, user_id=side.people[key].id, role=AssessmentMemberRole(role)))
        if stage:
            assessment.stage = AssessmentStage(stage)
        db.session.commit()
        return assessment.id


def make_note(app, side, assessment_id, body: str, *, by: str = "assessor", assessor_only: bool = False) -> uuid.UUID:
    from portal.assessments.models import AssessmentNote
    from portal.extensions import db

    with _scope(app, side):
        note = AssessmentNote(assessment_id=assessment_id, author_id=side.people[by].id, body=body, assessor_only=assessor_only)
        db.session.add(note)
        db.session.commit()
        return note.id


def give_duty(app, side, key: str, duty: str) -> None:
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db

    with _scope(app, side):
        db.session.add(AuthorityDuty(user_id=side.people[key].id, duty=Duty(duty)))
        db.session.commit()


def member_id(app, side, assessment_id, key: str) -> uuid.UUID:
    from portal.assessments.models import AssessmentMember

    [row] = rows(app, side, AssessmentMember, assessment_id=assessment_id, user_id=side.people[key].id)
    return row.id


def rows(app, side, model, **filters) -> list:
    return detached_rows(app, model, side.authority_id, **filters)


def assessment(app, side, assessment_id):
    from portal.assessments.models import SchoolAssessment
    from tests.world import load

    return load(app, SchoolAssessment, assessment_id, side.authority_id)
