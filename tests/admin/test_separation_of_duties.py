"""Separation of duties: the administration screens are for authority administrators only."""

from __future__ import annotations

import pytest

from tests.admin.pages import page_text
from tests.support import audit_events

ADMIN_PAGES = {
    "/admin/users": "admin.users",
    "/admin/organisations": "admin.organisations",
    "/admin/settings": "admin.settings",
    "/admin/audit": "admin.audit_log",
}


@pytest.mark.parametrize("who", ["dsl1", "head1", "governor1", "staff1", "front_door", "assessor", "partner"])
def test_other_roles_are_refused_the_admin_screens(app, world, signed_in, who):
    """Is someone without the administrator role (a DSL, head, governor, staff member, front-door officer,
    assessor or partner) refused every administration screen, and is each refusal audited?"""
    person = getattr(world.a, who)
    client = signed_in(person)
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "You do not have permission to see this page" in page_text(response)
    denied = [e for e in audit_events(app, world.a.authority_id, "access.denied") if e.actor_id == person.id]
    assert sorted(e.details["endpoint"] for e in denied) == sorted(ADMIN_PAGES.values())


def test_the_administrator_reaches_every_admin_screen(admin):
    """Does the authority administrator get each administration screen?"""
    for path in ADMIN_PAGES:
        assert admin.get(path).status_code == 200, path
