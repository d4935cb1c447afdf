"""The information-sharing agreement: each person accepts it before they see the meeting's papers; a
changed agreement is accepted again; who may see a meeting at all."""

from __future__ import annotations

from datetime import date

from portal.partnership.models import Participant
from tests.admin.pages import page_text
from tests.meetings.support import agreement, make_action, make_meeting, meeting_form, participant, rows
from tests.referrals.support import error_next_to, notifications
from tests.support import audit_events, signed_in_client

RETURN_TEXT = "Year 9 girls are being given designer bags by older men near the retail park."
MINUTES_TEXT = "The youth service will run a detached session at the retail park on Fridays."


def _meeting_with_papers(app, side, **kwargs):
    from portal.extensions import db
    from portal.meetings.models import MeetingReturn, PartnershipMeeting
    from tenants import tenant_scope

    meeting_id = make_meeting(app, side, **kwargs)
    with app.app_context(), tenant_scope(side.authority_id):
        meeting = db.session.get(PartnershipMeeting, meeting_id)
        meeting.minutes, meeting.agenda = MINUTES_TEXT, "1. Introductions"
        db.session.execute(db.update(MeetingReturn).where(MeetingReturn.meeting_id == meeting_id).values(trends_and_themes=RETURN_TEXT))
        db.session.commit()
    make_action(app, side, meeting_id, owner="dsl1", due_on=date(2027, 3, 12), description="Tell the bus company about the stop")
    return meeting_id


def test_papers_are_hidden_until_this_person_accepts_the_agreement(app, world):
    """Does the school's DSL see the meeting, its terms of reference and its agreement, but none of its
    papers, until they accept; is accepting without ticking the box refused next to it; and after
    accepting, are the papers shown and both the acceptance and the reading audited?"""
    meeting_id = _meeting_with_papers(app, world.a)
    client = signed_in_client(app, world.a.dsl1)

    page = client.get(f"/meetings/{meeting_id}")
    text = page_text(page)
    assert page.status_code == 200
    assert "School partnership meeting: the park behind the leisure centre" in text and "Avonford Primary School" in text
    assert "Terms of reference" in text and "Purpose: children's social care and Avonford Primary School" in text
    assert "shared for the purpose of safeguarding young people only" in text
    assert "I accept the information-sharing agreement" in text
    for paper in (RETURN_TEXT, MINUTES_TEXT, "Tell the bus company", "1. Introductions", "Attendees"):
        assert paper not in text
    assert audit_events(app, world.a.authority_id, "record.viewed") == []

    refused = client.post(f"/meetings/{meeting_id}/accept-agreement", data={})
    assert refused.status_code == 200
    assert error_next_to(refused.get_data(as_text=True), "accept") == "Confirm that you accept the information-sharing agreement"
    assert RETURN_TEXT not in page_text(refused)
    assert participant(app, world.a, meeting_id, world.a.dsl1) is None

    accepted = client.post(f"/meetings/{meeting_id}/accept-agreement", data=agreement(app, world.a, meeting_id))
    assert accepted.status_code == 302
    row = participant(app, world.a, meeting_id, world.a.dsl1)
    assert row.information_sharing_accepted_at is not None and row.role.value == "attendee"
    [event] = audit_events(app, world.a.authority_id, "workspace.information_sharing_accepted")
    assert event.actor_id == world.a.dsl1.id and event.object_id == str(meeting_id)

    text = page_text(client.get(f"/meetings/{meeting_id}"))
    for paper in (RETURN_TEXT, MINUTES_TEXT, "Tell the bus company", "1. Introductions", "Attendees"):
        assert paper in text
    assert "I accept the information-sharing agreement" not in text
    [read] = audit_events(app, world.a.authority_id, "record.viewed")
    assert read.actor_id == world.a.dsl1.id and read.object_id == str(meeting_id) and read.details == {"page": "papers"}


