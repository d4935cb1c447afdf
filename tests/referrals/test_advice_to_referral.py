"""Advice to referral, linked: when the front door advises a referral on a request asked without naming
the child, the DSL chooses the child from their own register and the referral opens filled in from the
request; the request and the referral link both ways, and both are on the child's chronology."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.clock import utcnow
from tests.admin.pages import page_text
from tests.factories import make_advice, make_pupil
from tests.referrals.support import form, referrals
from tests.support import audit_events, sign_in


def _client(app, person):
    client = app.test_client()
    sign_in(client, person)
    return client


def _answered_anonymously(app, side, school="school1", by="dsl1"):
    from portal.advice.models import AdviceOutcome, AdviceStatus

    return make_advice(
        app,
        side,
        None,
        by=by,
        school=school,
        question="A Year 5 girl says her mum's boyfriend hits her when mum is at work. Should we refer?",
        categories=["physical_abuse", "domestic_abuse"],
        status=AdviceStatus.ANSWERED,
        outcome=AdviceOutcome.PROCEED_TO_REFERRAL,
        answer="Yes: this is a disclosure of physical abuse. Refer today and do not tell the boyfriend.",
        answered_by_id=side.front_door.id,
        answered_at=utcnow(),
    )


def _chronology(app, side, pupil_id):
    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(ChronologyEntry).where(ChronologyEntry.pupil_id == pupil_id).order_by(ChronologyEntry.occurred_at)).scalars().all()
        return [(row.kind.value, row.title, {part["label"]: part["text"] for part in row.substance}, row.object_id) for row in rows]


def test_the_dsl_names_the_child_and_the_referral_opens_filled_in_and_linked(app, world):
    """From the anonymous request: the register search (own school only), the child, the start page, the
    draft with the categories, question and answer; the request lists the referral, the referral links to
    the request, and the child's chronology has the question and answer as well as the referral."""
    advice_id = _answered_anonymously(app, world.a)
    ruby = make_pupil(app, world.a, legal_forename="Ruby", legal_surname="Okafor")
    make_pupil(app, world.a, school="school2", legal_forename="Ruby", legal_surname="Elsewhere")
    dsl = _client(app, world.a.dsl1)

    search = dsl.get(f"/referrals/new?advice_request_id={advice_id}&q=ruby")
    text = page_text(search)
    assert "without naming the child" in text and "Ruby Okafor" in text and "Ruby Elsewhere" not in text
    assert f"pupil_id={ruby}&amp;advice_request_id={advice_id}" in search.get_data(as_text=True)

    start = page_text(dsl.get(f"/referrals/new?pupil_id={ruby}&advice_request_id={advice_id}"))
    assert "Start a referral for Ruby Okafor" in start and "filled in from your advice request" in start
    response = dsl.post(f"/referrals/new?pupil_id={ruby}&advice_request_id={advice_id}")
    [draft] = referrals(app, world.a)
    assert response.headers["Location"].endswith(f"/referrals/{draft.id}/edit")
    assert (draft.pupil_id, draft.advice_request_id) == (ruby, advice_id)
    assert draft.categories == ["physical_abuse", "domestic_abuse"]
    assert "mum's boyfriend hits her" in draft.what_happened and "Refer today and do not tell the boyfriend." in draft.what_happened
    [created] = audit_events(app, world.a.authority_id, "referral.created")
    assert created.details == {"pupil_id": str(ruby), "advice_request_id": str(advice_id)}

    lines = _chronology(app, world.a, ruby)
    assert [(kind, title) for kind, title, _, _ in lines] == [
        ("advice", "Advice asked of the front door without naming the child"),
        ("referral", "Referral started (draft)"),
    ]
    advice_line = lines[0]
    assert advice_line[3] == advice_id
    assert advice_line[2]["The question"].startswith("A Year 5 girl says her mum's boyfriend hits her")
    assert advice_line[2]["The front door's outcome"] == "Proceed to a referral"
    assert "Refer today" in advice_line[2]["The front door's advice"]
    assert lines[1][2]["Started from"].startswith("The advice request of ")

    # Both ways: the request lists the referral (and no longer offers to start one); the referral links back.
    advice_page = dsl.get(f"/advice/{advice_id}").get_data(as_text=True)
    assert re.search(rf'href="/referrals/{draft.id}"[^>]*>Referral for Ruby Okafor</a>', advice_page)
    assert "Choose the child and start the referral" not in advice_page
    dsl.post(f"/referrals/{draft.id}/edit", data=form(submit_referral="Submit referral"))
    front_door = _client(app, world.a.front_door)
    assert f'href="/advice/{advice_id}"' in front_door.get(f"/referrals/{draft.id}").get_data(as_text=True)
    assert f'href="/referrals/{draft.id}"' in front_door.get(f"/advice/{advice_id}").get_data(as_text=True)


def test_the_child_must_be_on_the_register_of_the_school_that_asked(app, world):
    """Another school's pupil with this school's request is not found (audited), and no draft is made; a
    DSL of another school cannot use the request at all."""
    advice_id = _answered_anonymously(app, world.a)
    elsewhere = make_pupil(app, world.a, school="school2")
    dsl = _client(app, world.a.dsl1)
    assert dsl.get(f"/referrals/new?pupil_id={elsewhere}&advice_request_id={advice_id}").status_code == 404
    assert dsl.post(f"/referrals/new?pupil_id={elsewhere}&advice_request_id={advice_id}").status_code == 404
    other_dsl = _client(app, world.a.dsl2)
    assert other_dsl.get(f"/referrals/new?pupil_id={elsewhere}&advice_request_id={advice_id}").status_code == 404
    assert other_dsl.get(f"/referrals/new?advice_request_id={advice_id}").status_code == 404
    refusals = [e for e in audit_events(app, world.a.authority_id) if e.action.startswith("access.")]
    assert [e.action for e in refusals] == ["access.not_found"] * 4
    assert referrals(app, world.a) == []


def test_the_front_door_and_outsiders_cannot_start_a_referral_from_a_request(app, world):
    """The front door, a governor, a partner and the administrator are refused (403/404, audited)."""
    advice_id = _answered_anonymously(app, world.a)
    pupil_id = make_pupil(app, world.a)
    for key in ("front_door", "governor1", "partner", "admin", "staff1"):
        response = _client(app, getattr(world.a, key)).post(f"/referrals/new?pupil_id={pupil_id}&advice_request_id={advice_id}")
        assert response.status_code in (403, 404), key
    assert len([e for e in audit_events(app, world.a.authority_id) if e.action.startswith("access.")]) == 5
    assert referrals(app, world.a) == []
