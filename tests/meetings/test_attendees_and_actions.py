"""Organisations invited, people taking part and who attended; actions owned by a person or an
organisation, updated by their owner, with "Overdue" shown in words."""

from __future__ import annotations

from datetime import date, timedelta

from portal.partnership.models import Invitation, Participant, PlanAction
from tests.admin.pages import page_text
from tests.meetings.support import invitation_id, make_action, make_meeting, meeting, notification_bodies, rows
from tests.referrals.support import error_next_to, notifications
from tests.support import audit_events, signed_in_client
from tests.world import create_user

DUE = ["12", "3", "2027"]


def _option_values(response, field: str) -> list[str]:
    import re

    html = response.get_data(as_text=True)
    select = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_lead_invites_organisations_and_adds_their_people(app, world):
    """Does the lead invite a partner agency (its contacts told, audited) but not the meeting's own school;
    may only people of the school, social care and organisations that accepted be added (never a
    governor, never a partner agency that has not accepted); and is the person added told?"""
    meeting_id = make_meeting(app, world.a)
    lead = signed_in_client(app, world.a.front_door)
    page = lead.get(f"/meetings/{meeting_id}/attendees")
    organisations = _option_values(page, "organisation")
    assert str(world.a.police) in organisations and str(world.a.school2) in organisations and str(world.a.school1) not in organisations

    assert lead.post(f"/meetings/{meeting_id}/invite", data={"organisation": str(world.a.police)}).status_code == 302
    assert lead.post(f"/meetings/{meeting_id}/invite", data={"organisation": str(world.a.health)}).status_code == 302
    again = lead.post(f"/meetings/{meeting_id}/invite", data={"organisation": str(world.a.police)})
    assert again.status_code == 200
    assert error_next_to(again.get_data(as_text=True), "organisation") == "Select an organisation from the list: it may have been invited already"
    empty = lead.post(f"/meetings/{meeting_id}/invite", data={"organisation": ""})
    assert error_next_to(empty.get_data(as_text=True), "organisation") == "Select who to invite"
    assert sorted(i.organisation_id for i in rows(app, world.a, Invitation, meeting_id=meeting_id)) == sorted([world.a.police, world.a.health])
    assert notifications(app, world.a, world.a.partner) == ["Invitation: School partnership meeting: the park behind the leisure centre"]
    assert len(audit_events(app, world.a.authority_id, "workspace.invited")) == 2

    people = _option_values(lead.get(f"/meetings/{meeting_id}/attendees"), "user")
    for key in ("dsl1", "head1", "staff1", "assessor"):
        assert str(world.a.people[key].id) in people, key
    for key in ("governor1", "admin", "dsl2", "partner", "partner2", "front_door"):
        assert str(world.a.people[key].id) not in people, key

    signed_in_client(app, world.a.partner).post(f"/meetings/invitations/{invitation_id(app, world.a, meeting_id, 'police')}/respond", data={"answer": "accept"})
    refused = lead.post(f"/meetings/{meeting_id}/attendees", data={"intent": "add", "user": str(world.a.partner2.id), "role": "attendee"})
    assert error_next_to(refused.get_data(as_text=True), "user") == "Not a valid choice."
    assert lead.post(f"/meetings/{meeting_id}/attendees", data={"intent": "add", "user": str(world.a.partner.id), "role": "attendee"}).status_code == 302
    assert lead.post(f"/meetings/{meeting_id}/attendees", data={"intent": "add", "user": str(world.a.assessor.id), "role": "organiser"}).status_code == 302
    added = {p.user_id: p.role.value for p in rows(app, world.a, Participant, meeting_id=meeting_id)}
    assert added == {world.a.front_door.id: "organiser", world.a.partner.id: "attendee", world.a.assessor.id: "organiser"}
    assert notifications(app, world.a, world.a.partner, "added") == ["You have been added to School partnership meeting: the park behind the leisure centre"]


