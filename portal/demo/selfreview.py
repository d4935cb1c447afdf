"""Demo self-review: Oakfield's head part-way through the twelve practical tips this school year (ratings,
evidence, two actions in the development plan, one of them overdue), and the school's training and review
dates (the governors' training more than a year ago), so the governor report has something to show. No
child is named."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

#: (question, rating, evidence) for the questions the head has rated so far.
RATINGS = (
    ("tip-01", "green", "The DSL's photo and name are on posters in every classroom and in the entrance hall."),
    ("tip-02", "amber", "Pupils in the survey could name a trusted adult; fewer could in Year 5."),
    ("tip-03", "green", "Whole-staff training in September; new staff trained at induction."),
    ("tip-04", "red", "Records of low-level concerns are kept in two places."),
    ("tip-05", "green", "Every concern is logged on the portal and reviewed by the DSL the same day."),
    ("tip-06", "amber", "Worry boxes in Key Stage 2; not yet in Key Stage 1."),
    ("tip-07", "green", "The PSHE curriculum covers healthy relationships in every year group."),
)


def seed_self_review(organisations: dict, users: dict) -> bool:
    """Add the demo self-review and dates for one authority (in its tenant scope) once. Returns whether it did."""
    from portal.clock import uk_today
    from portal.extensions import db
    from portal.partnership.models import ActionStatus
    from portal.selfreview import frameworks, service
    from portal.selfreview.models import DevelopmentAction, Rag, SchoolAssuranceRecord, SelfReview, SelfReviewAnswer

    if db.session.execute(select(func.count()).select_from(SelfReview)).scalar_one():
        return False
    school = organisations["oakfield"]
    head = users["head.oakfield"]
    today = uk_today()
    framework = frameworks.get("practical-tips")
    review = SelfReview(
        organisation_id=school.id,
        framework=framework.key,
        framework_version=framework.version,
        academic_year=service.academic_year(today),
        started_by_id=head.id,
    )
    db.session.add(review)
    db.session.flush()
    for key, rating, evidence in RATINGS:
        db.session.add(SelfReviewAnswer(review_id=review.id, question_key=key, rating=Rag(rating), evidence=evidence, updated_by_id=head.id))
    db.session.add_all(
        [
            DevelopmentAction(
                review_id=review.id,
                question_key="tip-04",
                description="Move every record of a low-level concern onto the portal and close the paper log.",
                owner_user_id=users["dsl.oakfield"].id,
                due_on=today - timedelta(days=10),
                status=ActionStatus.IN_PROGRESS,
                created_by_id=head.id,
            ),
            DevelopmentAction(
                review_id=review.id,
                question_key="tip-06",
                description="Put worry boxes in the Key Stage 1 classrooms, with pictures for pupils who do not read yet.",
                owner_name="Key Stage 1 leader",
                due_on=today + timedelta(days=45),
                status=ActionStatus.NOT_STARTED,
                created_by_id=head.id,
            ),
        ]
    )
    db.session.add(
        SchoolAssuranceRecord(
            organisation_id=school.id,
            dsl_training_on=today - timedelta(days=420),
            staff_training_on=today - timedelta(days=75),
            governor_training_on=today - timedelta(days=400),
            policy_reviewed_on=today - timedelta(days=60),
            single_central_record_checked_on=today - timedelta(days=21),
            updated_by_id=head.id,
        )
    )
    db.session.flush()
    return True
