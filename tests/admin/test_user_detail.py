"""One user's page: roles added and removed, deactivation, invitations sent again, two-factor reset and
unlocking, and the rules that keep an authority administered."""

from __future__ import annotations

import re

from portal.accounts.models import Membership, Role, User
from portal.clock import utcnow
from tests.admin.pages import buttons, form_actions, link_path, page_text, table_rows
from tests.support import PASSWORD, audit_events, sign_in
from tests.world import add_membership, create_user, load


def _detail(admin, person):
    response = admin.get(f"/admin/users/{person.id}")
    assert response.status_code == 200
    return response


def _roles(response) -> list[tuple[str, str]]:
    """(role, organisation) of each role listed on a user's page."""
    return [(row[0], row[1]) for row in table_rows(response) if len(row) == 4]


def _remove_url(response, membership_id) -> str:
    [url] = [a for a in form_actions(response, r"/roles/[^/]+/remove$") if str(membership_id) in a]
    return url


def _follow(client, response):
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"])


def test_detail_shows_roles_and_viewing_is_audited(app, admin, world):
    """Does a user's page list their roles, and is looking at it recorded as a view of that user?"""
    response = _detail(admin, world.a.dsl1)
    assert _roles(response) == [("Designated safeguarding lead (or deputy)", "Avonford Primary School")]
    assert world.a.dsl1.email in page_text(response)
    viewed = [e for e in audit_events(app, world.a.authority_id, "record.viewed") if e.object_id == str(world.a.dsl1.id)]
    assert [(e.object_type, e.actor_id) for e in viewed] == [("user", world.a.admin.id)]


def test_add_a_role(app, admin, world, signed_in):
    """Adding a role: does it appear on the user's page, is it audited, and is the user told in the portal?"""
    response = admin.post(f"/admin/users/{world.a.dsl1.id}/roles/new", data={"organisation": str(world.a.school2), "role": "staff"})
    page = _follow(admin, response)
    assert ("Staff member", "Avonford High School") in _roles(page)
    assert ("Designated safeguarding lead (or deputy)", "Avonford Primary School") in _roles(page)

    added = audit_events(app, world.a.authority_id, "membership.added")
    assert [(e.details, e.organisation_id) for e in added] == [({"user_id": str(world.a.dsl1.id), "role": "staff"}, world.a.school2)]

    notifications = page_text(signed_in(world.a.dsl1).get("/notifications"))
    assert "You have been given the role Staff member at Avonford High School" in notifications


def test_add_a_role_in_the_wrong_kind_of_organisation(app, admin, world):
    """Is a role that cannot be held at the chosen organisation refused next to the organisation, and nothing added?"""
    response = admin.post(f"/admin/users/{world.a.dsl1.id}/roles/new", data={"organisation": str(world.a.police), "role": "governor"})
    assert response.status_code == 200
    assert "Avonford Police is not a school, early years setting or college. Choose a school, early years setting or college for a governor" in page_text(
        response
    )
    assert _roles(_detail(admin, world.a.dsl1)) == [("Designated safeguarding lead (or deputy)", "Avonford Primary School")]
    assert audit_events(app, world.a.authority_id, "membership.added") == []


def test_remove_a_role(app, admin, world):
    """Removing one of a user's roles: is it gone from their page, the other kept, and is it audited?"""
    membership_id = add_membership(app, world.a.dsl1, "staff", world.a.school2)
    page = _detail(admin, world.a.dsl1)
    assert len(_roles(page)) == 2
    page = _follow(admin, admin.post(_remove_url(page, membership_id)))
    assert "The role has been removed from Dsl1." in page_text(page)
    assert _roles(page) == [("Designated safeguarding lead (or deputy)", "Avonford Primary School")]
    removed = audit_events(app, world.a.authority_id, "membership.removed")
    assert [(e.object_id, e.details["role"]) for e in removed] == [(str(membership_id), "staff")]


