"""The referral workflow through its pages: who may take each step, what a step needs, what is recorded,
audited and put on the chronology, and who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.clock import utcnow
from tests.admin.pages import page_text
from tests.factories import make_advice, make_pupil, make_referral
from tests.referrals.support import chronology_titles, error_next_to, form, notifications, referral, referrals, transitions
from tests.support import audit_events, sign_in

SUBMITTED = (("submit", "dsl1"),)
ACKNOWLEDGED = SUBMITTED + (("acknowledge", "front_door"),)
OUTSIDERS = ("staff1", "governor1", "partner", "assessor", "admin")


def _client(app, person):
    client = app.test_client()
    sign_in(client, person)
    return client


# Starting and writing a referral ------------------------------------------------------------------


def test_starting_a_referral_asks_first_and_the_post_makes_the_draft(app, world):
    """Does following a link only ask "Start a referral for <pupil>" (no draft yet), and does the POST
    make a draft, audited and on the chronology, and open the form?"""
    pupil_id = make_pupil(app, world.a)
    client = _client(app, world.a.dsl1)
    page = client.get(f"/referrals/new?pupil_id={pupil_id}")
    assert page.status_code == 200
    assert "Start a referral for Jordan Example" in page_text(page)
    assert referrals(app, world.a) == []

    response = client.post(f"/referrals/new?pupil_id={pupil_id}")
    [draft] = referrals(app, world.a)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{draft.id}/edit")
    assert draft.status.value == "draft" and draft.created_by_id == world.a.dsl1.id and draft.organisation_id == world.a.school1
    [event] = audit_events(app, world.a.authority_id, "referral.created")
    assert event.object_id == str(draft.id) and event.details == {"pupil_id": str(pupil_id)}
    assert chronology_titles(app, world.a, pupil_id) == ["Referral started (draft)"]


def test_a_referral_from_an_advice_request_is_filled_in_from_the_question_and_the_answer(app, world):
    """Starting from an answered advice request, is the draft linked to it, with its categories and both the
    question and the front door's answer in "what happened"?"""
    from portal.advice.models import AdviceOutcome, AdviceStatus

    pupil_id = make_pupil(app, world.a)
    advice_id = make_advice(
        app,
        world.a,
        pupil_id,
        categories=["neglect", "child_on_child"],
        status=AdviceStatus.ANSWERED,
        outcome=AdviceOutcome.PROCEED_TO_REFERRAL,
        answer="This meets the threshold: please refer today.",
        answered_by_id=world.a.front_door.id,
        answered_at=utcnow(),
    )
    client = _client(app, world.a.dsl1)
    assert "Start a referral for Jordan Example" in page_text(client.get(f"/referrals/new?advice_request_id={advice_id}"))
    client.post(f"/referrals/new?advice_request_id={advice_id}")
    [draft] = referrals(app, world.a)
    assert draft.advice_request_id == advice_id and draft.pupil_id == pupil_id
    assert draft.categories == ["neglect", "child_on_child"]
    assert "Should we refer? Two concerns about neglect this week." in draft.what_happened
    assert "This meets the threshold: please refer today." in draft.what_happened

    page = page_text(client.get(f"/referrals/{draft.id}/edit"))
    assert "This meets the threshold: please refer today." in page


def test_a_pupil_who_has_left_or_another_schools_pupil_cannot_be_referred(app, world):
    """Is a pupil who has left refused (403), and another school's pupil not found (404), both audited?"""
    left = make_pupil(app, world.a, left_at=utcnow() - timedelta(days=3))
    other = make_pupil(app, world.a, school="school2")
    client = _client(app, world.a.dsl1)
    assert client.get(f"/referrals/new?pupil_id={left}").status_code == 403
    assert client.post(f"/referrals/new?pupil_id={other}").status_code == 404
    assert [e.action for e in audit_events(app, world.a.authority_id) if e.action.startswith("access.")] == ["access.denied", "access.not_found"]
    assert referrals(app, world.a) == []


