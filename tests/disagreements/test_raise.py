"""Raising a disagreement: from a decided referral or an answered request for advice, by the school's DSL
or head; the reason is required, one at a time, and only once the front door has decided."""

from __future__ import annotations

from sqlalchemy import select

from tests.admin.pages import field_error, page_text
from tests.disagreements.support import REASON, answered_advice, decided_referral, disagreement, raise_on
from tests.factories import make_pupil, make_referral
from tests.referrals.support import chronology_titles, notifications
from tests.support import audit_events, sent_statements, signed_in_client


def _disagreements(app, side):
    from portal.disagreements.models import Disagreement
    from portal.extensions import db
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        rows = db.session.execute(select(Disagreement).order_by(Disagreement.created_at)).unique().scalars().all()
        db.session.expunge_all()
        return rows


def test_the_dsl_disagrees_from_the_referral_page_and_the_front_door_is_asked(app, world):
    """Does the decided referral's page offer "Disagree with this decision" to the school (not to the front
    door), and does raising it start stage 1, tell the front door and the school, audit it and put it on the
    child's chronology?"""
    side = world.a
    pupil_id = make_pupil(app, side)
    referral_id = decided_referral(app, side, pupil_id=pupil_id)
    dsl = signed_in_client(app, side.dsl1)
    page = dsl.get(f"/referrals/{referral_id}")
    assert "Disagree with this decision" in page_text(page)
    assert "Disagree with this decision" not in page_text(signed_in_client(app, side.front_door).get(f"/referrals/{referral_id}"))

    form = dsl.get(f"/referrals/{referral_id}/disagree")
    assert "Child-in-need assessment (section 17)" in page_text(form)  # the decision disputed
    response = dsl.post(f"/referrals/{referral_id}/disagree", data={"reason": REASON, "wanted": "A strategy discussion."})
    assert response.status_code == 302
    [row] = _disagreements(app, side)
    assert (row.stage, row.status.value, row.reason, row.wanted) == (1, "open", REASON, "A strategy discussion.")
    assert row.decision_disputed == "Child-in-need assessment (section 17)"
    assert response.headers["Location"].endswith(f"/disagreements/{row.id}")

    assert notifications(app, side, side.front_door, "disagrees") == ["Avonford Primary School disagrees with a referral decision: stage 1 response needed"]
    assert notifications(app, side, side.head1, "raised a disagreement") == ["Your school has raised a disagreement with a referral decision"]
    assert notifications(app, side, side.dsl1, "raised a disagreement") == []  # not told of their own step
    assert [e.object_id for e in audit_events(app, side.authority_id, "disagreement.raised")] == [str(row.id)]
    assert "Disagreement raised with the front door's decision: Child-in-need assessment (section 17)" in chronology_titles(app, side, pupil_id)

    page = page_text(dsl.get(f"/referrals/{referral_id}"))
    assert "Stage 1: waiting for a response" in page and "Disagree with this decision" not in page


def test_the_reason_is_required(app, world):
    side = world.a
    referral_id = decided_referral(app, side)
    dsl = signed_in_client(app, side.dsl1)
    response = dsl.post(f"/referrals/{referral_id}/disagree", data={"reason": "   ", "wanted": "A meeting with the front door."})
    assert response.status_code == 200
    assert field_error(response, "reason") == "Enter why you disagree with the decision"
    assert "A meeting with the front door." in response.get_data(as_text=True)  # what was typed is kept
    assert _disagreements(app, side) == []