def _remove_only_role(admin, person):
    """Press Remove on the one role an administrator holds (checked to be the administrator role)."""
    page = _detail(admin, person)
    assert [role for role, _ in _roles(page)] == ["Authority administrator"]
    [url] = form_actions(page, r"/roles/[^/]+/remove$")
    return _follow(admin, admin.post(url))


def _post_remove_own_admin_role(app, admin, world):
    """There is no Remove button on your own administrator role; send the form anyway, as a crafted request would."""
    from sqlalchemy import select

    from portal.extensions import db
    from tenants import tenant_scope

    page = _detail(admin, world.a.admin)
    assert form_actions(page, r"/roles/[^/]+/remove$") == []
    assert "Another administrator can remove this" in page_text(page)
    with app.app_context(), tenant_scope(world.a.authority_id):
        membership_id = db.session.execute(select(Membership.id).where(Membership.user_id == world.a.admin.id)).scalar_one()
    return _follow(admin, admin.post(f"/admin/users/{world.a.admin.id}/roles/{membership_id}/remove"))


def test_cannot_remove_your_own_administrator_role(app, admin, admin2_person, world):
    """Even with another administrator in the authority, is an administrator stopped from removing their own administrator role?"""
    page = _post_remove_own_admin_role(app, admin, world)
    assert "You cannot remove your own administrator role" in page_text(page)
    assert ("Authority administrator", world.a.name) in _roles(page)
    assert audit_events(app, world.a.authority_id, "membership.removed") == []
    assert admin.get("/admin/users").status_code == 200


def test_the_authority_keeps_its_last_administrator(app, admin, admin2_person, count, world):
    """Once the other administrator's role is removed, is the role of the one administrator left kept?"""
    page = _remove_only_role(admin, admin2_person)
    assert "The role has been removed from Second Admin." in page_text(page)
    assert count(Membership, world.a.authority_id, role=Role.AUTHORITY_ADMIN) == 1

    page = _post_remove_own_admin_role(app, admin, world)
    assert "cannot remove your own administrator role" in page_text(page)
    assert count(Membership, world.a.authority_id, role=Role.AUTHORITY_ADMIN) == 1
    assert admin.get("/admin/users").status_code == 200


def test_remove_the_administrator_role_of_a_deactivated_administrator(app, admin, admin2_person, update, count, world):
    """Can the remaining administrator take the administrator role away from a deactivated former
    administrator (they are not the authority's last administrator)?"""
    update(User, admin2_person.id, world.a.authority_id, deactivated_at=utcnow())
    page = _remove_only_role(admin, admin2_person)
    assert "The role has been removed from Second Admin." in page_text(page)
    assert _roles(page) == []
    assert count(Membership, world.a.authority_id, role=Role.AUTHORITY_ADMIN) == 1


def test_deactivate_and_reactivate(app, admin, world, signed_in):
    """Deactivating a user: are they signed out and unable to sign in, shown as Deactivated, and audited;
    and does reactivating let them back in?"""
    dsl_session = signed_in(world.a.dsl1)
    page = _follow(admin, admin.post(f"/admin/users/{world.a.dsl1.id}/deactivate"))
    assert "Dsl1 has been deactivated and signed out everywhere." in page_text(page)
    assert "Deactivated since" in page_text(page)
    assert "Reactivate" in buttons(page)
    assert "/sign-in" in dsl_session.get("/").headers.get("Location", "")
    refused = sign_in(admin.application.test_client(), world.a.dsl1)
    assert refused.status_code == 200 and "Enter a correct email address and password" in page_text(refused)
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "account.deactivated")] == [str(world.a.dsl1.id)]

    page = _follow(admin, admin.post(f"/admin/users/{world.a.dsl1.id}/reactivate"))
    assert "Dsl1 can sign in again." in page_text(page)
    assert "Deactivate" in buttons(page)
    assert sign_in(admin.application.test_client(), world.a.dsl1).status_code == 302
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "account.reactivated")] == [str(world.a.dsl1.id)]


