"""Who may open a school assessment (not every officer of children's social care) and a context referral
(its referrer only while they still belong to the organisation they raised it from)."""

from __future__ import annotations

from portal.contexts.models import ContextReferral
from tests.admin.pages import page_text
from tests.contexts.support import make_meeting, make_referral, move, name_for_duty, row
from tests.support import audit_events, signed_in_client


def _open_assessment(app, world, **answers) -> tuple:
    """The front door records a school assessment decision (no lead named unless given)."""
    referral_id = make_referral(app, world.a, levels=("child_protection",))
    front_door = signed_in_client(app, world.a.front_door)
    data = {
        "panel_meeting": str(make_meeting(app, world.a)),
        "decision": "school_assessment",
        "school_assessment_level": "child_protection",
        "reason": "The panel agreed.",
    }
    response = front_door.post(f"/context-referrals/{referral_id}/decide", data={**data, **answers})
    assessment_id = row(app, world.a, ContextReferral, referral_id).assessment_id
    return referral_id, assessment_id, front_door, response


def test_an_assessor_not_working_on_the_assessment_gets_404_and_its_opener_lead_and_named_people_see_it(app, world):
    referral_id, assessment_id, front_door, response = _open_assessment(app, world)
    url = f"/school-assessments/{assessment_id}"
    # The front-door officer who recorded the decision (neither a panel member nor a manager) opens it.
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert "School assessment by children's social care" in page_text(front_door.get(url))

    assessor = signed_in_client(app, world.a.assessor)
    assert assessor.get(url).status_code == 404
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "access.not_found")] == [str(assessment_id)]
    # The assessor still sees the referral (social care is on the panel), without a link it cannot open.
    referral = assessor.get(f"/context-referrals/{referral_id}")
    assert "The decision opened a workspace: school assessment. Only the people working on it can open it." in page_text(referral)
    assert f'href="{url}"' not in referral.get_data(as_text=True)
    assert f'href="{url}"' in front_door.get(f"/context-referrals/{referral_id}").get_data(as_text=True)

    # Named as a front-door manager, the assessor sees it. A partner named as a panel member does not:
    # the panel is multi-agency, the assessments are social care's (with the school assessed).
    name_for_duty(app, world.a, "assessor", "front_door_manager")
    assert assessor.get(url).status_code == 200
    partner = signed_in_client(app, world.a.partner2)
    assert partner.get(url).status_code == 404
    name_for_duty(app, world.a, "partner2", "context_panel_member")
    assert partner.get(url).status_code == 404


def test_the_lead_named_by_the_decision_sees_the_assessment(app, world):
    _, assessment_id, _, _ = _open_assessment(app, world, lead=str(world.a.assessor.id))
    page = signed_in_client(app, world.a.assessor).get(f"/school-assessments/{assessment_id}")
    assert page.status_code == 200 and "Lead assessor Assessor" in page_text(page)


def test_a_school_member_who_moves_to_another_school_no_longer_sees_the_assessment(app, world):
    _, assessment_id, _, _ = _open_assessment(app, world)
    url = f"/school-assessments/{assessment_id}"
    assert signed_in_client(app, world.a.dsl1).get(url).status_code == 200
    move(app, world.a, "dsl1")
    assert signed_in_client(app, world.a.dsl1).get(url).status_code == 404


def test_the_referrer_who_moves_to_another_school_no_longer_sees_their_referral(app, world):
    referral_id = make_referral(app, world.a, by="dsl1", school="school1")
    assert row(app, world.a, ContextReferral, referral_id).raised_by_organisation_id == world.a.school1
    assert signed_in_client(app, world.a.dsl1).get(f"/context-referrals/{referral_id}").status_code == 200

    move(app, world.a, "dsl1")
    client = signed_in_client(app, world.a.dsl1)
    assert client.get(f"/context-referrals/{referral_id}").status_code == 404
    assert str(referral_id) not in client.get("/context-referrals").get_data(as_text=True)
    assert signed_in_client(app, world.a.head1).get(f"/context-referrals/{referral_id}").status_code == 200  # the school still sees it
