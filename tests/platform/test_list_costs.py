"""The list pages that had no query-count test of their own: each issues as many statements with a few
rows as with many more (no statement per row), and shows the rows it was given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support import page_queries, signed_in_client


def _context_referrals(app, world, n):
    from tests.contexts.support import make_referral

    for _ in range(n):
        make_referral(app, world.a)


def _summits(app, world, n):
    from tests.summits.support import make_summit

    for i in range(n):
        make_summit(app, world.a, title=f"Student Safety Summit {i}")


def _meetings(app, world, n):
    from tests.meetings.support import make_meeting

    for i in range(n):
        make_meeting(app, world.a, title=f"School partnership meeting {i}", meets_at=datetime(2027, 1, 10, 9, tzinfo=UTC) + timedelta(days=i))


def _assessments(app, world, n):
    from tests.assessments.support import make_assessment

    for i in range(n):
        make_assessment(app, world.a, school="school1" if i % 2 else "school2")


def _notifications(app, world, n):
    from portal.extensions import db
    from portal.notifications.service import notify
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(world.a.authority_id):
        for i in range(n):
            notify(world.a.front_door.id, f"A referral needs your decision ({i})", link="/front-door/referrals", email=False)
        db.session.commit()


def _users(app, world, n):
    from tests.world import create_user

    start = len(world.a.people) + _users.made
    for i in range(n):
        create_user(app, world.a.authority_id, f"person{start + i}@avonford.example.org", "staff", world.a.school1)
    _users.made += n


_users.made = 0


def _organisations(app, world, n):
    from tests.world import create_organisation

    start = _organisations.made
    for i in range(n):
        create_organisation(app, world.a.authority_id, f"Avonford Academy {start + i}", "school", urn=f"{700000 + start + i}", phase="secondary")
    _organisations.made += n


_organisations.made = 0


def _categories(app, world, n):
    from tests.forums.support import make_category

    start = _categories.made
    for i in range(n):
        make_category(app, world.a, name=f"Topic {start + i}")
    _categories.made += n


_categories.made = 0


def _panel_meetings(app, world, n):
    from tests.contexts.support import make_meeting

    for i in range(n):
        make_meeting(app, world.a, days=7 + i)


#: (page, who opens it, what adds its rows)
LISTS = [
    ("/context-referrals", "front_door", _context_referrals),
    ("/summits", "front_door", _summits),
    ("/meetings", "front_door", _meetings),
    ("/school-assessments", "front_door", _assessments),
    ("/notifications", "front_door", _notifications),
    ("/admin/users", "admin", _users),
    ("/admin/organisations", "admin", _organisations),
    ("/network", "front_door", _categories),
    ("/context-panel", "front_door", _panel_meetings),
]


@pytest.mark.parametrize(("url", "who", "add"), LISTS, ids=[url for url, _, _ in LISTS])
def test_a_list_costs_the_same_with_a_few_rows_or_many(app, world, url, who, add):
    add(app, world, 2)
    client = signed_in_client(app, world.a.people[who])
    client.get(url)  # the first request after signing in may note when the session was last seen
    few, page_few = page_queries(app, client, url)
    add(app, world, 10)
    many, page_many = page_queries(app, client, url)
    assert len(page_many.get_data()) > len(page_few.get_data())  # the new rows are on the page
    assert few == many, f"{url}: {few} statements with a few rows, {many} with ten more"