def test_paper_pages_send_a_person_who_has_not_accepted_to_the_agreement(app, world):
    """Can the DSL reach the return form, or the lead the minutes, before accepting? (No: both are sent
    to the agreement, and nothing is saved.)"""
    meeting_id = make_meeting(app, world.a, accepted=())
    dsl = signed_in_client(app, world.a.dsl1)
    response = dsl.post(f"/meetings/{meeting_id}/return", data={"trends_and_themes": "Written before accepting", "version": "1", "save": "Save"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting_id}#agreement")
    lead = signed_in_client(app, world.a.front_door)
    assert lead.get(f"/meetings/{meeting_id}/minutes").status_code == 302
    from portal.meetings.models import MeetingReturn

    assert [r.trends_and_themes for r in rows(app, world.a, MeetingReturn, meeting_id=meeting_id)] == [None]


def test_an_agreement_changed_while_it_was_read_is_not_accepted(app, world):
    """If the lead changes the agreement while someone reads the old one, is their acceptance refused
    and the new text shown for them to read?"""
    meeting_id = make_meeting(app, world.a)
    client = signed_in_client(app, world.a.dsl1)
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    import re

    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)
    lead = signed_in_client(app, world.a.front_door)
    changed = meeting_form(app, world.a, information_sharing_agreement="Version two: share only what is necessary.")
    assert lead.post(f"/meetings/{meeting_id}/edit", data=changed).status_code == 302

    response = client.post(f"/meetings/{meeting_id}/accept-agreement", data={"accept": "y", "digest": digest})
    assert response.status_code == 200
    assert "has changed since you opened the page" in error_next_to(response.get_data(as_text=True), "accept")
    assert "Version two: share only what is necessary." in page_text(response)
    assert participant(app, world.a, meeting_id, world.a.dsl1) is None


def test_an_acceptance_without_the_agreement_it_was_given_for_is_refused(app, world):
    """A POST that does not say which agreement was read (no digest), or names another one: is it refused
    with the message for a changed agreement, and nothing accepted?"""
    meeting_id = make_meeting(app, world.a)
    client = signed_in_client(app, world.a.dsl1)
    for data in ({"accept": "y"}, {"accept": "y", "digest": ""}, {"accept": "y", "digest": "0123456789abcdef"}):
        response = client.post(f"/meetings/{meeting_id}/accept-agreement", data=data)
        assert response.status_code == 200, data
        assert "has changed since you opened the page" in error_next_to(response.get_data(as_text=True), "accept")
    assert participant(app, world.a, meeting_id, world.a.dsl1) is None
    assert audit_events(app, world.a.authority_id, "workspace.information_sharing_accepted") == []
    assert client.post(f"/meetings/{meeting_id}/accept-agreement", data=agreement(app, world.a, meeting_id)).status_code == 302
    assert participant(app, world.a, meeting_id, world.a.dsl1).information_sharing_accepted_at is not None


def test_changing_the_agreement_asks_everyone_else_to_accept_it_again(app, world):
    """When the lead changes the agreement's text, does everyone else who had accepted it lose sight of
    the papers and get told to accept the new version, while the editor keeps theirs; and does a change
    to anything else leave acceptances alone?"""
    meeting_id = _meeting_with_papers(app, world.a, accepted=("front_door", "dsl1", "partner"), invited={"police": "accepted"})
    lead = signed_in_client(app, world.a.front_door)

    assert lead.post(f"/meetings/{meeting_id}/edit", data=meeting_form(app, world.a, location="The main hall", version="2")).status_code == 302
    assert all(p.information_sharing_accepted_at for p in rows(app, world.a, Participant, meeting_id=meeting_id))

    new_text = "Version two: information is shared only within this meeting, and never with parents without the lead's agreement."
    response = lead.post(
        f"/meetings/{meeting_id}/edit", data=meeting_form(app, world.a, information_sharing_agreement=new_text, location="The main hall", version="3")
    )
    assert response.status_code == 302
    assert participant(app, world.a, meeting_id, world.a.front_door).information_sharing_accepted_at is not None
    assert participant(app, world.a, meeting_id, world.a.dsl1).information_sharing_accepted_at is None
    assert participant(app, world.a, meeting_id, world.a.partner).information_sharing_accepted_at is None
    expected = [
        "The information-sharing agreement of School partnership meeting: the park behind the leisure centre has changed: accept the new version to see the meeting's papers"
    ]
    assert notifications(app, world.a, world.a.dsl1, "information-sharing agreement") == expected
    assert notifications(app, world.a, world.a.partner, "information-sharing agreement") == expected
    assert notifications(app, world.a, world.a.front_door, "information-sharing agreement") == []
    updates = audit_events(app, world.a.authority_id, "workspace.updated")
    assert updates[-1].details == {"fields": ["information_sharing_agreement"], "acceptances_reset": 2}

    text = page_text(signed_in_client(app, world.a.dsl1).get(f"/meetings/{meeting_id}"))
    assert new_text in text and RETURN_TEXT not in text and "I accept the information-sharing agreement" in text


