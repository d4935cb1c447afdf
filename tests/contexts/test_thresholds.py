"""The authority's school threshold indicators: versions, what an edit refuses, two administrators at
once, and a referral and its decision each keeping the version they were made under."""

from __future__ import annotations

from portal.contexts.models import ContextReferral, ThresholdSet
from tests.admin.pages import page_text
from tests.contexts.support import form, indicator_ids, make_meeting, row, rows
from tests.referrals.support import error_next_to
from tests.support import audit_events, signed_in_client

EDIT = "/admin/settings/threshold-indicators/edit"


def _edit_form(version: str = "1", **changes):
    data = {
        "universal": "Young people state that they feel safe in this context",
        "child_in_need": "School has high levels of non-attendance and lateness at school\nYoung people go missing from school at lunchtime",
        "child_protection": "Instances of sexual abuse/violence within school or other context",
        "note": "Added going missing at lunchtime, after the panel's review in March.",
        "version": version,
    }
    data.update(changes)
    return data


def test_the_administrator_sees_the_first_version_from_the_seed(app, world):
    client = signed_in_client(app, world.a.admin)
    page = page_text(client.get("/admin/settings/threshold-indicators"))
    assert "In force now: version 1" in page
    assert "Young people state that they feel safe in this context" in page
    assert "There is an absence of effective behaviour policies" in page
    assert "First version: the example school threshold indicators." in page
    assert "School threshold indicators" in page_text(client.get("/admin/settings"))


def test_a_level_left_empty_is_refused_next_to_its_field_and_no_version_is_made(app, world):
    client = signed_in_client(app, world.a.admin)
    client.get(EDIT)
    response = client.post(EDIT, data=_edit_form(child_in_need="  \n ", note=""))
    html = response.get_data(as_text=True)
    assert error_next_to(html, "child_in_need") == "Enter at least one child in need indicator"
    assert error_next_to(html, "note") == "Enter what changed and why"
    assert "Young people go missing" not in html and "Young people state that they feel safe" in html
    assert len(rows(app, world.a, ThresholdSet)) == 1


def test_a_referral_keeps_its_version_and_the_decision_records_the_version_in_force(app, world):
    """Raised under version 1, does the referral still show version 1 after version 2 is saved; do new
    referrals use version 2; and does a decision made now record version 2?"""
    dsl = signed_in_client(app, world.a.dsl1)
    old_indicator = indicator_ids(app, world.a, "child_in_need")[0]
    dsl.post("/context-referrals/new", data=form(organisation=str(world.a.school1), indicators=[old_indicator], suggested="child_in_need", send="Send"))
    [referral] = rows(app, world.a, ContextReferral)

    admin = signed_in_client(app, world.a.admin)
    response = admin.post(EDIT, data=_edit_form())
    assert response.status_code == 302
    v1, v2 = sorted(rows(app, world.a, ThresholdSet), key=lambda v: v.number)
    assert (v2.number, v2.note, v2.created_by_id) == (2, "Added going missing at lunchtime, after the panel's review in March.", world.a.admin.id)
    assert [e.details for e in audit_events(app, world.a.authority_id, "authority.thresholds_changed")] == [{"version": 2}]
    page = page_text(admin.get("/admin/settings/threshold-indicators"))
    assert "Version 2 of the school threshold indicators has been saved." in page and "In force now: version 2" in page
    assert "Added going missing at lunchtime" in page and "Admin" in page
    old = page_text(admin.get(f"/admin/settings/threshold-indicators/{v1.id}"))
    assert "Version 1" in old and "Replaced by a later version" in old and "There is an absence of effective behaviour policies" in old

    assert row(app, world.a, ContextReferral, referral.id).threshold_set_id == v1.id
    detail = page_text(dsl.get(f"/context-referrals/{referral.id}"))
    assert "Checked against version 1" in detail and "School has a high rate of fixed-term exclusions or managed moves" in detail
    new_page = page_text(dsl.get("/context-referrals/new"))
    assert "Version 2 of the authority's indicators" in new_page and "Young people go missing from school at lunchtime" in new_page
    assert "School has a high rate of fixed-term exclusions" not in new_page
    # An indicator of the old version posted on the new form is noticed, not saved.
    stale = dsl.post("/context-referrals/new", data=form(organisation=str(world.a.school1), indicators=[old_indicator], suggested="universal", send="Send"))
    assert (
        error_next_to(stale.get_data(as_text=True), "indicators")
        == "The school threshold indicators were changed while you were writing. Check the indicators again."
    )

    panel = signed_in_client(app, world.a.front_door)
    data = {"panel_meeting": str(make_meeting(app, world.a)), "decision": "safety_summit", "reason": "A summit will hear from the young people."}
    panel.post(f"/context-referrals/{referral.id}/decide", data=data)
    decided = row(app, world.a, ContextReferral, referral.id)
    assert (decided.threshold_set_id, decided.decision_threshold_set_id) == (v1.id, v2.id)
    detail = page_text(panel.get(f"/context-referrals/{referral.id}"))
    assert "Checked against version 1" in detail and "Threshold indicators in force Version 2" in detail


def test_two_administrators_at_once_the_second_is_refused_with_what_changed(app, world):
    first = signed_in_client(app, world.a.admin)
    second = signed_in_client(app, world.a.admin)
    first.get(EDIT)
    second.get(EDIT)
    assert first.post(EDIT, data=_edit_form()).status_code == 302
    refused = second.post(EDIT, data=_edit_form(universal="Young people are aware of safeguarding responses", note="Shorter universal list."))
    page = page_text(refused)
    assert "Someone else changed the threshold indicators while you were editing" in page
    assert "Young people go missing from school at lunchtime" in page  # saved now, in the what-changed table
    assert "Young people are aware of safeguarding responses" in refused.get_data(as_text=True)  # theirs, kept in the form
    assert sorted(v.number for v in rows(app, world.a, ThresholdSet)) == [1, 2]
    assert len(audit_events(app, world.a.authority_id, "record.stale_save_refused")) == 1
    # Saved again against version 2, it makes version 3.
    assert second.post(EDIT, data=_edit_form(version="2", note="Shorter universal list.")).status_code == 302
    assert sorted(v.number for v in rows(app, world.a, ThresholdSet)) == [1, 2, 3]


def test_only_the_administrator_changes_the_indicators(app, world):
    for key in ("front_door", "dsl1", "assessor"):
        client = signed_in_client(app, world.a.people[key])
        assert client.get(EDIT).status_code == 403
        assert client.post(EDIT, data=_edit_form()).status_code == 403
    assert len(rows(app, world.a, ThresholdSet)) <= 1
