"""Who sees a concern: the person who logged it (with the outcome and the DSL's response to them, nothing
else the DSL records), and the DSL and head of its school."""

from __future__ import annotations

from tests.admin.pages import page_text, table_rows
from tests.factories import make_concern, make_pupil
from tests.world import create_user


def _colleague(app, world):
    return create_user(app, world.a.authority_id, "colleague@avonford.example.org", "staff", world.a.school1, full_name="Casey Colleague")


def test_staff_see_only_the_concerns_they_logged(app, world, pupil, signed_in, add_concerns):
    """Does a member of staff's list show their own concerns only, and is a colleague's concern at the same
    school a 404 to them?"""
    colleague = _colleague(app, world)
    mine = make_concern(app, world.a, pupil, by="staff1", seen_or_heard="Mine")
    [theirs] = add_concerns(world.a, 1, [colleague.id], pupils=[pupil])
    staff = signed_in(world.a.staff1)

    response = staff.get("/concerns")
    assert "Concerns you have logged" in page_text(response)
    html = response.get_data(as_text=True)
    assert f"/concerns/{mine}" in html and f"/concerns/{theirs}" not in html
    assert len(table_rows(response)) == 1

    assert staff.get(f"/concerns/{mine}").status_code == 200
    assert staff.get(f"/concerns/{theirs}").status_code == 404
    assert staff.get(f"/concerns/{theirs}/triage").status_code == 404


def test_the_dsl_sees_the_schools_concerns_and_not_another_schools(app, world, pupil, signed_in, add_concerns):
    """Does the DSL see every concern at their school, whoever logged it, and none from school2?"""
    colleague = _colleague(app, world)
    ours = add_concerns(world.a, 2, [world.a.staff1.id, colleague.id], pupils=[pupil])
    other_pupil = make_pupil(app, world.a, school="school2", legal_forename="Other")
    [theirs] = add_concerns(world.a, 1, [world.a.dsl2.id], school="school2", pupils=[other_pupil])

    response = signed_in(world.a.dsl1).get("/concerns")
    html = response.get_data(as_text=True)
    assert all(f"/concerns/{i}" in html for i in ours)
    assert f"/concerns/{theirs}" not in html
    logged_by = {row[2] for row in table_rows(response)}
    assert logged_by == {"Staff1", "Casey Colleague"}

    assert f"/concerns/{theirs}" in signed_in(world.a.dsl2).get("/concerns").get_data(as_text=True)
    assert signed_in(world.a.dsl2).get(f"/concerns/{ours[0]}").status_code == 404


def test_after_triage_staff_see_the_outcome_and_response_but_not_the_action_taken(app, world, pupil, signed_in):
    """Once the DSL has triaged it, does the member of staff see the outcome and the DSL's words to them,
    and never the action taken or the links the DSL made?"""
    other_id = make_concern(app, world.a, pupil, by="staff1", seen_or_heard="First")
    concern_id = make_concern(app, world.a, pupil, by="staff1", seen_or_heard="Second")
    staff = signed_in(world.a.staff1)
    dsl = signed_in(world.a.dsl1)
    response = dsl.post(
        f"/concerns/{concern_id}/triage",
        data={
            "action_taken": "Phoned mum; referral to the school nurse",
            "outcome": "support_in_school",
            "response_to_reporter": "Thank you. Please keep an eye on lunchtimes.",
            "links": [str(other_id)],
            "version": "1",
        },
    )
    assert response.status_code == 302

    detail = staff.get(f"/concerns/{concern_id}")
    page = page_text(detail)
    assert "Support in school (pastoral, mentoring, school nurse)" in page
    assert "Thank you. Please keep an eye on lunchtimes." in page
    assert "Phoned mum" not in page
    assert "Linked concerns" not in page and str(other_id) not in detail.get_data(as_text=True)
    assert "Triage this concern" not in page and "Update triage" not in page

    listing = page_text(staff.get("/concerns"))
    assert "Seen by the DSL" in listing and "Thank you. Please keep an eye on lunchtimes." in listing
    assert "Phoned mum" not in listing

    dsl_page = page_text(dsl.get(f"/concerns/{concern_id}"))
    assert "Phoned mum; referral to the school nurse" in dsl_page and "Update triage" in dsl_page
    assert staff.get(f"/concerns/{concern_id}/triage").status_code == 403


def test_governor_admin_and_agencies_cannot_open_the_concerns_pages(world, signed_in):
    """Are the concerns list and form closed (403) to a governor, an administrator and the agencies?"""
    for person in (world.a.governor1, world.a.admin, world.a.front_door, world.a.assessor, world.a.partner):
        client = signed_in(person)
        assert client.get("/concerns").status_code == 403, person.email
        assert client.get("/concerns/new").status_code == 403, person.email


def test_staff_who_leave_the_school_no_longer_see_what_they_logged(app, world, pupil, signed_in):
    """When a member of staff's role at the school is removed (they have left), can they still open a
    concern they logged there? (They must not: it holds the child's name and words.)"""
    from sqlalchemy import delete

    from portal.accounts.models import Membership
    from portal.extensions import db
    from tenants.context import tenant_scope

    concern_id = make_concern(app, world.a, pupil, by="staff1", child_words="Please don't tell anyone.")
    staff = signed_in(world.a.staff1)
    assert staff.get(f"/concerns/{concern_id}").status_code == 200
    with app.app_context(), tenant_scope(world.a.authority_id):
        db.session.execute(delete(Membership).where(Membership.user_id == world.a.staff1.id))
        db.session.commit()
    response = staff.get(f"/concerns/{concern_id}")
    assert response.status_code == 404
    assert "Please don't tell anyone." not in response.get_data(as_text=True)
