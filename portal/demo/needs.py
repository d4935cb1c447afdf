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

#: What each earlier referral said, by the indicator ticked: (categories of harm, what happened).
ACCOUNTS = {
    "Persistent lateness or attendance below 90%": (
        ["neglect"],
        "Attendance 84% this term and late most Mondays; mum says mornings have been hard since dad left.",
    ),
    "Parent struggling to set boundaries": (
        ["neglect"],
        "Mum says she cannot get the child to bed or to school; out until late on several school nights.",
    ),
    "Persistent neglect despite early help": (
        ["neglect"],
        "Still arriving hungry and in the same clothes after six months of an early help plan; the plan has stalled.",
    ),
    "Low-level neglect: often hungry, tired or unkempt": (
        ["neglect"],
        "Often hungry at breakfast club and tired in class; uniform not washed for weeks.",
    ),
    "Injury with no credible explanation": (
        ["physical_abuse"],
        "A bruise on the cheek; the child told two members of staff different things about how it happened.",
    ),
    "Parental substance misuse, mental ill health or domestic abuse affecting the care of the child": (
        ["neglect", "domestic_abuse"],
        "Mum came to collect the child smelling of alcohol twice this month; the child says mum sleeps a lot in the day.",
    ),
    "Child at risk of or subject to sexual or criminal exploitation": (
        ["criminal_exploitation"],
        "Seen getting into cars with older young men after school; a new phone and clothes the child will not explain.",
    ),
    "Missing from school or home repeatedly": (["neglect"], "Reported missing from home twice this half term; found in the town centre each time."),
    "Disclosure of physical or sexual abuse": (["sexual_abuse"], "Told the class teacher that a relative touches them when babysitting."),
    "Emerging emotional or behavioural difficulties affecting learning": (
        ["emotional_abuse"],
        "Withdrawn and tearful in class since the summer; has stopped handing in work.",
    ),
    "Domestic abuse in which the child has been hurt or is in danger": (
        ["domestic_abuse", "physical_abuse"],
        "Says they were pushed over when they got between mum and her partner during an argument.",
    ),
    "Young carer: responsibilities at home affect attendance or wellbeing": (
        ["neglect"],
        "Looks after mum, who has multiple sclerosis, and a younger sister; misses school on mum's bad days.",
    ),
    "Family under stress: debt, housing difficulty or a parent's low mood": (
        ["neglect"],
        "The family faces eviction next month; mum told us she is not coping.",
    ),
}

#: The front door's reason, by the level it found.
REASONS = {
    "universal": "The school and universal services can meet these needs; no role for children's social care now. Keep monitoring and refer again if things change.",
    "early_help": "An early help assessment led by the school, with the family's agreement, is the right response. The early help hub will contact the family within five working days.",
    "child_in_need": "A child-in-need assessment (section 17) will start this week; a social worker will contact the school.",
    "child_protection": "A strategy discussion with the police is being held today; the school will be invited to contribute.",
}

#: Why the school's view differed from the level its ticks suggested, when it did.
VIEW_REASONS = {
    True: "The school sees the child every day and the pattern is getting worse, not better.",
    False: "The family has support from relatives, which the school thought would be enough.",
}

