"""A decision changed by a disagreement (the referral keeps its history; the school sees the new decision
and its reason), separation of duties (nobody reviews their own decision or their own school's
disagreement; refusals audited), and the authority dashboard's counts with small numbers suppressed."""

from __future__ import annotations

from sqlalchemy import select

from portal.clock import utcnow
from tests.admin.pages import page_text
from tests.disagreements.support import answered_advice, at_stage, decided_referral, disagreement, raise_on, respond_as, second_reviewer
from tests.factories import _scope, make_pupil
from tests.referrals.support import chronology_titles, notifications, referral, transitions
from tests.support import audit_events, signed_in_client
from tests.world import add_membership

NEW_REASON = "Having read the school's chronology again, the threshold for a strategy discussion is met."


def test_a_changed_decision_keeps_the_history_and_the_school_sees_it(app, world):
    side = world.a
    pupil_id = make_pupil(app, side)
    referral_id = decided_referral(app, side, pupil_id=pupil_id)
    disagreement_id = raise_on(app, side, referral_id=referral_id)
    response = signed_in_client(app, side.front_door).post(
        f"/disagreements/{disagreement_id}/respond",
        data={"outcome": "decision_changed", "new_decision": "strategy_discussion", "new_level": "child_protection", "response": NEW_REASON, "version": "1"},
    )
    assert response.status_code == 302

    saved = referral(app, side, referral_id)
    assert (saved.decision.value, saved.decision_reason, saved.status.value) == ("strategy_discussion", NEW_REASON, "decided")
    # The first decision stays in the referral's transitions, and the change is one more.
    rows = transitions(app, side, referral_id)
    decided = [t for t in rows if t.to_status.value == "decided"]
    assert decided[0].comment == "Threshold for a child-in-need assessment is met."
    assert decided[-1].comment.startswith(
        "Decision changed at stage 1 of a disagreement. Earlier decision: Child-in-need assessment (section 17) (level of need: Child in need). "
        "New decision: Strategy discussion / section 47 enquiry (level of need: Child protection)."
    )
    assert saved.decision_level.value == "child_protection"  # the level found now, for threshold calibration
    assert saved.decided_by_id == side.decider.id  # the clock measured the first decision

    row = disagreement(app, side, disagreement_id)
    assert (row.status.value, row.resolution.value) == ("resolved", "decision_changed")
    page = page_text(signed_in_client(app, side.dsl1).get(f"/referrals/{referral_id}"))
    assert "The front door's decision: Strategy discussion / section 47 enquiry" in page
    assert NEW_REASON in page
    assert "Decision changed at stage 1 of a disagreement" in page
    assert "New decision: Strategy discussion / section 47 enquiry (level of need: Child protection)." in page
    assert "by Decider" in page  # the decision's first author, not the reviewer
    assert notifications(app, side, side.dsl1, "decision has changed") == [
        "Stage 1 response to your disagreement: the decision has changed to Strategy discussion / section 47 enquiry"
    ]
    assert "Disagreement, stage 1 response: Decision changed" in chronology_titles(app, side, pupil_id)
    [event] = [e for e in audit_events(app, side.authority_id, "referral.transition") if e.details.get("disagreement_id")]
    assert (event.details["decision"], event.details["decision_level"]) == ("strategy_discussion", "child_protection")


def test_a_changed_referral_decision_needs_its_level_of_need(app, world):
    """Is "Decision changed" on a referral without the level of need the front door now finds refused next
    to that question, with nothing changed?"""
    side = world.a
    referral_id = decided_referral(app, side, pupil_id=make_pupil(app, side))
    disagreement_id = raise_on(app, side, referral_id=referral_id)
    response = signed_in_client(app, side.front_door).post(
        f"/disagreements/{disagreement_id}/respond",
        data={"outcome": "decision_changed", "new_decision": "strategy_discussion", "response": NEW_REASON, "version": "1"},
    )
    assert response.status_code == 200
    assert "Select the level of need the front door now finds" in page_text(response)
    assert 'href="#new_level' in response.get_data(as_text=True)
    assert referral(app, side, referral_id).decision.value == "child_in_need_assessment"
    assert disagreement(app, side, disagreement_id).status.value == "open"


def test_a_changed_answer_to_advice(app, world):
    from portal.advice.models import AdviceRequest
    from tests.world import load

    side = world.a
    advice_id = answered_advice(app, side)
    disagreement_id = raise_on(app, side, advice_id=advice_id)
    respond_as(app, side, disagreement_id, side.front_door, "decision_changed", new_decision="proceed_to_referral", body="Please refer.")
    advice = load(app, AdviceRequest, advice_id, side.authority_id)
    assert (advice.outcome.value, advice.answer, advice.answered_by_id) == ("proceed_to_referral", "Please refer.", side.front_door.id)
    page = page_text(signed_in_client(app, side.dsl1).get(f"/advice/{advice_id}"))
    assert "Decision changed at stage 1 of a disagreement" in page and "New decision: Proceed to a referral." in page