def test_the_lead_records_who_attended_and_removes_a_person(app, world):
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "dsl1", "partner"), invited={"police": "accepted"})
    lead = signed_in_client(app, world.a.front_door)
    by_user = {p.user_id: p for p in rows(app, world.a, Participant, meeting_id=meeting_id)}
    response = lead.post(
        f"/meetings/{meeting_id}/attendees",
        data={"intent": "attendance", "attended": [str(by_user[world.a.front_door.id].id), str(by_user[world.a.dsl1.id].id)], "version": "1"},
    )
    assert response.status_code == 302
    assert meeting(app, world.a, meeting_id).version == 2
    attended = {p.user_id: p.attended for p in rows(app, world.a, Participant, meeting_id=meeting_id)}
    assert attended == {world.a.front_door.id: True, world.a.dsl1.id: True, world.a.partner.id: False}
    assert "Not recorded" not in page_text(lead.get(f"/meetings/{meeting_id}"))

    only_organiser = lead.post(f"/meetings/{meeting_id}/attendees", data={"intent": "remove", "participant": str(by_user[world.a.front_door.id].id)})
    assert only_organiser.status_code == 302
    assert "the meeting's only organiser" in page_text(lead.get(f"/meetings/{meeting_id}/attendees"))
    assert lead.post(f"/meetings/{meeting_id}/attendees", data={"intent": "remove", "participant": str(by_user[world.a.partner.id].id)}).status_code == 302
    assert {p.user_id for p in rows(app, world.a, Participant, meeting_id=meeting_id)} == {world.a.front_door.id, world.a.dsl1.id}
    assert [e.details["user"] for e in audit_events(app, world.a.authority_id, "workspace.participant_removed")] == [str(world.a.partner.id)]


