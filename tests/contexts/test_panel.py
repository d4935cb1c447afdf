"""The context panel: scheduling and changing its meetings (with optimistic locking), the agenda, inviting
partner organisations and their answers, what an invited partner sees, and attendance."""

from __future__ import annotations

from portal.contexts.models import ContextReferral, PanelMeeting
from portal.partnership.models import Invitation, Participant
from tests.admin.pages import page_text
from tests.contexts.support import invitation_id, make_meeting, make_referral, notifications, row, rows
from tests.factories import make_pupil
from tests.referrals.support import error_next_to
from tests.support import audit_events, duplicate_ids, signed_in_client


def _meeting_form(**changes):
    data = {"meets_on": ["3", "3", "2031"], "meets_time": "14:30", "venue": "County Hall, room 4", "chair": "", "notes": "", "version": "1"}
    data.update(changes)
    return data


def test_scheduling_a_panel_meeting(app, world):
    """Are a missing date, a wrong time and an empty place refused next to their fields, and is a good
    meeting saved, audited, and listed as upcoming with its chair?"""
    client = signed_in_client(app, world.a.front_door)
    response = client.post("/context-panel/new", data=_meeting_form(meets_on=["", "", ""], meets_time="2pm", venue=" "))
    html = response.get_data(as_text=True)
    assert error_next_to(html, "meets_on") == "Enter the date of the panel meeting"
    assert error_next_to(html, "meets_time") == "Enter the time using the 24-hour clock, like 14:30"
    assert error_next_to(html, "venue") == "Enter where the panel meets"
    assert rows(app, world.a, PanelMeeting) == []

    response = client.post("/context-panel/new", data=_meeting_form(chair=str(world.a.assessor.id)))
    [meeting] = rows(app, world.a, PanelMeeting)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/context-panel/{meeting.id}")
    assert (meeting.venue, meeting.chair_id, meeting.created_by_id) == ("County Hall, room 4", world.a.assessor.id, world.a.front_door.id)
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "panel_meeting.saved")] == [str(meeting.id)]
    page = page_text(client.get("/context-panel"))
    assert "Upcoming panel meetings" in page and "Monday 3 March 2031 at 2:30pm" in page and "Assessor" in page


def test_two_editors_the_second_save_is_refused_with_what_changed_and_the_first_is_kept(app, world):
    meeting_id = make_meeting(app, world.a, venue="County Hall, room 2")
    first = signed_in_client(app, world.a.front_door)
    second = signed_in_client(app, world.a.assessor)
    url = f"/context-panel/{meeting_id}/edit"
    assert 'value="County Hall, room 2"' in first.get(url).get_data(as_text=True)
    assert 'value="County Hall, room 2"' in second.get(url).get_data(as_text=True)

    assert first.post(url, data=_meeting_form(venue="Town Hall, room 5", version="1")).status_code == 302
    refused = second.post(url, data=_meeting_form(venue="Online (Teams)", notes="Join from the link in the invitation", version="1"))
    page = page_text(refused)
    assert refused.status_code == 200
    assert "Someone else changed this panel meeting while you were editing" in page
    assert "What changed" in page and "Town Hall, room 5" in page and "Online (Teams)" in page
    assert 'value="Online (Teams)"' in refused.get_data(as_text=True)  # what they typed is kept in the form
    saved = row(app, world.a, PanelMeeting, meeting_id)
    assert (saved.venue, saved.notes, saved.version) == ("Town Hall, room 5", None, 2)
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "record.stale_save_refused")] == [str(meeting_id)]

    # The second editor's next save is made against the version saved now.
    assert second.post(url, data=_meeting_form(venue="Online (Teams)", version="2")).status_code == 302
    assert row(app, world.a, PanelMeeting, meeting_id).venue == "Online (Teams)"


def test_listing_a_referral_on_the_agenda(app, world):
    """Does a panel member see the referrals awaiting a decision, list one for the meeting (audited, the
    referrer told) and see it on the agenda?"""
    referral_id = make_referral(app, world.a)
    meeting_id = make_meeting(app, world.a)
    client = signed_in_client(app, world.a.assessor)
    page = client.get(f"/context-panel/{meeting_id}")
    assert "Nothing is listed for this meeting yet." in page_text(page)
    assert f'action="/context-referrals/{referral_id}/list"' in page.get_data(as_text=True)

    assert 'name="version" value="1"' in page.get_data(as_text=True)
    response = client.post(f"/context-referrals/{referral_id}/list", data={"panel_meeting_id": str(meeting_id), "back": "panel", "version": "1"})
    assert response.status_code == 302 and f"/context-panel/{meeting_id}" in response.headers["Location"]
    assert row(app, world.a, ContextReferral, referral_id).panel_meeting_id == meeting_id
    [event] = audit_events(app, world.a.authority_id, "context_referral.listed_for_panel")
    assert event.object_id == str(referral_id) and event.details["panel_meeting_id"] == str(meeting_id)
    assert notifications(app, world.a, world.a.dsl1, "is on the agenda of the context panel")
    page = page_text(client.get(f"/context-panel/{meeting_id}"))
    assert "No other context referral is waiting for a decision." in page and "Avonford Primary School" in page


