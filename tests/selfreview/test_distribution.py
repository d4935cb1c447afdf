"""The authority's distribution of self-review ratings across its schools: for each question, how many
schools rated it red, amber, green or not yet, of the schools with a review that year. Counts only: one
aggregate query that never selects notes or evidence, no school named next to a rating, and never another
school's notes on any page a head or the administrator can open."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from sqlalchemy import event

from portal.selfreview.models import SelfReview
from tests.admin.pages import clean, page_text
from tests.factories import _scope
from tests.selfreview.support import answer, freeze_today, make_action, make_review
from tests.support import audit_events, signed_in_client
from tests.world import create_organisation, create_user

TODAY = date(2026, 11, 2)
SECRET_NOTES = "Head two's private note: the staffroom culture is a worry"
SECRET_EVIDENCE = "Evidence only school two holds"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    freeze_today(monkeypatch, TODAY)


def review_of(app, side, organisation_id, *, year: int = 2026, framework: str = "practical-tips", completed: bool = False) -> uuid.UUID:
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.selfreview.models import ReviewStatus

    head = side.head1
    with _scope(app, side, head):
        row = SelfReview(organisation_id=organisation_id, framework=framework, framework_version=1, academic_year=year, started_by_id=head.id)
        if completed:
            row.status, row.completed_at, row.completed_by_id = ReviewStatus.COMPLETED, utcnow(), head.id
        db.session.add(row)
        db.session.commit()
        return row.id


def counts(response) -> dict[str, list[int]]:
    """Question number -> [red, amber, green, not rated], from every table on the page."""
    markup = response.get_data(as_text=True)
    out = {}
    for body in re.findall(r'<tbody class="govuk-table__body">(.*?)</tbody>', markup, re.S):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = [clean(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            out[cells[0].split(".", 1)[0]] = [int(c) for c in cells[1:]]
    return out


def test_the_counts_match_the_schools_ratings_and_show_no_notes(app, world):
    a = world.a
    school3 = create_organisation(app, a.authority_id, "Avonford Academy", "school", urn="970003", phase="secondary")
    one, two, three = review_of(app, a, a.school1), review_of(app, a, a.school2, completed=True), review_of(app, a, school3)
    answer(app, a, one, "tip-01", "red")
    answer(app, a, one, "tip-02", "green")
    answer(app, a, two, "tip-01", "red", notes=SECRET_NOTES, evidence=SECRET_EVIDENCE)
    answer(app, a, two, "tip-02", "amber", notes=SECRET_NOTES)
    answer(app, a, three, "tip-01", "green")
    answer(app, a, three, "tip-03", None)  # evidence saved, not rated
    # Not counted in 2026: another year, another framework, another authority.
    answer(app, a, review_of(app, a, a.school1, year=2025), "tip-01", "green")
    answer(app, a, review_of(app, a, a.school1, framework="assured-heads"), "leadership-1", "red")
    b_review = review_of(app, world.b, world.b.school1)
    answer(app, world.b, b_review, "tip-01", "amber")

    admin = signed_in_client(app, a.admin)
    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        response = admin.get("/self-review/across-schools?framework=practical-tips&year=2026")
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == 200
    found = counts(response)
    assert found["1"] == [2, 0, 1, 0]
    assert found["2"] == [0, 1, 1, 1]
    assert found["3"] == [0, 0, 0, 3]
    assert found["12"] == [0, 0, 0, 3]
    assert len(found) == 12
    text = page_text(response)
    assert "3 schools have a review for 2026 to 2027 (1 marked as complete)." in text
    assert "a school's evidence and notes are never shown here" in text
    for secret in (SECRET_NOTES, SECRET_EVIDENCE, "Our own notes.", "Staff survey, autumn term."):
        assert secret not in text
    for school in ("Avonford Primary School", "Avonford High School", "Avonford Academy"):
        assert school not in text  # no school next to a rating
    # The answers are read by one aggregate query, which selects no notes and no evidence.
    reading_answers = [s for s in statements if "self_review_answers" in s]
    assert len(reading_answers) == 1 and "GROUP BY" in reading_answers[0]
    assert all("notes" not in s and "evidence" not in s for s in reading_answers)
    [viewed] = [e for e in audit_events(app, a.authority_id, "record.viewed") if e.object_type == "self_review_distribution"]
    assert (viewed.actor_id, viewed.details) == (a.admin.id, {"framework": "practical-tips", "year": 2026})

    # Another year and another framework.
    assert counts(admin.get("/self-review/across-schools?framework=practical-tips&year=2025"))["1"] == [0, 0, 1, 0]
    heads = admin.get("/self-review/across-schools?framework=assured-heads&year=2026")
    assert counts(heads)["1"] == [1, 0, 0, 0] and "1 school has a review for 2026 to 2027" in page_text(heads)
    # Authority B counts only its own.
    assert counts(signed_in_client(app, world.b.admin).get("/self-review/across-schools?framework=practical-tips&year=2026"))["1"] == [0, 1, 0, 0]


def test_only_the_authority_administrator_sees_the_distribution(app, world):
    a = world.a
    for key in ("head1", "governor1", "dsl1", "front_door", "partner"):
        response = signed_in_client(app, a.people[key]).get("/self-review/across-schools")
        assert response.status_code == 403, key
        assert audit_events(app, a.authority_id, "access.denied")[-1].actor_id == a.people[key].id
    page = signed_in_client(app, a.admin).get("/self-review/across-schools")
    assert page.status_code == 200 and "0 schools have a review for 2026 to 2027" in page_text(page)
    assert signed_in_client(app, a.admin).get("/self-review/across-schools?framework=nonsense").status_code == 404


def test_school_twos_notes_never_reach_a_page_the_school_one_head_or_the_administrator_can_open(app, world):
    a = world.a
    head2 = create_user(app, a.authority_id, "head2@avonford.example.org", "head", a.school2, full_name="Hana Second")
    school2 = signed_in_client(app, head2)
    review2 = school2.post("/self-review/start", data={"framework": "practical-tips", "school": str(a.school2)}).headers["Location"].rsplit("/", 1)[1]
    assert (
        school2.post(
            f"/self-review/{review2}/questions/tip-01",
            data={
                "rating": "red",
                "evidence": SECRET_EVIDENCE,
                "notes": SECRET_NOTES,
                "version": "0",
                "action_description": "School two's private action.",
                "action_owner": "someone_else",
                "action_owner_name": "School two bursar",
                "action_due_on": ["1", "3", "2027"],
            },
        ).status_code
        == 302
    )
    assert SECRET_NOTES in page_text(school2.get(f"/self-review/{review2}"))  # the school itself sees them
    action2 = make_action(app, a, uuid.UUID(review2), owner=None, owner_name="Someone at school two")

    review1 = make_review(app, a)
    answer(app, a, review1, "tip-01", "green", notes="School one's notes.")
    head1 = signed_in_client(app, a.head1)
    pages = [
        "/self-review",
        f"/self-review/{review1}",
        f"/self-review/{review1}/plan",
        f"/self-review/{review1}/questions/tip-01",
        f"/self-review/compare?school={a.school1}&framework=practical-tips",
    ]
    for url in pages:
        response = head1.get(url)
        assert response.status_code == 200, url
        text = page_text(response)
        assert SECRET_NOTES not in text and SECRET_EVIDENCE not in text and "School two's private action." not in text, url
        assert "School two bursar" not in text, url
    for url in (
        f"/self-review/{review2}",
        f"/self-review/{review2}/plan",
        f"/self-review/{review2}/questions/tip-01",
        f"/self-review/actions/{action2}",
        f"/self-review/compare?school={a.school2}",
    ):
        response = head1.get(url)
        assert response.status_code == 404, url
        assert SECRET_NOTES not in response.get_data(as_text=True)

    admin = signed_in_client(app, a.admin)
    for framework in ("practical-tips", "assured-heads", "assured-governors"):
        for year in (2025, 2026):
            response = admin.get(f"/self-review/across-schools?framework={framework}&year={year}")
            assert response.status_code == 200
            text = page_text(response)
            assert SECRET_NOTES not in text and SECRET_EVIDENCE not in text and "School two's private action." not in text
    assert counts(admin.get("/self-review/across-schools?framework=practical-tips&year=2026"))["1"] == [1, 0, 1, 0]  # school two counted, nothing else
    for url in (f"/self-review/{review2}", f"/self-review/{review2}/plan", "/self-review"):
        assert admin.get(url).status_code in (403, 404), url
