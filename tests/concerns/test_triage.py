"""The DSL's triage: action taken, outcome, a response to the person who logged it, links between
concerns, and two DSLs saving at once."""

from __future__ import annotations

from portal.casework.models import ChronologyEntry, EntryKind
from portal.concerns.models import Concern, ConcernLink
from portal.notifications.models import Notification
from tests.admin.pages import field_error, page_text
from tests.factories import make_concern, make_pupil
from tests.support import audit_events
from tests.world import load


def _triage(**overrides) -> dict:
    data = {"action_taken": "Spoke to mum. Breakfast club from Monday.", "outcome": "monitor", "response_to_reporter": "", "version": "1"}
    data.update(overrides)
    return data


def test_triage_is_saved_audited_chronicled_and_the_reporter_told(app, world, pupil, signed_in, rows, mailbox):
    """Does a triage save the DSL's record, audit the outcome, add a chronology line, and tell the person
    who logged the concern (by email too, without details)?"""
    concern_id = make_concern(app, world.a, pupil, by="staff1")
    dsl = signed_in(world.a.dsl1)
    form = page_text(dsl.get(f"/concerns/{concern_id}/triage"))
    assert "Triage this concern" in form and "Came to school hungry" in form

    response = dsl.post(f"/concerns/{concern_id}/triage", data=_triage(response_to_reporter="Thanks for flagging this."))
    assert response.status_code == 302 and response.headers["Location"] == f"/concerns/{concern_id}"
    assert "Your triage has been saved. Staff1 has been told." in page_text(dsl.get(response.headers["Location"]))

    concern = load(app, Concern, concern_id, world.a.authority_id)
    assert concern.status.value == "triaged" and concern.outcome.value == "monitor"
    assert concern.action_taken == "Spoke to mum. Breakfast club from Monday."
    assert concern.response_to_reporter == "Thanks for flagging this."
    assert concern.triaged_by_id == world.a.dsl1.id and concern.triaged_at is not None

    [triaged] = audit_events(app, world.a.authority_id, "concern.triaged")
    assert triaged.actor_id == world.a.dsl1.id and triaged.details == {"outcome": "monitor", "first": True}
    lines = rows(ChronologyEntry, world.a.authority_id, kind=EntryKind.TRIAGE)
    assert [line.title for line in lines] == ["DSL triage: Keep monitoring in school"]

    [told] = rows(Notification, world.a.authority_id, user_id=world.a.staff1.id)
    assert told.title == "The DSL has responded to a concern you logged" and told.link == f"/concerns/{concern_id}"
    [email] = [m for m in mailbox() if m["To"] == world.a.staff1.email]
    assert "The DSL has responded to a concern you logged" in email["Subject"]


def test_action_taken_and_outcome_are_required(app, world, pupil, signed_in):
    """Are a missing action and outcome refused next to their fields, keeping the response typed?"""
    concern_id = make_concern(app, world.a, pupil)
    dsl = signed_in(world.a.dsl1)
    response = dsl.post(f"/concerns/{concern_id}/triage", data=_triage(action_taken="  ", outcome="", response_to_reporter="Keep watching"))
    assert response.status_code == 200
    assert field_error(response, "action_taken") == "Enter what action you have taken"
    assert field_error(response, "outcome") == "Select the outcome"
    assert "Keep watching" in response.get_data(as_text=True)
    assert load(app, Concern, concern_id, world.a.authority_id).status.value == "new"


def test_a_stale_triage_is_refused_and_keeps_what_was_typed(app, world, pupil, signed_in):
    """Two DSLs triage at once: is the second save refused with a clear message, what they typed kept,
    what the first saved shown and left as it was?"""
    concern_id = make_concern(app, world.a, pupil)
    head = signed_in(world.a.head1)
    dsl = signed_in(world.a.dsl1)
    assert 'name="version" type="hidden" value="1"' in dsl.get(f"/concerns/{concern_id}/triage").get_data(as_text=True)
    assert head.post(f"/concerns/{concern_id}/triage", data=_triage(action_taken="Head: called home", outcome="early_help")).status_code == 302

    response = dsl.post(f"/concerns/{concern_id}/triage", data=_triage(action_taken="DSL: spoke to the class teacher", outcome="monitor"))
    assert response.status_code == 200
    page = page_text(response)
    assert "Someone else has triaged this concern" in page
    assert "Head: called home" in page  # what is saved now
    assert "DSL: spoke to the class teacher" in response.get_data(as_text=True)  # what they typed, still in the form
    concern = load(app, Concern, concern_id, world.a.authority_id)
    assert concern.action_taken == "Head: called home" and concern.outcome.value == "early_help"
    assert [e.actor_id for e in audit_events(app, world.a.authority_id, "concern.triaged")] == [world.a.head1.id]

    # The form now carries the new version: saving again, knowingly, works.
    assert 'name="version" type="hidden" value="2"' in response.get_data(as_text=True)
    assert dsl.post(f"/concerns/{concern_id}/triage", data=_triage(action_taken="DSL: spoke to the class teacher", version="2")).status_code == 302
    assert load(app, Concern, concern_id, world.a.authority_id).action_taken == "DSL: spoke to the class teacher"


