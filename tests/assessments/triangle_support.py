"""Factories for the triangle's tests: a school assessment of school1 with its members, and findings
(made through the models, inside the authority)."""

from __future__ import annotations

import uuid

from tests.factories import _scope

#: A finding's form with every answer.
FINDING = {
    "domain": "guardianship",
    "rating": "strength",
    "text": "Staff know who the designated safeguarding lead is and how to pass on a worry.",
    "evidence": "Focus group with twelve members of staff, 4 March.",
}


def make_assessment(app, side, *, lead: str | None = "assessor", school=("dsl1",), partners=(), school_name: str = "school1") -> uuid.UUID:
    """A school assessment opened directly by the front door, led by ``lead`` (an assessor member too),
    with collaborating members from the school and partner members."""
    from portal.assessments.models import AssessmentKind, AssessmentMember, AssessmentMemberRole, AssessmentTrigger, SchoolAssessment
    from portal.extensions import db

    with _scope(app, side, side.front_door):
        assessment = SchoolAssessment(
            organisation_id=getattr(side, school_name),
            kind=AssessmentKind.SCHOOL_ASSESSMENT,
            trigger=AssessmentTrigger.DIRECT_REQUEST,
            reason="Harmful sexual behaviour between Year 9 pupils, reported by several parents.",
            lead_id=side.people[lead].id if lead else None,
            opened_by_id=side.front_door.id,
        )
        db.session.add(assessment)
        db.session.flush()
        members = [(lead, AssessmentMemberRole.ASSESSOR)] if lead else []
        members += [(key, AssessmentMemberRole.SCHOOL) for key in school] + [(key, AssessmentMemberRole.PARTNER) for key in partners]
        for key, role in members:
            db.session.add(AssessmentMember(assessment_id=assessment.id, user_id=side.people[key].id, role=role))
        db.session.commit()
        return assessment.id


def make_finding(
    app,
    side,
    assessment_id,
    *,
    by: str = "assessor",
    domain: str = "pupil_development",
    rating: str = "concern",
    text: str = "Name-calling in corridors goes unchallenged.",
    evidence: str = "Student survey, 120 replies.",
) -> uuid.UUID:
    from portal.assessments.models import AssessmentFinding, Domain, Rating
    from portal.extensions import db

    with _scope(app, side, side.people[by]):
        finding = AssessmentFinding(
            assessment_id=assessment_id, domain=Domain(domain), rating=Rating(rating), text=text, evidence=evidence, author_id=side.people[by].id
        )
        db.session.add(finding)
        db.session.commit()
        return finding.id


def finding_form(**changes) -> dict:
    return {**FINDING, **changes}
