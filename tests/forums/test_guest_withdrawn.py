"""A partner's invitation into the network ends with their partner role: once an administrator removes it
(or deactivates the account), a partner role given again later does not bring them back in unasked."""

from __future__ import annotations

from portal.accounts.models import Membership, Role
from portal.forums.models import ForumGuest
from tests.forums.support import invite_guest, name_network_lead
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import add_membership


def _partner_membership(app, side) -> str:
    [row] = detached_rows(app, Membership, side.authority_id, user_id=side.partner.id, role=Role.PARTNER)
    return row.id


def test_removing_the_partner_role_withdraws_the_invitation(app, world):
    a = world.a
    name_network_lead(app, a)
    invite_guest(app, a)
    assert signed_in_client(app, a.partner).get("/network").status_code == 200
    admin = signed_in_client(app, a.admin)
    response = admin.post(f"/admin/users/{a.partner.id}/roles/{_partner_membership(app, a)}/remove")
    assert response.status_code == 302
    assert detached_rows(app, ForumGuest, a.authority_id) == []
    withdrawn = audit_events(app, a.authority_id, "forum.guest_removed")
    assert [(e.actor_id, e.details["user"], e.details["because"]) for e in withdrawn] == [(a.admin.id, str(a.partner.id), "partner role removed")]

    # A partner role again (another agency, months later): still outside the network until invited again.
    add_membership(app, a.partner, "partner", a.health)
    assert signed_in_client(app, a.partner).get("/network").status_code == 403


def test_deactivating_the_account_withdraws_the_invitation(app, world):
    a = world.a
    name_network_lead(app, a)
    invite_guest(app, a)
    assert signed_in_client(app, a.admin).post(f"/admin/users/{a.partner.id}/deactivate").status_code == 302
    assert detached_rows(app, ForumGuest, a.authority_id) == []
    assert audit_events(app, a.authority_id, "forum.guest_removed")[-1].details["because"] == "account deactivated"


def test_another_role_kept_or_removed_leaves_the_invitation(app, world):
    a = world.a
    name_network_lead(app, a)
    invite_guest(app, a)
    extra = add_membership(app, a.partner, "staff", a.school1)
    assert signed_in_client(app, a.admin).post(f"/admin/users/{a.partner.id}/roles/{extra}/remove").status_code == 302
    assert len(detached_rows(app, ForumGuest, a.authority_id)) == 1
    assert signed_in_client(app, a.partner).get("/network").status_code == 200
