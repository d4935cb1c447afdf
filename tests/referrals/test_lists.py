"""The front door's queue and the school's list: what is in them, in what order, paginated by keyset, and at a
cost that does not grow with the number of referrals."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from portal.clock import UK, travel
from tests.admin.pages import page_text
from tests.factories import make_pupil, make_referral
from tests.support import page_queries, sign_in
from tests.world import add_membership

#: Tuesday 1 December 2026, 10am: a working day.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UK)


def _submitted(app, side, due_ins, *, school="school1", status="submitted", names=None):
    """Referrals submitted a day ago, due ``due_in`` from NOW each, made directly (fast) for list tests."""
    from portal.extensions import db
    from portal.pupils.models import Pupil
    from portal.referrals.models import ParentsAware, Referral, ReferralDecision, ReferralStatus
    from portal.vocabulary import Level
    from tenants import tenant_scope

    ids = []
    with app.app_context(), tenant_scope(side.authority_id):
        for n, due_in in enumerate(due_ins):
            name = names[n] if names else f"Pupil{n:03d}"
            pupil = Pupil(organisation_id=getattr(side, school), legal_forename=name, legal_surname="Test", date_of_birth=date(2014, 5, 1), year_group="7")
            db.session.add(pupil)
            db.session.flush()
            referral = Referral(
                organisation_id=pupil.organisation_id,
                pupil_id=pupil.id,
                created_by_id=side.dsl1.id if school == "school1" else side.dsl2.id,
                status=ReferralStatus(status),
                categories=["neglect"],
                what_happened="x",
                parents_aware=ParentsAware.YES,
                school_view_level=Level.EARLY_HELP,
                submitted_at=NOW - timedelta(days=1),
                due_at=NOW + due_in,
                created_at=NOW - timedelta(days=1, minutes=n),
            )
            if referral.status in (ReferralStatus.DECIDED, ReferralStatus.CLOSED):
                referral.decision, referral.decision_reason = ReferralDecision.EARLY_HELP, "Early help from the school."
                referral.decided_at, referral.decided_by_id = NOW - timedelta(hours=1, minutes=n), side.front_door.id
            db.session.add(referral)
            db.session.flush()
            ids.append(referral.id)
        db.session.commit()
    return ids


def _front_door(app, world):
    client = app.test_client()
    sign_in(client, world.a.front_door)
    return client


def _next_link(html):
    match = re.search(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def _rows(html, pattern=r"(?:Pupil\d{3}|Amy|Ben|Cal|Dee) Test"):
    return re.findall(pattern, html)


def test_the_queue_puts_the_overdue_first_then_the_least_time_left(app, world):
    """Is the queue ordered overdue first, then by time left, with the time in words, "Overdue" and "Due today"
    tags in text, and a summary line?"""
    _submitted(app, world.a, [timedelta(hours=5), timedelta(hours=-2), timedelta(days=1, hours=3), timedelta(minutes=30)], names=["Amy", "Ben", "Cal", "Dee"])
    make_referral(app, world.a, make_pupil(app, world.a, legal_forename="Drafty"))  # a draft: never in the queue
    _submitted(app, world.b, [timedelta(hours=-5)], names=["Zed"])  # another authority's: never in it either
    with travel(NOW):
        client = _front_door(app, world)
        response = client.get("/front-door/referrals")
    html = response.get_data(as_text=True)
    assert _rows(html) == ["Ben Test", "Dee Test", "Amy Test", "Cal Test"]
    page = page_text(response)
    assert "4 open, 2 due today, 1 overdue" in page
    assert "Ben Test Avonford Primary School Neglect Submitted Overdue 2 hours past the deadline" in page
    assert "Dee Test Avonford Primary School Neglect Submitted Due today 30 minutes left" in page
    assert "Cal Test Avonford Primary School Neglect Submitted 1 day 3 hours left" in page
    assert "Drafty" not in page and "Zed" not in page


def test_the_queue_filters_by_school_and_status(app, world):
    _submitted(app, world.a, [timedelta(hours=1)], names=["Amy"])
    _submitted(app, world.a, [timedelta(hours=2)], school="school2", names=["Ben"])
    _submitted(app, world.a, [timedelta(hours=3)], status="acknowledged", names=["Cal"])
    with travel(NOW):
        client = _front_door(app, world)
        assert _rows(client.get(f"/front-door/referrals?school={world.a.school2}").get_data(as_text=True)) == ["Ben Test"]
        by_status = client.get("/front-door/referrals?status=acknowledged")
        assert _rows(by_status.get_data(as_text=True)) == ["Cal Test"]
        assert "1 open, 1 due today, 0 overdue" in page_text(by_status)
        everything = client.get("/front-door/referrals?school=not-a-school&status=nonsense")
        assert _rows(everything.get_data(as_text=True)) == ["Amy Test", "Ben Test", "Cal Test"]


def test_the_second_page_continues_without_repeats(app, world):
    """With 55 open referrals (some due at the same moment), does page two hold the last 5, none repeated?"""
    due_ins = [timedelta(hours=n // 2) for n in range(55)]  # pairs share a deadline: the id breaks ties
    ids = _submitted(app, world.a, due_ins)
    with travel(NOW):
        client = _front_door(app, world)
        first = client.get("/front-door/referrals").get_data(as_text=True)
        second_url = _next_link(first)
        assert second_url
        second = client.get(second_url).get_data(as_text=True)
    first_rows, second_rows = _rows(first), _rows(second)
    assert len(first_rows) == 50 and len(second_rows) == 5
    assert set(first_rows).isdisjoint(second_rows)
    assert len(set(first_rows) | set(second_rows)) == len(ids)
    assert _next_link(second) is None


def test_the_decided_view_lists_decisions_newest_first(app, world):
    older = make_referral(
        app, world.a, make_pupil(app, world.a, legal_forename="Older"), steps=(("submit", "dsl1"), ("acknowledge", "front_door"), ("decide", "front_door"))
    )
    newer = make_referral(
        app, world.a, make_pupil(app, world.a, legal_forename="Newer"), steps=(("submit", "dsl1"), ("acknowledge", "front_door"), ("decide", "front_door"))
    )
    make_referral(app, world.a, make_pupil(app, world.a, legal_forename="Waiting"), steps=(("submit", "dsl1"),))
    client = _front_door(app, world)
    html = client.get("/front-door/referrals?view=decided").get_data(as_text=True)
    assert re.findall(r"(?:Older|Newer|Waiting) Example", html) == ["Newer Example", "Older Example"]
    assert "Child-in-need assessment (section 17)" in html
    assert html.index(f"/referrals/{newer}") < html.index(f"/referrals/{older}")


def _queries(app, client, url) -> int:
    return page_queries(app, client, url)[0]


def test_the_queue_costs_the_same_with_3_or_40_referrals(app, world):
    """Is the number of queries for the queue the same for 3 referrals as for 40 (no query per row)?"""
    _submitted(app, world.a, [timedelta(hours=n) for n in range(3)])
    with travel(NOW):
        client = _front_door(app, world)
        client.get("/front-door/referrals")  # warm up (first-request work)
        few = _queries(app, client, "/front-door/referrals")
        _submitted(app, world.a, [timedelta(hours=n) for n in range(37)])
        many = _queries(app, client, "/front-door/referrals")
        assert len(_rows(client.get("/front-door/referrals").get_data(as_text=True))) == 40
    assert few == many


def test_the_decided_view_costs_the_same_with_3_or_40_decisions(app, world):
    """The decided referrals, latest first: as many queries for 3 decisions as for 40."""
    _submitted(app, world.a, [timedelta(hours=n) for n in range(3)], status="decided")
    with travel(NOW):
        client = _front_door(app, world)
        client.get("/front-door/referrals?view=decided")
        few = _queries(app, client, "/front-door/referrals?view=decided")
        _submitted(app, world.a, [timedelta(hours=n) for n in range(37)], status="decided", names=[f"Pupil{n:03d}" for n in range(3, 40)])
        many = _queries(app, client, "/front-door/referrals?view=decided")
        assert len(_rows(client.get("/front-door/referrals?view=decided").get_data(as_text=True))) == 40
    assert few == many


@pytest.mark.postgres_only
def test_the_decided_view_is_read_off_its_index(app, world, database):
    """The decided view's query (an authority's decided and closed referrals, latest first) is answered from
    the partial index ``ix_referrals_decided``, not by reading every referral (the planner told not to scan
    the table, as it would for a few rows)."""
    from sqlalchemy import text

    engine = database.owner_engine()
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = (
                conn.execute(
                    text(
                        "EXPLAIN SELECT id FROM referrals WHERE authority_id = :a AND status IN ('decided', 'closed') "
                        "ORDER BY decided_at DESC, id DESC LIMIT 26"
                    ),
                    {"a": str(world.a.authority_id)},
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    assert any("ix_referrals_decided" in line for line in plan), "\n".join(plan)


def test_the_schools_list_costs_the_same_with_3_or_40_referrals(app, world):
    _submitted(app, world.a, [timedelta(hours=n) for n in range(3)])
    with travel(NOW):
        client = app.test_client()
        sign_in(client, world.a.dsl1)
        client.get("/referrals")
        few = _queries(app, client, "/referrals")
        _submitted(app, world.a, [timedelta(hours=n) for n in range(37)])
        many = _queries(app, client, "/referrals")
    assert few == many


# The school's list -----------------------------------------------------------------------------------------


def test_the_school_sees_its_own_referrals_newest_first_and_when_it_last_heard(app, world):
    """Does the DSL's list show their school's referrals only, newest first, with the decision and when the front
    door was last heard from ("Not yet" before it has said anything)?"""
    first = make_referral(app, world.a, make_pupil(app, world.a, legal_forename="First"), steps=(("submit", "dsl1"),))
    second = make_referral(
        app, world.a, make_pupil(app, world.a, legal_forename="Second"), steps=(("submit", "dsl1"), ("acknowledge", "front_door"), ("decide", "front_door"))
    )
    make_referral(app, world.a, make_pupil(app, world.a, legal_forename="Third"))
    make_referral(
        app, world.a, make_pupil(app, world.a, school="school2", legal_forename="Elsewhere"), by="dsl2", school="school2", steps=(("submit", "dsl2"),)
    )
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    response = client.get("/referrals")
    html, page = response.get_data(as_text=True), page_text(response)
    assert re.findall(r"(?:First|Second|Third|Elsewhere) Example", html) == ["Third Example", "Second Example", "First Example"]
    assert "Third Example Neglect Draft Not decided yet Not submitted Not submitted" in page
    assert "Second Example Neglect Decision made Child-in-need assessment (section 17)" in page
    assert re.search(r"First Example Neglect Submitted Not decided yet \d+ \w+ \d{4} at [\d:]+[ap]m Not yet", page)
    assert re.search(r"Second Example .* less than a minute ago", page)
    assert f"/referrals/{first}" in html and f"/referrals/{second}" in html


def test_someone_with_casework_at_two_schools_chooses_one(app, world):
    add_membership(app, world.a.dsl1, "dsl", world.a.school2)
    make_referral(app, world.a, make_pupil(app, world.a, school="school2", legal_forename="Elsewhere"), school="school2")
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    page = page_text(client.get("/referrals"))
    assert "Choose the school" in page and "Avonford Primary School" in page and "Avonford High School" in page
    html = client.get(f"/referrals?school={world.a.school2}").get_data(as_text=True)
    assert "Elsewhere Example" in html and "Change school" in html


def test_opening_a_list_that_names_children_is_audited(app, world):
    """The queue and the school's list name children: is each opening recorded (who, what was shown),
    without any child's details in the log?"""
    from tests.support import audit_events

    _submitted(app, world.a, [timedelta(hours=3), timedelta(hours=5)], names=["Aisha", "Ben"])
    officer, dsl = app.test_client(), app.test_client()
    sign_in(officer, world.a.front_door)
    sign_in(dsl, world.a.dsl1)
    assert officer.get("/front-door/referrals").status_code == 200
    assert dsl.get("/referrals").status_code == 200
    events = [e for e in audit_events(app, world.a.authority_id, "record.viewed") if e.object_type in {"referral_queue", "referral_list"}]
    assert [(e.object_type, e.actor_id, e.details["shown"]) for e in events] == [
        ("referral_queue", world.a.front_door.id, 2),
        ("referral_list", world.a.dsl1.id, 2),
    ]
    assert all("Aisha" not in str(e.details) for e in events)


