"""The panel's decision: each of the five decisions opens the right workspace (or none), linked both ways,
and the referrer is told; what the form refuses; a second decision is refused."""

from __future__ import annotations

import pytest

from portal.assessments.models import AssessmentMember, SchoolAssessment
from portal.contexts.models import ContextReferral
from portal.meetings.models import PartnershipMeeting
from portal.summits.models import SafetySummit
from tests.admin.pages import page_text
from tests.contexts.support import decide, make_meeting, make_referral, notifications, row, rows
from tests.referrals.support import error_next_to
from tests.support import audit_events, signed_in_client

REASON = "Several girls are affected; the panel agreed the school needs support."

#: decision -> (extra answers, the column it fills, the workspace model, the workspace page's path, the level kept)
DECISIONS = {
    "below_threshold": ({"advice": "Supervise the gates at lunchtime and talk to the girls as a group."}, None, None, None, "universal"),
    "safety_summit": ({}, "summit_id", SafetySummit, "/summits/{}", "early_help"),
    "partnership_meeting": ({}, "meeting_id", PartnershipMeeting, "/meetings/{}", "early_help"),
    "self_assessment": ({"self_assessment_level": "child_in_need"}, "assessment_id", SchoolAssessment, "/school-assessments/{}", "child_in_need"),
    "school_assessment": ({"school_assessment_level": "child_protection"}, "assessment_id", SchoolAssessment, "/school-assessments/{}", "child_protection"),
}


@pytest.mark.parametrize("decision", list(DECISIONS))
def test_each_decision_opens_its_workspace_linked_both_ways_and_the_referrer_is_told(app, world, decision):
    extra, column, model, path, level = DECISIONS[decision]
    referral_id = make_referral(app, world.a)
    meeting_id = make_meeting(app, world.a, listed=(referral_id,))
    client = signed_in_client(app, world.a.front_door)
    page = client.get(f"/context-referrals/{referral_id}/decide")
    assert page.status_code == 200 and f'<option value="{meeting_id}" selected' in page.get_data(as_text=True)

    response = client.post(f"/context-referrals/{referral_id}/decide", data={"panel_meeting": str(meeting_id), "decision": decision, "reason": REASON, **extra})
    assert response.status_code == 302
    referral = row(app, world.a, ContextReferral, referral_id)
    assert (referral.status.value, referral.decision.value, referral.decided_level.value) == ("decided", decision, level)
    assert (referral.decision_reason, referral.panel_meeting_id, referral.decided_by_id) == (REASON, meeting_id, world.a.front_door.id)
    assert referral.advice_given == extra.get("advice")
    [event] = audit_events(app, world.a.authority_id, "context_referral.decided")
    assert event.object_id == str(referral_id) and event.details["decision"] == decision
    assert notifications(app, world.a, world.a.dsl1) == [f"Context panel decision: {referral.decision.label}"]

    banner = page_text(client.get(response.headers["Location"]))
    assert "The panel's decision has been recorded" in banner and "Dsl1 has been told." in banner
    detail = client.get(f"/context-referrals/{referral_id}")
    assert "Threshold indicators in force Version 1" in page_text(detail)
    if column is None:
        assert response.headers["Location"].endswith(f"/context-referrals/{referral_id}")
        assert referral.summit_id is None and referral.meeting_id is None and referral.assessment_id is None
        assert "Advice given to the school Supervise the gates at lunchtime" in page_text(detail)
        assert audit_events(app, world.a.authority_id, "workspace.opened") == []
        return
    workspace_id = getattr(referral, column)
    workspace = row(app, world.a, model, workspace_id)
    assert workspace is not None
    assert (getattr(workspace, "host_organisation_id", None) or workspace.organisation_id) == world.a.school1
    assert response.headers["Location"].endswith(path.format(workspace_id))
    assert f'href="{path.format(workspace_id)}"' in detail.get_data(as_text=True)  # the referral links to the workspace
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "workspace.opened")] == [str(workspace_id)]
    # ... and the workspace links back to the referral (seen by the school it is about).
    school = signed_in_client(app, world.a.dsl1)
    if model is PartnershipMeeting:
        school.post(f"/meetings/{workspace_id}/accept-agreement")
    back = school.get(path.format(workspace_id))
    assert back.status_code == 200
    assert f'href="/context-referrals/{referral_id}"' in back.get_data(as_text=True)