def test_one_disagreement_at_a_time(app, world):
    """A second disagreement while one is in progress is refused (the page leads to the one in progress),
    and the service refuses it too."""
    from portal.disagreements import service
    from portal.extensions import db
    from portal.referrals.models import Referral
    from tests.factories import _scope

    side = world.a
    referral_id = decided_referral(app, side)
    first = raise_on(app, side, referral_id=referral_id)
    response = signed_in_client(app, side.head1).post(f"/referrals/{referral_id}/disagree", data={"reason": "We disagree as well."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/disagreements/{first}")
    with _scope(app, side, side.dsl1):
        referral = db.session.execute(select(Referral).where(Referral.id == referral_id)).unique().scalar_one()
        try:
            service.raise_disagreement(referral, actor_id=side.dsl1.id, reason="Again", wanted=None)
        except service.Refused as refused:
            assert "already a disagreement" in str(refused)
        else:
            raise AssertionError("a second disagreement in progress was allowed")
    assert len(_disagreements(app, side)) == 1


def test_only_once_the_front_door_has_decided_or_answered(app, world):
    from portal.disagreements import service
    from portal.extensions import db
    from portal.referrals.models import Referral
    from tests.factories import _scope, make_advice

    side = world.a
    referral_id = make_referral(app, side, make_pupil(app, side), steps=(("submit", "dsl1"), ("acknowledge", "front_door")))
    dsl = signed_in_client(app, side.dsl1)
    assert "Disagree with this decision" not in page_text(dsl.get(f"/referrals/{referral_id}"))
    response = dsl.post(f"/referrals/{referral_id}/disagree", data={"reason": REASON})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral_id}")
    advice_id = make_advice(app, side, None)
    assert dsl.post(f"/advice/{advice_id}/disagree", data={"reason": REASON}).headers["Location"].endswith(f"/advice/{advice_id}")
    with _scope(app, side, side.dsl1):
        referral = db.session.execute(select(Referral).where(Referral.id == referral_id)).unique().scalar_one()
        try:
            service.raise_disagreement(referral, actor_id=side.dsl1.id, reason=REASON, wanted=None)
        except service.Refused as refused:
            assert "once the front door has decided" in str(refused)
        else:
            raise AssertionError("a disagreement with no decision was allowed")
    assert _disagreements(app, side) == []


def test_a_closed_referral_may_be_disagreed_with(app, world):
    side = world.a
    referral_id = decided_referral(app, side, closed=True)
    assert signed_in_client(app, side.dsl1).post(f"/referrals/{referral_id}/disagree", data={"reason": REASON}).status_code == 302
    assert len(_disagreements(app, side)) == 1


def test_an_anonymous_request_for_advice_has_no_chronology_line(app, world):
    """Disagreeing with the answer to an anonymous request: raised from its page, audited, no child's
    chronology written (there is no child)."""
    from portal.casework.models import ChronologyEntry
    from portal.extensions import db
    from tenants import tenant_scope

    side = world.a
    advice_id = answered_advice(app, side, named=False)
    dsl = signed_in_client(app, side.dsl1)
    assert "Disagree with this answer" in page_text(dsl.get(f"/advice/{advice_id}"))
    assert dsl.post(f"/advice/{advice_id}/disagree", data={"reason": REASON}).status_code == 302
    [row] = _disagreements(app, side)
    assert row.pupil_id is None and disagreement(app, side, row.id).decision_disputed == "No further action"
    assert len(audit_events(app, side.authority_id, "disagreement.raised")) == 1
    with app.app_context(), tenant_scope(side.authority_id):
        assert db.session.execute(select(ChronologyEntry).where(ChronologyEntry.object_id == advice_id)).first() is None


def test_a_referral_waiting_for_a_decision_reads_no_disagreements_and_a_decided_one_shows_them(app, world):
    """A disagreement is with a decision, and a decision is never taken back: the page of a referral the
    front door has not decided yet does not look for any (most of the referrals it opens are such), and a
    decided referral's page shows the one raised on it."""
    side = world.a
    waiting = make_referral(app, side, make_pupil(app, side), steps=(("submit", "dsl1"), ("acknowledge", "front_door")))
    decided = decided_referral(app, side)
    raise_on(app, side, referral_id=decided)
    client = signed_in_client(app, side.front_door)
    on_waiting, waiting_page = sent_statements(app, client, f"/referrals/{waiting}")
    on_decided, decided_page = sent_statements(app, client, f"/referrals/{decided}")
    reads_on_waiting = sum("FROM disagreements" in statement for statement, _ in on_waiting)
    reads_on_decided = sum("FROM disagreements" in statement for statement, _ in on_decided)
    # On the decided referral's page: its disagreements, then their steps.
    assert (reads_on_waiting, reads_on_decided) == (0, 2)
    assert "Disagreement with the decision" not in page_text(waiting_page)
    assert "Disagreement with the decision" in page_text(decided_page)
    assert "View the disagreement and its history" in page_text(decided_page)
