"""The audit log page: only this authority's events, the filters, their messages, and that reading it is itself recorded."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.clock import travel
from tests.admin.pages import field_error, page_text, table_rows
from tests.support import audit_events


def _rows(response) -> list[dict]:
    """Each entry listed: who, what (the action) and record (type and id)."""
    rows = []
    for cells in table_rows(response):
        if len(cells) != 5:
            continue  # "No entries match."
        rows.append({"who": cells[1], "action": cells[2].split(" ")[0], "record": cells[3]})
    return rows


def _record_at(app, authority_id, moment: datetime, action: str, object_type: str, object_id) -> None:
    """An audit event written at ``moment`` (the clock moved there), as the portal writes them."""
    from portal.audit.service import record
    from portal.extensions import db
    from tenants.context import tenant_scope

    with travel(moment), app.app_context(), tenant_scope(authority_id):
        record(action, object_type=object_type, object_id=object_id)
        db.session.commit()


def test_lists_this_authoritys_events_only(admin, world, signed_in):
    """Does A's audit log show A's events and never B's, even when asked for a B record by id?"""
    b_admin = signed_in(world.b.admin)
    assert b_admin.get(f"/admin/users/{world.b.dsl1.id}").status_code == 200
    assert admin.get(f"/admin/users/{world.a.dsl1.id}").status_code == 200

    response = admin.get("/admin/audit")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    assert str(world.a.dsl1.id) in markup
    for b_id in (world.b.dsl1.id, world.b.admin.id):
        assert str(b_id) not in markup
    assert {"auth.sign_in", "record.viewed"} <= {r["action"] for r in _rows(response)}

    asked = admin.get(f"/admin/audit?object_id={world.b.dsl1.id}")
    assert _rows(asked) == []
    assert "No entries match." in page_text(asked)


def test_filter_by_who_did_it(admin, admin2, admin2_person, world):
    """Does filtering by who show only that person's actions?"""
    admin2.get(f"/admin/users/{world.a.dsl2.id}")
    admin.get(f"/admin/users/{world.a.dsl1.id}")
    rows = _rows(admin.get(f"/admin/audit?actor={admin2_person.id}"))
    assert rows
    assert {r["who"] for r in rows} == {"Second Admin"}
    assert f"user {world.a.dsl2.id}" in {r["record"] for r in rows}
    assert f"user {world.a.dsl1.id}" not in {r["record"] for r in rows}


def test_filter_by_record_type_and_id(admin, world):
    """Does filtering by record type and id show only the entries about that record?"""
    admin.get(f"/admin/users/{world.a.dsl1.id}")
    admin.get(f"/admin/users/{world.a.dsl2.id}")
    admin.post(f"/admin/users/{world.a.dsl1.id}/deactivate")
    rows = _rows(admin.get(f"/admin/audit?object_type=user&object_id={world.a.dsl1.id}"))
    assert {r["record"] for r in rows} == {f"user {world.a.dsl1.id}"}
    assert {"record.viewed", "account.deactivated"} <= {r["action"] for r in rows}
    assert _rows(admin.get(f"/admin/audit?object_type=organisation&object_id={world.a.dsl1.id}")) == []


def test_filter_by_date_range(app, admin, world):
    """Does a date range show the entries made on those days (both days included) and no others?"""
    _record_at(app, world.a.authority_id, datetime(2025, 1, 10, 12, tzinfo=UTC), "organisation.updated", "organisation", world.a.school1)
    _record_at(app, world.a.authority_id, datetime(2025, 1, 20, 12, tzinfo=UTC), "organisation.updated", "organisation", world.a.school2)

    rows = _rows(admin.get("/admin/audit?date_from=2025-01-11&date_to=2025-01-20"))
    assert [r["record"] for r in rows] == [f"organisation {world.a.school2}"]
    rows = _rows(admin.get("/admin/audit?date_from=2025-01-10&date_to=2025-01-10"))
    assert [r["record"] for r in rows] == [f"organisation {world.a.school1}"]
    rows = _rows(admin.get("/admin/audit?date_to=2025-01-31"))
    assert [r["record"] for r in rows] == [f"organisation {world.a.school2}", f"organisation {world.a.school1}"]
    rows = _rows(admin.get("/admin/audit?date_from=2025-02-01"))
    assert f"organisation {world.a.school1}" not in {r["record"] for r in rows}
    assert "auth.sign_in" in {r["action"] for r in rows}


def test_an_invalid_date_is_shown_next_to_the_field(admin):
    """Is a date that does not exist refused with a message next to that date?"""
    response = admin.get("/admin/audit?date_from=2025-02-30")
    assert response.status_code == 200
    assert field_error(response, "date_from") == "Enter from (date) as a real date, like 2026-11-01"
    assert field_error(response, "date_to") is None


def test_to_date_before_from_date_is_refused(admin):
    """Is a 'to' date before the 'from' date refused with a message next to the 'to' date?"""
    response = admin.get("/admin/audit?date_from=2025-01-20&date_to=2025-01-10")
    assert response.status_code == 200
    assert field_error(response, "date_to") == "The 'to' date must be the same as or after the 'from' date"


def test_viewing_the_audit_log_is_audited(app, admin, world):
    """Is reading the audit log itself recorded, with the filters used?"""
    admin.get(f"/admin/audit?object_type=user&object_id={world.a.dsl1.id}")
    viewed = audit_events(app, world.a.authority_id, "audit.viewed")
    assert [(e.actor_id, e.details) for e in viewed] == [(world.a.admin.id, {"object_type": "user", "object_id": str(world.a.dsl1.id)})]
    listed = _rows(admin.get("/admin/audit"))
    assert listed[0]["action"] == "audit.viewed"


def test_the_audit_log_costs_the_same_with_a_few_or_a_full_page_of_events(app, admin, world):
    """As many statements for a page of 5 entries as for a full page (50): the page is drawn before its
    own read is committed, so no entry or person is loaded again one by one."""
    from portal.audit.service import record
    from portal.extensions import db
    from tenants.context import tenant_scope
    from tests.support import page_queries

    def events(n):
        with app.app_context(), tenant_scope(world.a.authority_id, world.a.admin.id):
            for i in range(n):
                record("record.viewed", object_type="probe", object_id=str(i))
            db.session.commit()

    events(5)
    admin.get("/admin/audit")
    few, _ = page_queries(app, admin, "/admin/audit")
    events(60)
    many, page = page_queries(app, admin, "/admin/audit")
    assert len(_rows(page)) == 50
    assert few == many
