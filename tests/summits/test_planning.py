"""Planning a summit: creating it, the plan (UK times kept in UTC, young people by year group, consent,
inclusion and safety), optimistic locking, the checklist, invitations and the people taking part."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.partnership.models import Invitation, Participant, ParticipantRole
from portal.summits.models import SafetySummit
from tests.admin.pages import field_error, page_text
from tests.summits.support import add_person, invite, make_summit, notification_titles, one, rows
from tests.support import audit_events, signed_in_client

PLAN = {
    "title": "Student Safety Summit 2026",
    "day": ["10", "7", "2026"],
    "start_time": "09:30",
    "end_time": "13:00",
    "venue": "The sports hall",
    "year_9": "30",
    "year_10": "25",
    "consent_arranged": "yes",
    "consent_notes": "Letters home two weeks before; young people agree on the day.",
    "inclusion_and_safety": "A quiet room, and a named adult for anyone upset.",
    "version": "1",
}


def plan(**changes) -> dict:
    data = dict(PLAN)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# Creating a summit ---------------------------------------------------------------------------------


def test_a_dsl_creates_a_summit_for_their_own_school_and_becomes_its_organiser(app, world):
    dsl1 = signed_in_client(app, world.a.dsl1)
    response = dsl1.post("/summits/new", data={"host": str(world.a.school1), "title": ""})
    [summit] = rows(app, world.a, SafetySummit)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/summits/{summit.id}/edit")
    assert summit.host_organisation_id == world.a.school1 and summit.title == "Student Safety Summit at Avonford Primary School"
    [organiser] = rows(app, world.a, Participant, summit_id=summit.id)
    assert organiser.user_id == world.a.dsl1.id and organiser.role == ParticipantRole.ORGANISER
    [opened] = audit_events(app, world.a.authority_id, "workspace.opened")
    assert opened.object_id == str(summit.id) and opened.organisation_id == world.a.school1
    assert notification_titles(app, world.a, "head1") == ["A safety summit is being planned at Avonford Primary School"]


def test_a_dsl_cannot_create_a_summit_for_another_school(app, world):
    dsl1 = signed_in_client(app, world.a.dsl1)
    assert "Avonford High School" not in page_text(dsl1.get("/summits/new"))
    response = dsl1.post("/summits/new", data={"host": str(world.a.school2)})
    assert field_error(response, "host") == "Select a school from the list"
    assert rows(app, world.a, SafetySummit) == []


def test_social_care_creates_a_summit_for_any_school(app, world):
    front_door = signed_in_client(app, world.a.front_door)
    page = page_text(front_door.get("/summits/new"))
    assert "Avonford High School" in page and "Avonford Primary School" in page and "Avonford Police" not in page
    front_door.post("/summits/new", data={"host": str(world.a.school2), "title": "Town centre safety summit"})
    [summit] = rows(app, world.a, SafetySummit)
    assert summit.host_organisation_id == world.a.school2 and summit.title == "Town centre safety summit"
    assert notification_titles(app, world.a, "dsl2") == ["A safety summit is being planned at Avonford High School"]


# The plan ------------------------------------------------------------------------------------------


def test_the_plan_is_typed_in_uk_time_and_kept_in_utc(app, world):
    """A summer date (British Summer Time): 09:30 to 13:00 in the UK is 08:30 to 12:00 UTC; the numbers
    of young people by year group, consent, inclusion and safety are saved, audited and shown."""
    summit_id = make_summit(app, world.a)
    dsl1 = signed_in_client(app, world.a.dsl1)
    response = dsl1.post(f"/summits/{summit_id}/edit", data=plan())
    assert response.status_code == 302
    summit = one(app, world.a, SafetySummit, summit_id)
    assert summit.starts_at == datetime(2026, 7, 10, 8, 30, tzinfo=UTC)
    assert summit.ends_at == datetime(2026, 7, 10, 12, 0, tzinfo=UTC)
    assert summit.young_people == {"Year 9": 30, "Year 10": 25}
    assert summit.consent_arranged is True and summit.venue == "The sports hall"
    assert summit.inclusion_and_safety == "A quiet room, and a named adult for anyone upset."
    [event] = audit_events(app, world.a.authority_id, "workspace.updated")
    assert event.details["change"] == "plan" and "when" in event.details["fields"] and "young_people" in event.details["fields"]

    page = page_text(dsl1.get(f"/summits/{summit_id}"))
    assert "Friday 10 July 2026, 09:30 to 13:00" in page and "Year 10 25" in page and "A quiet room" in page
    form = dsl1.get(f"/summits/{summit_id}/edit").get_data(as_text=True)
    assert 'value="09:30"' in form and 'value="13:00"' in form


def test_bad_plan_answers_are_shown_next_to_their_fields_and_nothing_is_lost(app, world):
    summit_id = make_summit(app, world.a)
    dsl1 = signed_in_client(app, world.a.dsl1)
    response = dsl1.post(f"/summits/{summit_id}/edit", data=plan(end_time="09:00", year_11="lots", year_12="-3"))
    assert response.status_code == 200
    assert field_error(response, "year_11") == "Year 11: enter a whole number of young people, like 30, or leave it empty"
    assert field_error(response, "year_12") == "Year 12: enter a whole number of young people, like 30, or leave it empty"
    html = response.get_data(as_text=True)
    assert "A quiet room, and a named adult for anyone upset." in html and 'value="lots"' in html
    response = dsl1.post(f"/summits/{summit_id}/edit", data=plan(end_time="09:00"))
    assert field_error(response, "end_time") == "The end time must be after the start time"
    response = dsl1.post(f"/summits/{summit_id}/edit", data=plan(start_time="9.75"))
    assert field_error(response, "start_time") == "Enter the start time using the 24-hour clock, like 09:30"
    response = dsl1.post(f"/summits/{summit_id}/edit", data=plan(day=["", "", ""]))
    assert field_error(response, "day") == "Enter the date of the summit, or leave the times empty"
    summit = one(app, world.a, SafetySummit, summit_id)
    assert summit.version == 1 and summit.young_people == {"Year 9": 30} and summit.title == "Student Safety Summit"
    # Without a date or times the plan saves (the date may not be known yet).
    assert dsl1.post(f"/summits/{summit_id}/edit", data=plan(day=["", "", ""], start_time="", end_time="")).status_code == 302
    assert one(app, world.a, SafetySummit, summit_id).starts_at is None


def test_two_organisers_edit_the_plan_the_second_is_refused_and_the_first_is_kept(app, world):
    """The DSL and the front door open the plan at version 1. The DSL saves first; the front door's save is
    refused with what changed, their text kept in the form, audited; the DSL's plan stands."""
    summit_id = make_summit(app, world.a)
    dsl1, front_door = signed_in_client(app, world.a.dsl1), signed_in_client(app, world.a.front_door)
    assert dsl1.get(f"/summits/{summit_id}/edit").status_code == 200
    assert front_door.get(f"/summits/{summit_id}/edit").status_code == 200

    assert dsl1.post(f"/summits/{summit_id}/edit", data=plan(venue="The sports hall")).status_code == 302
    response = front_door.post(f"/summits/{summit_id}/edit", data=plan(venue="The library", inclusion_and_safety="Ear defenders available."))
    assert response.status_code == 200
    page = page_text(response)
    assert "Someone else changed this summit's plan while you were editing" in page
    assert "Venue The sports hall The library" in page
    html = response.get_data(as_text=True)
    assert 'value="The library"' in html and "Ear defenders available." in html
    assert '<input id="version" name="version" type="hidden" value="2">' in html

    summit = one(app, world.a, SafetySummit, summit_id)
    assert summit.venue == "The sports hall" and summit.inclusion_and_safety == "A quiet room, and a named adult for anyone upset." and summit.version == 2
    [refused] = audit_events(app, world.a.authority_id, "record.stale_save_refused")
    assert refused.actor_id == world.a.front_door.id and refused.object_id == str(summit_id)
    # Saving again, against the version saved now, goes through.
    assert front_door.post(f"/summits/{summit_id}/edit", data=plan(venue="The library", version="2")).status_code == 302
    assert one(app, world.a, SafetySummit, summit_id).venue == "The library"


