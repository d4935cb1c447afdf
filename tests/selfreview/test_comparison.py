"""The year-on-year comparison of a school's self-reviews: each question's rating in the last three school
years that have a review, in columns, and whether it improved, got worse or stayed the same, in words. Only
the school's own: another school's id is a 404, audited."""

from __future__ import annotations

import re

from tests.admin.pages import clean, page_text
from tests.selfreview.support import answer, make_review
from tests.support import audit_events, signed_in_client


def table(response) -> tuple[list[str], list[list[str]]]:
    markup = response.get_data(as_text=True)
    head = [clean(h) for h in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", markup, re.S)]
    body = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', markup, re.S).group(1)
    rows = [[clean(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)] for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
    return head, rows


def test_ratings_of_the_last_three_years_side_by_side_with_the_change_in_words(app, world):
    a = world.a
    reviews = {year: make_review(app, a, year=year) for year in (2023, 2024, 2025, 2026)}
    plan = {
        "tip-01": {2023: "green", 2024: "red", 2025: "amber", 2026: "green"},
        "tip-02": {2024: "green", 2025: "amber"},
        "tip-03": {2024: "amber", 2025: "amber", 2026: "amber"},
        "tip-04": {2026: "red"},
    }
    for key, by_year in plan.items():
        for year, rating in by_year.items():
            answer(app, a, reviews[year], key, rating, notes=f"Notes for {key} in {year}.")
    # Another school's reviews never mix in.
    other = make_review(app, a, school="school2", year=2026, by="head1")
    answer(app, a, other, "tip-02", "red", notes="School two's own notes.")

    head = signed_in_client(app, a.head1)
    response = head.get(f"/self-review/compare?school={a.school1}&framework=practical-tips")
    assert response.status_code == 200
    header, rows = table(response)
    assert header == ["Question", "2024 to 2025", "2025 to 2026", "2026 to 2027", "Change"]  # 2023 to 2024 is not among the last three
    by_number = {row[0].split(".", 1)[0]: row[1:] for row in rows}
    assert len(rows) == 12
    assert by_number["1"] == ["Red", "Amber", "Green", "Improved since 2025 to 2026"]
    assert by_number["2"] == ["Green", "Amber", "Not rated", "Worse since 2024 to 2025"]
    assert by_number["3"] == ["Amber", "Amber", "Amber", "Same since 2025 to 2026"]
    assert by_number["4"] == ["Not rated", "Not rated", "Red", "Not enough ratings to compare"]
    text = page_text(response)
    assert "Notes for" not in text and "School two's own notes." not in text
    assert a.name.split()[0] + " Primary School" in text
    [viewed] = [e for e in audit_events(app, a.authority_id, "record.viewed") if e.object_type == "self_review_comparison"]
    assert (viewed.object_id, viewed.actor_id) == (str(a.school1), a.head1.id)

    # The school's governor compares too; the school is theirs by default.
    governor = signed_in_client(app, a.governor1)
    assert table(governor.get("/self-review/compare?framework=practical-tips"))[1] == rows
    # No reviews of a framework yet.
    assert "Your school has no reviews of the Assured Safeguarding: questions for head teachers yet." in page_text(
        head.get(f"/self-review/compare?school={a.school1}&framework=assured-heads")
    )


def test_another_schools_comparison_is_not_found_and_audited(app, world):
    a = world.a
    other = make_review(app, a, school="school2", year=2026)
    answer(app, a, other, "tip-01", "red")
    head = signed_in_client(app, a.head1)
    for school in (a.school2, world.b.school1, "not-an-id"):
        response = head.get(f"/self-review/compare?school={school}&framework=practical-tips")
        assert response.status_code == 404, school
        refusal = audit_events(app, a.authority_id, "access.not_found")[-1]
        assert (refusal.actor_id, refusal.object_type, refusal.object_id) == (a.head1.id, "organisation", str(school))
    assert head.get(f"/self-review/compare?school={a.school1}&framework=no-such-framework").status_code == 404
    for key in ("dsl1", "dsl2", "admin"):
        assert signed_in_client(app, a.people[key]).get(f"/self-review/compare?school={a.school1}&framework=practical-tips").status_code == 403, key