def test_two_panel_members_list_the_same_referral_the_second_from_a_stale_page_is_refused(app, world):
    """Two panel members open pages listing the same referral; the first lists it for one meeting. The
    second, whose page was drawn before, is refused with a message (audited), and the first listing is
    kept."""
    referral_id = make_referral(app, world.a)
    first_meeting = make_meeting(app, world.a, days=7, venue="County Hall, room 2")
    second_meeting = make_meeting(app, world.a, days=14, venue="Town Hall, room 5")
    first = signed_in_client(app, world.a.front_door)
    second = signed_in_client(app, world.a.assessor)
    assert 'name="version" value="1"' in first.get(f"/context-panel/{first_meeting}").get_data(as_text=True)
    assert 'name="version" value="1"' in second.get(f"/context-referrals/{referral_id}").get_data(as_text=True)

    url = f"/context-referrals/{referral_id}/list"
    assert first.post(url, data={"panel_meeting_id": str(first_meeting), "back": "panel", "version": "1"}).status_code == 302
    refused = second.post(url, data={"panel_meeting_id": str(second_meeting), "version": "1"})
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/context-referrals/{referral_id}")
    page = page_text(second.get(refused.headers["Location"]))
    assert "Someone else changed this context referral after you opened the page, so it has not been listed." in page
    assert "It is now listed for the panel meeting on" in page
    saved = row(app, world.a, ContextReferral, referral_id)
    assert (saved.panel_meeting_id, saved.version) == (first_meeting, 2)
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "record.stale_save_refused")] == [str(referral_id)]
    assert [e.details["panel_meeting_id"] for e in audit_events(app, world.a.authority_id, "context_referral.listed_for_panel")] == [str(first_meeting)]

    # From the panel meeting's page, the refusal goes back to that page; a form without a version is refused too.
    refused = second.post(url, data={"panel_meeting_id": str(second_meeting), "back": "panel"})
    assert refused.status_code == 302 and f"/context-panel/{second_meeting}" in refused.headers["Location"]
    assert row(app, world.a, ContextReferral, referral_id).panel_meeting_id == first_meeting
    # Drawn again, the page carries the version saved now, and listing works.
    assert 'name="version" value="2"' in second.get(f"/context-referrals/{referral_id}").get_data(as_text=True)
    assert second.post(url, data={"panel_meeting_id": str(second_meeting), "version": "2"}).status_code == 302
    assert row(app, world.a, ContextReferral, referral_id).panel_meeting_id == second_meeting


def test_the_panel_invites_a_partner_which_answers(app, world):
    """Is an invited partner told, does it see the meeting (not the agenda until it accepts), and is its
    answer recorded and the panel told? Is a partner not invited refused with 404?"""
    referral_id = make_referral(app, world.a, pupils=(make_pupil(app, world.a, legal_forename="Amira", legal_surname="Khan"),))
    meeting_id = make_meeting(app, world.a, listed=(referral_id,))
    panel = signed_in_client(app, world.a.front_door)
    missing = panel.post(f"/context-panel/{meeting_id}/invite", data={"organisation": ""})
    assert error_next_to(missing.get_data(as_text=True), "organisation") == "Select who to invite"
    assert "Invite a partner organisation" in page_text(missing) and "Once it accepts, it sees the referrals on the agenda of this meeting" in page_text(
        missing
    )
    assert panel.post(f"/context-panel/{meeting_id}/invite", data={"organisation": str(world.a.police)}).status_code == 302
    [invitation] = rows(app, world.a, Invitation)
    assert (invitation.organisation_id, invitation.panel_meeting_id, invitation.status.value) == (world.a.police, meeting_id, "invited")
    assert notifications(app, world.a, world.a.partner, "Invitation: context panel meeting")
    again = panel.post(f"/context-panel/{meeting_id}/invite", data={"organisation": str(world.a.police)})
    assert error_next_to(again.get_data(as_text=True), "organisation") == "Select a partner organisation that has not been invited yet"

    partner = signed_in_client(app, world.a.partner)
    page = page_text(partner.get(f"/context-panel/{meeting_id}"))
    assert "Avonford Police has been invited to this panel meeting. Its answer: Waiting for a reply" in page
    assert "Nothing is listed for this meeting yet." in page  # the agenda once they accept
    assert partner.get(f"/context-referrals/{referral_id}").status_code == 404

    response = partner.post(f"/context-panel/invitations/{invitation.id}", data={"answer": "accept", "note": "Sergeant Lee will attend."})
    assert response.status_code == 302
    saved = row(app, world.a, Invitation, invitation.id)
    assert (saved.status.value, saved.response_note, saved.responded_by_id) == ("accepted", "Sergeant Lee will attend.", world.a.partner.id)
    assert notifications(app, world.a, world.a.front_door, "Avonford Police has accepted the invitation")
    page = page_text(partner.get(f"/context-panel/{meeting_id}"))
    assert "Avonford Primary School" in page and "Record the decision" not in page
    detail = partner.get(f"/context-referrals/{referral_id}")
    assert detail.status_code == 200 and "Older men wait by the gates" in page_text(detail)
    assert "Amira" not in page_text(detail) and "Pupils named" not in page_text(detail)  # never a name for a partner
    assert "Amira Khan" in page_text(panel.get(f"/context-referrals/{referral_id}"))  # social care sees it

    other = signed_in_client(app, world.a.partner2)
    assert other.get(f"/context-panel/{meeting_id}").status_code == 404
    assert other.get(f"/context-referrals/{referral_id}").status_code == 404
    assert str(meeting_id) not in other.get("/context-panel").get_data(as_text=True)