# The checklist -------------------------------------------------------------------------------------


def test_the_planning_checklist_is_ticked_and_a_stale_save_is_refused(app, world):
    summit_id = make_summit(app, world.a)
    dsl1, front_door = signed_in_client(app, world.a.dsl1), signed_in_client(app, world.a.front_door)
    page = page_text(dsl1.get(f"/summits/{summit_id}"))
    for label in (
        "Who to invite: schools, colleges and agencies",
        "How the summit is made inclusive for young people",
        "Which practitioners attend",
        "How young people get involved, and their consent",
        "The activities chosen, each with a facilitator",
        "A plan for following up with students: named owners and timeframes",
        "How young people will be kept informed",
    ):
        assert label in page

    assert dsl1.post(f"/summits/{summit_id}/checklist", data={"items": ["inclusive", "invite"], "version": "1"}).status_code == 302
    assert one(app, world.a, SafetySummit, summit_id).checklist == ["invite", "inclusive"]
    [event] = audit_events(app, world.a.authority_id, "workspace.updated")
    assert event.details == {"change": "checklist", "ticked": ["invite", "inclusive"]}

    response = front_door.post(f"/summits/{summit_id}/checklist", data={"items": ["practitioners"], "version": "1"})
    assert response.status_code == 200
    page = page_text(response)
    assert "Someone else changed the planning checklist while you were editing" in page
    assert "Who to invite: schools, colleges and agencies; How the summit is made inclusive for young people Which practitioners attend" in page
    assert one(app, world.a, SafetySummit, summit_id).checklist == ["invite", "inclusive"]
    assert len(audit_events(app, world.a.authority_id, "record.stale_save_refused")) == 1

    partner_page = page_text(_accepted_partner(app, world, summit_id).get(f"/summits/{summit_id}"))
    assert "Who to invite: schools, colleges and agencies: Done" in partner_page and "Which practitioners attend: Not done yet" in partner_page


