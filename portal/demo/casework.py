"""Demo casework: fictional pupils on each school's register, and a few concerns, an advice request and
referrals at different stages, so every screen has something to show. Every name is made up."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

FORENAMES = ["Amelia", "Noah", "Olivia", "Leo", "Isla", "Oscar", "Ava", "Arthur", "Freya", "Muhammad", "Lily", "George", "Maya", "Theo", "Ruby", "Jack"]
SURNAMES = ["Ashdown", "Brightwell", "Calloway", "Dunmore", "Ellery", "Fairbairn", "Greaves", "Holloway", "Ingram", "Jessop", "Kettering", "Langley"]


def seed_casework(organisations: dict, users: dict) -> int:
    """Add demo casework for one authority (in its tenant scope) if its schools have no pupils yet.
    ``organisations``: key -> Organisation; ``users``: local part -> User. Returns pupils created."""
    from portal.advice.models import AdviceOutcome, AdviceRequest, AdviceStatus
    from portal.casework import chronology, record
    from portal.casework.models import ChronologyEntry, EntryKind, ManualKind
    from portal.clock import utcnow
    from portal.concerns.models import Concern, ConcernOutcome, ConcernStatus
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from portal.referrals.models import AgencyType, Consent, ParentsAware, PersonKind, Referral, ReferralAgency, ReferralDecision, ReferralPerson, YesNoNotKnown
    from portal.referrals.service import transition
    from portal.vocabulary import HarmCategory, Level, Urgency

    if db.session.execute(select(func.count()).select_from(Pupil)).scalar_one():
        return 0
    rng = random.Random(2026)
    created = 0
    pupils_by_school: dict[str, list] = {}
    for key in ("oakfield", "riverside", "st-annes"):
        school = organisations[key]
        secondary = key == "riverside"
        pupils = []
        for n in range(12):
            year = rng.randint(7, 11) if secondary else rng.randint(1, 6)
            born = date(2026 - year - 5, rng.randint(1, 12), rng.randint(1, 28))
            pupil = Pupil(
                organisation_id=school.id,
                legal_forename=FORENAMES[(n + len(key)) % len(FORENAMES)],
                legal_surname=SURNAMES[(n * 5 + len(key)) % len(SURNAMES)],
                date_of_birth=born,
                year_group=str(year),
                sen=n % 5 == 0,
                eal=n % 4 == 1,
                looked_after=n == 7,
                child_protection_plan=n == 3,
            )
            db.session.add(pupil)
            pupils.append(pupil)
            created += 1
        db.session.flush()
        pupils_by_school[key] = pupils

    oakfield = organisations["oakfield"]
    staff, dsl, front_door = users["staff.oakfield"], users["dsl.oakfield"], users["frontdoor"]
    now = utcnow()
    first = pupils_by_school["oakfield"][0]

    def concern(pupil, category, text, words, days_ago, *, triaged=False, urgent=False):
        item = Concern(
            organisation_id=oakfield.id,
            pupil_id=pupil.id,
            raised_by_id=staff.id,
            category=category,
            seen_or_heard=text,
            child_words=words,
            occurred_at=now - timedelta(days=days_ago, hours=2),
            location="Classroom",
            urgent=urgent,
        )
        item.created_at = now - timedelta(days=days_ago, hours=1)
        db.session.add(item)
        db.session.flush()
        chronology.add(
            pupil_id=pupil.id,
            organisation_id=oakfield.id,
            kind=EntryKind.CONCERN,
            title="Concern logged: Neglect" if category == "neglect" else "Concern logged",
            object_type="concern",
            object_id=item.id,
            occurred_at=item.created_at,
            actor_id=staff.id,
            substance=chronology.lines(
                ("What was seen or heard", text),
                ("What the child said, in their own words", words),
                ("Where it happened", item.location),
                ("Urgent", "Yes: the child may be at risk of harm now" if urgent else None),
            ),
        )
        if triaged:
            item.status = ConcernStatus.TRIAGED
            item.triaged_by_id = dsl.id
            item.triaged_at = item.created_at + timedelta(hours=3)
            item.action_taken = "Spoke with the class teacher; breakfast club place offered; will monitor."
            item.outcome = ConcernOutcome.MONITOR
            item.response_to_reporter = "Thank you. Please keep noting anything you see."
            chronology.add(
                pupil_id=pupil.id,
                organisation_id=oakfield.id,
                kind=EntryKind.TRIAGE,
                title="DSL triage: Keep monitoring in school",
                object_type="concern",
                object_id=item.id,
                occurred_at=item.triaged_at,
                actor_id=dsl.id,
                substance=chronology.lines(
                    ("Outcome", item.outcome.label),
                    ("Action taken, and why", item.action_taken),
                    ("What the person who logged it was told", item.response_to_reporter),
                ),
            )
        return item

    concern(
        first,
        "neglect",
        "Arrived without a coat in the rain and ate two breakfasts at breakfast club.",
        "Mum was asleep so I got myself ready.",
        20,
        triaged=True,
    )
    concern(first, "neglect", "Same uniform all week, unwashed; fell asleep in the afternoon.", None, 9, triaged=True)
    concern(first, "neglect", "Said there was no tea last night and asked to take fruit home.", "There's nothing in the cupboards.", 2)
    concern(
        pupils_by_school["oakfield"][4],
        "child_on_child",
        "Older pupils took a phone from the child at the gate and filmed them.",
        "They said they'd post it if I told.",
        1,
        urgent=True,
    )

    advice = AdviceRequest(
        organisation_id=oakfield.id,
        pupil_id=first.id,
        requested_by_id=dsl.id,
        question="Three neglect concerns in three weeks; mum says she is working nights. Does this meet the threshold for a referral, or is early help the right route?",
        categories=[HarmCategory.NEGLECT.value],
        urgency=Urgency.ROUTINE,
        status=AdviceStatus.ANSWERED,
        taken_by_id=front_door.id,
        taken_at=now - timedelta(days=1, hours=4),
        outcome=AdviceOutcome.PROCEED_TO_REFERRAL,
        answer="With the child's own account of no food at home and the pattern over three weeks, please refer so we can consider a child-in-need assessment.",
        answered_by_id=front_door.id,
        answered_at=now - timedelta(days=1, hours=3),
    )
    advice.created_at = now - timedelta(days=1, hours=6)
    db.session.add(advice)
    db.session.flush()
    chronology.add(
        pupil_id=first.id,
        organisation_id=oakfield.id,
        kind=EntryKind.ADVICE,
        title="Advice asked of the front door",
        object_type="advice_request",
        object_id=advice.id,
        occurred_at=advice.created_at,
        actor_id=dsl.id,
        substance=chronology.lines(("The question", advice.question), ("How soon", advice.urgency.label)),
    )
    chronology.add(
        pupil_id=first.id,
        organisation_id=oakfield.id,
        kind=EntryKind.ADVICE,
        title="Front-door advice: Proceed to a referral",
        object_type="advice_request",
        object_id=advice.id,
        occurred_at=advice.answered_at,
        actor_id=front_door.id,
        substance=chronology.lines(("The front door's answer", advice.answer)),
    )
    answered = (
        db.session.execute(select(ChronologyEntry).where(ChronologyEntry.object_id == advice.id).order_by(ChronologyEntry.occurred_at.desc())).scalars().first()
    )

    def referral(pupil, categories, text, level, steps, household=(), **answers):
        item = Referral(
            organisation_id=oakfield.id,
            pupil_id=pupil.id,
            created_by_id=dsl.id,
            categories=categories,
            what_happened=text,
            child_voice="There's never anything to eat.",
            parents_aware=ParentsAware.YES,
            school_view_level=level,
            **({"consent": Consent.SOUGHT_GIVEN} | answers),
        )
        db.session.add(item)
        db.session.flush()
        for row in household:
            row.referral_id = item.id
            db.session.add(row)
        db.session.flush()
        for action, actor, extra in steps:
            transition(item, action, actor_id=actor.id, **extra)
        return item

    # Ruby's younger brother, on the same school's register: her referral links to his record.
    brother = Pupil(
        organisation_id=oakfield.id,
        legal_forename="Jack",
        legal_surname=first.legal_surname,
        date_of_birth=date(2020, 9, 14),
        year_group="R",
    )
    db.session.add(brother)
    db.session.flush()
    created += 1
    surname = first.legal_surname
    referral(
        first,
        [HarmCategory.NEGLECT.value],
        "A pattern of neglect over three weeks (see chronology); the front door advised a referral.",
        Level.CHILD_IN_NEED,
        [("submit", dsl, {})],
        household=[
            ReferralPerson(
                kind=PersonKind.HOUSEHOLD,
                name=f"Dawn {surname}",
                relationship="Mother",
                date_of_birth=date(1992, 4, 3),
                lives_in_household=True,
                parental_responsibility=YesNoNotKnown.YES,
                contact_details="07700 900123",
                first_language="English",
            ),
            ReferralPerson(
                kind=PersonKind.HOUSEHOLD,
                name="Craig Sutton",
                relationship="Mum's partner",
                lives_in_household=True,
                parental_responsibility=YesNoNotKnown.NO,
                contact_details="Not known to the school",
            ),
            ReferralPerson(
                kind=PersonKind.SIBLING,
                name=brother.full_name,
                relationship="Brother",
                date_of_birth=brother.date_of_birth,
                school=oakfield.name,
                sibling_pupil_id=brother.id,
            ),
            ReferralAgency(
                agency_type=AgencyType.GP, professional_name="Dr Amir Shah", organisation="Oakfield Medical Centre", contact_details="0113 496 0000"
            ),
            ReferralAgency(agency_type=AgencyType.SCHOOL_NURSE, professional_name="Helen Price", organisation="School nursing team"),
        ],
        address="14 Larch Close\nOakfield",
        lives_with=f"Mum (Dawn {surname}), mum's partner Craig Sutton, and her brother Jack (Reception at Oakfield).",
        consent=Consent.NOT_SOUGHT,
        consent_not_sought_reason=f"Mum's partner may be the source of the harm; asking for consent before the front door has spoken to the family could put {first.legal_forename} at risk.",
    )
    # What happened outside the portal, recorded by the DSL; the advice and a conversation with the social
    # worker marked as significant events (the summary a conference would ask for).
    call = record.add_manual_entry(
        first,
        record.ManualDetails(
            ManualKind.PHONE_CALL,
            now - timedelta(days=6, hours=3),
            "Jo Marsh, family support worker (early help team)",
            "Mum has been working nights since the summer; the family is behind with rent. Jo will visit next week.",
            "DSL to share the school's concerns with Jo by email (done the same day).",
        ),
        actor_id=dsl.id,
    )
    record.add_manual_entry(
        first,
        record.ManualDetails(
            ManualKind.HOME_VISIT,
            now - timedelta(days=4, hours=5),
            "The DSL and the class teacher; mum",
            "The kitchen cupboards were almost empty and the electricity meter was on emergency credit. Mum was tired but welcoming.",
            "Food bank voucher given; breakfast club place confirmed.",
        ),
        actor_id=dsl.id,
    )
    db.session.flush()
    for line in (answered, db.session.execute(select(ChronologyEntry).where(ChronologyEntry.object_id == call.id)).scalar_one()):
        record.mark_significant(line, True, actor_id=dsl.id)
    referral(
        pupils_by_school["oakfield"][4],
        [HarmCategory.CHILD_ON_CHILD.value, HarmCategory.ONLINE_HARM.value],
        "Filmed by older pupils and threatened with the film being shared.",
        Level.EARLY_HELP,
        [
            ("submit", dsl, {}),
            ("acknowledge", front_door, {}),
            (
                "decide",
                front_door,
                {
                    "decision": ReferralDecision.EARLY_HELP,
                    "decision_level": Level.EARLY_HELP,
                    "comment": "Early help assessment with the school; police informed about the film.",
                },
            ),
        ],
    )
    return created
