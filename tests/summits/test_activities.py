"""Activities on the day: each with a facilitator (a person taking part) and notes; the facilitator edits
the notes; a stale save is refused; the summit lists its safety maps."""

from __future__ import annotations

from portal.partnership.models import Participant, ParticipantRole
from portal.summits.models import ActivityKind, SummitActivity
from tests.admin.pages import field_error, page_text
from tests.summits.support import add_person, invite, make_activity, make_map, make_summit, notification_titles, one, rows
from tests.support import audit_events, signed_in_client


def test_an_organiser_adds_an_activity_and_its_facilitator_is_told(app, world):
    """An attendee chosen as facilitator becomes a facilitator of the summit and is told; an empty title
    takes the activity's name."""
    summit_id = make_summit(app, world.a)
    invite(app, world.a, summit_id, "police", "accepted")
    add_person(app, world.a, summit_id, "partner", "attendee")
    dsl1 = signed_in_client(app, world.a.dsl1)
    response = dsl1.post(
        f"/summits/{summit_id}/activities/new",
        data={"kind": "online", "title": "", "facilitator": str(world.a.partner.id), "notes": "Post-it notes on each platform."},
    )
    assert response.status_code == 302
    [activity] = rows(app, world.a, SummitActivity, summit_id=summit_id)
    assert activity.kind == ActivityKind.ONLINE and activity.title == "Online spaces" and activity.facilitator_id == world.a.partner.id
    [row] = rows(app, world.a, Participant, summit_id=summit_id, user_id=world.a.partner.id)
    assert row.role == ParticipantRole.FACILITATOR
    assert "You are facilitating Online spaces at Student Safety Summit" in notification_titles(app, world.a, "partner")
    assert audit_events(app, world.a.authority_id, "workspace.updated")[-1].details == {"change": "activity_added", "activity": str(activity.id)}
    page = page_text(dsl1.get(f"/summits/{summit_id}"))
    assert "Online spaces Edit Online spaces Activity Online spaces Facilitator Partner Notes Post-it notes on each platform." in page


def test_the_facilitator_must_be_taking_part(app, world):
    summit_id = make_summit(app, world.a)
    dsl1 = signed_in_client(app, world.a.dsl1)
    response = dsl1.post(f"/summits/{summit_id}/activities/new", data={"kind": "school", "facilitator": str(world.a.partner.id), "notes": "Keep this"})
    assert field_error(response, "facilitator") == "Select a facilitator from the people taking part"
    assert "Keep this" in response.get_data(as_text=True)
    response = dsl1.post(f"/summits/{summit_id}/activities/new", data={"facilitator": ""})
    assert field_error(response, "kind") == "Select the activity"
    assert rows(app, world.a, SummitActivity) == []


def test_the_facilitator_edits_the_notes_of_their_activity_and_nothing_else(app, world):
    summit_id = make_summit(app, world.a)
    invite(app, world.a, summit_id, "police", "accepted")
    invite(app, world.a, summit_id, "health", "accepted")
    add_person(app, world.a, summit_id, "partner", "facilitator")
    activity_id = make_activity(app, world.a, summit_id, facilitator="partner")
    other_activity = make_activity(app, world.a, summit_id, title="Friendships", kind=ActivityKind.FRIENDSHIPS)
    partner = signed_in_client(app, world.a.partner)

    page = page_text(partner.get(f"/summits/{summit_id}"))
    assert "Edit the notes Mapping our neighbourhood" in page and page.count("Edit the notes") == 1
    form = page_text(partner.get(f"/summits/activities/{activity_id}/edit"))
    assert "Which activity?" not in form and "Neighbourhood mapping" in form
    response = partner.post(
        f"/summits/activities/{activity_id}/edit",
        data={"notes": "The bus station came up in every group.", "kind": "online", "title": "Changed", "version": "1"},
    )
    assert response.status_code == 302
    activity = one(app, world.a, SummitActivity, activity_id)
    assert activity.notes == "The bus station came up in every group."
    assert activity.kind == ActivityKind.NEIGHBOURHOOD and activity.title == "Mapping our neighbourhood"
    assert partner.get(f"/summits/activities/{other_activity}/edit").status_code == 403
    # Another partner in the summit, not facilitating: refused.
    assert signed_in_client(app, world.a.partner2).get(f"/summits/activities/{activity_id}/edit").status_code == 403


def test_two_organisers_edit_an_activity_the_second_is_refused_and_the_first_is_kept(app, world):
    summit_id = make_summit(app, world.a)
    activity_id = make_activity(app, world.a, summit_id)
    dsl1, front_door = signed_in_client(app, world.a.dsl1), signed_in_client(app, world.a.front_door)
    form = {"kind": "neighbourhood", "title": "Mapping our neighbourhood", "facilitator": "", "version": "1"}
    assert dsl1.post(f"/summits/activities/{activity_id}/edit", data=form | {"notes": "Six groups of five."}).status_code == 302
    response = front_door.post(f"/summits/activities/{activity_id}/edit", data=form | {"notes": "Four groups of eight.", "title": "Our town"})
    assert response.status_code == 200
    page = page_text(response)
    assert "Someone else changed this activity while you were editing" in page
    assert "Notes Six groups of five. Four groups of eight." in page and "Title Mapping our neighbourhood Our town" in page
    html = response.get_data(as_text=True)
    assert "Four groups of eight." in html and '<input id="version" name="version" type="hidden" value="2">' in html
    activity = one(app, world.a, SummitActivity, activity_id)
    assert activity.notes == "Six groups of five." and activity.title == "Mapping our neighbourhood" and activity.version == 2
    assert audit_events(app, world.a.authority_id, "record.stale_save_refused")[-1].object_id == str(activity_id)


def test_the_summit_lists_its_safety_maps(app, world):
    summit_id = make_summit(app, world.a)
    make_map(app, world.a, summit_id, "Map of the town centre")
    make_map(app, world.a, make_summit(app, world.a, title="Another summit"), "Another summit's map")
    page = page_text(signed_in_client(app, world.a.dsl1).get(f"/summits/{summit_id}"))
    assert "Map of the town centre (the local area)" in page and "Another summit's map" not in page
