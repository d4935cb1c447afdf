"""The front door takes and answers a request: each outcome, the school told and shown the answer, a
referral started from it, changing an answer, and two officers answering at once."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from portal.advice.models import AdviceOutcome, AdviceRequest, AdviceStatus
from portal.casework.models import ChronologyEntry
from tests.admin.pages import buttons, field_error, input_value, page_text
from tests.factories import make_advice, make_pupil
from tests.support import audit_events, sign_in
from tests.world import load

ANSWER = "Hold a meeting with the parents this week and keep a record of what the child says; ring us if it continues."


def _answer(client, advice_id, outcome="advice_given", answer=ANSWER, version=None, level="early_help"):
    if version is None:
        version = input_value(client.get(f"/advice/{advice_id}/answer"), "version")
    return client.post(f"/advice/{advice_id}/answer", data={"outcome": outcome, "answer_level": level, "answer": answer, "version": version})


@pytest.fixture
def named(app, world):
    """A waiting request from school1's DSL about a named pupil: (advice id, pupil id)."""
    pupil_id = make_pupil(app, world.a, legal_forename="Kai", legal_surname="Brennan")
    return make_advice(app, world.a, pupil_id), pupil_id


def test_front_door_takes_a_waiting_request(app, world, signed_in, named):
    """Can a front-door officer take a waiting request, is it audited, and do both sides see who has it?"""
    advice_id, _ = named
    officer = signed_in(world.a.front_door)
    assert "Take this request" in buttons(officer.get(f"/advice/{advice_id}"))
    response = officer.post(f"/advice/{advice_id}/take")
    assert response.status_code == 302
    saved = load(app, AdviceRequest, advice_id, world.a.authority_id)
    assert saved.status == AdviceStatus.TAKEN
    assert saved.taken_by_id == world.a.front_door.id and saved.taken_at is not None
    [event] = audit_events(app, world.a.authority_id, "advice.taken")
    assert (event.actor_id, event.object_id, event.details) == (world.a.front_door.id, str(advice_id), {})
    page = officer.get(response.headers["Location"])
    assert "You have taken this request" in page_text(page)
    assert "Take this request" not in buttons(page)

    school_page = page_text(signed_in(world.a.dsl1).get(f"/advice/{advice_id}"))
    assert "Being looked at" in school_page
    assert f"Taken by {world.a.front_door.full_name}" in school_page


def test_a_request_taken_by_someone_else_can_be_taken_over(app, world, signed_in, named, front_door2):
    """Does the page say who has a request, and can another officer take it over, saying whom from?"""
    advice_id, _ = named
    assert signed_in(front_door2).post(f"/advice/{advice_id}/take").status_code == 302
    officer = signed_in(world.a.front_door)
    page = officer.get(f"/advice/{advice_id}")
    assert "Sam Second took this request" in page_text(page)
    assert "Take this request over from Sam Second" in buttons(page)
    response = officer.post(f"/advice/{advice_id}/take")
    assert "You have taken this request over from Sam Second." in page_text(officer.get(response.headers["Location"]))
    assert load(app, AdviceRequest, advice_id, world.a.authority_id).taken_by_id == world.a.front_door.id
    events = audit_events(app, world.a.authority_id, "advice.taken")
    assert [e.actor_id for e in events] == [front_door2.id, world.a.front_door.id]
    assert events[1].details == {"previous_taken_by": str(front_door2.id)}


