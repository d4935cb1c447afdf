"""Self-reviews of a school: the list and starting one (once per school, framework and academic year), the
review page with its numbered questions and ratings in words, completing the twelve questions and marking
the review as complete, who may read and who may edit (the head; governors for the governors' questions),
and a review keeping the version of the questions it was started with."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from datetime import date

import pytest

from portal.selfreview import frameworks
from portal.selfreview.models import Rag, ReviewStatus, SelfReview, SelfReviewAnswer
from portal.selfreview.service import academic_year, year_label
from tests.admin.pages import buttons, page_text
from tests.selfreview.support import answer, answer_all, freeze_today, make_review
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import load

TODAY = date(2026, 11, 2)
TIPS = "Twelve practical tips for safeguarding practice in schools"
HEADS = "Assured Safeguarding: questions for head teachers"
GOVERNORS = "Assured Safeguarding: questions for governors"

#: A rating for each of the twelve questions (4 red, 4 amber, 4 green).
RATINGS = ["red", "amber", "green"] * 4


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    freeze_today(monkeypatch, TODAY)


def start(client, framework: str, school) -> object:
    return client.post("/self-review/start", data={"framework": framework, "school": str(school)})


def answer_all_twelve(client, review_id, ratings=RATINGS) -> None:
    """Rate the twelve questions through the answer pages, as the head would, one after the other."""
    questions = frameworks.get("practical-tips").questions
    for question, rating in zip(questions, ratings, strict=True):
        response = client.post(
            f"/self-review/{review_id}/questions/{question.key}",
            data={"rating": rating, "evidence": f"Evidence for question {question.number}.", "notes": "", "version": "0"},
        )
        assert response.status_code == 302, question.key
        following = f"/self-review/{review_id}/questions/tip-{question.number + 1:02d}"
        assert response.headers["Location"].endswith(following if question.number < 12 else f"/self-review/{review_id}#question-tip-12")


def test_the_academic_year_runs_from_september_to_august():
    assert academic_year(date(2026, 8, 31)) == 2025
    assert academic_year(date(2026, 9, 1)) == 2026
    assert academic_year(date(2027, 1, 15)) == 2026
    assert year_label(2026) == "2026 to 2027"


def test_the_head_starts_a_review_once_for_the_year_and_sees_it_in_the_list(app, world):
    a = world.a
    head = signed_in_client(app, a.head1)
    text = page_text(head.get("/self-review"))
    assert a.name.split()[0] + " Primary School" in text
    for title in (TIPS, HEADS, GOVERNORS):
        assert f"Start the {title} for 2026 to 2027" in text
    assert "never see them, and the authority sees only how many schools gave each rating" in text

    response = start(head, "practical-tips", a.school1)
    [review] = detached_rows(app, SelfReview, a.authority_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/self-review/{review.id}")
    assert (review.organisation_id, review.framework, review.framework_version, review.academic_year, review.started_by_id, review.status) == (
        a.school1,
        "practical-tips",
        1,
        2026,
        a.head1.id,
        ReviewStatus.IN_PROGRESS,
    )
    [event] = audit_events(app, a.authority_id, "self_review.started")
    assert (event.object_id, event.actor_id, event.organisation_id, event.details) == (
        str(review.id),
        a.head1.id,
        a.school1,
        {"framework": "practical-tips", "version": 1, "year": 2026},
    )

    # Starting it again opens the same review: one per school, framework and year.
    again = start(head, "practical-tips", a.school1)
    assert again.headers["Location"].endswith(f"/self-review/{review.id}")
    assert len(detached_rows(app, SelfReview, a.authority_id)) == 1
    assert len(audit_events(app, a.authority_id, "self_review.started")) == 1

    answer(app, a, review.id, "tip-01", "red")
    answer(app, a, review.id, "tip-02", "green")
    text = page_text(head.get("/self-review"))
    assert f"Start the {TIPS}" not in text and f"Start the {HEADS} for 2026 to 2027" in text
    assert "Questions rated 2 of 12 Ratings 1 red, 1 green" in text
    assert "Status In progress" in text
    assert "Open the review : " + TIPS + ", 2026 to 2027" in text


def test_earlier_years_reviews_are_listed_and_a_new_year_starts_a_new_review(app, world, monkeypatch):
    a = world.a
    old = make_review(app, a, year=2025)
    answer_all(app, a, old, rating="amber")
    head = signed_in_client(app, a.head1)
    text = page_text(head.get("/self-review"))
    assert "Earlier years" in text
    assert f"{TIPS} , 2025 to 2026 2025 to 2026 In progress 12 of 12 12 amber" in text
    assert f"Start the {TIPS} for 2026 to 2027" in text

    new = start(head, "practical-tips", a.school1)
    assert not new.headers["Location"].endswith(str(old))
    assert sorted(r.academic_year for r in detached_rows(app, SelfReview, a.authority_id)) == [2025, 2026]


def test_a_governor_reads_the_twelve_questions_but_completes_only_the_governors_questions(app, world):
    a = world.a
    governor = signed_in_client(app, a.governor1)
    text = page_text(governor.get("/self-review"))
    assert f"Start the {GOVERNORS} for 2026 to 2027" in text
    assert f"Start the {TIPS}" not in text and "The head teacher starts and completes this review." in text

    refused = start(governor, "practical-tips", a.school1)
    assert refused.status_code == 403
    assert detached_rows(app, SelfReview, a.authority_id) == []
    assert audit_events(app, a.authority_id, "access.denied")[-1].actor_id == a.governor1.id

    tips = make_review(app, a)
    answer(app, a, tips, "tip-01", "amber", notes="The head's note on leadership.")
    page = governor.get(f"/self-review/{tips}")
    assert page.status_code == 200
    assert "The head's note on leadership." in page_text(page)  # the school's governors see its reviews
    assert "Rate and add evidence" not in page_text(page)
    assert "The review is completed by the head teacher." in page_text(page)
    assert governor.get(f"/self-review/{tips}/questions/tip-01").status_code == 403
    assert governor.post(f"/self-review/{tips}/questions/tip-01", data={"rating": "green", "version": "1"}).status_code == 403
    assert governor.post(f"/self-review/{tips}/complete").status_code == 403
    assert load(app, SelfReviewAnswer, detached_rows(app, SelfReviewAnswer, a.authority_id)[0].id, a.authority_id).rating == Rag.AMBER

    # The governors' questions: the governor starts and answers them, and so may the head.
    response = start(governor, "assured-governors", a.school1)
    assert response.status_code == 302
    review_id = response.headers["Location"].rsplit("/", 1)[1]
    assert (
        governor.post(
            f"/self-review/{review_id}/questions/leadership-1", data={"rating": "green", "evidence": "Termly safeguarding report.", "version": "0"}
        ).status_code
        == 302
    )
    head = signed_in_client(app, a.head1)
    assert head.post(f"/self-review/{review_id}/questions/leadership-2", data={"rating": "amber", "version": "0"}).status_code == 302
    text = page_text(governor.get(f"/self-review/{review_id}"))
    assert (
        "1. How do I know that the Headteacher and all staff are giving priority to keeping children safe? Rating Green Evidence Termly safeguarding report."
        in text
    )
    assert "Rate and add evidence for question 1" in text


def test_the_head_completes_the_twelve_questions_and_marks_the_review_complete(app, world):
    a = world.a
    head = signed_in_client(app, a.head1)
    review_id = start(head, "practical-tips", a.school1).headers["Location"].rsplit("/", 1)[1]

    page = head.get(f"/self-review/{review_id}")
    assert "Mark as complete" not in buttons(page)
    assert "You can mark the review as complete once every question is rated: 12 questions are not rated yet." in page_text(page)
    early = head.post(f"/self-review/{review_id}/complete")
    assert early.status_code == 302
    assert "The review cannot be marked as complete yet: 12 questions are not rated." in page_text(head.get(early.headers["Location"]))
    assert detached_rows(app, SelfReview, a.authority_id)[0].status == ReviewStatus.IN_PROGRESS

    answer_all_twelve(head, review_id)
    page = head.get(f"/self-review/{review_id}")
    text = page_text(page)
    # The questions in order, numbered, each rating in words (never colour alone).
    numbers = [int(n) for n in re.findall(r'<h3 class="govuk-heading-m" id="question-tip-\d+-heading">(\d+)\.', page.get_data(as_text=True))]
    assert numbers == list(range(1, 13))
    assert "1. Are your leadership team members involved in all aspects of safeguarding? Rating Red Evidence Evidence for question 1." in text
    assert "2. Is safeguarding a shared responsibility in your school? Rating Amber" in text
    assert "12. Are your policies" in text and "Rating Green Evidence Evidence for question 12." in text
    assert "Questions rated 12 of 12 Ratings 4 red, 4 amber, 4 green" in text
    assert 'Source of the questions "You have someone to trust"' in text and "Version of the questions Version 1" in text
    assert "Mark as complete" in buttons(page)
    answered = audit_events(app, a.authority_id, "self_review.answered")
    assert [e.details for e in answered] == [{"question": q.key, "rating": r} for q, r in zip(frameworks.get("practical-tips").questions, RATINGS, strict=True)]

    response = head.post(f"/self-review/{review_id}/complete")
    assert response.status_code == 302
    [review] = detached_rows(app, SelfReview, a.authority_id)
    assert (review.status, review.completed_by_id) == (ReviewStatus.COMPLETED, a.head1.id) and review.completed_at is not None
    [event] = audit_events(app, a.authority_id, "self_review.completed")
    assert (event.object_id, event.actor_id) == (review_id, a.head1.id)
    text = page_text(head.get(f"/self-review/{review_id}"))
    assert "Status Completed" in text and f"Marked as complete {a.head1.full_name}," in text
    assert "Changed since completion" not in text
    assert "Mark as complete" not in text.split("Completing the review", 1)[1]

    # An answer can still change: the review stays completed and says it changed since.
    assert (
        head.post(f"/self-review/{review_id}/questions/tip-03", data={"rating": "amber", "evidence": "Evidence for question 3.", "version": "1"}).status_code
        == 302
    )
    text = page_text(head.get(f"/self-review/{review_id}"))
    assert "Status Completed" in text and "Changed since completion" in text
    assert "Status Completed" in page_text(signed_in_client(app, a.governor1).get("/self-review"))


def test_nobody_else_at_the_school_and_no_other_school_sees_a_review(app, world):
    a = world.a
    review_id = make_review(app, a)
    answer(app, a, review_id, "tip-01", "red", notes="Private to the school.")
    for key in ("dsl1", "staff1", "partner", "admin", "front_door", "dsl2"):
        client = signed_in_client(app, a.people[key])
        assert client.get("/self-review").status_code == 403, key
        assert audit_events(app, a.authority_id, "access.denied")[-1].actor_id == a.people[key].id
        assert client.get(f"/self-review/{review_id}").status_code == 404, key
        [*_, refusal] = audit_events(app, a.authority_id, "access.not_found")
        assert (refusal.actor_id, refusal.object_id) == (a.people[key].id, str(review_id))
    # Nor does anyone in another authority (the same roles there).
    assert signed_in_client(app, world.b.head1).get(f"/self-review/{review_id}").status_code == 404


def test_the_navigation_offers_self_review_to_heads_and_governors_and_the_counts_to_the_administrator(app, world):
    a = world.a
    for key in ("head1", "governor1"):
        home = signed_in_client(app, a.people[key]).get("/self-review")
        assert 'href="/self-review"' in home.get_data(as_text=True), key
    dsl_home = signed_in_client(app, a.dsl1).get("/home").get_data(as_text=True)
    assert 'href="/self-review"' not in dsl_home and "/self-review/across-schools" not in dsl_home
    admin_home = signed_in_client(app, a.admin).get("/home").get_data(as_text=True)
    assert 'href="/self-review/across-schools"' in admin_home and "Self-review across schools" in admin_home


@pytest.fixture
def version_two(tmp_path, monkeypatch):
    """The framework files in a temporary directory with a version 2 of the twelve questions, whose first
    question is worded differently and whose twelfth is replaced by a new one."""
    for path in frameworks.DIRECTORY.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    data = json.loads((frameworks.DIRECTORY / "practical-tips.v1.json").read_text(encoding="utf-8"))
    data["version"] = 2
    data["themes"][0]["questions"][0]["text"] = "Version two: is your leadership team involved in every part of safeguarding?"
    data["themes"][0]["questions"][-1] = {"key": "tip-13", "text": "Version two: a new question on online safety?", "prompts": []}
    (tmp_path / "practical-tips.v2.json").write_text(json.dumps(data), encoding="utf-8")
    frameworks._all.cache_clear()
    monkeypatch.setattr(frameworks, "DIRECTORY", tmp_path)
    yield
    monkeypatch.undo()
    frameworks._all.cache_clear()


def test_a_review_keeps_the_version_of_the_questions_it_was_started_with(app, world, version_two):
    a = world.a
    assert frameworks.get("practical-tips").version == 2
    old = make_review(app, a, year=2025)
    # make_review takes the latest version: set the old review back to version 1, as if started before v2.
    from sqlalchemy import select

    from portal.extensions import db
    from tests.factories import _scope

    with _scope(app, a, a.head1):
        row = db.session.execute(select(SelfReview).where(SelfReview.id == old)).scalar_one()
        row.framework_version = 1
        db.session.commit()
    answer(app, a, old, "tip-12", "green")

    head = signed_in_client(app, a.head1)
    text = page_text(head.get(f"/self-review/{old}"))
    assert "1. Are your leadership team members involved in all aspects of safeguarding?" in text
    assert "Version two" not in text and "Version of the questions Version 1" in text
    assert "12. Are your policies" in text and "Questions rated 1 of 12" in text
    assert head.get(f"/self-review/{old}/questions/tip-13").status_code == 404  # not a question of version 1

    # A review started now uses version 2.
    new = start(head, "practical-tips", a.school1).headers["Location"].rsplit("/", 1)[1]
    assert load(app, SelfReview, uuid.UUID(new), a.authority_id).framework_version == 2
    text = page_text(head.get(f"/self-review/{new}"))
    assert "1. Version two: is your leadership team involved in every part of safeguarding?" in text
    assert "12. Version two: a new question on online safety?" in text and "Version of the questions Version 2" in text
    assert head.get(f"/self-review/{new}/questions/tip-13").status_code == 200
