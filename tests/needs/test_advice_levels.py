"""Levels of need on advice requests: the checklist on the request (kept with the guidance version it was
made under), the level suggested, the DSL's view (optional: "Not sure") and why it differs, what the
front door sees, its own view of the level with its answer, and the ticks carried to a referral."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from portal.advice.models import AdviceRequest
from portal.casework.models import ChronologyEntry
from portal.needs.models import AdviceNeedIndicator, NeedGuidance, NeedIndicator, ReferralNeedIndicator
from portal.referrals.models import Referral
from tests.admin.pages import input_value, page_text
from tests.contexts.support import row, rows
from tests.factories import _scope, make_pupil
from tests.needs.test_levels_of_need import NEW as NEW_VERSION
from tests.needs.test_levels_of_need import _indicator, _new_version_form
from tests.referrals.support import error_next_to
from tests.support import audit_events, signed_in_client

ASK = "/advice/new"
QUESTION = "Came in hungry four days this week and says mum sleeps all day. Is this early help or a referral?"
LATENESS = "Persistent lateness or attendance below 90%"
BOUNDARIES = "Parent struggling to set boundaries"
NEGLECT = "Persistent neglect despite early help"
INJURY = "Injury with no credible explanation"


def _ask(client, pupil_id, **fields):
    data = {"name_child": "yes", "pupil": str(pupil_id), "question": QUESTION, "categories": ["neglect"], "urgency": "routine"}
    data.update(fields)
    return client.post(ASK, data=data)


def _ticked(app, side, advice_id) -> list[str]:
    from portal.extensions import db

    with _scope(app, side):
        query = select(NeedIndicator.text).join(AdviceNeedIndicator).where(AdviceNeedIndicator.advice_request_id == advice_id).order_by(NeedIndicator.text)
        return list(db.session.execute(query).scalars())


def _asked(app, world, dsl, **fields) -> tuple[uuid.UUID, uuid.UUID]:
    """A named request with ``fields``: (advice id, pupil id)."""
    pupil_id = make_pupil(app, world.a, legal_forename="Kai", legal_surname="Brennan")
    response = _ask(dsl, pupil_id, **fields)
    assert response.status_code == 302, error_next_to(response.get_data(as_text=True), "dsl_view_reason")
    return uuid.UUID(response.headers["Location"].rsplit("/", 1)[1]), pupil_id


def test_the_checklist_is_saved_with_the_request_its_version_the_view_on_the_chronology_and_audited(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    page = page_text(dsl.get(ASK))
    assert "Levels of need" in page and "levels-of-need guidance (version 1)" in page and LATENESS in page
    assert "What level of need do you think this is? (optional)" in page and "Not sure" in page

    ticked = [_indicator(app, world.a, LATENESS), _indicator(app, world.a, NEGLECT)]
    advice_id, pupil_id = _asked(app, world, dsl, need_indicators=ticked, dsl_view_level="child_in_need")
    saved = row(app, world.a, AdviceRequest, advice_id)
    [v1] = rows(app, world.a, NeedGuidance)
    assert (saved.need_guidance_id, saved.dsl_view_level.value, saved.dsl_view_reason) == (v1.id, "child_in_need", None)
    assert _ticked(app, world.a, advice_id) == sorted([LATENESS, NEGLECT])

    [line] = [c for c in rows(app, world.a, ChronologyEntry, pupil_id=pupil_id) if c.object_id == advice_id]
    substance = {part["label"]: part["text"] for part in line.substance}
    assert substance["Levels-of-need indicators ticked"] == f"Early help: {LATENESS}; Child in need: {NEGLECT}"
    assert substance["The DSL's view of the level"] == "Child in need"
    [event] = audit_events(app, world.a.authority_id, "advice.requested")
    assert event.details["need_guidance_version"] == 1
    assert sorted(event.details["indicators"]) == sorted(ticked) and event.details["dsl_view_level"] == "child_in_need"

    shown = page_text(dsl.get(f"/advice/{advice_id}"))
    assert "Ticked against version 1" in shown and "Level the indicators suggest Child in need" in shown and "The DSL's view Child in need" in shown


def test_the_suggestion_is_shown_without_sending_and_not_sure_needs_no_reason(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    pupil_id = make_pupil(app, world.a)
    ticked = [_indicator(app, world.a, BOUNDARIES), _indicator(app, world.a, INJURY)]
    response = _ask(dsl, pupil_id, need_indicators=ticked, suggest="Show the level these suggest")
    assert response.status_code == 200
    page = page_text(response)
    assert "The indicators ticked suggest: Child protection" in page and QUESTION in response.get_data(as_text=True)
    assert rows(app, world.a, AdviceRequest) == []
    # "Not sure" (or no answer) is a view the DSL may give whatever is ticked.
    assert _ask(dsl, pupil_id, need_indicators=ticked, dsl_view_level="not_sure").status_code == 302
    [advice] = rows(app, world.a, AdviceRequest)
    assert advice.dsl_view_level is None and "The DSL's view Not sure" in page_text(dsl.get(f"/advice/{advice.id}"))


def test_a_reason_is_asked_only_when_the_dsls_view_differs_from_the_suggestion(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    pupil_id = make_pupil(app, world.a)
    ticked = [_indicator(app, world.a, BOUNDARIES), _indicator(app, world.a, INJURY)]
    response = _ask(dsl, pupil_id, need_indicators=ticked, dsl_view_level="early_help")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_next_to(html, "dsl_view_reason") == "Say why you think this is early help when the indicators ticked suggest child protection"
    assert QUESTION in html and 'value="early_help" checked' in html
    assert "The indicators ticked suggest: Child protection" in page_text(response)
    assert rows(app, world.a, AdviceRequest) == []

    reason = "The injury was seen by the school nurse: a fall in PE, recorded at the time."
    assert _ask(dsl, pupil_id, need_indicators=ticked, dsl_view_level="early_help", dsl_view_reason=reason).status_code == 302
    # The same level as the suggestion, or a view with nothing ticked: no reason needed.
    assert _ask(dsl, pupil_id, need_indicators=ticked, dsl_view_level="child_protection").status_code == 302
    assert _ask(dsl, pupil_id, dsl_view_level="universal").status_code == 302
    saved = sorted(rows(app, world.a, AdviceRequest), key=lambda a: a.created_at)
    assert [(a.dsl_view_level.value, a.dsl_view_reason) for a in saved] == [("early_help", reason), ("child_protection", None), ("universal", None)]


def test_the_request_keeps_its_version_and_a_tick_of_another_version_is_refused(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    lateness_v1 = _indicator(app, world.a, LATENESS)
    advice_id, _ = _asked(app, world, dsl, need_indicators=[lateness_v1], dsl_view_level="early_help")

    admin = signed_in_client(app, world.a.admin)
    assert admin.post(NEW_VERSION, data=_new_version_form(early_help="Poor school readiness at reception")).status_code == 302
    v1, v2 = sorted(rows(app, world.a, NeedGuidance), key=lambda v: v.number)
    assert row(app, world.a, AdviceRequest, advice_id).need_guidance_id == v1.id
    officer_page = page_text(signed_in_client(app, world.a.front_door).get(f"/advice/{advice_id}"))
    assert "Ticked against version 1" in officer_page and LATENESS in officer_page

    # A form drawn from version 1, sent after version 2 is in force: refused next to the checklist, the
    # question kept, nothing saved.
    pupil_id = make_pupil(app, world.a, legal_forename="Other")
    response = _ask(dsl, pupil_id, need_indicators=[lateness_v1], question="Typed before the guidance changed.")
    html = response.get_data(as_text=True)
    assert error_next_to(html, "need_indicators") == "The levels-of-need guidance was changed while you were writing. Check the indicators again."
    assert "Typed before the guidance changed." in html and "Poor school readiness at reception" in html
    assert len(rows(app, world.a, AdviceRequest)) == 1
    # Asked now: made under version 2.
    assert _ask(dsl, pupil_id, need_indicators=[_indicator(app, world.a, "Poor school readiness at reception")]).status_code == 302
    newer = next(a for a in rows(app, world.a, AdviceRequest) if a.id != advice_id)
    assert newer.need_guidance_id == v2.id


def test_the_front_door_sees_the_levels_and_answers_with_its_own_view_shown_to_the_school(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    ticked = [_indicator(app, world.a, LATENESS)]
    reason = "Three weeks of hunger on top of the lateness: more than early help can hold."
    advice_id, pupil_id = _asked(app, world, dsl, need_indicators=ticked, dsl_view_level="child_in_need", dsl_view_reason=reason)

    officer = signed_in_client(app, world.a.front_door)
    for url in (f"/advice/{advice_id}", f"/advice/{advice_id}/answer"):
        page = page_text(officer.get(url))
        assert LATENESS in page and "Level the indicators suggest Early help" in page
        assert "The DSL's view Child in need" in page and reason in page
    assert "What level of need does the front door think this is?" in page

    version = input_value(officer.get(f"/advice/{advice_id}/answer"), "version")
    data = {"outcome": "early_help", "answer_level": "early_help", "answer": "Start an early help assessment with mum this week.", "version": version}
    assert officer.post(f"/advice/{advice_id}/answer", data=data).status_code == 302
    assert row(app, world.a, AdviceRequest, advice_id).answer_level.value == "early_help"
    [event] = audit_events(app, world.a.authority_id, "advice.answered")
    assert event.details["answer_level"] == "early_help"
    [line] = [c for c in rows(app, world.a, ChronologyEntry, pupil_id=pupil_id) if c.title.startswith("Front-door advice")]
    assert {p["label"]: p["text"] for p in line.substance}["The front door's view of the level"] == "Early help"
    school = page_text(dsl.get(f"/advice/{advice_id}"))
    assert "The front door's view of the level Early help" in school and "The DSL's view Child in need" in school


def _refer(app, world, dsl, advice_id, pupil_id) -> Referral:
    from portal.advice.models import AdviceOutcome, AdviceStatus
    from portal.clock import utcnow
    from portal.extensions import db

    with _scope(app, world.a):
        advice = db.session.get(AdviceRequest, advice_id)
        advice.status, advice.outcome, advice.answer, advice.answered_at = AdviceStatus.ANSWERED, AdviceOutcome.PROCEED_TO_REFERRAL, "Please refer.", utcnow()
        advice.answered_by_id = world.a.front_door.id
        db.session.commit()
    response = dsl.post(f"/referrals/new?pupil_id={pupil_id}&advice_request_id={advice_id}")
    assert response.status_code == 302
    return next(r for r in rows(app, world.a, Referral) if r.advice_request_id == advice_id)


def _referral_ticks(app, world, referral_id) -> list[str]:
    from portal.extensions import db

    with _scope(app, world.a):
        query = select(NeedIndicator.text).join(ReferralNeedIndicator).where(ReferralNeedIndicator.referral_id == referral_id).order_by(NeedIndicator.text)
        return list(db.session.execute(query).scalars())


def test_a_referral_from_the_request_starts_with_its_ticks_and_the_dsls_view(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    reason = "Mum has refused early help twice."
    ticked = [_indicator(app, world.a, LATENESS), _indicator(app, world.a, BOUNDARIES)]
    advice_id, pupil_id = _asked(app, world, dsl, need_indicators=ticked, dsl_view_level="child_in_need", dsl_view_reason=reason)
    referral = _refer(app, world, dsl, advice_id, pupil_id)
    assert referral.need_guidance_id == row(app, world.a, AdviceRequest, advice_id).need_guidance_id
    assert _referral_ticks(app, world, referral.id) == sorted([LATENESS, BOUNDARIES])
    assert (referral.school_view_level.value, referral.school_view_reason) == ("child_in_need", reason)
    form = page_text(dsl.get(f"/referrals/{referral.id}/edit"))
    assert "The indicators ticked suggest: Early help" in form


def test_a_referral_after_a_new_version_uses_it_and_carries_only_the_ticks_it_still_has(app, world):
    dsl = signed_in_client(app, world.a.dsl1)
    ticked = [_indicator(app, world.a, LATENESS), _indicator(app, world.a, BOUNDARIES)]
    advice_id, pupil_id = _asked(app, world, dsl, need_indicators=ticked, dsl_view_level="early_help")
    admin = signed_in_client(app, world.a.admin)
    # Version 2 keeps the lateness indicator in the same words and drops the boundaries one.
    assert admin.post(NEW_VERSION, data=_new_version_form(early_help=f"{LATENESS}\nPoor school readiness at reception")).status_code == 302
    v2 = max(rows(app, world.a, NeedGuidance), key=lambda v: v.number)
    referral = _refer(app, world, dsl, advice_id, pupil_id)
    assert referral.need_guidance_id == v2.id
    assert _referral_ticks(app, world, referral.id) == [LATENESS]
    assert referral.school_view_level.value == "early_help"