def test_nobody_reviews_their_own_decision_or_their_own_schools_disagreement(app, world):
    """The front-door officer who made the decision, an officer who is also the school's DSL, and (at stage
    2) the stage 1 responder are refused with 403, each refusal audited; an officer who is a DSL of another
    school may respond."""
    side = world.a
    disagreement_id = at_stage(app, side, 1)
    add_membership(app, side.front_door, "dsl", side.school1)  # the officer is also the referring school's DSL
    officer = signed_in_client(app, side.front_door)
    assert officer.get(f"/disagreements/{disagreement_id}/respond").status_code == 403
    assert officer.post(f"/disagreements/{disagreement_id}/respond", data={"outcome": "upheld", "response": "Fine.", "version": "1"}).status_code == 403
    assert signed_in_client(app, side.decider).get(f"/disagreements/{disagreement_id}/respond").status_code == 403
    denied = audit_events(app, side.authority_id, "access.denied")
    assert [(e.actor_id, e.object_id, e.details["action"]) for e in denied] == [
        (side.front_door.id, str(disagreement_id), "respond"),
        (side.front_door.id, str(disagreement_id), "respond"),
        (side.decider.id, str(disagreement_id), "respond"),
    ]
    assert disagreement(app, side, disagreement_id).status.value == "open"
    assert "Respond at stage 1" not in page_text(officer.get(f"/disagreements/{disagreement_id}"))

    reviewer = second_reviewer(app, side)
    add_membership(app, reviewer, "dsl", side.school2)  # a DSL of another school: no conflict here
    respond_as(app, side, disagreement_id, reviewer, "referred_on")
    # Stage 2: the stage 1 responder may not answer it again.
    assert signed_in_client(app, reviewer).get(f"/disagreements/{disagreement_id}/respond").status_code == 403
    assert audit_events(app, side.authority_id, "access.denied")[-1].actor_id == reviewer.id


def test_the_referrals_own_decision_is_refused_to_the_schools_dsl_and_audited(app, world):
    """(The referral policy already refuses acknowledge and decide to a front-door officer who holds the
    referring school's casework; ``require`` audits the refusal.)"""
    from tests.factories import make_referral

    side = world.a
    referral_id = make_referral(app, side, make_pupil(app, side), steps=(("submit", "dsl1"),))
    add_membership(app, side.front_door, "dsl", side.school1)
    assert signed_in_client(app, side.front_door).post(f"/referrals/{referral_id}/acknowledge").status_code == 403
    [event] = audit_events(app, side.authority_id, "access.denied")
    assert (event.actor_id, event.object_id, event.details["action"]) == (side.front_door.id, str(referral_id), "acknowledge")


def _disagreements_at(app, side, stage: int, resolution: str | None, n: int) -> None:
    """``n`` disagreements of the first school, made directly at a stage and an outcome (the counts only)."""
    from portal.disagreements.models import Disagreement, DisagreementStatus, Resolution
    from portal.extensions import db
    from portal.referrals.models import Referral

    for _ in range(n):
        referral_id = decided_referral(app, side)
        with _scope(app, side):
            subject = db.session.execute(select(Referral).where(Referral.id == referral_id)).unique().scalar_one()
            now = utcnow()
            db.session.add(
                Disagreement(
                    organisation_id=subject.organisation_id,
                    referral_id=subject.id,
                    pupil_id=subject.pupil_id,
                    raised_by_id=side.dsl1.id,
                    decision_disputed="Early help",
                    reason="We disagree.",
                    stage=stage,
                    stage_started_at=now,
                    status=DisagreementStatus.RESOLVED if resolution else DisagreementStatus.OPEN,
                    resolution=Resolution(resolution) if resolution else None,
                    resolved_at=now if resolution else None,
                    due_at=None if resolution else now,
                )
            )
            db.session.commit()


def _dashboard_table(html: str) -> list[list[str]]:
    import re
    from html import unescape

    table = html[html.index('id="disagreement-counts"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody") :]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
    return rows


def test_the_authority_dashboard_counts_disagreements_by_stage_and_outcome_with_small_counts_suppressed(app, world):
    side = world.a
    _disagreements_at(app, side, 1, "upheld", 6)
    _disagreements_at(app, side, 1, "decision_changed", 2)
    _disagreements_at(app, side, 2, None, 1)
    _disagreements_at(app, side, 3, "upheld", 5)
    response = signed_in_client(app, side.admin).get("/dashboard")
    assert response.status_code == 200
    assert _dashboard_table(response.get_data(as_text=True)) == [
        ["Stage 1", "0", "6", "fewer than 5"],
        ["Stage 2", "fewer than 5", "0", "0"],
        ["Stage 3", "0", "5", "0"],
    ]
    # A front-door officer who is not a manager sees no authority figures.
    assert 'id="disagreement-counts"' not in signed_in_client(app, side.front_door).get("/dashboard").get_data(as_text=True)