def test_a_partner_that_declines_no_longer_sees_the_meeting(app, world):
    meeting_id = make_meeting(app, world.a, invite=("police",))
    partner = signed_in_client(app, world.a.partner)
    url = f"/context-panel/invitations/{invitation_id(app, world.a, meeting_id)}"
    form = page_text(partner.get(url))
    assert (
        "Will your organisation attend this panel meeting?" in form
        and "No, we cannot attend" in form
        and "For example, who will come, or why you cannot." in form
    )
    assert error_next_to(partner.post(url, data={}).get_data(as_text=True), "answer") == "Select whether your organisation accepts or declines"
    response = partner.post(url, data={"answer": "decline", "note": "Nobody free that day."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/context-panel")
    assert partner.get(f"/context-panel/{meeting_id}").status_code == 404
    assert "Nobody free that day." in page_text(signed_in_client(app, world.a.front_door).get(f"/context-panel/{meeting_id}"))


def test_recording_attendance(app, world):
    """Are the panel's people and the invited organisations' people offered, and are those ticked saved
    as attending, with the others present, audited and shown on the meeting?"""
    meeting_id = make_meeting(app, world.a, invite=("police",), accepted=("police",))
    client = signed_in_client(app, world.a.front_door)
    response = client.get(f"/context-panel/{meeting_id}/attendance")
    page = page_text(response)
    assert "Children's social care and panel members" in page and world.a.front_door.full_name in page and world.a.assessor.full_name in page
    # Two groups of checkboxes, every id once: a label always ticks its own person.
    assert duplicate_ids(response.get_data(as_text=True)) == []
    assert "Avonford Police" in page and "Partner" in page and "Partner2" not in page

    data = {"attended": [str(world.a.front_door.id), str(world.a.partner.id)], "others": "Sam Reid, youth worker, Avonford Youth Service", "version": "1"}
    response = client.post(f"/context-panel/{meeting_id}/attendance", data=data)
    assert response.status_code == 302
    present = {p.user_id: p.attended for p in rows(app, world.a, Participant, panel_meeting_id=meeting_id)}
    assert present == {world.a.front_door.id: True, world.a.partner.id: True}
    assert row(app, world.a, PanelMeeting, meeting_id).other_attendees == "Sam Reid, youth worker, Avonford Youth Service"
    [event] = audit_events(app, world.a.authority_id, "panel_meeting.attendance")
    assert event.details == {"attended": 2, "others": True}
    page = page_text(client.get(f"/context-panel/{meeting_id}"))
    assert "Who attended" in page and "Partner" in page and "Sam Reid, youth worker" in page

    # Unticking keeps the row and records that they were not there; a stale form is refused.
    client.post(f"/context-panel/{meeting_id}/attendance", data={"attended": [str(world.a.partner.id)], "others": "", "version": "2"})
    present = {p.user_id: p.attended for p in rows(app, world.a, Participant, panel_meeting_id=meeting_id)}
    assert present == {world.a.front_door.id: False, world.a.partner.id: True}
    stale = client.post(f"/context-panel/{meeting_id}/attendance", data={"attended": [], "others": "Nobody", "version": "2"})
    assert "Someone else changed the attendance while you were editing" in page_text(stale)
    assert row(app, world.a, PanelMeeting, meeting_id).other_attendees is None
