"""The DSL's list of concerns: urgent ones waiting first, a status filter, pages of 50 by keyset, and a
fixed number of queries however many concerns there are."""

from __future__ import annotations

import re

from tests.admin.pages import page_text, table_rows
from tests.support import page_queries
from tests.world import create_user


def _concern_ids(response) -> list[str]:
    return re.findall(r'href="/concerns/([0-9a-f-]{36})"', response.get_data(as_text=True))


def test_the_dsls_list_costs_the_same_queries_for_3_and_40_concerns(app, world, signed_in, add_concerns):
    """Is the list drawn with the same number of queries for 3 concerns as for 40, each about a different
    child and logged by many different people (no query per row)?"""
    staff = [create_user(app, world.a.authority_id, f"teacher{n}@avonford.example.org", "staff", world.a.school1).id for n in range(6)]
    add_concerns(world.a, 3, [world.a.staff1.id, world.a.head1.id, staff[0]])
    dsl = signed_in(world.a.dsl1)
    dsl.get("/concerns")  # warm up
    few = page_queries(app, dsl, "/concerns")[0]
    assert len(table_rows(dsl.get("/concerns"))) == 3

    add_concerns(world.a, 37, staff + [world.a.staff1.id], urgent=True)
    many = page_queries(app, dsl, "/concerns")[0]
    assert len(table_rows(dsl.get("/concerns"))) == 40
    assert many == few


def test_urgent_concerns_waiting_for_the_dsl_come_first_then_the_newest(app, world, pupil, signed_in, add_concerns):
    """Are urgent concerns still waiting listed above the rest, and the rest newest first?"""
    older, newer = add_concerns(world.a, 2, [world.a.staff1.id], pupils=[pupil])
    [urgent] = add_concerns(world.a, 1, [world.a.staff1.id], pupils=[pupil], urgent=True)
    # Logged before the others (add_concerns dates each batch back from now, so move it explicitly).
    from datetime import timedelta

    from portal.concerns.models import Concern
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(world.a.authority_id):
        row = db.session.get(Concern, urgent)
        row.created_at = row.created_at - timedelta(days=3)
        db.session.commit()

    response = signed_in(world.a.dsl1).get("/concerns")
    assert _concern_ids(response) == [str(urgent), str(newer), str(older)]
    assert table_rows(response)[0][4].startswith("Urgent")


def test_filter_by_status(app, world, pupil, signed_in, add_concerns):
    """Does the filter show only the concerns waiting for the DSL, or only those seen?"""
    from portal.clock import utcnow

    [waiting] = add_concerns(world.a, 1, [world.a.staff1.id], pupils=[pupil])
    [seen] = add_concerns(world.a, 1, [world.a.staff1.id], pupils=[pupil], status="triaged", outcome="monitor", triaged_at=utcnow(), action_taken="Noted")
    dsl = signed_in(world.a.dsl1)
    assert _concern_ids(dsl.get("/concerns?status=new")) == [str(waiting)]
    assert _concern_ids(dsl.get("/concerns?status=triaged")) == [str(seen)]
    assert set(_concern_ids(dsl.get("/concerns"))) == {str(waiting), str(seen)}


def test_pages_of_fifty_by_keyset(app, world, signed_in, add_concerns):
    """With 55 concerns, does the first page show 50 and link to a second page with the other 5, none twice?"""
    ids = add_concerns(world.a, 55, [world.a.staff1.id, world.a.head1.id])
    dsl = signed_in(world.a.dsl1)
    first = dsl.get("/concerns")
    shown = _concern_ids(first)
    assert len(shown) == 50
    assert shown == [str(i) for i in reversed(ids)][:50]
    next_link = re.search(r'href="(/concerns\?after=[^"]+)"', first.get_data(as_text=True))
    assert next_link is not None and "Next page" in page_text(first)
    second = dsl.get(next_link.group(1).replace("&amp;", "&"))
    assert _concern_ids(second) == [str(i) for i in reversed(ids)][50:]
    assert "Next page" not in page_text(second) and "First page" in page_text(second)
    assert dsl.get("/concerns?after=rubbish").status_code == 200
