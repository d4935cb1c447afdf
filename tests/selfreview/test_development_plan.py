"""The development plan of a self-review: its actions grouped by question, with owner, due date, status
and "Overdue" in words; updating an action (status, progress, due date) with its completion date kept, a
stale save refused, and who may update (the review's editors) and who may only read (governors, for the
twelve questions)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.partnership.models import ActionStatus
from portal.selfreview.models import DevelopmentAction
from tests.admin.pages import field_error, input_value, page_text
from tests.selfreview.support import freeze_today, make_action, make_review
from tests.support import audit_events, signed_in_client
from tests.world import load

TODAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    freeze_today(monkeypatch, TODAY)


def rows(response) -> list[list[str]]:
    """Every body row of every table on the page, as cell texts."""
    from tests.admin.pages import clean

    markup = response.get_data(as_text=True)
    out = []
    for body in re.findall(r'<tbody class="govuk-table__body">(.*?)</tbody>', markup, re.S):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            out.append([clean(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)])
    return out


def update(**changes) -> dict:
    return {"status": "in_progress", "progress_note": "Photos ordered.", "due_on": ["1", "3", "2099"], "version": "1", **changes}


def test_the_plan_groups_actions_by_question_with_owner_due_date_and_overdue_in_words(app, world):
    a = world.a
    review_id = make_review(app, a)
    make_action(app, a, review_id, question_key="tip-05", description="Move concern records onto the portal.", owner="dsl1", due_on=date(2026, 10, 1))
    make_action(
        app,
        a,
        review_id,
        question_key="tip-01",
        description="Put the DSL's photo in every classroom.",
        owner=None,
        owner_name="Office manager",
        due_on=date(2027, 1, 31),
    )
    make_action(
        app, a, review_id, question_key="tip-01", description="Add safeguarding to every SLT agenda.", owner="head1", due_on=date(2026, 9, 1), status="done"
    )

    head = signed_in_client(app, a.head1)
    page = head.get(f"/self-review/{review_id}/plan")
    text = page_text(page)
    assert "Development plan" in text and "3 actions." in text
    first, fifth = "1. Are your leadership team members involved in all aspects of safeguarding?", "5. Are all concerns recorded and monitored"
    assert text.index(first) < text.index(fifth)
    assert "Actions from question 1" in text and "Actions from question 5" in text
    assert rows(page) == [
        [
            "Add safeguarding to every SLT agenda.",
            a.head1.full_name,
            "1 September 2026",
            "Done",
            "",
            "Update the action: Add safeguarding to every SLT agenda.",
        ],
        [
            "Put the DSL's photo in every classroom.",
            "Office manager",
            "31 January 2027",
            "Not started",
            "",
            "Update the action: Put the DSL's photo in every classroom.",
        ],
        [
            "Move concern records onto the portal.",
            a.dsl1.full_name,
            "1 October 2026",
            "Not started Overdue",
            "",
            "Update the action: Move concern records onto the portal.",
        ],
    ]
    # The review page shows each question's actions under it.
    review = page_text(head.get(f"/self-review/{review_id}"))
    assert "Development actions Move concern records onto the portal. (" + a.dsl1.full_name + ", due 1 October 2026) Not started Overdue" in review

    # A governor reads the plan of the twelve questions but updates nothing.
    governor = signed_in_client(app, a.governor1)
    page = governor.get(f"/self-review/{review_id}/plan")
    assert page.status_code == 200 and "Move concern records onto the portal." in page_text(page)
    assert "/self-review/actions/" not in page.get_data(as_text=True)


def test_the_head_updates_an_action_and_its_completion_date_is_kept(app, world):
    a = world.a
    review_id = make_review(app, a)
    action_id = make_action(app, a, review_id, question_key="tip-06", description="Refresh whole-staff training.", due_on=date(2026, 10, 1))
    head = signed_in_client(app, a.head1)
    url = f"/self-review/actions/{action_id}"
    page = head.get(url)
    text = page_text(page)
    assert "From question 6. What safeguarding and child protection training does your school provide?" in text
    assert "Status saved Not started Overdue" in text and input_value(page, "version") == "1"

    # A due date that has passed may be kept; moving it into the past is refused.
    refused = head.post(url, data=update(due_on=["1", "11", "2026"]))
    assert field_error(refused, "due_on") == "The due date must be today or in the future"
    assert "Photos ordered." in refused.get_data(as_text=True)

    response = head.post(url, data=update(status="done", progress_note="Done at the INSET day.", due_on=["1", "10", "2026"]))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/self-review/{review_id}/plan#action-{action_id}")
    row = load(app, DevelopmentAction, action_id, a.authority_id)
    assert (row.status, row.progress_note, row.due_on, row.version) == (ActionStatus.DONE, "Done at the INSET day.", date(2026, 10, 1), 2)
    done_at = row.completed_at
    assert done_at is not None
    [event] = audit_events(app, a.authority_id, "self_review.action_updated")
    assert (event.object_id, event.actor_id, event.details) == (str(action_id), a.head1.id, {"review": str(review_id), "status": "done"})
    assert "Done" in page_text(head.get(f"/self-review/{review_id}/plan")) and "Overdue" not in page_text(head.get(f"/self-review/{review_id}/plan"))

    # Saved again as done (a later due date): the date it was done stays.
    assert head.post(url, data=update(status="done", progress_note="Done at the INSET day.", due_on=["1", "12", "2026"], version="2")).status_code == 302
    assert load(app, DevelopmentAction, action_id, a.authority_id).completed_at == done_at
    # Reopened: no longer done.
    assert head.post(url, data=update(status="in_progress", due_on=["1", "12", "2026"], version="3")).status_code == 302
    assert load(app, DevelopmentAction, action_id, a.authority_id).completed_at is None


def test_a_stale_action_update_is_refused_and_what_was_typed_kept(app, world):
    a = world.a
    review_id = make_review(app, a)
    action_id = make_action(app, a, review_id)
    url = f"/self-review/actions/{action_id}"
    first, second = signed_in_client(app, a.head1), signed_in_client(app, a.head1)
    assert second.post(url, data=update(status="done", progress_note="Finished.")).status_code == 302

    response = first.post(url, data=update(progress_note="Half the photos are up."))
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this action while you were editing" in text
    assert "Status Done In progress" in text and "Progress Finished. Half the photos are up." in text
    assert "Half the photos are up." in response.get_data(as_text=True).split("</table>", 1)[1]  # still in the form
    assert input_value(response, "version") == "2"
    row = load(app, DevelopmentAction, action_id, a.authority_id)
    assert (row.status, row.progress_note) == (ActionStatus.DONE, "Finished.")
    [refusal] = audit_events(app, a.authority_id, "record.stale_save_refused")
    assert (refusal.object_type, refusal.object_id) == ("development_action", str(action_id))


def test_only_the_reviews_editors_update_its_actions(app, world):
    a = world.a
    tips = make_review(app, a)
    action_id = make_action(app, a, tips)
    governor = signed_in_client(app, a.governor1)
    assert governor.get(f"/self-review/actions/{action_id}").status_code == 403
    assert governor.post(f"/self-review/actions/{action_id}", data=update()).status_code == 403
    assert load(app, DevelopmentAction, action_id, a.authority_id).status == ActionStatus.NOT_STARTED
    # Its owner, the DSL, does not see the school's self-review at all.
    assert signed_in_client(app, a.dsl1).get(f"/self-review/actions/{action_id}").status_code == 404
    assert signed_in_client(app, a.dsl1).get(f"/self-review/{tips}/plan").status_code == 404

    # The governors' questions: a governor updates their actions.
    governors = make_review(app, a, framework="assured-governors", by="governor1")
    theirs = make_action(app, a, governors, question_key="leadership-1", owner="governor1", by="governor1")
    assert governor.post(f"/self-review/actions/{theirs}", data=update()).status_code == 302
    assert load(app, DevelopmentAction, theirs, a.authority_id).status == ActionStatus.IN_PROGRESS


def test_opening_an_action_is_an_audited_read(app, world):
    a = world.a
    action_id = make_action(app, a, make_review(app, a))
    from portal.audit.actions import Action

    response = signed_in_client(app, a.head1).get(f"/self-review/actions/{action_id}")
    assert response.status_code == 200
    reads = [e for e in audit_events(app, a.authority_id, Action.RECORD_VIEWED) if e.object_type == "development_action"]
    assert [(e.actor_id, e.object_id, e.organisation_id) for e in reads] == [(a.head1.id, str(action_id), a.school1)]