def test_two_people_record_who_attended_the_second_is_refused_with_what_changed(app, world):
    """Two leads open the attendance form; the first saves. Is the second save (from the older page)
    refused with what changed, what they ticked kept ticked, and the first save left intact?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "assessor", "dsl1", "partner"), invited={"police": "accepted"})
    by_user = {p.user_id: str(p.id) for p in rows(app, world.a, Participant, meeting_id=meeting_id)}
    first, second = signed_in_client(app, world.a.front_door), signed_in_client(app, world.a.assessor)
    for client in (first, second):
        assert 'name="version" type="hidden" value="1"' in client.get(f"/meetings/{meeting_id}/attendees").get_data(as_text=True)
    url = f"/meetings/{meeting_id}/attendees"
    assert first.post(url, data={"intent": "attendance", "attended": [by_user[world.a.dsl1.id]], "version": "1"}).status_code == 302

    refused = second.post(url, data={"intent": "attendance", "attended": [by_user[world.a.partner.id]], "version": "1"})
    assert refused.status_code == 200
    text = page_text(refused)
    assert "Someone else changed this meeting while you were editing" in text
    assert "Who attended Dsl1 Partner" in text
    html = refused.get_data(as_text=True)
    assert f'value="{by_user[world.a.partner.id]}" checked' in html and f'value="{by_user[world.a.dsl1.id]}" checked' not in html
    assert 'name="version" type="hidden" value="2"' in html
    attended = {p.user_id: p.attended for p in rows(app, world.a, Participant, meeting_id=meeting_id)}
    assert attended == {world.a.front_door.id: False, world.a.assessor.id: False, world.a.dsl1.id: True, world.a.partner.id: False}
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "record.stale_save_refused")] == [str(meeting_id)]

    # Saving again, now against what is saved, goes through.
    assert second.post(url, data={"intent": "attendance", "attended": [by_user[world.a.partner.id]], "version": "2"}).status_code == 302
    assert {p.user_id for p in rows(app, world.a, Participant, meeting_id=meeting_id) if p.attended} == {world.a.partner.id}


def test_only_the_school_organisations_that_accepted_and_people_who_accepted_the_agreement_own_actions(app, world):
    """With the police invited (not answered yet), the nursing service accepted, and the head listed but
    not yet agreed to the information-sharing agreement: are only the school, the nursing service and the
    people who accepted offered as owners; is any other owner refused (nothing saved, nobody told); and
    do the notifications about actions carry no text of the action?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "dsl1"), attendees=("head1",), invited={"police": "invited", "health": "accepted"})
    lead = signed_in_client(app, world.a.front_door)
    owners = _option_values(lead.get(f"/meetings/{meeting_id}/actions/new"), "owner")
    assert sorted(owners) == sorted(
        ["", f"user:{world.a.front_door.id}", f"user:{world.a.dsl1.id}", f"organisation:{world.a.school1}", f"organisation:{world.a.health}"]
    )

    for owner in (f"organisation:{world.a.police}", f"user:{world.a.head1.id}", f"user:{world.a.partner.id}", "organisation:not-an-id"):
        refused = lead.post(f"/meetings/{meeting_id}/actions/new", data={"description": "Share the names of the group", "owner": owner, "due_on": DUE})
        assert refused.status_code == 200 and error_next_to(refused.get_data(as_text=True), "owner") == "Not a valid choice.", owner
    assert rows(app, world.a, PlanAction, meeting_id=meeting_id) == []
    assert notifications(app, world.a, world.a.partner, "action") == [] and notifications(app, world.a, world.a.head1, "action") == []

    secret = "Share the names of the group seen at the underpass"
    assert lead.post(f"/meetings/{meeting_id}/actions/new", data={"description": secret, "owner": f"user:{world.a.dsl1.id}", "due_on": DUE}).status_code == 302
    [action] = rows(app, world.a, PlanAction, meeting_id=meeting_id)
    edit = f"/meetings/{meeting_id}/actions/{action.id}/edit"
    assert sorted(_option_values(lead.get(edit), "owner")) == sorted(owners[1:])
    changed = {"description": secret, "owner": f"organisation:{world.a.health}", "due_on": DUE, "status": "not_started", "version": "1"}
    assert lead.post(edit, data=changed).status_code == 302
    assert lead.post(edit, data={**changed, "owner": f"organisation:{world.a.police}", "version": "2"}).status_code == 200
    assert rows(app, world.a, PlanAction, id=action.id)[0].owner_organisation_id == world.a.health
    assert lead.post(edit, data={**changed, "owner": f"user:{world.a.dsl1.id}", "version": "2"}).status_code == 302
    assert signed_in_client(app, world.a.dsl1).post(edit, data={"status": "done", "progress_note": "", "version": "3"}).status_code == 302

    assert notifications(app, world.a, world.a.dsl1, "An action is yours") == ["An action is yours, due 12 March 2027"] * 2
    assert notifications(app, world.a, world.a.partner2, "An action is yours") == ["An action is yours, due 12 March 2027"]
    assert notifications(app, world.a, world.a.front_door, "is done") == ["An action of School partnership meeting: the park behind the leisure centre is done"]
    assert notifications(app, world.a, world.a.partner, "action") == [] and notifications(app, world.a, world.a.head1, "action") == []
    assert notification_bodies(app, world.a) and set(notification_bodies(app, world.a)) == {None}