#: Earlier questions asked without naming the child, by the DSL's view (None: not sure), and the answers.
QUESTIONS = {
    None: "A Year 4 boy's attendance has dropped and mum seems low. We are not sure what level this is. What would you advise?",
    "universal": "A Year 6 girl is often tired; mum works nights. We think school support is enough. Do you agree?",
    "early_help": "A Year 3 boy is often hungry and his parents are separating. Would early help be the right step?",
    "child_in_need": "A Year 5 girl cares for her disabled dad and is missing school. Does this meet the threshold for a child-in-need assessment?",
}
ANSWERS = {
    "universal": "Keep supporting her in school and talk to mum about the night shifts; no referral is needed now.",
    "early_help": "Offer the family an early help assessment led by the school; the early help hub can advise on the plan.",
}

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
    from portal.casework import chronology
    from portal.casework.models import EntryKind
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.needs.models import AdviceNeedIndicator, ReferralNeedIndicator
    from portal.needs.service import current_guidance
    from portal.pupils.models import Pupil
    from portal.referrals.models import Consent, ParentsAware, Referral, ReferralDecision, ReferralStatus, ReferralTransition
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
    ORDER = [level.value for level in Level]
    now = utcnow()
    dsls = {"oakfield": users["dsl.oakfield"], "riverside": users["dsl.riverside"], "st-annes": users["dsl.oakfield"]}
    front_door = users["frontdoor"]
    added = 0
    for number, (school, view, found, texts, days) in enumerate(HISTORY):
        organisation = organisations[school]
        pupils = db.session.execute(select(Pupil).where(Pupil.organisation_id == organisation.id).order_by(Pupil.legal_surname, Pupil.id)).scalars().all()
        decided_at = now - timedelta(days=days)
        categories, account = ACCOUNTS[texts[0]]
        protection = found == "child_protection" or view == "child_protection"
        referral = Referral(
            organisation_id=organisation.id,
            pupil_id=pupils[-1 - number % 6].id,
            created_by_id=dsls[school].id,
            status=ReferralStatus.CLOSED,
            categories=categories,
            what_happened=account,
            parents_aware=ParentsAware.NO if protection else ParentsAware.YES,
            parents_not_aware_reason="Telling the family before the front door has spoken to the police could put the child at risk." if protection else None,
            consent=Consent.NOT_SOUGHT if protection else Consent.SOUGHT_GIVEN,
            consent_not_sought_reason="Asking for consent could put the child at risk or harm a police investigation." if protection else None,
            school_view_level=Level(view),
            school_view_reason=None if view == found else VIEW_REASONS[ORDER.index(view) > ORDER.index(found)],
            need_guidance_id=guidance.id,
            submitted_at=decided_at - timedelta(hours=20),
            due_at=decided_at + timedelta(hours=4),
            acknowledged_at=decided_at - timedelta(hours=18),
            acknowledged_by_id=front_door.id,
            decision=ReferralDecision(DECISIONS[found]),
            decision_level=Level(found),
            decision_reason=REASONS[found],
            decided_at=decided_at,
            decided_by_id=front_door.id,
            closed_at=decided_at + timedelta(days=20),
            last_feedback_at=decided_at + timedelta(days=20),
        )
        referral.created_at = decided_at - timedelta(days=1)
        db.session.add(referral)
        db.session.flush()
        for text in texts:
            db.session.add(ReferralNeedIndicator(referral_id=referral.id, indicator_id=by_text[text].id))
        # Its recorded steps, and its lines on the child's chronology, as the workflow would have made them.
        steps = [
            (None, ReferralStatus.SUBMITTED, dsls[school], referral.submitted_at, None, "Submitted by the school", [("What happened", account)]),
            (ReferralStatus.SUBMITTED, ReferralStatus.ACKNOWLEDGED, front_door, referral.acknowledged_at, None, "Acknowledged by the front door", []),
            (
                ReferralStatus.ACKNOWLEDGED,
                ReferralStatus.DECIDED,
                front_door,
                decided_at,
                REASONS[found],
                f"Referral decision: {referral.decision.label}",
                [("Decision", referral.decision.label), ("Level of need found", Level(found).label), ("Reason", REASONS[found])],
            ),
            (ReferralStatus.DECIDED, ReferralStatus.CLOSED, front_door, referral.closed_at, None, "Closed", []),
        ]
        for before, after, actor, at, comment, title, substance in steps:
            step = ReferralTransition(referral_id=referral.id, actor_id=actor.id, from_status=before or ReferralStatus.DRAFT, to_status=after, comment=comment)
            step.created_at = at
            db.session.add(step)
            chronology.add(
                pupil_id=referral.pupil_id,
                organisation_id=organisation.id,
                kind=EntryKind.REFERRAL,
                title=title,
                substance=chronology.lines(*substance),
                object_type="referral",
                object_id=referral.id,
                occurred_at=at,
                actor_id=actor.id,
            )
        added += 1
    for school, view, answer, days in ADVICE_HISTORY:
        answered_at = now - timedelta(days=days)
        advice = AdviceRequest(
            organisation_id=organisations[school].id,
            requested_by_id=dsls[school].id,
            question=QUESTIONS[view],
            categories=["neglect"],
            need_guidance_id=guidance.id,
            dsl_view_level=Level(view) if view else None,
            status=AdviceStatus.ANSWERED,
            taken_by_id=front_door.id,
            taken_at=answered_at - timedelta(hours=2),
            outcome=AdviceOutcome.EARLY_HELP if answer == "early_help" else AdviceOutcome.ADVICE_GIVEN,
            answer=ANSWERS[answer],
            answer_level=Level(answer),
            answered_by_id=front_door.id,
            answered_at=answered_at,
        )
        advice.created_at = answered_at - timedelta(hours=5)
        db.session.add(advice)
    db.session.flush()
    return added
