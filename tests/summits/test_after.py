"""After the summit: findings, the action plan (owners a person or an organisation, due dates, status,
progress, "Overdue"), and "You said, we did" — saved, audited, shown, and who is told."""

from __future__ import annotations

import re
from datetime import date, timedelta

from portal.clock import uk_today
from portal.partnership.models import ActionStatus, PlanAction
from portal.summits.models import SummitFinding, YouSaidWeDid
from tests.admin.pages import field_error, page_text
from tests.summits.support import add_person, invite, make_action, make_activity, make_summit, notification_titles, notifications, one, rows
from tests.support import audit_events, signed_in_client


def _date(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def test_findings_wait_until_the_summit_has_been_held(app, world):
    summit_id = make_summit(app, world.a)
    dsl1 = signed_in_client(app, world.a.dsl1)
    response = dsl1.post(f"/summits/{summit_id}/findings/new", data={"text": "Too early"})
    assert response.status_code == 302
    assert "Mark the summit as held first" in page_text(dsl1.get(response.headers["Location"]))
    assert rows(app, world.a, SummitFinding) == []


def test_a_finding_is_saved_audited_and_shown_with_its_activity(app, world):
    summit_id = make_summit(app, world.a, status="held")
    activity_id = make_activity(app, world.a, summit_id)
    dsl1 = signed_in_client(app, world.a.dsl1)
    assert field_error(dsl1.post(f"/summits/{summit_id}/findings/new", data={"text": "   "}), "text") == "Enter the finding"
    response = dsl1.post(f"/summits/{summit_id}/findings/new", data={"text": "Year 9 feel unsafe at the bus station after 4pm.", "activity": str(activity_id)})
    assert response.status_code == 302
    [finding] = rows(app, world.a, SummitFinding, summit_id=summit_id)
    assert finding.activity_id == activity_id and finding.created_by_id == world.a.dsl1.id
    [event] = audit_events(app, world.a.authority_id, "summit.finding_added")
    assert event.object_id == str(finding.id) and event.details == {"summit": str(summit_id)} and event.organisation_id == world.a.school1
    page = page_text(dsl1.get(f"/summits/{summit_id}"))
    assert "Year 9 feel unsafe at the bus station after 4pm. From: Mapping our neighbourhood" in page


def test_actions_are_owned_by_a_named_person_or_an_organisation(app, world):
    """One action owned by the police partner (a person taking part), one by Avonford Police (an
    organisation that accepted): each saved through the shared service, audited, its owner told."""
    summit_id = make_summit(app, world.a, status="held")
    invite(app, world.a, summit_id, "police", "accepted")
    add_person(app, world.a, summit_id, "partner")
    dsl1 = signed_in_client(app, world.a.dsl1)
    due = uk_today() + timedelta(days=21)
    page = page_text(dsl1.get(f"/summits/{summit_id}/actions/new"))
    assert "Partner" in page and "Avonford Police (organisation)" in page and "Avonford Primary School (organisation)" in page
    assert "Avonford High School" not in page

    dsl1.post(
        f"/summits/{summit_id}/actions/new",
        data={"description": "Walk the route to the bus station with Year 9.", "owner": f"user:{world.a.partner.id}", "due_on": _date(due)},
    )
    dsl1.post(
        f"/summits/{summit_id}/actions/new",
        data={"description": "Patrol the bus station at 4pm.", "owner": f"organisation:{world.a.police}", "due_on": _date(due)},
    )
    by_text = {a.description: a for a in rows(app, world.a, PlanAction, summit_id=summit_id)}
    assert by_text["Walk the route to the bus station with Year 9."].owner_user_id == world.a.partner.id
    police = by_text["Patrol the bus station at 4pm."]
    assert police.owner_organisation_id == world.a.police and police.owner_user_id is None and police.due_on == due
    assert len(audit_events(app, world.a.authority_id, "plan_action.added")) == 2
    assert notification_titles(app, world.a, "partner").count(f"An action is yours, due {due.strftime('%-d %B %Y')}") == 2

    refused = dsl1.post(f"/summits/{summit_id}/actions/new", data={"description": "x", "owner": f"organisation:{world.a.health}", "due_on": _date(due)})
    assert field_error(refused, "owner") == "Select who owns the action from the list"
    past = dsl1.post(
        f"/summits/{summit_id}/actions/new", data={"description": "x", "owner": f"user:{world.a.partner.id}", "due_on": _date(uk_today() - timedelta(days=1))}
    )
    assert field_error(past, "due_on") == "The due date must be today or in the future"
    assert len(rows(app, world.a, PlanAction, summit_id=summit_id)) == 2

    page = page_text(dsl1.get(f"/summits/{summit_id}"))
    assert "Patrol the bus station at 4pm. Update this action Avonford Police" in page


def test_only_people_taking_part_and_organisations_that_accepted_may_own_an_action(app, world):
    """Are the owners offered only people taking part (still in social care, the host school or an
    organisation that accepted) and the host and the organisations that accepted, never an organisation
    only invited or that declined, nor a person listed whose organisation is not in the summit?"""
    a = world.a
    summit_id = make_summit(app, a, status="held")
    invite(app, a, summit_id, "police", "accepted")
    invite(app, a, summit_id, "health")  # invited, not yet answered
    invite(app, a, summit_id, "school2", "declined")
    for person in ("partner", "partner2", "dsl2"):  # partner2 and dsl2 are listed, but their organisations are not in
        add_person(app, a, summit_id, person)
    dsl1 = signed_in_client(app, a.dsl1)
    html = dsl1.get(f"/summits/{summit_id}/actions/new").get_data(as_text=True)
    offered = set(re.findall(r'value="((?:user|organisation):[^"]+)"', html))
    assert offered == {f"user:{a.front_door.id}", f"user:{a.partner.id}", f"organisation:{a.school1}", f"organisation:{a.police}"}
    activity_form = dsl1.get(f"/summits/{summit_id}/activities/new").get_data(as_text=True)
    assert str(a.partner.id) in activity_form and str(a.partner2.id) not in activity_form and str(a.dsl2.id) not in activity_form

    due = _date(uk_today() + timedelta(days=7))
    for owner in (f"user:{a.partner2.id}", f"user:{a.dsl2.id}", f"organisation:{a.health}", f"organisation:{a.school2}"):
        refused = dsl1.post(f"/summits/{summit_id}/actions/new", data={"description": "Walk the route to the bus station.", "owner": owner, "due_on": due})
        assert field_error(refused, "owner") == "Select who owns the action from the list"
    assert rows(app, a, PlanAction, summit_id=summit_id) == []
    assert notifications(app, a, "partner2") == [] and notifications(app, a, "dsl2") == []


def test_action_notifications_carry_a_title_only_never_the_actions_text(app, world):
    """An action's text may name places and young people, and a notification is emailed: is every
    notification about an action (new owner, given to an organisation, updated by its owner) a title
    naming at most the summit, with no body?"""
    a = world.a
    summit_id = make_summit(app, a, status="held")
    invite(app, a, summit_id, "police", "accepted")
    add_person(app, a, summit_id, "partner")
    dsl1, partner = signed_in_client(app, a.dsl1), signed_in_client(app, a.partner)
    due = uk_today() + timedelta(days=21)
    text = "Talk to the Year 9 pupils who wait in the alley by the chip shop."
    form = {"description": text, "due_on": _date(due)}
    assert dsl1.post(f"/summits/{summit_id}/actions/new", data=form | {"owner": f"user:{a.front_door.id}"}).status_code == 302
    [action] = rows(app, a, PlanAction, summit_id=summit_id)
    edit = f"/summits/actions/{action.id}/edit"
    assert dsl1.post(edit, data=form | {"owner": f"organisation:{a.police}", "status": "not_started", "version": str(action.version)}).status_code == 302
    version = one(app, a, PlanAction, action.id).version
    assert partner.post(edit, data={"status": "in_progress", "progress_note": "Spoke to two of them.", "version": str(version)}).status_code == 302

    yours = f"An action is yours, due {due.strftime('%-d %B %Y')}"
    assert notifications(app, a, "front_door") == [(yours, None)]
    assert notifications(app, a, "partner") == [(yours, None)]
    assert notifications(app, a, "dsl1") == [("Action updated (in progress): Student Safety Summit", None)]


def test_the_owner_updates_status_and_progress_and_the_organiser_is_told(app, world):
    summit_id = make_summit(app, world.a, status="held")
    invite(app, world.a, summit_id, "police", "accepted")
    invite(app, world.a, summit_id, "health", "accepted")
    action_id = make_action(app, world.a, summit_id, organisation="police")
    partner = signed_in_client(app, world.a.partner)
    form = page_text(partner.get(f"/summits/actions/{action_id}/edit"))
    assert "Ask the council to light the alley by the chip shop." in form and "What needs to be done?" not in form

    response = partner.post(
        f"/summits/actions/{action_id}/edit",
        data={"status": "done", "progress_note": "Lights went up on Friday.", "description": "Changed by the owner", "version": "1"},
    )
    assert response.status_code == 302
    action = one(app, world.a, PlanAction, action_id)
    assert action.status == ActionStatus.DONE and action.progress_note == "Lights went up on Friday." and action.completed_at is not None
    assert action.description == "Ask the council to light the alley by the chip shop."
    assert audit_events(app, world.a.authority_id, "plan_action.updated")[-1].details == {"status": "done"}
    assert notification_titles(app, world.a, "front_door") == ["Action updated (done): Student Safety Summit"]
    # Someone else in the summit who does not own it: refused.
    assert signed_in_client(app, world.a.partner2).get(f"/summits/actions/{action_id}/edit").status_code == 403


def test_an_overdue_action_is_tagged_overdue(app, world):
    summit_id = make_summit(app, world.a, status="held")
    make_action(app, world.a, summit_id, owner="front_door", due_on=uk_today() - timedelta(days=3))
    done = make_action(app, world.a, summit_id, owner="front_door", due_on=uk_today() - timedelta(days=3))
    signed_in_client(app, world.a.front_door).post(
        f"/summits/actions/{done}/edit",
        data={
            "description": "Done already",
            "owner": f"user:{world.a.front_door.id}",
            "due_on": _date(uk_today() - timedelta(days=3)),
            "status": "done",
            "version": "1",
        },
    )
    page = page_text(signed_in_client(app, world.a.dsl1).get(f"/summits/{summit_id}"))
    assert page.count("Not started Overdue") == 1 and "Done Overdue" not in page


def test_two_people_update_an_action_the_second_is_refused_and_the_first_is_kept(app, world):
    summit_id = make_summit(app, world.a, status="held")
    action_id = make_action(app, world.a, summit_id, owner="front_door")
    form = {
        "description": "Ask the council to light the alley by the chip shop.",
        "owner": f"user:{world.a.front_door.id}",
        "due_on": _date(uk_today() + timedelta(days=30)),
        "version": "1",
    }
    assert (
        signed_in_client(app, world.a.front_door)
        .post(f"/summits/actions/{action_id}/edit", data=form | {"status": "in_progress", "progress_note": "Emailed the council."})
        .status_code
        == 302
    )
    response = signed_in_client(app, world.a.dsl1).post(f"/summits/actions/{action_id}/edit", data=form | {"status": "no_longer_needed"})
    page = page_text(response)
    assert "Someone else changed this action while you were editing" in page and "Status In progress No longer needed" in page
    action = one(app, world.a, PlanAction, action_id)
    assert action.status == ActionStatus.IN_PROGRESS and action.progress_note == "Emailed the council."


def test_you_said_we_did_is_saved_audited_and_shown(app, world):
    summit_id = make_summit(app, world.a, status="held")
    dsl1 = signed_in_client(app, world.a.dsl1)
    data = {
        "you_said": "The alley by the chip shop is dark.",
        "we_did": "The council put in two lights.",
        "told_on": ["20", "3", "2026"],
        "told_how": "A Year 9 assembly.",
    }
    future = uk_today() + timedelta(days=2)
    response = dsl1.post(f"/summits/{summit_id}/you-said-we-did/new", data=data | {"told_on": _date(future)})
    assert field_error(response, "told_on") == "The date young people were told must be today or in the past"
    assert "The council put in two lights." in response.get_data(as_text=True)
    assert field_error(dsl1.post(f"/summits/{summit_id}/you-said-we-did/new", data=data | {"told_how": ""}), "told_how") == "Enter how young people were told"

    assert dsl1.post(f"/summits/{summit_id}/you-said-we-did/new", data=data).status_code == 302
    [row] = rows(app, world.a, YouSaidWeDid, summit_id=summit_id)
    assert row.told_on == date(2026, 3, 20) and row.told_how == "A Year 9 assembly." and row.created_by_id == world.a.dsl1.id
    [event] = audit_events(app, world.a.authority_id, "summit.you_said_we_did")
    assert event.object_id == str(row.id) and event.details == {"summit": str(summit_id)}
    page = page_text(dsl1.get(f"/summits/{summit_id}"))
    assert "The alley by the chip shop is dark. The council put in two lights. 20 March 2026: A Year 9 assembly." in page


def test_an_action_due_today_is_accepted_and_one_due_yesterday_refused_at_any_moment(awkward_moment, app, world):
    """ "Today" is the UK's: at 00:30 BST (23:30 UTC the day before), as the clocks change, on New Year's
    Eve, 29 February and a bank holiday, is an action due today accepted and one due yesterday refused?"""
    summit_id = make_summit(app, world.a, status="held")
    dsl1 = signed_in_client(app, world.a.dsl1)
    today = uk_today()
    url = f"/summits/{summit_id}/actions/new"
    owner = f"organisation:{world.a.school1}"  # the host school
    yesterday = dsl1.post(url, data={"description": "Due yesterday", "owner": owner, "due_on": _date(today - timedelta(days=1))})
    assert field_error(yesterday, "due_on") == "The due date must be today or in the future"
    response = dsl1.post(url, data={"description": "Due today", "owner": owner, "due_on": _date(today)})
    assert response.status_code == 302, page_text(response)[:600]
    [action] = rows(app, world.a, PlanAction, summit_id=summit_id)
    assert (action.description, action.due_on) == ("Due today", today)
    assert "Overdue" not in page_text(dsl1.get(f"/summits/{summit_id}"))