def test_actions_owned_by_a_person_and_by_an_organisation(app, world):
    """Does the lead add an action owned by a person and one owned by an organisation (the school, or an
    invited partner agency), each owner told; are they listed with their owners and due dates?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "dsl1", "partner"), invited={"police": "accepted", "health": "declined"})
    lead = signed_in_client(app, world.a.front_door)
    owners = _option_values(lead.get(f"/meetings/{meeting_id}/actions/new"), "owner")
    assert f"user:{world.a.dsl1.id}" in owners and f"organisation:{world.a.police}" in owners and f"organisation:{world.a.school1}" in owners
    assert f"organisation:{world.a.health}" not in owners and f"user:{world.a.partner2.id}" not in owners

    missing = lead.post(f"/meetings/{meeting_id}/actions/new", data={"description": " ", "owner": "", "due_on": ["", "", ""]})
    html = missing.get_data(as_text=True)
    assert error_next_to(html, "description") == "Enter what needs to be done"
    assert error_next_to(html, "owner") == "Select who owns the action"
    assert error_next_to(html, "due_on") == "Enter the due date"

    assert (
        lead.post(
            f"/meetings/{meeting_id}/actions/new",
            data={"description": "Review the lunchtime supervision rota", "owner": f"user:{world.a.dsl1.id}", "due_on": DUE},
        ).status_code
        == 302
    )
    assert (
        lead.post(
            f"/meetings/{meeting_id}/actions/new",
            data={"description": "Patrol the park after school", "owner": f"organisation:{world.a.police}", "due_on": DUE},
        ).status_code
        == 302
    )
    made = {a.description: a for a in rows(app, world.a, PlanAction, meeting_id=meeting_id)}
    assert made["Review the lunchtime supervision rota"].owner_user_id == world.a.dsl1.id
    assert made["Patrol the park after school"].owner_organisation_id == world.a.police and made["Patrol the park after school"].due_on == date(2027, 3, 12)
    assert notifications(app, world.a, world.a.dsl1, "An action is yours") == ["An action is yours, due 12 March 2027"]
    assert notifications(app, world.a, world.a.partner, "An action is yours") == ["An action is yours, due 12 March 2027"]
    assert len(audit_events(app, world.a.authority_id, "plan_action.added")) == 2

    text = page_text(signed_in_client(app, world.a.partner).get(f"/meetings/{meeting_id}"))
    assert "Patrol the park after school Avonford Police 12 March 2027 Not started" in text
    assert "Review the lunchtime supervision rota Dsl1 12 March 2027 Not started" in text


def test_the_owner_updates_status_and_progress_and_only_the_lead_changes_the_rest(app, world):
    """Does a member of the owning organisation update the status and progress (the lead told when it is
    done), without being able to change what it is, its owner or its date; is someone who does not own it
    refused; and does the lead change its due date?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "dsl1", "partner"), invited={"police": "accepted"})
    action_id = make_action(app, world.a, meeting_id, organisation="police", due_on=date(2027, 3, 12))
    partner = signed_in_client(app, world.a.partner)
    form = partner.get(f"/meetings/{meeting_id}/actions/{action_id}/edit")
    assert form.status_code == 200 and 'name="description"' not in form.get_data(as_text=True) and 'name="owner"' not in form.get_data(as_text=True)

    response = partner.post(
        f"/meetings/{meeting_id}/actions/{action_id}/edit",
        data={
            "status": "done",
            "progress_note": "Patrols every weekday 3pm to 5pm.",
            "description": "Changed by the partner",
            "owner": f"user:{world.a.partner.id}",
            "version": "1",
        },
    )
    assert response.status_code == 302
    [row] = rows(app, world.a, PlanAction, id=action_id)
    assert row.status.value == "done" and row.completed_at is not None and row.progress_note == "Patrols every weekday 3pm to 5pm."
    assert row.description.startswith("Walk the route") and row.owner_organisation_id == world.a.police
    assert notifications(app, world.a, world.a.front_door, "is done") == ["An action of School partnership meeting: the park behind the leisure centre is done"]
    assert audit_events(app, world.a.authority_id, "plan_action.updated")[-1].details == {"status": "done"}

    dsl = signed_in_client(app, world.a.dsl1)
    assert dsl.get(f"/meetings/{meeting_id}/actions/{action_id}/edit").status_code == 403
    assert "Update" not in page_text(dsl.get(f"/meetings/{meeting_id}")).split("Actions")[-1]

    lead = signed_in_client(app, world.a.front_door)
    response = lead.post(
        f"/meetings/{meeting_id}/actions/{action_id}/edit",
        data={
            "description": "Patrol the park and the underpass",
            "owner": f"user:{world.a.dsl1.id}",
            "due_on": ["1", "4", "2027"],
            "status": "in_progress",
            "progress_note": "",
            "version": "2",
        },
    )
    assert response.status_code == 302
    [row] = rows(app, world.a, PlanAction, id=action_id)
    assert (row.description, row.owner_user_id, row.owner_organisation_id, row.due_on) == (
        "Patrol the park and the underpass",
        world.a.dsl1.id,
        None,
        date(2027, 4, 1),
    )
    assert row.completed_at is None
    assert notifications(app, world.a, world.a.dsl1, "An action is yours") == ["An action is yours, due 1 April 2027"]


