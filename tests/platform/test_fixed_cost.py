"""What every signed-in page costs before its own work: at most two statements (on PostgreSQL, telling
row-level security the authority; then the session with the person, their memberships, their authority,
their unread count and their duties, in one). The menu's numbers stay right when the request changes them."""

from __future__ import annotations

import pytest

from tests.admin.pages import page_text
from tests.support import page_queries, signed_in_client

FIXED_COST = 2


@pytest.mark.parametrize("who", ["staff1", "dsl1", "head1", "governor1", "front_door", "assessor", "partner", "admin"])
def test_a_static_page_costs_no_more_than_the_fixed_cost(app, world, who):
    client = signed_in_client(app, world.a.people[who])
    client.get("/accessibility")  # the first request after signing in may note when the session was last seen
    statements, page = page_queries(app, client, "/accessibility")
    assert statements <= FIXED_COST, f"{who}: {statements} statements"
    assert "Sign out" in page_text(page)  # the signed-in frame, drawn from what the one statement loaded


def test_the_unread_count_is_right_before_and_after_reading(app, world):
    """The count beside Notifications comes with the session; opening a notification marks it read and
    the page drawn after says one fewer, as does the next request."""
    from portal.extensions import db
    from portal.notifications.service import notify
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(world.a.authority_id):
        first = notify(world.a.dsl1.id, "A referral needs more information", link="/referrals", email=False)
        notify(world.a.dsl1.id, "A file has arrived", link="/transfers", email=False)
        db.session.commit()
        first_id = first.id
    client = signed_in_client(app, world.a.dsl1)
    assert "Notifications 2 unread" in page_text(client.get("/accessibility"))
    client.get(f"/notifications/{first_id}")
    assert "Notifications 1 unread" in page_text(client.get("/accessibility"))


def test_a_duty_named_for_the_person_shows_in_their_menu(app, world):
    """The duties come with the session too: a network lead named by the administrator sees the network's
    moderation at once, and someone not named does not."""
    from tests.forums.support import name_network_lead

    name_network_lead(app, world.a, "dsl1")
    lead, other = signed_in_client(app, world.a.dsl1), signed_in_client(app, world.a.dsl2)
    assert lead.get("/network/reports").status_code == 200
    assert other.get("/network/reports").status_code in (403, 404)