def test_an_administrator_cannot_deactivate_themself(app, admin, world):
    """Is an administrator offered no Deactivate button on their own page, and is a deactivation sent anyway refused (403, audited)?"""
    page = _detail(admin, world.a.admin)
    assert "Deactivate" not in buttons(page)
    response = admin.post(f"/admin/users/{world.a.admin.id}/deactivate")
    assert response.status_code == 403
    assert load(app, User, world.a.admin.id, world.a.authority_id).deactivated_at is None
    denied = audit_events(app, world.a.authority_id, "access.denied")
    assert [(e.object_id, e.details) for e in denied] == [(str(world.a.admin.id), {"action": "deactivate"})]
    assert audit_events(app, world.a.authority_id, "account.deactivated") == []
    assert admin.get("/admin/users").status_code == 200


def test_resend_invitation_replaces_the_earlier_link(app, admin, world, mailbox):
    """Sending a new invitation: does a second email arrive, and does the first link stop working while the new one works?"""
    invited = admin.post(
        "/admin/users/invite",
        data={"email": "omar.ali@avonford.example.org", "full_name": "Omar Ali", "organisation": str(world.a.school2), "role": "staff"},
    )
    detail = _follow(admin, invited)
    assert "Send a new invitation" in buttons(detail)
    user_path = invited.headers["Location"]
    page = _follow(admin, admin.post(f"{user_path}/resend-invitation"))
    assert "A new invitation has been sent to omar.ali@avonford.example.org" in page_text(page)

    messages = mailbox()
    assert [m["To"] for m in messages] == ["omar.ali@avonford.example.org"] * 2
    first, second = (link_path(m, "/invitation/") for m in messages)
    assert first != second
    browser = app.test_client()
    old = browser.get(first)
    assert old.status_code == 410
    assert "This invitation has already been used" in page_text(old)
    assert browser.get(second).status_code == 200
    assert len(audit_events(app, world.a.authority_id, "account.invitation_sent")) == 2


def test_reset_two_factor(app, admin, world):
    """Resetting a user's two-factor authentication: is it shown as off, audited, do they sign in without a code, and are they told?"""
    person = create_user(app, world.a.authority_id, "tariq.hussain@avonford.example.org", "dsl", world.a.school2, full_name="Tariq Hussain", two_factor=True)
    page = _detail(admin, person)
    assert "Two-factor authentication On" in page_text(page)
    page = _follow(admin, admin.post(f"/admin/users/{person.id}/reset-two-factor"))
    assert "Tariq Hussain's two-factor authentication has been reset." in page_text(page)
    assert "Two-factor authentication Off" in page_text(page)
    assert "Reset two-factor authentication" not in buttons(page)
    assert [e.object_id for e in audit_events(app, world.a.authority_id, "auth.two_factor_reset")] == [str(person.id)]

    client = app.test_client()
    response = sign_in(client, person)
    assert response.status_code == 302 and "two-factor" not in response.headers["Location"]
    assert "Your two-factor authentication was reset by an administrator" in page_text(client.get("/notifications"))


def test_unlock_a_locked_user(app, admin, world):
    """A user locked out by wrong passwords: does their page say Locked, and after Unlock can they sign in straight away?"""
    stranger = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(stranger, world.a.dsl2, password="not the password")
    assert sign_in(app.test_client(), world.a.dsl2).status_code == 200  # locked: the right password is refused

    page = _detail(admin, world.a.dsl2)
    assert re.search(r"\bLocked until\b", page_text(page))
    assert "Unlock account" in buttons(page)
    page = _follow(admin, admin.post(f"/admin/users/{world.a.dsl2.id}/unlock"))
    assert "Dsl2 can try to sign in again." in page_text(page)
    assert "Locked until" not in page_text(page)
    assert sign_in(app.test_client(), world.a.dsl2, PASSWORD).status_code == 302
    unlocked = [e for e in audit_events(app, world.a.authority_id, "account.updated") if e.object_id == str(world.a.dsl2.id)]
    assert [e.details for e in unlocked] == [{"change": "unlocked"}]
