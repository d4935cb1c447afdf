"""Who sees what of a summit: the host and social care see it all; an organisation invited sees only the
invitation until it accepts; one that declined sees only that; a school that joined sees this summit's
content and nothing else of the host school; anyone else gets 404."""

from __future__ import annotations

from portal.partnership.models import Invitation, InvitationStatus
from portal.summits.models import SafetySummit
from tests.admin.pages import page_text
from tests.factories import make_pupil, make_referral
from tests.summits.support import (
    invite,
    make_activity,
    make_finding,
    make_summit,
    notification_titles,
    one,
    summit_from_panel,
)
from tests.support import audit_events, signed_in_client

CONTENT = ("Mapping our neighbourhood", "Groups of six with a large map each.", "Year 9 feel unsafe at the bus station after 4pm.")


def _summit_with_content(app, side, **fields):
    summit_id = make_summit(app, side, **fields)
    make_activity(app, side, summit_id, facilitator="front_door")
    make_finding(app, side, summit_id)
    return summit_id


def test_an_organisation_invited_but_not_yet_answered_sees_only_the_invitation(app, world):
    """Does an invited partner see the host, date and venue and a way to answer, but none of the plan,
    the activities or the findings, and is every planning page refused to them?"""
    summit_id = _summit_with_content(app, world.a, status="held")
    invite(app, world.a, summit_id, "police")
    partner = signed_in_client(app, world.a.partner)

    page = page_text(partner.get(f"/summits/{summit_id}"))
    assert "Avonford Police is invited" in page
    assert "Avonford Primary School" in page and "Tuesday 17 March 2026, 09:00 to 12:30" in page and "The sports hall" in page
    assert "Will your organisation take part?" in page
    for text in CONTENT + ("Planning checklist", "Practitioners taking part", "Front_Door"):
        assert text not in page
    for url in (f"/summits/{summit_id}/edit", f"/summits/{summit_id}/participants", f"/summits/{summit_id}/findings/new"):
        assert partner.get(url).status_code == 403
    assert "Invitations waiting for your organisation's answer" in page_text(partner.get("/summits"))


def test_accepting_the_invitation_opens_the_summits_content(app, world):
    """When the invited partner accepts, is the answer recorded, audited and told to the organiser, and
    does the partner then see the summit's content (but still not plan it)?"""
    summit_id = _summit_with_content(app, world.a)
    invitation_id = invite(app, world.a, summit_id, "police")
    partner = signed_in_client(app, world.a.partner)

    response = partner.post(f"/summits/invitations/{invitation_id}/respond", data={"answer": "accept", "note": "Two officers will come."})
    assert response.status_code == 302
    invitation = one(app, world.a, Invitation, invitation_id)
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.responded_by_id == world.a.partner.id
    assert invitation.response_note == "Two officers will come."
    [event] = audit_events(app, world.a.authority_id, "workspace.invitation_answered")
    assert event.details == {"answer": "accepted"} and event.object_id == str(summit_id)
    assert notification_titles(app, world.a, "front_door") == ["Avonford Police has accepted the invitation: Student Safety Summit"]

    page = page_text(partner.get(f"/summits/{summit_id}"))
    for text in CONTENT:
        assert text in page
    assert "Two officers will come." in page
    assert "Edit the plan" not in page and "Raise a context referral for one school" not in page
    assert partner.get(f"/summits/{summit_id}/edit").status_code == 403
    # Answered once: a second answer changes nothing.
    partner.post(f"/summits/invitations/{invitation_id}/respond", data={"answer": "decline"})
    assert one(app, world.a, Invitation, invitation_id).status == InvitationStatus.ACCEPTED


def test_an_answer_must_be_chosen(app, world):
    summit_id = make_summit(app, world.a)
    invitation_id = invite(app, world.a, summit_id, "police")
    partner = signed_in_client(app, world.a.partner)
    response = partner.post(f"/summits/invitations/{invitation_id}/respond", data={"note": "Maybe"})
    assert response.status_code == 200
    assert "Select whether your organisation accepts or declines" in page_text(response)
    assert one(app, world.a, Invitation, invitation_id).status == InvitationStatus.INVITED


def test_an_organisation_that_declined_sees_only_that_it_declined(app, world):
    """After school2 declines, does its DSL see that it declined and nothing more: not the host, date,
    venue or any content?"""
    summit_id = _summit_with_content(app, world.a)
    invitation_id = invite(app, world.a, summit_id, "school2")
    dsl2 = signed_in_client(app, world.a.dsl2)
    dsl2.post(f"/summits/invitations/{invitation_id}/respond", data={"answer": "decline", "note": "Exams that week."})

    response = dsl2.get(f"/summits/{summit_id}")
    page = page_text(response)
    assert response.status_code == 200
    assert "Avonford High School declined the invitation to this summit" in page
    for text in CONTENT + ("The sports hall", "17 March 2026", "Will your organisation take part?", "Exams that week."):
        assert text not in page
    index = page_text(dsl2.get("/summits"))
    assert "Invitations your organisation declined" in index and "The sports hall" not in index


