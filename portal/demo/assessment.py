"""Demo school assessment: Riverside Academy assessed by children's social care, with the school, at the
"plan agreed" stage — planning agreed, findings in each domain of the triangle, the methods behind them
(a survey among them, as imported tallies), a plan with actions by domain (one overdue) and a review date.
Every name is made up; no young person is named."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select


def seed_assessment(organisations: dict, users: dict) -> bool:
    """Add the demo assessment for one authority (in its tenant scope) once. Returns whether it did."""
    from portal.assessments import service
    from portal.assessments.models import (
        AssessmentFinding,
        AssessmentKind,
        AssessmentMember,
        AssessmentMemberRole,
        AssessmentMethod,
        AssessmentReview,
        AssessmentStage,
        AssessmentTrigger,
        Domain,
        MethodFinding,
        MethodKind,
        Rating,
        SchoolAssessment,
        SurveyAnswer,
        SurveyImport,
        SurveyQuestion,
    )
    from portal.clock import uk_today
    from portal.extensions import db
    from portal.partnership.models import PlanAction

    if db.session.execute(select(func.count()).select_from(SchoolAssessment)).scalar_one():
        return False
    school = organisations["riverside"]
    assessor, manager, police = users["assessor"], users["frontdoor"], users["police"]
    today = uk_today()
    assessment = service.open_assessment(
        school,
        kind=AssessmentKind.SCHOOL_ASSESSMENT,
        trigger=AssessmentTrigger.DIRECT_REQUEST,
        reason=(
            "Several reports this term of sexual harassment between Year 9 and Year 10 students, in the corridors "
            "and on the walk to the bus station; students say they do not report it because nothing happens."
        ),
        lead_id=assessor.id,
        actor_id=manager.id,
        details={"by": "demo seed"},
    )
    db.session.add(AssessmentMember(assessment_id=assessment.id, user_id=police.id, role=AssessmentMemberRole.PARTNER))
    assessment.planning = {
        "pathway": "The context panel oversees the assessment; the lead assessor reports to it each month.",
        "responsibility": "The contextual safeguarding team manager, with the head teacher for the school's part.",
        "conducts": "Jordan Reid (contextual safeguarding practitioner) with the school's designated safeguarding lead.",
        "collaboration": "Fortnightly meetings at the school; every finding is discussed with the DSL before it is written up.",
        "young_people_and_parents": "Focus groups with students in Years 9 and 10, a student survey, and a parents' evening session.",
        "individual_concerns": "Any concern about a child is passed to the DSL the same day and to the front door if it meets the threshold.",
        "after_the_plan": "The plan is reviewed with the school after a term; the context panel checks the actions are done.",
    }
    for stage in (AssessmentStage.FIELDWORK, AssessmentStage.ANALYSIS, AssessmentStage.PLAN_AGREED):
        service.move(assessment, stage, actor_id=assessor.id, comment=None)

    findings = {}
    for key, domain, rating, text, evidence, by in (
        (
            "bystanders",
            Domain.PUPIL_DEVELOPMENT,
            Rating.CONCERN,
            "Students see harassment as 'banter' and rarely step in.",
            "Student focus groups; survey answers.",
            assessor,
        ),
        (
            "mentors",
            Domain.PUPIL_DEVELOPMENT,
            Rating.STRENGTH,
            "A peer mentoring scheme that Year 7 and 8 students trust.",
            "Student focus groups.",
            users["dsl.riverside"],
        ),
        (
            "reporting",
            Domain.GUARDIANSHIP,
            Rating.SIGNIFICANT_CONCERN,
            "Students do not trust staff to act when they report harassment.",
            "Survey: 41 of 96 disagree that staff act.",
            assessor,
        ),
        (
            "dsl",
            Domain.GUARDIANSHIP,
            Rating.STRENGTH,
            "Staff know who the designated safeguarding lead is and how to pass on a worry.",
            "Staff focus group.",
            assessor,
        ),
        (
            "bus",
            Domain.ENVIRONMENT,
            Rating.CONCERN,
            "The walk to the bus station after school is unsupervised and students avoid it.",
            "Student mapping; police patrol records.",
            police,
        ),
        (
            "parents",
            Domain.ENVIRONMENT,
            Rating.STRENGTH,
            "Parents support the school's behaviour policy and want to help.",
            "Parents' evening session.",
            users["dsl.riverside"],
        ),
    ):
        row = AssessmentFinding(assessment_id=assessment.id, domain=domain, rating=rating, text=text, evidence=evidence, author_id=by.id)
        db.session.add(row)
        findings[key] = row
    db.session.flush()

    def method(kind, days_ago, participants, who, found, supports):
        row = AssessmentMethod(
            assessment_id=assessment.id,
            kind=kind,
            held_on=today - timedelta(days=days_ago),
            participants=participants,
            who_took_part=who,
            found=found,
            author_id=assessor.id,
        )
        db.session.add(row)
        db.session.flush()
        for key in supports:
            db.session.add(MethodFinding(method_id=row.id, finding_id=findings[key].id))
        return row

    method(
        MethodKind.FOCUS_GROUP_STUDENTS,
        30,
        14,
        "Year 9 and 10 students, girls and boys",
        "Harassment in corridors is common and seen as normal; peer mentors are trusted.",
        ["bystanders", "mentors"],
    )
    method(
        MethodKind.FOCUS_GROUP_STAFF,
        28,
        11,
        "Teachers and teaching assistants",
        "Staff know the DSL and the procedure, but are unsure what counts as harassment.",
        ["dsl"],
    )
    method(
        MethodKind.OBSERVATION,
        21,
        None,
        "Two assessors at the end of the school day",
        "No staff on the route to the bus station; groups gather at the underpass.",
        ["bus"],
    )
    survey = method(
        MethodKind.SURVEY,
        25,
        96,
        "Year 9 and 10 students (anonymous online survey)",
        "Most feel safe in lessons, far fewer in corridors and on the way home.",
        ["reporting", "bystanders"],
    )
    imported = SurveyImport(method_id=survey.id, respondents=96, filename="student-safety-survey.csv", imported_by_id=assessor.id)
    db.session.add(imported)
    db.session.flush()
    for position, (question, answers) in enumerate(
        (
            ("I feel safe at school", {"Agree": 58, "Not sure": 21, "Disagree": 17}),
            ("Staff act when I report something that worries me", {"Agree": 30, "Not sure": 25, "Disagree": 41}),
            ("Where do you feel least safe?", {"Corridors": 39, "On the way home": 33, "Toilets": 15, "Nowhere": 9}),
        )
    ):
        row = SurveyQuestion(import_id=imported.id, position=position, text=question, answered=sum(answers.values()), free_text=False)
        db.session.add(row)
        db.session.flush()
        for answer, count in answers.items():
            db.session.add(SurveyAnswer(question_id=row.id, answer=answer, count=count))

    for domain, description, owner, organisation, due in (
        (Domain.GUARDIANSHIP, "Training for all staff on recognising and responding to sexual harassment.", users["dsl.riverside"], None, 30),
        (Domain.GUARDIANSHIP, "Tell students, in assemblies, what happened after the reports they made this term.", users["dsl.riverside"], None, -3),
        (Domain.ENVIRONMENT, "Police and school staff presence at the bus station at the end of the school day.", None, organisations["police"], 14),
        (Domain.PUPIL_DEVELOPMENT, "Peer mentors trained to run sessions on healthy relationships with Years 9 and 10.", users["dsl.riverside"], None, 60),
    ):
        db.session.add(
            PlanAction(
                assessment_id=assessment.id,
                domain=domain,
                description=description,
                owner_user_id=owner.id if owner else None,
                owner_organisation_id=organisation.id if organisation else None,
                due_on=today + timedelta(days=due),
                created_by_id=assessor.id,
            )
        )
    db.session.add(AssessmentReview(assessment_id=assessment.id, review_due_on=today + timedelta(days=42), updated_by_id=assessor.id))
    service.add_note(
        assessment,
        body="The DSL has been open and keen to work together; the head wants the plan shared with governors.",
        assessor_only=False,
        author_id=assessor.id,
    )
    service.add_note(
        assessment, body="Assessor view: check whether the behaviour log under-records incidents in Year 10.", assessor_only=True, author_id=assessor.id
    )
    db.session.flush()
    return True