def _accepted_partner(app, world, summit_id):
    invite(app, world.a, summit_id, "police", "accepted")
    return signed_in_client(app, world.a.partner)


# Invitations ---------------------------------------------------------------------------------------


def test_an_organiser_invites_a_partner_agency_once_and_never_the_host(app, world):
    summit_id = make_summit(app, world.a)
    dsl1 = signed_in_client(app, world.a.dsl1)
    response = dsl1.post(f"/summits/{summit_id}/invite", data={"organisation": str(world.a.police)})
    assert response.status_code == 302
    [invitation] = rows(app, world.a, Invitation, summit_id=summit_id)
    assert invitation.organisation_id == world.a.police and invitation.invited_by_id == world.a.dsl1.id
    [event] = audit_events(app, world.a.authority_id, "workspace.invited")
    assert event.object_id == str(summit_id) and event.organisation_id == world.a.police
    assert notification_titles(app, world.a, "partner") == ["Invitation: Student Safety Summit"]

    again = dsl1.post(f"/summits/{summit_id}/invite", data={"organisation": str(world.a.police)})
    assert field_error(again, "organisation") == "Avonford Police has already been invited"
    host = dsl1.post(f"/summits/{summit_id}/invite", data={"organisation": str(world.a.school1)})
    assert field_error(host, "organisation") == "The host school is already taking part: it does not need an invitation"
    social_care = dsl1.post(f"/summits/{summit_id}/invite", data={"organisation": str(world.a.social_care)})
    assert field_error(social_care, "organisation") == "Select a school or partner agency from the list"
    assert len(rows(app, world.a, Invitation, summit_id=summit_id)) == 1

    dsl1.post(f"/summits/{summit_id}/invite", data={"organisation": str(world.a.school2)})
    assert notification_titles(app, world.a, "dsl2") == ["Invitation: Student Safety Summit"]
    assert "Avonford High School School Waiting for a reply" in page_text(dsl1.get(f"/summits/{summit_id}"))


# The people taking part ----------------------------------------------------------------------------