def test_a_partner_sees_a_summit_only_when_its_organisation_is_invited(app, world):
    """Police were invited, health were not: the police partner sees the summit, the health partner gets
    404 (audited) and an empty list."""
    summit_id = make_summit(app, world.a, title="Town centre summit")
    invite(app, world.a, summit_id, "police", "accepted")
    assert signed_in_client(app, world.a.partner).get(f"/summits/{summit_id}").status_code == 200
    health = signed_in_client(app, world.a.partner2)
    assert health.get(f"/summits/{summit_id}").status_code == 404
    assert audit_events(app, world.a.authority_id, "access.not_found")[-1].actor_id == world.a.partner2.id
    assert "Town centre summit" not in page_text(health.get("/summits"))


def test_people_not_in_the_summit_get_404(app, world):
    """School2's DSL (not invited), school1's governor and staff, and the administrator: 404, and the
    summit is not in their list."""
    summit_id = make_summit(app, world.a, title="Town centre summit")
    for person in ("dsl2", "governor1", "staff1", "admin"):
        client = signed_in_client(app, getattr(world.a, person))
        assert client.get(f"/summits/{summit_id}").status_code == 404, person
    assert "Town centre summit" not in page_text(signed_in_client(app, world.a.dsl2).get("/summits"))
    assert "Town centre summit" not in page_text(signed_in_client(app, world.a.staff1).get("/summits"))
    assert signed_in_client(app, world.a.governor1).get("/summits").status_code == 403


def test_a_second_school_in_the_summit_sees_only_this_summits_content(app, world):
    """School2 joined a summit hosted by school1 (opened by the context panel from a referral about
    school1). School2's DSL sees the summit's content, but not the context referral behind it, nor
    school1's referrals: those stay 404."""
    from portal.contexts.models import ContextReferral
    from portal.extensions import db
    from portal.policies import visible_query
    from tenants import tenant_scope

    referral_id, summit_id = summit_from_panel(app, world.a)
    make_finding(app, world.a, summit_id)
    invite(app, world.a, summit_id, "school2", "accepted")
    pupil_referral = make_referral(app, world.a, make_pupil(app, world.a), steps=(("submit", "dsl1"),))

    dsl1, dsl2 = signed_in_client(app, world.a.dsl1), signed_in_client(app, world.a.dsl2)
    page = page_text(dsl2.get(f"/summits/{summit_id}"))
    assert "Year 9 feel unsafe at the bus station after 4pm." in page
    assert "The context panel opened this summit" not in page
    assert "The context panel opened this summit from a referral about Avonford Primary School" in page_text(dsl1.get(f"/summits/{summit_id}"))

    assert dsl2.get(f"/referrals/{pupil_referral}").status_code == 404
    if "contexts.detail" in app.view_functions:
        assert dsl2.get(_context_url(app, referral_id)).status_code == 404
    with app.app_context(), tenant_scope(world.a.authority_id, world.a.dsl2.id):
        from portal.accounts.models import User

        user = db.session.get(User, world.a.dsl2.id)
        assert db.session.execute(visible_query(ContextReferral, user)).scalars().all() == []


def _context_url(app, referral_id):
    from flask import url_for

    with app.test_request_context():
        return url_for("contexts.detail", context_referral_id=referral_id)


def test_the_panels_decision_opens_a_summit_its_decider_organises(app, world):
    """A context panel decision "early help: a safety summit" (contexts.service.decide) opens a summit at
    the school, organised by the person who decided; the school's DSL sees it in their list."""
    _, summit_id = summit_from_panel(app, world.a)
    summit = one(app, world.a, SafetySummit, summit_id)
    assert summit.host_organisation_id == world.a.school1 and summit.title == "Safety summit at Avonford Primary School"
    page = page_text(signed_in_client(app, world.a.front_door).get(f"/summits/{summit_id}"))
    assert "Front_Door Organiser" in page and "Edit the plan" in page
    assert "Safety summit at Avonford Primary School" in page_text(signed_in_client(app, world.a.dsl1).get("/summits"))


def test_the_list_puts_invitations_waiting_first_then_upcoming_followed_up_and_closed(app, world):
    waiting = make_summit(app, world.a, title="Summit waiting for us")
    invite(app, world.a, waiting, "police")
    for title, status in (("Summit to come", "planning"), ("Summit held", "held"), ("Summit closed", "closed")):
        invite(app, world.a, make_summit(app, world.a, title=title, status=status), "police", "accepted")
    page = page_text(signed_in_client(app, world.a.partner).get("/summits"))
    order = [
        page.index(t)
        for t in ("Invitations waiting", "Summit waiting for us", "Upcoming", "Summit to come", "Being followed up", "Summit held", "Closed", "Summit closed")
    ]
    assert order == sorted(order)
    assert page.count("Summit waiting for us") == 1
