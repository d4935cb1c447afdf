"""Demo levels of need: the indicators ticked on the demo referrals and the demo advice request (with the
DSL's view and the front door's answer level), and earlier referrals and advice requests of each school,
decided or answered over the last school year, so threshold calibration has figures to show."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

#: (school, the school's view, the front door's level, indicators ticked, days ago decided): a school
#: that tends to see more need than the front door finds (Riverside), one that agrees (Oakfield), and one
#: that tends to see less (St Anne's).
HISTORY = [
    ("oakfield", "early_help", "early_help", ["Persistent lateness or attendance below 90%"], 40),
    ("oakfield", "early_help", "early_help", ["Parent struggling to set boundaries"], 70),
    ("oakfield", "child_in_need", "child_in_need", ["Persistent neglect despite early help"], 95),
    ("oakfield", "early_help", "early_help", ["Low-level neglect: often hungry, tired or unkempt"], 130),
    ("oakfield", "child_protection", "child_protection", ["Injury with no credible explanation"], 160),
    ("oakfield", "early_help", "universal", ["Persistent lateness or attendance below 90%"], 200),
    ("oakfield", "child_in_need", "child_in_need", ["Parental substance misuse, mental ill health or domestic abuse affecting the care of the child"], 230),
    ("riverside", "child_protection", "child_in_need", ["Child at risk of or subject to sexual or criminal exploitation"], 30),
    ("riverside", "child_in_need", "early_help", ["Missing from school or home repeatedly"], 60),
    ("riverside", "child_in_need", "early_help", ["Persistent lateness or attendance below 90%"], 85),
    ("riverside", "child_protection", "child_protection", ["Disclosure of physical or sexual abuse"], 120),
    ("riverside", "child_in_need", "early_help", ["Emerging emotional or behavioural difficulties affecting learning"], 150),
    ("riverside", "child_protection", "child_in_need", ["Domestic abuse in which the child has been hurt or is in danger"], 190),
    ("riverside", "early_help", "early_help", ["Young carer: responsibilities at home affect attendance or wellbeing"], 220),
    ("st-annes", "early_help", "child_in_need", ["Low-level neglect: often hungry, tired or unkempt"], 45),
    ("st-annes", "universal", "early_help", ["Parent struggling to set boundaries"], 100),
    ("st-annes", "early_help", "early_help", ["Persistent lateness or attendance below 90%"], 140),
    ("st-annes", "early_help", "child_in_need", ["Family under stress: debt, housing difficulty or a parent's low mood"], 210),
]

#: The demo referrals made in ``casework.py``, by what they say: the indicators their DSL ticked.
TICKED = {
    "A pattern of neglect over three weeks": ["Low-level neglect: often hungry, tired or unkempt", "Persistent neglect despite early help"],
    "Filmed by older pupils": ["Emerging emotional or behavioural difficulties affecting learning"],
}

#: The demo advice request made in ``casework.py``, by its question: the indicators ticked, the DSL's
#: view (``None``: not sure) and the level the front door gave with its answer.
ADVICE_TICKED = {
    "Three neglect concerns in three weeks": (
        ["Low-level neglect: often hungry, tired or unkempt", "Family under stress: debt, housing difficulty or a parent's low mood"],
        None,
        "child_in_need",
    ),
}

#: (school, the DSL's view or None for "not sure", the front door's answer level, days ago answered):
#: earlier advice requests asked without naming the child.
ADVICE_HISTORY = [
    *[("oakfield", "early_help", "early_help", 20 + 9 * n) for n in range(5)],
    *[("riverside", "child_in_need", "early_help", 25 + 11 * n) for n in range(5)],
    *[("riverside", "early_help", "early_help", 30 + 13 * n) for n in range(5)],
    *[("st-annes", "universal", "early_help", 35 + 17 * n) for n in range(5)],
    ("st-annes", None, "early_help", 50),
    ("st-annes", None, "universal", 90),
]

DECISIONS = {
    "universal": "universal_services",
    "early_help": "early_help",
    "child_in_need": "child_in_need_assessment",
    "child_protection": "strategy_discussion",
}


def seed_needs(organisations: dict, users: dict) -> int:
    """Tick the demo referrals' indicators and add the earlier decided referrals (once). Returns how many
    referrals were added."""
    from portal.advice.models import AdviceOutcome, AdviceRequest, AdviceStatus
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.needs.models import AdviceNeedIndicator, ReferralNeedIndicator
    from portal.needs.service import current_guidance
    from portal.pupils.models import Pupil
    from portal.referrals.models import ParentsAware, Referral, ReferralDecision, ReferralStatus
    from portal.vocabulary import Level

    if db.session.execute(select(ReferralNeedIndicator.id).limit(1)).first():
        return 0
    guidance = current_guidance()
    by_text = {i.text: i for i in guidance.indicators}
    for referral in db.session.execute(select(Referral)).unique().scalars():
        for start, texts in TICKED.items():
            if referral.what_happened.startswith(start):
                referral.need_guidance_id = guidance.id
                for text in texts:
                    db.session.add(ReferralNeedIndicator(referral_id=referral.id, indicator_id=by_text[text].id))
    for advice in db.session.execute(select(AdviceRequest)).unique().scalars():
        for start, (texts, view, answer) in ADVICE_TICKED.items():
            if advice.question.startswith(start):
                advice.need_guidance_id = guidance.id
                advice.dsl_view_level = Level(view) if view else None  # the DSL was not sure: that is why they asked
                if advice.status == AdviceStatus.ANSWERED:
                    advice.answer_level = Level(answer)
                for text in texts:
                    db.session.add(AdviceNeedIndicator(advice_request_id=advice.id, indicator_id=by_text[text].id))
    now = utcnow()
    dsls = {"oakfield": users["dsl.oakfield"], "riverside": users["dsl.riverside"], "st-annes": users["dsl.oakfield"]}
    front_door = users["frontdoor"]
    added = 0
    for number, (school, view, found, texts, days) in enumerate(HISTORY):
        organisation = organisations[school]
        pupils = db.session.execute(select(Pupil).where(Pupil.organisation_id == organisation.id).order_by(Pupil.legal_surname, Pupil.id)).scalars().all()
        decided_at = now - timedelta(days=days)
        referral = Referral(
            organisation_id=organisation.id,
            pupil_id=pupils[-1 - number % 6].id,
            created_by_id=dsls[school].id,
            status=ReferralStatus.CLOSED,
            categories=["neglect"],
            what_happened="An earlier referral (demo history for threshold calibration).",
            parents_aware=ParentsAware.YES,
            school_view_level=Level(view),
            school_view_reason=None if view == found else "The school's knowledge of the family over several years.",
            need_guidance_id=guidance.id,
            submitted_at=decided_at - timedelta(hours=20),
            due_at=decided_at + timedelta(hours=4),
            acknowledged_at=decided_at - timedelta(hours=18),
            acknowledged_by_id=front_door.id,
            decision=ReferralDecision(DECISIONS[found]),
            decision_level=Level(found),
            decision_reason="Decided on the information given; see the assessment.",
            decided_at=decided_at,
            decided_by_id=front_door.id,
            closed_at=decided_at + timedelta(days=20),
            last_feedback_at=decided_at,
        )
        referral.created_at = decided_at - timedelta(days=1)
        db.session.add(referral)
        db.session.flush()
        for text in texts:
            db.session.add(ReferralNeedIndicator(referral_id=referral.id, indicator_id=by_text[text].id))
        added += 1
    for school, view, answer, days in ADVICE_HISTORY:
        answered_at = now - timedelta(days=days)
        advice = AdviceRequest(
            organisation_id=organisations[school].id,
            requested_by_id=dsls[school].id,
            question="An earlier request for advice without naming the child (demo history for threshold calibration).",
            categories=["neglect"],
            need_guidance_id=guidance.id,
            dsl_view_level=Level(view) if view else None,
            status=AdviceStatus.ANSWERED,
            taken_by_id=front_door.id,
            taken_at=answered_at - timedelta(hours=2),
            outcome=AdviceOutcome.EARLY_HELP if answer == "early_help" else AdviceOutcome.ADVICE_GIVEN,
            answer="Answered on the information given.",
            answer_level=Level(answer),
            answered_by_id=front_door.id,
            answered_at=answered_at,
        )
        advice.created_at = answered_at - timedelta(hours=5)
        db.session.add(advice)
    db.session.flush()
    return added