def test_a_stale_action_update_is_refused_with_what_changed(app, world):
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "partner"), invited={"police": "accepted"})
    action_id = make_action(app, world.a, meeting_id, owner="partner", due_on=date(2027, 3, 12))
    assert (
        signed_in_client(app, world.a.front_door)
        .post(
            f"/meetings/{meeting_id}/actions/{action_id}/edit",
            data={
                "description": "Walk the route",
                "owner": f"user:{world.a.partner.id}",
                "due_on": DUE,
                "status": "in_progress",
                "progress_note": "The lead's note",
                "version": "1",
            },
        )
        .status_code
        == 302
    )
    response = signed_in_client(app, world.a.partner).post(
        f"/meetings/{meeting_id}/actions/{action_id}/edit", data={"status": "done", "progress_note": "The partner's note", "version": "1"}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this action while you were editing" in text
    assert "Progress The lead's note The partner's note" in text and "Status In progress Done" in text
    [row] = rows(app, world.a, PlanAction, id=action_id)
    assert row.status.value == "in_progress" and row.progress_note == "The lead's note"


def test_overdue_actions_say_so_in_words(app, world):
    """Is an open action past its due date tagged "Overdue", and one that is done (or not yet due) not?"""
    from portal.partnership.jobs import uk_today

    today = uk_today()
    meeting_id = make_meeting(app, world.a, accepted=("front_door",))
    make_action(app, world.a, meeting_id, owner="dsl1", due_on=today - timedelta(days=2), description="Late and still open")
    make_action(app, world.a, meeting_id, owner="dsl1", due_on=today - timedelta(days=2), status="done", description="Late but done")
    make_action(app, world.a, meeting_id, owner="dsl1", due_on=today + timedelta(days=2), description="Not due yet")
    text = page_text(signed_in_client(app, world.a.front_door).get(f"/meetings/{meeting_id}"))
    assert "Late and still open Dsl1" in text and text.split("Late and still open")[1].split("Late but done")[0].count("Overdue") == 1
    assert "Overdue" not in text.split("Late but done")[1]


def test_a_member_of_the_owning_school_updates_its_action(app, world):
    """An action owned by the school: may its head (who accepted the agreement) update it?"""
    meeting_id = make_meeting(app, world.a, accepted=("front_door", "head1"))
    action_id = make_action(app, world.a, meeting_id, organisation="school1", due_on=date(2027, 3, 12))
    response = signed_in_client(app, world.a.head1).post(
        f"/meetings/{meeting_id}/actions/{action_id}/edit", data={"status": "in_progress", "progress_note": "Rota drafted.", "version": "1"}
    )
    assert response.status_code == 302
    assert rows(app, world.a, PlanAction, id=action_id)[0].progress_note == "Rota drafted."


def test_an_action_of_another_meeting_is_not_found_through_this_one(app, world):
    meeting_id = make_meeting(app, world.a, accepted=("front_door",))
    other = make_meeting(app, world.a, accepted=("front_door",), title="Another meeting")
    action_id = make_action(app, world.a, other, owner="front_door", due_on=date(2027, 3, 12))
    lead = signed_in_client(app, world.a.front_door)
    assert lead.get(f"/meetings/{meeting_id}/actions/{action_id}/edit").status_code == 404
    assert lead.get(f"/meetings/{other}/actions/{action_id}/edit").status_code == 200


def test_a_deactivated_person_is_not_offered(app, world):
    from portal.clock import utcnow
    from portal.extensions import db
    from tenants import tenant_scope

    leaver = create_user(app, world.a.authority_id, "leaver@avonford.example.org", "staff", world.a.school1)
    with app.app_context(), tenant_scope(world.a.authority_id):
        from portal.accounts.models import User

        db.session.get(User, leaver.id).deactivated_at = utcnow()
        db.session.commit()
    meeting_id = make_meeting(app, world.a, accepted=("front_door",))
    people = _option_values(signed_in_client(app, world.a.front_door).get(f"/meetings/{meeting_id}/attendees"), "user")
    assert str(leaver.id) not in people and str(world.a.staff1.id) in people