def test_the_assessment_page_says_what_was_opened(app, world):
    referral_id = make_referral(app, world.a, levels=("child_protection",))
    meeting_id = make_meeting(app, world.a)
    client = signed_in_client(app, world.a.assessor)
    data = {
        "panel_meeting": str(meeting_id),
        "decision": "school_assessment",
        "school_assessment_level": "child_protection",
        "lead": str(world.a.assessor.id),
        "reason": REASON,
    }
    response = client.post(f"/context-referrals/{referral_id}/decide", data=data)
    assessment = row(app, world.a, SchoolAssessment, row(app, world.a, ContextReferral, referral_id).assessment_id)
    assert (assessment.kind.value, assessment.trigger.value, assessment.reason, assessment.lead_id) == (
        "school_assessment",
        "panel_decision",
        REASON,
        world.a.assessor.id,
    )
    members = {m.user_id: m.role.value for m in rows(app, world.a, AssessmentMember, assessment_id=assessment.id)}
    assert members == {world.a.assessor.id: "assessor", world.a.dsl1.id: "school", world.a.head1.id: "school"}
    page = page_text(client.get(response.headers["Location"]))
    assert "School assessment by children's social care" in page and "Avonford Primary School" in page
    assert "This is the start of the assessment" in page
    assert "Stage Planning" in page and "Lead assessor Assessor" in page
    assert "Opened by A context panel decision : the context referral about Avonford Primary School" in page
    assert "Dsl1 (Collaborating member from the school)" in page


def test_a_wrong_or_incomplete_decision_is_refused_next_to_its_fields(app, world):
    referral_id = make_referral(app, world.a)
    meeting_id = make_meeting(app, world.a)
    client = signed_in_client(app, world.a.front_door)
    url = f"/context-referrals/{referral_id}/decide"
    html = client.post(url, data={"panel_meeting": "", "reason": " "}).get_data(as_text=True)
    assert error_next_to(html, "panel_meeting") == "Select the panel meeting where this was decided"
    assert error_next_to(html, "decision") == "Select the panel's decision"
    assert error_next_to(html, "reason") == "Enter the reason for the decision"
    html = client.post(url, data={"panel_meeting": str(meeting_id), "decision": "below_threshold", "reason": REASON}).get_data(as_text=True)
    assert error_next_to(html, "advice") == "Enter the advice the panel gave the school"
    html = client.post(url, data={"panel_meeting": str(meeting_id), "decision": "school_assessment", "reason": REASON}).get_data(as_text=True)
    assert error_next_to(html, "school_assessment_level") == "Select child in need or child protection"
    assert REASON in html  # what was typed is kept
    referral = row(app, world.a, ContextReferral, referral_id)
    assert referral.status.value == "awaiting_decision" and referral.decision is None
    assert rows(app, world.a, SchoolAssessment) == []


def test_a_second_decision_is_refused(app, world):
    referral_id = make_referral(app, world.a)
    decide(app, world.a, referral_id, "below_threshold")
    client = signed_in_client(app, world.a.front_door)
    url = f"/context-referrals/{referral_id}/decide"
    for response in (client.get(url), client.post(url, data={"panel_meeting": str(make_meeting(app, world.a)), "decision": "safety_summit", "reason": REASON})):
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/context-referrals/{referral_id}")
    assert "This context referral has already been decided." in page_text(client.get(f"/context-referrals/{referral_id}"))
    referral = row(app, world.a, ContextReferral, referral_id)
    assert referral.decision.value == "below_threshold" and referral.summit_id is None
    assert rows(app, world.a, SafetySummit) == []
    assert "Record the panel's decision" not in page_text(client.get(f"/context-referrals/{referral_id}"))


@pytest.mark.parametrize("person_key", ["dsl1", "head1", "partner", "staff1", "governor1", "admin"])
def test_only_the_panel_decides(app, world, person_key):
    referral_id = make_referral(app, world.a)
    client = signed_in_client(app, world.a.people[person_key])
    data = {"panel_meeting": str(make_meeting(app, world.a)), "decision": "safety_summit", "reason": REASON}
    assert client.post(f"/context-referrals/{referral_id}/decide", data=data).status_code in (403, 404)
    assert row(app, world.a, ContextReferral, referral_id).decision is None