def test_practitioners_from_social_care_the_host_and_organisations_that_accepted_can_be_added(app, world):
    summit_id = make_summit(app, world.a)
    invite(app, world.a, summit_id, "police", "accepted")
    invite(app, world.a, summit_id, "health")  # not answered: its people cannot be added yet
    dsl1 = signed_in_client(app, world.a.dsl1)
    page = page_text(dsl1.get(f"/summits/{summit_id}/participants"))
    assert "Partner, Avonford Police" in page and "Staff1, Avonford Primary School" in page and "Assessor, Avonford" in page
    assert "Partner2" not in page and "Governor1" not in page and "Dsl2" not in page

    assert dsl1.post(f"/summits/{summit_id}/participants", data={"user": str(world.a.partner.id), "role": "facilitator"}).status_code == 302
    refused = dsl1.post(f"/summits/{summit_id}/participants", data={"user": str(world.a.partner2.id), "role": "attendee"})
    assert field_error(refused, "user") == "Select a practitioner from the list"
    people = {p.user_id: p.role for p in rows(app, world.a, Participant, summit_id=summit_id)}
    assert people == {world.a.front_door.id: ParticipantRole.ORGANISER, world.a.partner.id: ParticipantRole.FACILITATOR}
    assert notification_titles(app, world.a, "partner") == ["You are taking part in Student Safety Summit as facilitator"]
    assert audit_events(app, world.a.authority_id, "workspace.participant_added")[-1].details == {"user": str(world.a.partner.id), "role": "facilitator"}

    [row] = rows(app, world.a, Participant, summit_id=summit_id, user_id=world.a.partner.id)
    assert dsl1.post(f"/summits/{summit_id}/participants", data={"remove": str(row.id)}).status_code == 302
    assert [p.user_id for p in rows(app, world.a, Participant, summit_id=summit_id)] == [world.a.front_door.id]
    assert len(audit_events(app, world.a.authority_id, "workspace.participant_removed")) == 1


def test_a_staff_member_added_to_the_summit_sees_it(app, world):
    """Staff see a summit only once added to it (then its content, not its planning pages)."""
    summit_id = make_summit(app, world.a)
    staff = signed_in_client(app, world.a.staff1)
    assert staff.get(f"/summits/{summit_id}").status_code == 404
    add_person(app, world.a, summit_id, "staff1")
    assert "The sports hall" in page_text(staff.get(f"/summits/{summit_id}"))
    assert staff.get(f"/summits/{summit_id}/edit").status_code == 403


def test_only_organisers_are_offered_the_context_referral_for_one_school(app, world):
    summit_id = make_summit(app, world.a)
    organiser = signed_in_client(app, world.a.front_door).get(f"/summits/{summit_id}").get_data(as_text=True)
    if "contexts.new" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            link = url_for("contexts.new", summit_id=summit_id)
        assert f'href="{link}"' in organiser and "Raise a context referral for one school" in organiser
    attendee = page_text(_accepted_partner(app, world, summit_id).get(f"/summits/{summit_id}"))
    assert "Raise a context referral for one school" not in attendee


def test_organisers_move_the_summit_from_planning_to_held_to_closed(app, world):
    summit_id = make_summit(app, world.a)
    dsl1 = signed_in_client(app, world.a.dsl1)
    assert "Mark the summit as held" in page_text(dsl1.get(f"/summits/{summit_id}"))
    dsl1.post(f"/summits/{summit_id}/status", data={"status": "closed"})  # not the next step
    assert one(app, world.a, SafetySummit, summit_id).status.value == "planning"
    dsl1.post(f"/summits/{summit_id}/status", data={"status": "held"})
    assert one(app, world.a, SafetySummit, summit_id).status.value == "held"
    assert "Close the summit" in page_text(dsl1.get(f"/summits/{summit_id}"))
    dsl1.post(f"/summits/{summit_id}/status", data={"status": "closed"})
    assert one(app, world.a, SafetySummit, summit_id).status.value == "closed"
    assert [e.details["status"] for e in audit_events(app, world.a.authority_id, "workspace.updated")] == ["held", "closed"]