def test_without_a_pupil_the_dsl_searches_their_own_schools_register(app, world):
    """Does the search list the DSL's own pupils (not another school's, not leavers) with a link to refer?"""
    mine = make_pupil(app, world.a, legal_forename="Ava", legal_surname="Okafor")
    make_pupil(app, world.a, legal_forename="Ava", legal_surname="Left", left_at=utcnow())
    make_pupil(app, world.a, school="school2", legal_forename="Ava", legal_surname="Elsewhere")
    page = _client(app, world.a.dsl1).get("/referrals/new?q=ava")
    text = page_text(page)
    assert "Ava Okafor" in text and "Ava Left" not in text and "Ava Elsewhere" not in text
    assert f"/referrals/new?pupil_id={mine}" in page.get_data(as_text=True)


def test_save_as_draft_keeps_whatever_is_there(app, world):
    """Does "Save as draft" keep an incomplete referral, unsent and audited, and show it again?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), categories=[], what_happened="", parents_aware=None, school_view_level=None)
    client = _client(app, world.a.dsl1)
    response = client.post(
        f"/referrals/{referral_id}/edit",
        data={"what_happened": "Half-written: a bruise on the left arm", "categories": ["physical_abuse"], "version": "1", "save": "Save as draft"},
    )
    assert response.status_code == 302
    saved = referral(app, world.a, referral_id)
    assert (saved.status.value, saved.what_happened, saved.categories) == ("draft", "Half-written: a bruise on the left arm", ["physical_abuse"])
    assert len(audit_events(app, world.a.authority_id, "referral.updated")) == 1
    page = client.get(response.headers["Location"])
    assert "Your draft has been saved" in page_text(page)
    assert "Half-written: a bruise on the left arm" in page.get_data(as_text=True)
    assert notifications(app, world.a, world.a.front_door) == []


def test_submitting_a_complete_referral_sends_it_and_shows_the_deadline(app, world):
    """Does "Submit referral" save the answers, send it (recorded, audited, on the chronology), tell the front
    door, and confirm with the deadline?"""
    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id, categories=[], what_happened="", parents_aware=None, school_view_level=None)
    client = _client(app, world.a.dsl1)
    response = client.post(f"/referrals/{referral_id}/edit", data=form(submit_referral="Submit referral"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral_id}/submitted")
    sent = referral(app, world.a, referral_id)
    assert sent.status.value == "submitted" and sent.categories == ["neglect", "online_harm"] and sent.due_at is not None
    [row] = transitions(app, world.a, referral_id)
    assert (row.from_status.value, row.to_status.value, row.actor_id) == ("draft", "submitted", world.a.dsl1.id)
    assert [e.details for e in audit_events(app, world.a.authority_id, "referral.transition")] == [{"from": "draft", "to": "submitted"}]
    assert notifications(app, world.a, world.a.front_door) == ["New referral from Avonford Primary School"]
    assert "Submitted by the school" in chronology_titles(app, world.a, pupil_id)
    page = page_text(client.get(response.headers["Location"]))
    assert "Referral submitted" in page
    assert "The front door should acknowledge your referral and decide on next steps by" in page


def test_immediate_danger_without_the_police_called_is_refused_next_to_the_field_and_the_draft_keeps_it(app, world):
    """If the child is in immediate danger but the DSL has not confirmed calling the police, is the submission
    refused with the message next to that checkbox, while everything typed is saved as the draft?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    client = _client(app, world.a.dsl1)
    response = client.post(
        f"/referrals/{referral_id}/edit",
        data=form(
            immediate_danger="yes", police_reference="CAD 1234", what_happened="Disclosed at 2pm that her stepdad hit her.", submit_referral="Submit referral"
        ),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "call the police on 999 first" in error_next_to(html, "police_called")
    assert "There is a problem" in html and 'href="#police_called"' in html
    assert "Your answers have been saved as a draft" in page_text(response)
    assert "Disclosed at 2pm that her stepdad hit her." in html
    kept = referral(app, world.a, referral_id)
    assert kept.status.value == "draft"
    assert (kept.immediate_danger, kept.police_called, kept.police_reference) == (True, False, "CAD 1234")
    assert kept.what_happened == "Disclosed at 2pm that her stepdad hit her."
    assert transitions(app, world.a, referral_id) == []

    # Confirming the call (against the version now saved) sends it.
    response = client.post(
        f"/referrals/{referral_id}/edit",
        data=form(
            immediate_danger="yes",
            police_called="y",
            police_reference="CAD 1234",
            what_happened=kept.what_happened,
            version=str(kept.version),
            submit_referral="Submit referral",
        ),
    )
    assert response.status_code == 302
    assert referral(app, world.a, referral_id).status.value == "submitted"


def test_immediate_danger_is_asked_afresh_each_time_the_draft_is_opened(app, world):
    """Is a saved "no" not shown as an answer when the draft is opened again (the DSL must answer it at the
    time they submit), while a saved "yes" is, with the police details?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    client = _client(app, world.a.dsl1)
    client.post(f"/referrals/{referral_id}/edit", data=form(save="Save as draft"))
    html = client.get(f"/referrals/{referral_id}/edit").get_data(as_text=True)
    assert 'name="immediate_danger" type="radio" value="no" checked' not in html
    assert 'name="immediate_danger" type="radio" value="yes" checked' not in html
    saved = referral(app, world.a, referral_id)
    client.post(
        f"/referrals/{referral_id}/edit",
        data=form(immediate_danger="yes", police_called="y", police_reference="CAD 77", version=str(saved.version), save="Save as draft"),
    )
    html = client.get(f"/referrals/{referral_id}/edit").get_data(as_text=True)
    assert 'name="immediate_danger" type="radio" value="yes" checked' in html
    assert 'name="police_called" type="checkbox" value="y" checked' in html and 'value="CAD 77"' in html


def test_parents_not_aware_without_a_reason_is_refused(app, world):
    """Is "the parents do not know" without saying why refused next to "Why not?", keeping the draft?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    response = _client(app, world.a.dsl1).post(f"/referrals/{referral_id}/edit", data=form(parents_aware="no", submit_referral="Submit referral"))
    assert response.status_code == 200
    assert error_next_to(response.get_data(as_text=True), "parents_not_aware_reason") == "Enter why the parents or carers do not know"
    kept = referral(app, world.a, referral_id)
    assert kept.status.value == "draft" and kept.parents_aware.value == "no"


def test_an_empty_submission_lists_every_missing_answer_in_page_order(app, world):
    """Does submitting an empty draft show every missing answer, next to each field and in the summary?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), categories=[], what_happened="", parents_aware=None, school_view_level=None)
    response = _client(app, world.a.dsl1).post(f"/referrals/{referral_id}/edit", data={"version": "1", "submit_referral": "Submit referral"})
    html = response.get_data(as_text=True)
    expected = {
        "categories": "Select at least one category of harm",
        "what_happened": "Enter what happened",
        "immediate_danger": "Select whether the child is in immediate danger",
        "parents_aware": "Select whether the parents or carers know about this referral",
        "school_view_level": "Select the level of need the school thinks this is",
    }
    for field_id, message in expected.items():
        assert error_next_to(html, field_id) == message, field_id
    summary = [html.index(f'href="#{field_id}"') for field_id in expected]
    assert summary == sorted(summary)
    assert referral(app, world.a, referral_id).status.value == "draft"


def test_a_stale_save_is_refused_and_keeps_what_was_typed(app, world):
    """If someone else saved the draft first, is the second save refused, with the typed text still in the
    form and the other person's version untouched?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    first, second = _client(app, world.a.dsl1), _client(app, world.a.head1)
    assert first.post(f"/referrals/{referral_id}/edit", data=form(what_happened="The DSL's version", save="Save as draft")).status_code == 302
    response = second.post(f"/referrals/{referral_id}/edit", data=form(what_happened="The head's version", save="Save as draft"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else saved this draft" in text and "The head's version" in text and "The DSL's version" in text
    assert referral(app, world.a, referral_id).what_happened == "The DSL's version"


def test_a_rejected_attachment_is_named_and_nothing_is_lost(app, world):
    """Is a file that is not an allowed type refused next to the attachments field, with the typed text still
    on the page; and is an allowed file kept and listed?"""
    from io import BytesIO

    referral_id = make_referral(app, world.a, make_pupil(app, world.a))
    client = _client(app, world.a.dsl1)
    data = form(what_happened="See the attached body map.", save="Save as draft")
    data["attachments"] = (BytesIO(b"MZ\x90\x00 not really a pdf"), "body-map.pdf")
    response = client.post(f"/referrals/{referral_id}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "body-map.pdf" in error_next_to(response.get_data(as_text=True), "attachments")
    assert "See the attached body map." in response.get_data(as_text=True)

    data = form(what_happened="See the attached body map.", save="Save as draft")
    data["attachments"] = (BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "body-map.pdf")
    assert client.post(f"/referrals/{referral_id}/edit", data=data, content_type="multipart/form-data").status_code == 302
    assert "body-map.pdf" in page_text(client.get(f"/referrals/{referral_id}/edit"))
    assert [e.details["parent_id"] for e in audit_events(app, world.a.authority_id, "attachment.uploaded")] == [str(referral_id)]


def test_a_submitted_referral_cannot_be_edited_or_deleted(app, world):
    """Once sent, does the form send the DSL to the referral's page with a message, and is delete refused?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), steps=SUBMITTED)
    client = _client(app, world.a.dsl1)
    response = client.get(f"/referrals/{referral_id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral_id}")
    assert "it can no longer be changed" in page_text(client.get(response.headers["Location"]))
    client.post(f"/referrals/{referral_id}/delete")
    assert referral(app, world.a, referral_id) is not None


def test_deleting_a_draft(app, world):
    """Does deleting a draft remove it (and its attachments), audited, with a line on the chronology?"""
    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id)
    client = _client(app, world.a.dsl1)
    assert "Are you sure you want to delete the draft referral for Jordan Example?" in page_text(client.get(f"/referrals/{referral_id}/delete"))
    response = client.post(f"/referrals/{referral_id}/delete")
    assert response.status_code == 302
    assert referral(app, world.a, referral_id) is None
    [event] = audit_events(app, world.a.authority_id, "referral.draft_deleted")
    assert event.object_id == str(referral_id)
    assert chronology_titles(app, world.a, pupil_id) == ["Draft referral deleted (not sent)"]


# Who may take each step -----------------------------------------------------------------------------


def test_the_front_door_never_sees_a_draft_and_cannot_edit_a_submitted_referral(app, world):
    """Is a school's draft invisible to the front door (404), and a submitted one not theirs to edit (403)?"""
    draft = make_referral(app, world.a, make_pupil(app, world.a))
    sent = make_referral(app, world.a, make_pupil(app, world.a), steps=SUBMITTED)
    client = _client(app, world.a.front_door)
    assert client.get(f"/referrals/{draft}").status_code == 404
    assert client.get(f"/referrals/{draft}/edit").status_code == 404
    assert client.post(f"/referrals/{draft}/edit", data=form(submit_referral="Submit referral")).status_code == 404
    assert client.get(f"/referrals/{sent}/edit").status_code == 403
    assert client.post(f"/referrals/{sent}/provide-information", data={"comment": "x"}).status_code == 403
    assert referral(app, world.a, draft).status.value == "draft"


def test_the_school_cannot_take_the_front_doors_steps(app, world):
    """Is the DSL (and the head) refused the front door's steps with 403, and nothing changed?"""
    submitted = make_referral(app, world.a, make_pupil(app, world.a), steps=SUBMITTED)
    acknowledged = make_referral(app, world.a, make_pupil(app, world.a), steps=ACKNOWLEDGED)
    for person in (world.a.dsl1, world.a.head1):
        client = _client(app, person)
        assert client.post(f"/referrals/{submitted}/acknowledge").status_code == 403
        assert client.get(f"/referrals/{acknowledged}/decide").status_code == 403
        assert client.post(f"/referrals/{acknowledged}/decide", data={"decision": "early_help", "reason": "x"}).status_code == 403
        assert client.post(f"/referrals/{acknowledged}/request-information", data={"comment": "x"}).status_code == 403
        assert client.post(f"/referrals/{acknowledged}/close").status_code == 403
    assert referral(app, world.a, submitted).status.value == "submitted"
    assert referral(app, world.a, acknowledged).status.value == "acknowledged"


def test_a_front_door_officer_who_is_also_the_schools_dsl_leaves_its_decision_to_a_colleague(app, world):
    """Separation of duties: someone on the front door who is also DSL of the referring school may not
    acknowledge, question, decide or close that school's referral (403, each refusal audited); another
    school's referral they may."""
    from portal.accounts.models import Membership, Role
    from portal.extensions import db
    from tenants.context import tenant_scope

    own = make_referral(app, world.a, make_pupil(app, world.a), steps=ACKNOWLEDGED)
    other = make_referral(
        app, world.a, make_pupil(app, world.a, school="school2"), by="dsl2", school="school2", steps=(("submit", "dsl2"), ("acknowledge", "front_door"))
    )
    with app.app_context(), tenant_scope(world.a.authority_id):
        db.session.add(Membership(user_id=world.a.front_door.id, role=Role.DSL, organisation_id=world.a.school1))
        db.session.commit()
    submitted = make_referral(app, world.a, make_pupil(app, world.a), steps=SUBMITTED)
    client = _client(app, world.a.front_door)
    assert client.post(f"/referrals/{submitted}/acknowledge").status_code == 403
    assert client.get(f"/referrals/{own}/decide").status_code == 403
    assert client.post(f"/referrals/{own}/decide", data={"decision": "early_help", "reason": "x"}).status_code == 403
    assert client.post(f"/referrals/{own}/request-information", data={"comment": "x"}).status_code == 403
    assert client.post(f"/referrals/{own}/close").status_code == 403
    assert referral(app, world.a, own).status.value == "acknowledged"
    assert referral(app, world.a, submitted).status.value == "submitted"
    # Each refusal is audited, with the step refused.
    refusals = [e for e in audit_events(app, world.a.authority_id) if e.action == "access.denied"]
    assert [(e.actor_id, e.details["action"]) for e in refusals] == [
        (world.a.front_door.id, "acknowledge"),
        (world.a.front_door.id, "decide"),
        (world.a.front_door.id, "decide"),
        (world.a.front_door.id, "request_information"),
        (world.a.front_door.id, "close"),
    ]
    assert client.get(f"/referrals/{other}/decide").status_code == 200


@pytest.mark.parametrize("person_key", OUTSIDERS)
def test_people_without_referral_work_are_refused_every_step(app, world, person_key):
    """Are staff, governors, partners, assessors and administrators refused every step (403 or 404, audited)?"""
    draft = make_referral(app, world.a, make_pupil(app, world.a))
    submitted = make_referral(app, world.a, make_pupil(app, world.a), steps=SUBMITTED)
    acknowledged = make_referral(app, world.a, make_pupil(app, world.a), steps=ACKNOWLEDGED)
    client = _client(app, getattr(world.a, person_key))
    attempts = [
        client.post(f"/referrals/{draft}/edit", data=form(submit_referral="Submit referral")),
        client.post(f"/referrals/{submitted}/acknowledge"),
        client.post(f"/referrals/{acknowledged}/decide", data={"decision": "early_help", "decision_level": "early_help", "reason": "x"}),
        client.post(f"/referrals/{acknowledged}/request-information", data={"comment": "x"}),
        client.post(f"/referrals/{submitted}/messages", data={"body": "x"}),
    ]
    assert all(r.status_code in (403, 404) for r in attempts), [r.status_code for r in attempts]
    refusals = [e for e in audit_events(app, world.a.authority_id) if e.action.startswith("access.")]
    assert len(refusals) == len(attempts) and all(e.actor_id == getattr(world.a, person_key).id for e in refusals)
    assert [r.status.value for r in referrals(app, world.a)] == ["draft", "submitted", "acknowledged"]


# The whole journey -----------------------------------------------------------------------------------


def test_every_step_is_recorded_audited_and_fed_back_to_the_school(app, world):
    """Through the pages: submit, acknowledge, ask, answer, decide, close. Is each step a recorded transition
    (who, comment), audited, and is the referring DSL told at each front-door step and shown the decision and
    its reason?"""
    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id)
    dsl, front_door = _client(app, world.a.dsl1), _client(app, world.a.front_door)

    assert dsl.post(f"/referrals/{referral_id}/edit", data=form(submit_referral="Submit referral")).status_code == 302
    assert front_door.post(f"/referrals/{referral_id}/acknowledge").status_code == 302
    assert "What do you need to know?" in page_text(front_door.get(f"/referrals/{referral_id}/request-information"))
    assert (
        front_door.post(f"/referrals/{referral_id}/request-information", data={"comment": "Has the child said who looks after them at night?"}).status_code
        == 302
    )
    page = page_text(dsl.get(f"/referrals/{referral_id}"))
    assert "Has the child said who looks after them at night?" in page and "Give the information asked for" in page
    assert dsl.post(f"/referrals/{referral_id}/provide-information", data={"comment": "She says her older brother (16) does."}).status_code == 302
    assert (
        front_door.post(
            f"/referrals/{referral_id}/decide",
            data={"decision": "child_in_need_assessment", "decision_level": "child_in_need", "reason": "A social worker will visit within five days."},
        ).status_code
        == 302
    )
    assert front_door.post(f"/referrals/{referral_id}/close").status_code == 302

    rows = transitions(app, world.a, referral_id)
    assert [(r.to_status.value, r.actor_id) for r in rows] == [
        ("submitted", world.a.dsl1.id),
        ("acknowledged", world.a.front_door.id),
        ("information_requested", world.a.front_door.id),
        ("information_provided", world.a.dsl1.id),
        ("decided", world.a.front_door.id),
        ("closed", world.a.front_door.id),
    ]
    assert [r.comment for r in rows] == [
        None,
        None,
        "Has the child said who looks after them at night?",
        "She says her older brother (16) does.",
        "A social worker will visit within five days.",
        None,
    ]
    assert [e.details["to"] for e in audit_events(app, world.a.authority_id, "referral.transition")] == [r.to_status.value for r in rows]
    assert notifications(app, world.a, world.a.dsl1) == [
        "Your referral has been acknowledged",
        "The front door needs more information about your referral",
        "Decision on your referral: Child-in-need assessment (section 17)",
        "Your referral has been closed",
    ]
    assert notifications(app, world.a, world.a.front_door) == [
        "New referral from Avonford Primary School",
        "Avonford Primary School has provided the information asked for",
    ]
    done = referral(app, world.a, referral_id)
    assert (done.decision.value, done.decided_by_id, done.acknowledged_by_id) == ("child_in_need_assessment", world.a.front_door.id, world.a.front_door.id)
    assert done.last_feedback_at == done.closed_at

    page = page_text(dsl.get(f"/referrals/{referral_id}"))
    assert "The front door's decision: Child-in-need assessment (section 17)" in page
    assert "A social worker will visit within five days." in page
    assert "Closed" in page and "She says her older brother (16) does." in page
    assert "Decision made" in page  # the time line
    assert any(
        e.action == "record.viewed" and e.object_id == str(referral_id) and e.actor_id == world.a.dsl1.id for e in audit_events(app, world.a.authority_id)
    )
    titles = chronology_titles(app, world.a, pupil_id)
    assert "Referral decision: Child-in-need assessment (section 17)" in titles and "Closed" in titles


def test_a_decision_without_a_reason_is_refused_with_the_message_next_to_the_field(app, world):
    """Is a decision with no reason refused next to "Reason for the decision", with the chosen decision still
    selected and nothing decided or sent?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), steps=ACKNOWLEDGED)
    response = _client(app, world.a.front_door).post(f"/referrals/{referral_id}/decide", data={"decision": "early_help", "reason": "   "})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_next_to(html, "reason") == "Enter the reason for the decision"
    assert 'value="early_help" checked' in html
    assert referral(app, world.a, referral_id).status.value == "acknowledged"
    assert notifications(app, world.a, world.a.dsl1, "Decision") == []


def test_asking_for_information_needs_a_question(app, world):
    """Is an empty request for information refused next to the field, with the service's words?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), steps=ACKNOWLEDGED)
    response = _client(app, world.a.front_door).post(f"/referrals/{referral_id}/request-information", data={"comment": ""})
    assert response.status_code == 200
    assert error_next_to(response.get_data(as_text=True), "comment") == "Enter the information you need from the school"
    assert referral(app, world.a, referral_id).status.value == "acknowledged"


def test_a_step_out_of_turn_is_explained_on_the_referrals_page(app, world):
    """Is acknowledging an already-acknowledged referral refused with a message on its page, changing nothing?"""
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), steps=ACKNOWLEDGED)
    client = _client(app, world.a.front_door)
    response = client.post(f"/referrals/{referral_id}/acknowledge")
    assert response.status_code == 302
    assert "This referral is acknowledged" in page_text(client.get(response.headers["Location"]))
    assert len(transitions(app, world.a, referral_id)) == 2


# Messages ----------------------------------------------------------------------------------------------


def test_messages_go_to_the_other_side_and_count_as_feedback_from_the_front_door(app, world):
    """Does a front-door message tell the referring DSL and count as feedback; does a school message tell the
    acknowledging officer only; are both audited and shown labelled "School" and "Front door"?"""
    from tests.world import create_user

    other_officer = create_user(app, world.a.authority_id, "second.officer@avonford.example.org", "front_door", world.a.social_care)
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), steps=ACKNOWLEDGED)
    before = referral(app, world.a, referral_id).last_feedback_at
    front_door, dsl = _client(app, world.a.front_door), _client(app, world.a.dsl1)

    assert front_door.post(f"/referrals/{referral_id}/messages", data={"body": "We are checking with the health visitor."}).status_code == 302
    assert referral(app, world.a, referral_id).last_feedback_at > before
    assert notifications(app, world.a, world.a.dsl1, "message") == ["The front door has sent you a message about your referral"]

    assert dsl.post(f"/referrals/{referral_id}/messages", data={"body": "Thank you. She was in school today."}).status_code == 302
    assert notifications(app, world.a, world.a.front_door, "message") == ["Avonford Primary School has sent a message about a referral"]
    assert notifications(app, world.a, other_officer, "message") == []
    assert [e.details["from"] for e in audit_events(app, world.a.authority_id, "referral.message")] == ["front_door", "school"]

    page = page_text(dsl.get(f"/referrals/{referral_id}"))
    assert "Front door: Front_Door" in page and "We are checking with the health visitor." in page
    assert "School: Dsl1" in page and "Thank you. She was in school today." in page
    assert page.index("We are checking with the health visitor.") < page.index("Thank you. She was in school today.")


