"""Opening and editing a meeting: social care opens and leads it; the school is an active partner that
writes the pre-meeting return; two people editing the same record never overwrite each other."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import unescape

from portal.clock import UK, utcnow
from portal.meetings.models import MeetingReturn, PartnershipMeeting
from portal.partnership.models import Participant
from tests.admin.pages import page_text
from tests.meetings.support import make_meeting, meeting, meeting_form, meeting_return, rows
from tests.referrals.support import error_next_to, notifications
from tests.support import audit_events, signed_in_client


def test_the_front_door_opens_a_meeting_with_the_default_texts(app, world):
    """Does opening a meeting for a school give it the standard terms of reference and agreement, an empty
    pre-meeting return, the opener as organiser; is it audited and is the school's DSL told?"""
    client = signed_in_client(app, world.a.front_door)
    assert "Avonford Primary School" in page_text(client.get("/meetings/new"))
    response = client.post(
        "/meetings/new",
        data={
            "school": str(world.a.school1),
            "meets_on": ["12", "3", "2027"],
            "meets_time": "15:30",
            "format": "online",
            "location": "Video call link sent by email",
        },
    )
    [made] = rows(app, world.a, PartnershipMeeting)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{made.id}")
    assert made.title == "School partnership meeting: Avonford Primary School"
    assert made.organisation_id == world.a.school1 and made.format.value == "online"
    assert made.meets_at == datetime(2027, 3, 12, 15, 30, tzinfo=UK)
    assert made.terms_of_reference.startswith("Purpose: children's social care and Avonford Primary School")
    assert "Working Together to Safeguard Children" in made.information_sharing_agreement
    assert [r.trends_and_themes for r in rows(app, world.a, MeetingReturn, meeting_id=made.id)] == [None]
    [organiser] = rows(app, world.a, Participant, meeting_id=made.id)
    assert organiser.user_id == world.a.front_door.id and organiser.role.value == "organiser" and organiser.information_sharing_accepted_at is None
    [opened] = audit_events(app, world.a.authority_id, "workspace.opened")
    assert opened.object_id == str(made.id) and opened.organisation_id == world.a.school1
    assert notifications(app, world.a, world.a.dsl1) == ["School partnership meeting with Avonford Primary School: please complete the pre-meeting return"]
    assert notifications(app, world.a, world.a.dsl2) == []


