"""The front door's list of disagreements in progress: nearest deadline first, what each waits for, the
same number of statements with a few rows or many (made by different schools, pupils and people); the
administrator sees only those at stage 3, without the children's names."""

from __future__ import annotations

from tests.admin.pages import page_text
from tests.disagreements.support import at_stage, decided_referral, raise_on
from tests.factories import make_pupil
from tests.support import page_queries, signed_in_client


def _add(app, side, n):
    for k in range(n):
        school = "school1" if k % 2 else "school2"
        by = "dsl1" if k % 2 else "dsl2"
        pupil_id = make_pupil(app, side, school=school, legal_forename=f"Pupil{k}")
        raise_on(app, side, referral_id=decided_referral(app, side, pupil_id=pupil_id, school=school, by=by), by=by)


def test_the_list_costs_the_same_with_a_few_rows_or_many(app, world):
    side = world.a
    _add(app, side, 2)
    client = signed_in_client(app, side.front_door)
    client.get("/disagreements")
    few, page_few = page_queries(app, client, "/disagreements")
    _add(app, side, 8)
    many, page_many = page_queries(app, client, "/disagreements")
    assert page_text(page_many).count("Response due by") == 10 > page_text(page_few).count("Response due by") == 2
    assert few == many, f"{few} statements with a few rows, {many} with more"


def test_what_the_front_door_and_the_partnership_see(app, world):
    side = world.a
    _add(app, side, 1)
    third = at_stage(app, side, 3)
    text = page_text(signed_in_client(app, side.front_door).get("/disagreements"))
    assert "Pupil0" in text and "Jordan" in text and "You can respond" in text
    admin = signed_in_client(app, side.admin)
    text = page_text(admin.get("/disagreements"))
    assert "Pupil0" not in text and "Jordan" not in text  # stage 1 not shown; no child named
    assert text.count("Response due by") == 1 and "Stage 3: waiting for a response" in text
    assert admin.get(f"/disagreements/{third}").status_code == 200