def test_a_referrals_page_costs_the_same_with_2_or_30_messages_and_attachments(app, world):
    """Does one referral's page issue the same number of queries however long its thread, time line and
    list of attachments grow (no query per message, step or file)?"""
    import io

    from werkzeug.datastructures import FileStorage

    from portal.casework import attachments
    from portal.extensions import db
    from portal.referrals.models import ReferralMessage
    from tenants import tenant_scope

    pupil_id = make_pupil(app, world.a)
    referral_id = make_referral(app, world.a, pupil_id, steps=(("submit", "dsl1"), ("acknowledge", "front_door")))

    def add(n):
        with app.app_context(), tenant_scope(world.a.authority_id):
            for i in range(n):
                author = world.a.dsl1 if i % 2 else world.a.front_door
                db.session.add(ReferralMessage(referral_id=referral_id, author_id=author.id, from_front_door=not i % 2, body=f"Message {i}"))
                attachments.save(
                    FileStorage(io.BytesIO(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), filename=f"note-{i}.pdf"),
                    organisation_id=world.a.school1,
                    referral_id=referral_id,
                    uploaded_by_id=world.a.dsl1.id,
                )
            db.session.commit()

    url = f"/referrals/{referral_id}"
    add(2)
    client = _front_door(app, world)
    client.get(url)
    few = _queries(app, client, url)
    add(28)
    many = _queries(app, client, url)
    assert len(re.findall(r">Message \d+</p>", client.get(url).get_data(as_text=True))) == 30
    assert few == many