def test_opening_a_meeting_explains_what_is_missing(app, world):
    client = signed_in_client(app, world.a.front_door)
    response = client.post("/meetings/new", data={"meets_time": "3pm", "format": "at_school"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_next_to(html, "school") == "Select the school"
    assert error_next_to(html, "meets_time") == "Enter the time using the 24-hour clock, like 15:30"
    response = client.post(
        "/meetings/new", data={"school": str(world.a.school1), "meets_on": ["31", "2", "2027"], "meets_time": "15:30", "format": "at_school"}
    )
    assert error_next_to(response.get_data(as_text=True), "meets_on") == "The date of the meeting must be a real date, like 14 3 2027"
    assert rows(app, world.a, PartnershipMeeting) == []


def test_only_social_care_opens_meetings(app, world):
    for key in ("dsl1", "head1", "partner"):
        assert signed_in_client(app, world.a.people[key]).get("/meetings/new").status_code == 403, key


def test_the_list_shows_upcoming_meetings_first_and_what_waits_for_the_person(app, world):
    """Are upcoming meetings listed before past ones, with the school, date and format; is "Agreement not
    yet accepted" shown to a person who has not, and an invitation waiting to the invited partner?"""
    now = utcnow()
    soon = make_meeting(app, world.a, title="Meeting about the bus station", meets_at=now + timedelta(days=3), invited={"police": "invited"})
    make_meeting(app, world.a, title="Meeting about the park", meets_at=now - timedelta(days=30), accepted=("front_door", "dsl1"))
    make_meeting(app, world.a, title="Meeting at the high school", school="school2")

    text = page_text(signed_in_client(app, world.a.dsl1).get("/meetings"))
    assert text.index("Upcoming meetings") < text.index("Meeting about the bus station") < text.index("Past meetings") < text.index("Meeting about the park")
    assert "Meeting at the high school" not in text
    upcoming = text[text.index("Upcoming meetings") : text.index("Past meetings")]
    past = text[text.index("Past meetings") :]
    assert "Agreement not yet accepted" in upcoming and "Agreement not yet accepted" not in past
    assert "At the school" in upcoming and "Avonford Primary School" in upcoming

    partner = page_text(signed_in_client(app, world.a.partner).get("/meetings"))
    assert "Meeting about the bus station" in partner and "Invitation waiting for your reply" in partner
    assert "Meeting about the park" not in partner
    assert f"/meetings/{soon}" in signed_in_client(app, world.a.assessor).get("/meetings").get_data(as_text=True)
    assert "There are no upcoming meetings you take part in." in page_text(signed_in_client(app, world.a.partner2).get("/meetings"))


def test_two_editors_of_the_meeting_the_second_is_refused_with_what_changed(app, world):
    """The front door and an assessor open the meeting's form at the same version; the first saves. Is
    the second refused with what changed, their own text kept in the form, the first's kept in the
    database, and the refusal audited?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "assessor"))
    first, second = signed_in_client(app, world.a.front_door), signed_in_client(app, world.a.assessor)
    assert first.post(f"/meetings/{meeting_id}/edit", data=meeting_form(app, world.a, agenda="The front door's agenda")).status_code == 302

    response = second.post(f"/meetings/{meeting_id}/edit", data=meeting_form(app, world.a, agenda="The assessor's agenda", location="Room 4"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this meeting while you were editing" in text
    table = text[text.index("What changed") :]
    assert "Agenda The front door's agenda The assessor's agenda" in table
    assert "Room or joining details The library Room 4" in table
    assert "The assessor's agenda" in error_free_form(response)
    saved = meeting(app, world.a, meeting_id)
    assert saved.agenda == "The front door's agenda" and saved.location == "The library" and saved.version == 2
    [refusal] = audit_events(app, world.a.authority_id, "record.stale_save_refused")
    assert refusal.actor_id == world.a.assessor.id and refusal.object_id == str(meeting_id)

    # Saving again (the form now carries the version saved now) goes through.
    assert 'name="version" type="hidden" value="2"' in response.get_data(as_text=True)
    assert second.post(f"/meetings/{meeting_id}/edit", data=meeting_form(app, world.a, agenda="The assessor's agenda", version="2")).status_code == 302
    assert meeting(app, world.a, meeting_id).agenda == "The assessor's agenda"


def error_free_form(response) -> str:
    """The form's part of the page (below the what-changed table)."""
    html = response.get_data(as_text=True)
    below = html[html.index('id="what-changed"') :]
    return unescape(below[below.index("<form") :])


def test_minutes_are_the_leads_and_a_stale_save_is_refused(app, world):
    """Does the lead record the minutes (people taking part told the first time); is the school's DSL, an
    active partner, refused the minutes (403); and is a save over a newer version refused?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "assessor", "dsl1"))
    lead = signed_in_client(app, world.a.front_door)
    assert lead.post(f"/meetings/{meeting_id}/minutes", data={"minutes": "Agreed: patrols after school.", "version": "1"}).status_code == 302
    assert meeting(app, world.a, meeting_id).minutes == "Agreed: patrols after school."
    assert notifications(app, world.a, world.a.dsl1, "Minutes") == ["Minutes of School partnership meeting: the park behind the leisure centre are ready"]

    dsl = signed_in_client(app, world.a.dsl1)
    assert dsl.get(f"/meetings/{meeting_id}/minutes").status_code == 403
    assert dsl.post(f"/meetings/{meeting_id}/minutes", data={"minutes": "The school's version", "version": "2"}).status_code == 403

    stale = signed_in_client(app, world.a.assessor).post(f"/meetings/{meeting_id}/minutes", data={"minutes": "The assessor's notes", "version": "1"})
    assert stale.status_code == 200 and "Someone else changed this meeting" in page_text(stale)
    assert "The assessor's notes" in error_free_form(stale)
    assert meeting(app, world.a, meeting_id).minutes == "Agreed: patrols after school."


def test_the_schools_dsl_writes_and_sends_the_pre_meeting_return(app, world):
    """The school is an active partner: does its DSL save the return (not sent), then send it to the
    meeting (the lead told, both audited), and does everyone who accepted the agreement see it?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "dsl1", "partner"), invited={"police": "accepted"})
    dsl = signed_in_client(app, world.a.dsl1)
    form = {
        "trends_and_themes": "More Year 9 students late on Mondays.",
        "places": "The underpass by the retail park",
        "peer_groups": "A group of Year 9 girls",
        "strengths": "Strong relationships with the pastoral team",
        "version": "1",
    }
    response = dsl.post(f"/meetings/{meeting_id}/return", data={**form, "save": "Save"})
    assert response.status_code == 302
    saved = meeting_return(app, world.a, meeting_id)
    assert saved.places == "The underpass by the retail park" and saved.submitted_at is None and saved.updated_by_id == world.a.dsl1.id
    assert notifications(app, world.a, world.a.front_door) == []

    response = dsl.post(f"/meetings/{meeting_id}/return", data={**form, "version": "2", "send": "Send to the meeting"})
    assert response.status_code == 302
    sent = meeting_return(app, world.a, meeting_id)
    assert sent.submitted_at is not None and sent.submitted_by_id == world.a.dsl1.id
    assert notifications(app, world.a, world.a.front_door) == [
        "Avonford Primary School has sent its pre-meeting return: School partnership meeting: the park behind the leisure centre"
    ]
    assert len(audit_events(app, world.a.authority_id, "meeting.return_saved")) == 2
    assert [e.actor_id for e in audit_events(app, world.a.authority_id, "meeting.return_submitted")] == [world.a.dsl1.id]

    text = page_text(signed_in_client(app, world.a.partner).get(f"/meetings/{meeting_id}"))
    assert "The underpass by the retail park" in text and "Sent to the meeting" in text
    assert signed_in_client(app, world.a.partner).get(f"/meetings/{meeting_id}/return").status_code == 403


