"""Answering one question of a self-review: the question with its prompts ("Things to consider"), the
ratings in words with what each means, evidence and the school's own notes, an action for the development
plan in the same save, errors next to each field with nothing typed lost, a stale save refused (also when
two people answer a question for the first time at once), and an unknown question a 404."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.selfreview.models import DevelopmentAction, Rag, SelfReviewAnswer
from tests.admin.pages import field_error, input_value, page_text
from tests.selfreview.support import answer, freeze_today, make_review
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import create_user

TODAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    freeze_today(monkeypatch, TODAY)


def form(**changes) -> dict:
    return {"rating": "amber", "evidence": "Staff survey, autumn term.", "notes": "Ask the new governor to look at this.", "version": "0", **changes}


def textarea(response, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', response.get_data(as_text=True), re.S)
    assert match is not None, name
    return match.group(1).strip()


def options(response, name: str) -> dict[str, str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', response.get_data(as_text=True), re.S)
    assert select is not None, name
    return {value: label.strip() for value, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(1), re.S)}


def test_the_question_page_shows_the_prompts_the_ratings_in_words_and_the_schools_people_as_owners(app, world):
    a = world.a
    review_id = make_review(app, a)
    head = signed_in_client(app, a.head1)
    page = head.get(f"/self-review/{review_id}/questions/tip-01")
    text = page_text(page)
    assert "Twelve practical tips for safeguarding practice in schools: question 1 of 12" in text
    assert "Are your leadership team members involved in all aspects of safeguarding?" in text
    assert "Things to consider Senior leaders in the school are visible and accessible." in text
    assert "Cases are reviewed and learning shared" in text
    assert "Red Not in place" in text and "Amber Partly in place" in text and "Green In place and working" in text
    assert "Your school's own notes: never shown to other schools or the authority." in text
    assert input_value(page, "version") == "0"
    owners = options(page, "action_owner")
    assert owners[f"user:{a.head1.id}"] == f"{a.head1.full_name} (head teacher)"
    assert owners[f"user:{a.dsl1.id}"] == f"{a.dsl1.full_name} (designated safeguarding lead)"
    assert f"user:{a.staff1.id}" in owners and f"user:{a.governor1.id}" in owners
    assert f"user:{a.dsl2.id}" not in owners and f"user:{a.admin.id}" not in owners  # another school; the authority
    assert owners["someone_else"] == "Someone else (write in who)"
    # Next, and no previous on the first question; both on the second.
    assert "Next question : Question 2" in text and "Previous question" not in text
    second = page_text(head.get(f"/self-review/{review_id}/questions/tip-02"))
    assert "Previous question : Question 1" in second and "Next question : Question 3" in second


def test_one_save_rates_the_question_and_adds_an_action_audited_without_notes_or_evidence(app, world):
    a = world.a
    review_id = make_review(app, a)
    head = signed_in_client(app, a.head1)
    response = head.post(
        f"/self-review/{review_id}/questions/tip-04",
        data=form(action_description="Set up termly supervision for the DSL.", action_owner=f"user:{a.dsl1.id}", action_due_on=["31", "3", "2027"]),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/self-review/{review_id}/questions/tip-05")
    [row] = detached_rows(app, SelfReviewAnswer, a.authority_id)
    assert (row.question_key, row.rating, row.evidence, row.notes, row.updated_by_id, row.version) == (
        "tip-04",
        Rag.AMBER,
        "Staff survey, autumn term.",
        "Ask the new governor to look at this.",
        a.head1.id,
        1,
    )
    [action] = detached_rows(app, DevelopmentAction, a.authority_id)
    assert (action.question_key, action.description, action.owner_user_id, action.owner_name, action.due_on, action.created_by_id) == (
        "tip-04",
        "Set up termly supervision for the DSL.",
        a.dsl1.id,
        None,
        date(2027, 3, 31),
        a.head1.id,
    )
    [answered] = audit_events(app, a.authority_id, "self_review.answered")
    assert (answered.object_id, answered.details) == (str(review_id), {"question": "tip-04", "rating": "amber"})
    [added] = audit_events(app, a.authority_id, "self_review.action_added")
    assert (added.object_id, added.details) == (str(action.id), {"review": str(review_id), "question": "tip-04"})
    for event in audit_events(app, a.authority_id):
        assert "autumn term" not in str(event.details) and "governor to look" not in str(event.details) and "supervision" not in str(event.details)

    page = head.get(response.headers["Location"])
    assert "Question 4 has been saved. The action has been added to the development plan." in page_text(page)
    again = page_text(head.get(f"/self-review/{review_id}/questions/tip-04"))
    assert f"Set up termly supervision for the DSL. ({a.dsl1.full_name}, due 31 March 2027) Not started" in again

    # Someone without an account owns the next one; a change of the rating moves the answer's version.
    assert (
        head.post(
            f"/self-review/{review_id}/questions/tip-04",
            data=form(
                rating="green",
                version="1",
                action_description="Book the office manager on the safer recruitment course.",
                action_owner="someone_else",
                action_owner_name="Office manager",
                action_due_on=["1", "9", "2027"],
            ),
        ).status_code
        == 302
    )
    assert detached_rows(app, SelfReviewAnswer, a.authority_id)[0].rating == Rag.GREEN
    written_in = [x for x in detached_rows(app, DevelopmentAction, a.authority_id) if x.owner_user_id is None]
    assert [(x.owner_name, x.due_on) for x in written_in] == [("Office manager", date(2027, 9, 1))]

    # Saving the last question goes back to the review, at that question.
    last = head.post(f"/self-review/{review_id}/questions/tip-12", data=form())
    assert last.headers["Location"].endswith(f"/self-review/{review_id}#question-tip-12")


def test_errors_are_shown_next_to_each_field_and_what_was_typed_is_kept(app, world):
    a = world.a
    review_id = make_review(app, a)
    head = signed_in_client(app, a.head1)
    url = f"/self-review/{review_id}/questions/tip-06"

    response = head.post(
        url,
        data=form(
            rating="", evidence="Training log for 2026.", action_description="Refresh the whole-staff training.", action_owner="", action_due_on=["", "", ""]
        ),
    )
    assert response.status_code == 200
    assert field_error(response, "rating") == "Select a rating: red, amber or green"
    assert field_error(response, "action_owner") == "Select who owns the action"
    assert field_error(response, "action_due_on") == "Enter the due date"
    assert textarea(response, "evidence") == "Training log for 2026."
    assert textarea(response, "action_description") == "Refresh the whole-staff training."
    assert "There is a problem" in page_text(response)

    response = head.post(url, data=form(action_owner="someone_else", action_owner_name="", action_due_on=["1", "10", "2026"]))
    assert field_error(response, "action_description") == "Enter what needs to be done, or leave every part of the action empty"
    assert field_error(response, "action_owner_name") == "Enter who owns the action"
    assert field_error(response, "action_due_on") == "The due date must be today or in the future"

    response = head.post(url, data=form(action_description="Refresh the training.", action_owner=f"user:{a.dsl2.id}", action_due_on=["31", "2", "2027"]))
    assert field_error(response, "action_owner") == "Select an owner from the list"  # another school's DSL
    assert field_error(response, "action_due_on") == "The due date must be a real date, like 14 3 2027"

    assert detached_rows(app, SelfReviewAnswer, a.authority_id) == []
    assert detached_rows(app, DevelopmentAction, a.authority_id) == []
    assert audit_events(app, a.authority_id, "self_review.answered") == []


def test_a_stale_answer_is_refused_with_what_changed_and_the_typed_answer_kept(app, world):
    a = world.a
    review_id = make_review(app, a)
    answer(app, a, review_id, "tip-02", "red", evidence="First evidence.", notes="First notes.")
    url = f"/self-review/{review_id}/questions/tip-02"
    first, second = signed_in_client(app, a.head1), signed_in_client(app, a.head1)
    assert input_value(first.get(url), "version") == "1"
    assert second.post(url, data=form(rating="green", evidence="Second evidence.", notes="First notes.", version="1")).status_code == 302

    response = first.post(
        url,
        data=form(
            rating="amber",
            evidence="My evidence.",
            notes="First notes.",
            version="1",
            action_description="An action typed too.",
            action_owner="someone_else",
            action_owner_name="Bursar",
            action_due_on=["1", "6", "2027"],
        ),
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed the answer to this question while you were editing" in text
    assert "Rating Green: in place and working Amber: partly in place" in text
    assert "Evidence Second evidence. My evidence." in text
    assert "Notes" not in text.split("What you entered", 1)[1].split("Twelve practical tips", 1)[0]  # unchanged: not listed
    assert textarea(response, "evidence") == "My evidence." and textarea(response, "action_description") == "An action typed too."
    assert input_value(response, "version") == "2"
    [row] = detached_rows(app, SelfReviewAnswer, a.authority_id)
    assert (row.rating, row.evidence) == (Rag.GREEN, "Second evidence.")
    assert detached_rows(app, DevelopmentAction, a.authority_id) == []  # the whole save was refused
    [refusal] = audit_events(app, a.authority_id, "record.stale_save_refused")
    assert (refusal.object_type, refusal.object_id, refusal.actor_id) == ("self_review_answer", str(row.id), a.head1.id)

    # Saved again, against what is saved now.
    assert first.post(url, data=form(rating="amber", evidence="My evidence.", version="2")).status_code == 302
    assert detached_rows(app, SelfReviewAnswer, a.authority_id)[0].rating == Rag.AMBER


def test_two_first_answers_at_once_are_refused_not_merged(app, world, monkeypatch):
    a = world.a
    review_id = make_review(app, a)
    url = f"/self-review/{review_id}/questions/tip-03"
    head = signed_in_client(app, a.head1)
    form_page = head.get(url)
    assert input_value(form_page, "version") == "0"
    # Someone else answers it first: the form's version "0" (no answer yet) is now stale.
    answer(app, a, review_id, "tip-03", "green", evidence="Theirs.")
    response = head.post(url, data=form(rating="red", evidence="Mine."))
    assert response.status_code == 200 and "Someone else changed the answer to this question" in page_text(response)
    assert detached_rows(app, SelfReviewAnswer, a.authority_id)[0].evidence == "Theirs."

    # The race itself: both read "no answer yet", the second insert meets the unique constraint.
    from portal.selfreview import service

    real = service.answer
    calls = []

    def first_sees_nothing(review, key):
        calls.append(key)
        return None if len(calls) == 1 else real(review, key)

    monkeypatch.setattr(service, "answer", first_sees_nothing)
    response = head.post(url, data=form(rating="red", evidence="Mine again."))
    assert response.status_code == 200 and "Someone else changed the answer to this question" in page_text(response)
    assert input_value(response, "version") == "1" and textarea(response, "evidence") == "Mine again."
    assert [r.evidence for r in detached_rows(app, SelfReviewAnswer, a.authority_id)] == ["Theirs."]
    assert len(audit_events(app, a.authority_id, "record.stale_save_refused")) == 2
    assert audit_events(app, a.authority_id, "self_review.answered") == []


def test_an_unknown_question_is_not_found(app, world):
    a = world.a
    review_id = make_review(app, a)
    head = signed_in_client(app, a.head1)
    assert head.get(f"/self-review/{review_id}/questions/leadership-1").status_code == 404  # a question of another framework
    assert head.post(f"/self-review/{review_id}/questions/tip-99", data=form()).status_code == 404
    refusals = audit_events(app, a.authority_id, "access.not_found")
    assert [(e.object_type, e.object_id) for e in refusals] == [("self_review_question", "leadership-1"), ("self_review_question", "tip-99")]
    assert detached_rows(app, SelfReviewAnswer, a.authority_id) == []


def test_a_head_of_another_school_cannot_answer_or_read_the_question(app, world):
    a = world.a
    review_id = make_review(app, a)
    head2 = create_user(app, a.authority_id, "head2@avonford.example.org", "head", a.school2)
    client = signed_in_client(app, head2)
    assert client.get(f"/self-review/{review_id}/questions/tip-01").status_code == 404
    assert client.post(f"/self-review/{review_id}/questions/tip-01", data=form()).status_code == 404
    assert detached_rows(app, SelfReviewAnswer, a.authority_id) == []