def test_an_empty_message_is_refused_next_to_the_field(app, world):
    referral_id = make_referral(app, world.a, make_pupil(app, world.a), steps=SUBMITTED)
    response = _client(app, world.a.dsl1).post(f"/referrals/{referral_id}/messages", data={"body": "  "})
    assert response.status_code == 200
    assert error_next_to(response.get_data(as_text=True), "body") == "Enter your message"
    assert audit_events(app, world.a.authority_id, "referral.message") == []


def test_the_school_reads_the_front_doors_question_as_text(app, world):
    """When the front door asks for information, does the school's page show the question as written
    (its own paragraphs, markup in it shown as text and never run)?"""
    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id, steps=ACKNOWLEDGED)
    officer = _client(app, world.a.front_door)
    question = "Who lives at home?\n<script>alert('x')</script>"
    assert officer.post(f"/referrals/{referral_id}/request-information", data={"comment": question}).status_code == 302
    dsl = _client(app, world.a.dsl1)
    for path in (f"/referrals/{referral_id}", f"/referrals/{referral_id}/provide-information"):
        html = dsl.get(path).get_data(as_text=True)
        assert "&lt;p class=" not in html, path
        assert '<p class="govuk-body govuk-!-margin-bottom-0">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>' in html, path
        assert "<script>alert" not in html