@pytest.mark.parametrize("outcome", list(AdviceOutcome), ids=lambda o: o.value)
def test_front_door_answers_with_each_outcome(app, world, signed_in, titles, named, outcome):
    """Is each outcome saved, audited, put on the child's chronology with the answer, told to the DSL who
    asked, and shown to them?"""
    advice_id, pupil_id = named
    officer = signed_in(world.a.front_door)
    officer.post(f"/advice/{advice_id}/take")
    response = _answer(officer, advice_id, outcome.value)
    assert response.status_code == 302
    saved = load(app, AdviceRequest, advice_id, world.a.authority_id)
    assert saved.status == AdviceStatus.ANSWERED
    assert (saved.outcome, saved.answer, saved.answered_by_id) == (outcome, ANSWER, world.a.front_door.id)
    [event] = audit_events(app, world.a.authority_id, "advice.answered")
    assert event.details == {"outcome": outcome.value, "answer_level": "early_help"}
    assert ANSWER not in str(event.details)

    advice_lines = [e for e in _chronology(app, world, pupil_id) if e.title.startswith("Front-door advice")]
    assert [(e.title, e.substance) for e in advice_lines] == [
        (
            f"Front-door advice: {outcome.label}",
            [{"label": "The front door's answer", "text": ANSWER}, {"label": "The front door's view of the level", "text": "Early help"}],
        )
    ]

    assert titles(world.a.dsl1) == ["The front door has answered your request for advice"]
    page = page_text(signed_in(world.a.dsl1).get(f"/advice/{advice_id}"))
    assert f"Outcome {outcome.label}" in page
    assert ANSWER in page
    assert f"Answered by {world.a.front_door.full_name}" in page
    assert "The front door's view of the level Early help" in page


def _chronology(app, world, pupil_id):
    from sqlalchemy import select

    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(world.a.authority_id):
        lines = (
            db.session.execute(select(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil_id).order_by(ChronologyEntry.occurred_at))
            .unique()
            .scalars()
            .all()
        )
        db.session.expunge_all()
        return lines


def test_answering_without_taking_first_takes_it_too(app, world, signed_in, named):
    """Does answering a waiting request record the officer as the one who took it?"""
    advice_id, _ = named
    assert _answer(signed_in(world.a.front_door), advice_id).status_code == 302
    assert load(app, AdviceRequest, advice_id, world.a.authority_id).taken_by_id == world.a.front_door.id


def test_an_anonymous_answer_goes_on_no_chronology(app, world, signed_in, rows, titles):
    """Is the answer to an anonymous consultation kept off every chronology, but still told to the DSL?"""
    make_pupil(app, world.a)
    advice_id = make_advice(app, world.a)
    assert _answer(signed_in(world.a.front_door), advice_id, "early_help").status_code == 302
    assert rows(ChronologyEntry, world.a.authority_id) == []
    assert titles(world.a.dsl1) == ["The front door has answered your request for advice"]


def test_an_answer_needs_an_outcome_and_text(app, world, signed_in, named):
    """Are a missing outcome and an empty answer refused next to their fields, with nothing saved?"""
    advice_id, _ = named
    officer = signed_in(world.a.front_door)
    response = _answer(officer, advice_id, outcome="", answer="  ", level="")
    assert response.status_code == 200
    assert field_error(response, "outcome") == "Select the outcome of your advice"
    assert field_error(response, "answer_level") == "Select the level of need the front door thinks this is"
    assert field_error(response, "answer") == "Enter your answer to the school"
    assert load(app, AdviceRequest, advice_id, world.a.authority_id).status == AdviceStatus.WAITING
    assert audit_events(app, world.a.authority_id, "advice.answered") == []


def test_changing_the_answer_is_recorded_and_told(app, world, signed_in, titles, named):
    """Can the front door change its answer, with the change audited, on the chronology, and told to the DSL?"""
    advice_id, pupil_id = named
    officer = signed_in(world.a.front_door)
    _answer(officer, advice_id, "advice_given")
    form = officer.get(f"/advice/{advice_id}/answer")
    assert "Change the answer" in page_text(form)
    assert ANSWER in form.get_data(as_text=True)
    assert _answer(officer, advice_id, "proceed_to_referral", "Having read the new information, please refer.").status_code == 302
    saved = load(app, AdviceRequest, advice_id, world.a.authority_id)
    assert (saved.outcome, saved.answer) == (AdviceOutcome.PROCEED_TO_REFERRAL, "Having read the new information, please refer.")
    assert [e.details for e in audit_events(app, world.a.authority_id, "advice.answered")] == [
        {"outcome": "advice_given", "answer_level": "early_help"},
        {"outcome": "proceed_to_referral", "answer_level": "early_help", "changed": "yes"},
    ]
    assert [e.title for e in _chronology(app, world, pupil_id) if e.title.startswith("Front-door")] == [
        "Front-door advice: Advice given",
        "Front-door advice: Proceed to a referral",
    ]
    assert titles(world.a.dsl1) == [
        "The front door has answered your request for advice",
        "The front door has changed its answer to your request for advice",
    ]


