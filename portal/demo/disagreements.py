"""Demo disagreement: Oakfield's DSL disagrees with a decision of no further action on a referral, and the
disagreement waits at stage 1 for the front door's response (from Taylor Brooks: Dana Okafor made the
decision, so she does not review it)."""

from __future__ import annotations

from sqlalchemy import func, select


def seed_disagreements(organisations: dict, users: dict) -> bool:
    """Add the demo disagreement to one authority (in its tenant scope) once. Returns whether it did."""
    from portal.disagreements import service
    from portal.disagreements.models import Disagreement
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from portal.referrals.models import Consent, ParentsAware, Referral, ReferralDecision
    from portal.referrals.service import transition
    from portal.vocabulary import HarmCategory, Level

    if db.session.execute(select(func.count()).select_from(Disagreement)).scalar_one():
        return False
    oakfield = organisations["oakfield"]
    dsl, officer = users["dsl.oakfield"], users["officer.frontdoor"]
    pupils = db.session.execute(select(Pupil).where(Pupil.organisation_id == oakfield.id).order_by(Pupil.legal_surname, Pupil.legal_forename)).scalars().all()
    if len(pupils) < 7:
        return False
    referral = Referral(
        organisation_id=oakfield.id,
        pupil_id=pupils[6].id,
        created_by_id=dsl.id,
        categories=[HarmCategory.DOMESTIC_ABUSE.value, HarmCategory.EMOTIONAL_ABUSE.value],
        what_happened="Told her teacher that she hides in her room when her mum's partner shouts, and that he threw a plate last night. Police were called to the address last week.",
        child_voice="I don't like going home when he's there.",
        parents_aware=ParentsAware.YES,
        consent=Consent.SOUGHT_GIVEN,
        address="12 Brook Lane, Oakfield",
        lives_with="Mum, and (at weekends) mum's partner",
        school_view_level=Level.CHILD_IN_NEED,
    )
    db.session.add(referral)
    db.session.flush()
    transition(referral, "submit", actor_id=dsl.id)
    transition(referral, "acknowledge", actor_id=officer.id)
    transition(
        referral,
        "decide",
        actor_id=officer.id,
        decision=ReferralDecision.NO_FURTHER_ACTION,
        decision_level=Level.UNIVERSAL,
        comment="Mum has ended the relationship and the partner has moved out; no further action by children's social care. The school to keep monitoring.",
    )
    service.raise_disagreement(
        referral,
        actor_id=dsl.id,
        reason="The partner was seen collecting her from school on Monday and she says he still stays at weekends. The police call-out was the third this term.",
        wanted="A child-in-need assessment, or at least a strategy discussion with the police.",
    )
    return True
