"""The identifiable-child check on a self-review: its evidence, notes, a new action and an action's progress
note are checked before they are saved, like a forum post; what matched is shown with a reason, nothing is
saved until the words are changed or the person confirms it is not about a real child (audited: kinds
and counts, never the words), and what was typed is kept."""

from __future__ import annotations

from datetime import date

import pytest

from portal.selfreview.models import DevelopmentAction, SelfReviewAnswer
from tests.admin.pages import field_error, input_value, page_text
from tests.factories import make_pupil
from tests.selfreview.support import freeze_today, make_review
from tests.selfreview.test_answers import form, textarea
from tests.support import audit_events, detached_rows, signed_in_client

TODAY = date(2026, 11, 2)
CONFIRM_ERROR = "Change what you wrote so no child can be identified from it, or confirm it is not about a real child"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    freeze_today(monkeypatch, TODAY)


@pytest.mark.parametrize(
    "field, typed",
    [
        ("evidence", "Case file of Jordan\u200bExample reviewed with the DSL."),
        ("notes", "Ask about EXAMPLE jordan at the next governors' meeting."),
        ("action_description", "Check the plan for J o r d a n  E x a m p l e by Friday."),
    ],
)
def test_a_childs_name_in_the_evidence_notes_or_an_action_stops_the_save(app, world, field, typed):
    a = world.a
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    review_id = make_review(app, a)
    head = signed_in_client(app, a.head1)
    url = f"/self-review/{review_id}/questions/tip-04"
    extra = {"action_owner": f"user:{a.dsl1.id}", "action_due_on": ["31", "3", "2027"]} if field == "action_description" else {}
    stopped = head.post(url, data=form(**{field: typed}, **extra))
    assert stopped.status_code == 200
    assert "Your answer may identify a child" in page_text(stopped) and "Matches the name of a pupil on your school's register." in page_text(stopped)
    assert field_error(stopped, "confirm") == CONFIRM_ERROR
    assert textarea(stopped, field).replace("&#39;", "'") == typed  # what was typed is kept
    assert detached_rows(app, SelfReviewAnswer, a.authority_id) == [] and detached_rows(app, DevelopmentAction, a.authority_id) == []

    signature = input_value(stopped, "child_check")
    saved = head.post(url, data=form(**{field: typed}, **extra, confirm="y", child_check=signature))
    assert saved.status_code == 302
    [row] = detached_rows(app, SelfReviewAnswer, a.authority_id)
    assert row.version == 1
    [confirmed] = audit_events(app, a.authority_id, "self_review.child_check_confirmed")
    assert confirmed.details == {"kinds": ["name"], "count": 1} and "Jordan" not in str(confirmed.details)


def test_a_confirmation_counts_only_for_what_was_shown(app, world):
    a = world.a
    review_id = make_review(app, a)
    head = signed_in_client(app, a.head1)
    url = f"/self-review/{review_id}/questions/tip-04"
    stopped = head.post(url, data=form(evidence="UPN A 1234 5678 9012 on file."))
    signature = input_value(stopped, "child_check")
    # Ticked, but the words changed to a different identifier: shown again, not saved.
    again = head.post(url, data=form(evidence="Born 03 / 04 / 2016, see file.", confirm="y", child_check=signature))
    assert again.status_code == 200 and field_error(again, "confirm") == CONFIRM_ERROR
    assert detached_rows(app, SelfReviewAnswer, a.authority_id) == []


def test_an_actions_progress_note_is_checked(app, world):
    from tests.selfreview.support import make_action
    from tests.selfreview.test_development_plan import update

    a = world.a
    review_id = make_review(app, a)
    action_id = make_action(app, a, review_id, question_key="tip-06", description="Refresh whole-staff training.", due_on=date(2027, 1, 1))
    head = signed_in_client(app, a.head1)
    url = f"/self-review/actions/{action_id}"
    page = head.get(url)
    stopped = head.post(url, data=update(progress_note="Spoke to A-1234-5678-9012's mum.", version=input_value(page, "version")))
    assert stopped.status_code == 200 and "Has the shape of a unique pupil number (UPN)." in page_text(stopped)
    [row] = detached_rows(app, DevelopmentAction, a.authority_id)
    assert row.progress_note is None and row.version == 1