def test_an_invited_organisation_answers_before_its_people_accept_the_agreement(app, world):
    """Does a partner whose organisation is invited see the invitation (not the papers, and no agreement
    form yet); once it accepts, is the lead told and may the partner accept the agreement; and is a
    partner whose organisation declined refused the agreement (so never sees the papers)?"""
    meeting_id = _meeting_with_papers(app, world.a, invited={"police": "invited", "health": "declined"})
    partner = signed_in_client(app, world.a.partner)
    text = page_text(partner.get(f"/meetings/{meeting_id}"))
    assert "Invitation to Avonford Police" in text and "Will your organisation take part in this meeting?" in text
    assert "I accept the information-sharing agreement" not in text and RETURN_TEXT not in text
    assert partner.post(f"/meetings/{meeting_id}/accept-agreement", data=agreement(app, world.a, meeting_id)).status_code == 403

    from tests.meetings.support import invitation_id

    invitation = invitation_id(app, world.a, meeting_id, "police")
    refused = partner.post(f"/meetings/invitations/{invitation}/respond", data={})
    assert "Select whether your organisation accepts or declines" in error_next_to(refused.get_data(as_text=True), "answer")
    assert partner.post(f"/meetings/invitations/{invitation}/respond", data={"answer": "accept", "note": "PC Shah will attend."}).status_code == 302
    assert notifications(app, world.a, world.a.front_door) == [
        "Avonford Police has accepted the invitation: School partnership meeting: the park behind the leisure centre"
    ]
    [answered] = audit_events(app, world.a.authority_id, "workspace.invitation_answered")
    assert answered.details == {"answer": "accepted"}
    assert partner.post(f"/meetings/{meeting_id}/accept-agreement", data=agreement(app, world.a, meeting_id)).status_code == 302
    assert RETURN_TEXT in page_text(partner.get(f"/meetings/{meeting_id}"))

    # An organisation that declined no longer sees the meeting at all.
    declined = signed_in_client(app, world.a.partner2)
    assert declined.get(f"/meetings/{meeting_id}").status_code == 404
    assert declined.post(f"/meetings/{meeting_id}/accept-agreement", data=agreement(app, world.a, meeting_id)).status_code == 404
    assert participant(app, world.a, meeting_id, world.a.partner2) is None
    assert audit_events(app, world.a.authority_id, "access.not_found")[-1].actor_id == world.a.partner2.id


def test_people_outside_the_meeting_get_404(app, world):
    """An uninvited partner agency, another school's DSL, the school's governor and a member of staff not
    added to the meeting: is the meeting, and each of its pages, not found for them (audited)?"""
    meeting_id = make_meeting(app, world.a, invited={"police": "accepted"})
    for key in ("partner2", "dsl2", "governor1", "staff1"):
        client = signed_in_client(app, world.a.people[key])
        for url in (f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/return", f"/meetings/{meeting_id}/minutes"):
            assert client.get(url).status_code == 404, (key, url)
        assert "the park behind the leisure centre" not in page_text(client.get("/meetings"))
        assert audit_events(app, world.a.authority_id, "access.not_found")[-1].actor_id == world.a.people[key].id


def test_pastoral_staff_added_to_the_meeting_may_take_part(app, world):
    """Once the lead adds a member of the school's staff (pastoral staff), do they see the meeting, and its
    papers after accepting?"""
    meeting_id = _meeting_with_papers(app, world.a, attendees=("staff1",))
    client = signed_in_client(app, world.a.staff1)
    assert RETURN_TEXT not in page_text(client.get(f"/meetings/{meeting_id}"))
    assert client.post(f"/meetings/{meeting_id}/accept-agreement", data=agreement(app, world.a, meeting_id)).status_code == 302
    assert RETURN_TEXT in page_text(client.get(f"/meetings/{meeting_id}"))
