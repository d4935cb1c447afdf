"""Helpers for the disagreement tests: a decided referral (decided by a front-door officer of its own, so
that the world's front-door officer may review it), an answered request for advice, and disagreements
taken to a given point through the service."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import _scope, make_advice, make_pupil, make_referral
from tests.world import create_user

REASON = "The child told us again today that there is no food at home; early help has not engaged the family."


def decider(app, side):
    """A second front-door officer, who made the decision (the world's ``front_door`` reviews it)."""
    if "decider" not in side.people:
        side.people["decider"] = create_user(app, side.authority_id, f"decider@{side.slug}.example.org", "front_door", side.social_care)
    return side.people["decider"]


def decided_referral(app, side, *, pupil_id=None, school="school1", by="dsl1", closed=False):
    decider(app, side)
    pupil_id = pupil_id or make_pupil(app, side, school=school)
    steps = (("submit", by), ("acknowledge", "decider"), ("decide", "decider")) + ((("close", "decider"),) if closed else ())
    return make_referral(app, side, pupil_id, by=by, school=school, steps=steps)


def answered_advice(app, side, *, named=True):
    from portal.advice.models import AdviceOutcome, AdviceRequest
    from portal.advice.service import answer
    from portal.extensions import db
    from portal.vocabulary import Level

    person = decider(app, side)
    advice_id = make_advice(app, side, make_pupil(app, side) if named else None)
    with _scope(app, side, person):
        advice = db.session.execute(select(AdviceRequest).where(AdviceRequest.id == advice_id)).unique().scalar_one()
        answer(advice, actor_id=person.id, outcome=AdviceOutcome.NO_FURTHER_ACTION, text="Manage this within school for now.", level=Level.UNIVERSAL)
        db.session.commit()
    return advice_id


def raise_on(app, side, *, referral_id=None, advice_id=None, by="dsl1"):
    """A disagreement raised through the service; returns its id."""
    from portal.advice.models import AdviceRequest
    from portal.disagreements import service
    from portal.extensions import db
    from portal.referrals.models import Referral

    person = side.people[by]
    with _scope(app, side, person):
        model, wanted = (Referral, referral_id) if referral_id else (AdviceRequest, advice_id)
        subject = db.session.execute(select(model).where(model.id == wanted)).unique().scalar_one()
        disagreement = service.raise_disagreement(subject, actor_id=person.id, reason=REASON, wanted="A child-in-need assessment.")
        db.session.commit()
        return disagreement.id


def respond_as(
    app, side, disagreement_id, person, outcome: str, *, new_decision=None, new_level=None, body="We have looked again at the referral and the chronology."
):
    from portal.disagreements import service
    from portal.disagreements.models import Disagreement, StageOutcome
    from portal.extensions import db

    with _scope(app, side, person):
        disagreement = db.session.execute(select(Disagreement).where(Disagreement.id == disagreement_id)).unique().scalar_one()
        service.respond(disagreement, actor_id=person.id, outcome=StageOutcome(outcome), body=body, new_decision=new_decision, new_level=new_level)
        db.session.commit()


def escalate_as(app, side, disagreement_id, by="dsl1"):
    from portal.disagreements import service
    from portal.disagreements.models import Disagreement
    from portal.extensions import db

    person = side.people[by]
    with _scope(app, side, person):
        disagreement = db.session.execute(select(Disagreement).where(Disagreement.id == disagreement_id)).unique().scalar_one()
        service.escalate(disagreement, actor_id=person.id, why="The response does not deal with what the child told us.")
        db.session.commit()


def second_reviewer(app, side):
    """A third front-door officer (stage 2: neither the decider nor the stage 1 responder)."""
    if "reviewer2" not in side.people:
        side.people["reviewer2"] = create_user(app, side.authority_id, f"reviewer2@{side.slug}.example.org", "front_door", side.social_care)
    return side.people["reviewer2"]


def at_stage(app, side, stage: int, *, awaiting_school=False, advice=False):
    """A disagreement on a decided referral (or an answered request), open at ``stage`` (or, with
    ``awaiting_school``, upheld at it and waiting for the school)."""
    subject = {"advice_id": answered_advice(app, side)} if advice else {"referral_id": decided_referral(app, side)}
    disagreement_id = raise_on(app, side, **subject)
    responders = [side.front_door, second_reviewer(app, side)]
    for n in range(1, stage):
        respond_as(app, side, disagreement_id, responders[n - 1], "upheld")
        escalate_as(app, side, disagreement_id)
    if awaiting_school:
        person = responders[stage - 1] if stage < 3 else side.admin
        respond_as(app, side, disagreement_id, person, "upheld")
    return disagreement_id


def disagreement(app, side, disagreement_id):
    from portal.disagreements.models import Disagreement
    from tests.world import load

    return load(app, Disagreement, disagreement_id, side.authority_id)
