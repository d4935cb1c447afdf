"""The lists: who sees which context referrals and panel meetings, in what order, and who sees nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.clock import utcnow
from tests.admin.pages import page_text
from tests.contexts.support import decide, make_meeting, make_referral
from tests.support import audit_events, signed_in_client


def test_the_list_shows_awaiting_first_then_decided_with_level_school_subject_and_age(app, world):
    make_referral(app, world.a, created_at=utcnow() - timedelta(days=3), subject_description="Boys who gather at the skate park")
    decided = make_referral(app, world.a, school="school2", by="front_door", levels=("child_protection",))
    decide(app, world.a, decided, "safety_summit", reason="A summit will hear from the young people.")
    client = signed_in_client(app, world.a.front_door)
    response = client.get("/context-referrals")
    page = page_text(response)
    awaiting_at, decided_at = page.index("Awaiting a panel decision, oldest first"), page.index("Decided, newest decision first")
    assert awaiting_at < page.index("Avonford Primary School") < decided_at < page.index("Avonford High School")
    assert "Raised 3 days ago" in page and "Raised today" in page
    assert "A peer group linked to the school: Boys who gather at the skate park" in page
    assert "Child in need" in page and "Child protection" in page
    assert "Awaiting a panel decision Not on a panel agenda yet" in page
    assert "Decided Early help: the school hosts a safety summit" in page
    assert audit_events(app, world.a.authority_id, "record.viewed")[-1].object_type == "context_referral_list"


def test_a_school_sees_its_own_referrals_only(app, world):
    own = make_referral(app, world.a, by="front_door")
    other = make_referral(app, world.a, by="dsl2", school="school2")
    html = signed_in_client(app, world.a.dsl1).get("/context-referrals").get_data(as_text=True)
    assert str(own) in html and str(other) not in html
    html = signed_in_client(app, world.a.dsl2).get("/context-referrals").get_data(as_text=True)
    assert str(other) in html and str(own) not in html
    assert signed_in_client(app, world.a.dsl2).get(f"/context-referrals/{own}").status_code == 404


def test_an_invited_partner_sees_only_what_its_panel_meeting_lists(app, world):
    listed = make_referral(app, world.a)
    unlisted = make_referral(app, world.a)
    meeting = make_meeting(app, world.a, invite=("police",), accepted=("police",), listed=(listed,))
    other_meeting = make_meeting(app, world.a, days=14)
    html = signed_in_client(app, world.a.partner).get("/context-referrals").get_data(as_text=True)
    assert str(listed) in html and str(unlisted) not in html
    html = signed_in_client(app, world.a.partner).get("/context-panel").get_data(as_text=True)
    assert str(meeting) in html and str(other_meeting) not in html
    html = signed_in_client(app, world.a.partner2).get("/context-referrals").get_data(as_text=True)
    assert str(listed) not in html and "No context referrals are waiting for a decision." in page_text(
        signed_in_client(app, world.a.partner2).get("/context-referrals")
    )


@pytest.mark.parametrize("person_key", ["governor1", "staff1", "admin"])
def test_governors_staff_and_the_administrator_see_nothing(app, world, person_key):
    referral_id = make_referral(app, world.a)
    meeting_id = make_meeting(app, world.a, listed=(referral_id,))
    client = signed_in_client(app, world.a.people[person_key])
    for url in ("/context-referrals", "/context-panel", "/context-referrals/new", "/context-panel/new"):
        assert client.get(url).status_code == 403, url
    for url in (f"/context-referrals/{referral_id}", f"/context-panel/{meeting_id}", f"/context-referrals/{referral_id}/decide"):
        assert client.get(url).status_code == 404, url
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and "Context referrals" not in page_text(home)