def test_a_stale_answer_is_refused_and_kept(app, world, signed_in, named, front_door2):
    """If another officer answers while one is writing, is the second answer refused with a clear message,
    keeping what they typed, and leaving the first answer saved?"""
    advice_id, _ = named
    officer = signed_in(world.a.front_door)
    version = input_value(officer.get(f"/advice/{advice_id}/answer"), "version")
    assert _answer(signed_in(front_door2), advice_id, "no_further_action", "No further action: universal services.").status_code == 302

    response = _answer(officer, advice_id, "early_help", "Please refer to early help.", version=version)
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this request" in text
    assert "No further action: universal services." in text  # what is saved now
    assert "Please refer to early help." in response.get_data(as_text=True)  # what they typed, kept
    saved = load(app, AdviceRequest, advice_id, world.a.authority_id)
    assert (saved.outcome, saved.answered_by_id) == (AdviceOutcome.NO_FURTHER_ACTION, front_door2.id)
    assert len(audit_events(app, world.a.authority_id, "advice.answered")) == 1

    # Sent again against the version now shown, it is saved.
    assert _answer(officer, advice_id, "early_help", "Please refer to early help.", version=input_value(response, "version")).status_code == 302
    assert load(app, AdviceRequest, advice_id, world.a.authority_id).outcome == AdviceOutcome.EARLY_HELP


def test_an_answered_request_is_not_taken_back(app, world, signed_in, named):
    """Does taking an answered request leave it answered?"""
    advice_id, _ = named
    officer = signed_in(world.a.front_door)
    _answer(officer, advice_id)
    response = officer.post(f"/advice/{advice_id}/take")
    assert "already been answered" in page_text(officer.get(response.headers["Location"]))
    assert load(app, AdviceRequest, advice_id, world.a.authority_id).status == AdviceStatus.ANSWERED


@pytest.fixture
def referral_app(app):
    return app


def _referral_href(app, advice_id) -> str:
    with app.test_request_context():
        return url_for("referrals.new", advice_request_id=advice_id)


def test_proceed_to_referral_offers_to_start_the_referral(app, world, referral_app, named):
    """When the front door advises a referral, does the DSL get a "Start the referral" link that opens the
    referral form from this request (and the front door not)?"""
    advice_id, _ = named
    officer = referral_app.test_client()
    sign_in(officer, world.a.front_door)
    assert _answer(officer, advice_id, "proceed_to_referral").status_code == 302

    dsl = referral_app.test_client()
    sign_in(dsl, world.a.dsl1)
    page = dsl.get(f"/advice/{advice_id}").get_data(as_text=True)
    href = _referral_href(referral_app, advice_id)
    assert f"advice_request_id={advice_id}" in href
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>\s*Start the referral\s*</a>', page)
    assert links == [href]
    assert "Start the referral" not in officer.get(f"/advice/{advice_id}").get_data(as_text=True)


def test_other_outcomes_offer_no_referral_link_and_an_anonymous_request_asks_for_the_child(app, world, referral_app, named):
    """Is there no referral link for another outcome; and for an anonymous consultation that ends in "proceed
    to a referral", a link to choose the child from the register and start the referral from this request?"""
    advice_id, _ = named
    anonymous_id = make_advice(app, world.a)
    officer = referral_app.test_client()
    sign_in(officer, world.a.front_door)
    _answer(officer, advice_id, "early_help")
    _answer(officer, anonymous_id, "proceed_to_referral")
    dsl = referral_app.test_client()
    sign_in(dsl, world.a.dsl1)
    assert "start the referral" not in page_text(dsl.get(f"/advice/{advice_id}")).lower()
    page = dsl.get(f"/advice/{anonymous_id}").get_data(as_text=True)
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>\s*Choose the child and start the referral\s*</a>', page)
    assert links == [_referral_href(referral_app, anonymous_id)]
    assert "You asked without naming the child: choose them from your school's register" in page_text(dsl.get(f"/advice/{anonymous_id}"))
    assert "start the referral" not in page_text(officer.get(f"/advice/{anonymous_id}")).lower()