def test_two_editors_of_the_return_the_second_is_refused_with_what_changed(app, world):
    """The DSL and the head open the return at the same version; the DSL saves. Is the head's save refused
    with what changed, their text kept in the form, the DSL's kept in the database?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "dsl1", "head1"))
    assert (
        signed_in_client(app, world.a.dsl1)
        .post(f"/meetings/{meeting_id}/return", data={"places": "The DSL's places", "strengths": "Trusted adults", "version": "1", "save": "Save"})
        .status_code
        == 302
    )

    response = signed_in_client(app, world.a.head1).post(
        f"/meetings/{meeting_id}/return", data={"places": "The head's places", "version": "1", "send": "Send to the meeting"}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed the pre-meeting return while you were editing" in text
    table = text[text.index("What changed") :]
    assert "Places The DSL's places The head's places" in table and "Strengths Trusted adults (empty)" in table
    assert "The head's places" in error_free_form(response)
    saved = meeting_return(app, world.a, meeting_id)
    assert saved.places == "The DSL's places" and saved.submitted_at is None
    assert notifications(app, world.a, world.a.front_door) == []
    [refusal] = audit_events(app, world.a.authority_id, "record.stale_save_refused")
    assert refusal.actor_id == world.a.head1.id and refusal.object_type == "meeting_return"


def test_a_changed_text_keeps_its_lines(app, world):
    """Does text typed in a browser (lines ending CR LF) compare equal to what is saved, so saving the
    meeting's form untouched does not count as changing the agreement?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "dsl1"))
    data = meeting_form(app, world.a)
    data["information_sharing_agreement"] = data["information_sharing_agreement"].replace("\n", "\r\n")
    assert signed_in_client(app, world.a.front_door).post(f"/meetings/{meeting_id}/edit", data=data).status_code == 302
    assert rows(app, world.a, Participant, meeting_id=meeting_id, user_id=world.a.dsl1.id)[0].information_sharing_accepted_at is not None
    assert "information_sharing_agreement" not in audit_events(app, world.a.authority_id, "workspace.updated")[-1].details["fields"]