def test_linking_and_unlinking_concerns(app, world, pupil, signed_in, rows):
    """Can the DSL link a concern to others about the same child (stored once, lower id first, shown on both),
    and remove a link by unticking it, each change audited?"""
    first = make_concern(app, world.a, pupil, seen_or_heard="One")
    second = make_concern(app, world.a, pupil, seen_or_heard="Two")
    third = make_concern(app, world.a, pupil, seen_or_heard="Three")
    someone_else = make_concern(app, world.a, make_pupil(app, world.a, legal_forename="Other"))
    dsl = signed_in(world.a.dsl1)

    form = dsl.get(f"/concerns/{third}/triage").get_data(as_text=True)
    assert f'value="{first}"' in form and f'value="{second}"' in form
    assert f'value="{someone_else}"' not in form  # only concerns about the same child are offered

    assert dsl.post(f"/concerns/{third}/triage", data=_triage(links=[str(first), str(second)])).status_code == 302
    links = rows(ConcernLink, world.a.authority_id)
    assert {frozenset((link.concern_id, link.linked_concern_id)) for link in links} == {frozenset((third, first)), frozenset((third, second))}
    assert all(link.concern_id < link.linked_concern_id for link in links)
    assert f"/concerns/{third}" in dsl.get(f"/concerns/{first}").get_data(as_text=True)  # shown from the other side too
    [linked] = audit_events(app, world.a.authority_id, "concern.linked")
    assert sorted(linked.details["added"]) == sorted([str(first), str(second)]) and linked.details["removed"] == []

    form = dsl.get(f"/concerns/{third}/triage").get_data(as_text=True)
    assert f'value="{first}" checked' in form and f'value="{second}" checked' in form
    assert dsl.post(f"/concerns/{third}/triage", data=_triage(links=[str(first)], version="2")).status_code == 302
    links = rows(ConcernLink, world.a.authority_id)
    assert {frozenset((link.concern_id, link.linked_concern_id)) for link in links} == {frozenset((third, first))}
    assert audit_events(app, world.a.authority_id, "concern.linked")[-1].details == {"added": [], "removed": [str(second)]}
    assert f"/concerns/{third}" not in dsl.get(f"/concerns/{second}").get_data(as_text=True)


def test_a_concern_of_another_child_cannot_be_linked(app, world, pupil, signed_in, rows):
    """Is a tampered link to a concern about another child ignored?"""
    concern_id = make_concern(app, world.a, pupil)
    other = make_concern(app, world.a, make_pupil(app, world.a, legal_forename="Other"))
    dsl = signed_in(world.a.dsl1)
    assert dsl.post(f"/concerns/{concern_id}/triage", data=_triage(links=[str(other), "not-an-id"])).status_code == 302
    assert rows(ConcernLink, world.a.authority_id) == []


def test_the_dsl_is_not_told_about_their_own_triage(app, world, pupil, signed_in, rows):
    """When the DSL triages a concern they logged themselves, is nobody notified?"""
    concern_id = make_concern(app, world.a, pupil, by="dsl1")
    dsl = signed_in(world.a.dsl1)
    response = dsl.post(f"/concerns/{concern_id}/triage", data=_triage())
    assert response.status_code == 302
    assert "has been told" not in page_text(dsl.get(response.headers["Location"]))
    assert rows(Notification, world.a.authority_id) == []


def test_updating_a_triage_adds_a_line_and_tells_the_reporter_of_a_new_outcome(app, world, pupil, signed_in, rows):
    """Does changing the outcome add an 'updated' chronology line and tell the person who logged it again?"""
    concern_id = make_concern(app, world.a, pupil)
    dsl = signed_in(world.a.dsl1)
    dsl.post(f"/concerns/{concern_id}/triage", data=_triage())
    assert dsl.post(f"/concerns/{concern_id}/triage", data=_triage(outcome="referred", version="2")).status_code == 302
    lines = rows(ChronologyEntry, world.a.authority_id, kind=EntryKind.TRIAGE)
    assert sorted(line.title for line in lines) == ["DSL triage updated: Referred to children's social care", "DSL triage: Keep monitoring in school"]
    assert len(rows(Notification, world.a.authority_id, user_id=world.a.staff1.id)) == 2


def test_referred_outcome_offers_the_next_step(app, world, pupil, signed_in):
    """After an outcome of 'referred' or 'advice asked', does the concern page point to the referral or
    advice form for this child?"""
    for outcome, endpoint in (("referred", "referrals.new"), ("advice_requested", "advice.new")):
        concern_id = make_concern(app, world.a, pupil)
        dsl = signed_in(world.a.dsl1)
        response = dsl.post(f"/concerns/{concern_id}/triage", data=_triage(outcome=outcome))
        html = dsl.get(response.headers["Location"]).get_data(as_text=True)
        with app.test_request_context():
            from flask import url_for

            assert url_for(endpoint, pupil_id=pupil).replace("&", "&amp;") in html
