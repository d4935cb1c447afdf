"""The users list and its filters, and inviting someone: the email, the new account, and what is refused."""

from __future__ import annotations

import re

import pytest

from portal.accounts.models import Membership, User
from portal.clock import utcnow
from tests.admin.pages import field_error, link_path, page_text, table_rows
from tests.support import audit_events
from tests.world import create_user

INVITE = "/admin/users/invite"


def _emails(response) -> set[str]:
    """The email addresses of the users listed."""
    found = set()
    for row in table_rows(response):
        match = re.search(r"\S+@\S+", row[0])
        if match:
            found.add(match.group(0))
    return found


def _invite(admin, world, **fields):
    data = {"email": "nadia.khan@avonford.example.org", "full_name": "Nadia Khan", "job_title": "", "organisation": str(world.a.school1), "role": "dsl"}
    data.update(fields)
    return admin.post(INVITE, data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def invited_and_deactivated(app, world, update):
    """One invited (no password yet) and one deactivated user, both at school2 of A."""
    invited = create_user(app, world.a.authority_id, "ivy.invited@avonford.example.org", "staff", world.a.school2, full_name="Ivy Invited", password=None)
    departed = create_user(app, world.a.authority_id, "dan.departed@avonford.example.org", "staff", world.a.school2, full_name="Dan Departed")
    update(User, departed.id, world.a.authority_id, deactivated_at=utcnow())
    return invited, departed


def test_list_shows_this_authoritys_users_only(admin, world):
    """Does the users list show every account of A and none of B's?"""
    response = admin.get("/admin/users")
    assert response.status_code == 200
    assert _emails(response) == {p.email for p in world.a.people.values()}
    assert "brackley" not in page_text(response).lower()


def test_filter_by_status(admin, world, invited_and_deactivated):
    """Does filtering by status show only active, only invited or only deactivated users?"""
    invited, departed = invited_and_deactivated
    active = _emails(admin.get("/admin/users?status=active"))
    assert active == {p.email for p in world.a.people.values()}
    assert _emails(admin.get("/admin/users?status=invited")) == {invited.email}
    assert _emails(admin.get("/admin/users?status=deactivated")) == {departed.email}
    everyone = _emails(admin.get("/admin/users"))
    assert {invited.email, departed.email} <= everyone


def test_filter_by_organisation(admin, world):
    """Does filtering by an organisation show only the people with a role there?"""
    response = admin.get(f"/admin/users?organisation={world.a.school1}")
    assert _emails(response) == {world.a.staff1.email, world.a.dsl1.email, world.a.head1.email, world.a.governor1.email}
    response = admin.get(f"/admin/users?organisation={world.a.social_care}")
    assert _emails(response) == {world.a.front_door.email, world.a.assessor.email}


def test_search_by_name_or_email(app, admin, world):
    """Does the search find people by part of their name (any case) or their email address?"""
    priya = create_user(app, world.a.authority_id, "p.sharma@avonford.example.org", "dsl", world.a.school2, full_name="Priya Sharma")
    assert _emails(admin.get("/admin/users?q=SHARMA")) == {priya.email}
    assert _emails(admin.get("/admin/users?q=dsl")) == {world.a.dsl1.email, world.a.dsl2.email}
    assert _emails(admin.get("/admin/users?q=p.sharma@")) == {priya.email}
    nobody = admin.get("/admin/users?q=brackley")
    assert _emails(nobody) == set()
    assert "No users match." in page_text(nobody)


def test_invite_a_dsl(app, admin, world, mailbox):
    """Inviting a DSL at school1: is the invitation emailed to them, do they show as Invited with the role,
    and is it audited?"""
    response = _invite(admin, world, email="Nadia.Khan@Avonford.example.org", job_title="Deputy DSL")
    assert response.status_code == 302
    detail = admin.get(response.headers["Location"])
    text = page_text(detail)
    assert "An invitation has been sent to nadia.khan@avonford.example.org" in text
    assert "Invited" in text
    assert "Designated safeguarding lead (or deputy)" in text and "Avonford Primary School" in text

    messages = mailbox()
    assert [m["To"] for m in messages] == ["nadia.khan@avonford.example.org"]
    assert link_path(messages[0], "/invitation/").startswith("/invitation/")

    assert _emails(admin.get("/admin/users?status=invited")) == {"nadia.khan@avonford.example.org"}
    user_id = response.headers["Location"].rsplit("/", 1)[1]
    sent = audit_events(app, world.a.authority_id, "account.invitation_sent")
    assert [(e.object_id, e.actor_id) for e in sent] == [(user_id, world.a.admin.id)]
    added = audit_events(app, world.a.authority_id, "membership.added")
    assert len(added) == 1
    assert added[0].details == {"user_id": user_id, "role": "dsl"}
    assert added[0].organisation_id == world.a.school1


def _nothing_created(app, count, world, mailbox, email):
    assert count(User, world.a.authority_id, email=email.lower()) == 0
    assert count(User, world.a.authority_id) == len(world.a.people)
    assert count(Membership, world.a.authority_id) == len(world.a.people)
    assert mailbox() == []
    assert audit_events(app, world.a.authority_id, "account.invitation_sent") == []


def test_invite_with_a_bad_email_address(app, admin, world, mailbox, count):
    """Is an email address that is not one refused next to the email field, with nothing created?"""
    response = _invite(admin, world, email="nadia.khan at avonford")
    assert response.status_code == 200
    assert field_error(response, "email") == "Enter an email address in the correct format, like name@example.org"
    _nothing_created(app, count, world, mailbox, "nadia.khan at avonford")


def test_invite_without_a_role(app, admin, world, mailbox, count):
    """Is an invitation without a role refused next to the role question, with nothing created?"""
    response = _invite(admin, world, role=None)
    assert response.status_code == 200
    assert field_error(response, "role") == "Select their role"
    _nothing_created(app, count, world, mailbox, "nadia.khan@avonford.example.org")


def test_invite_without_a_name(app, admin, world, mailbox, count):
    """Is a full name of only spaces refused next to the name field, with nothing created?"""
    response = _invite(admin, world, full_name="   ")
    assert response.status_code == 200
    assert field_error(response, "full_name") == "Enter their full name"
    _nothing_created(app, count, world, mailbox, "nadia.khan@avonford.example.org")


def test_invite_an_email_that_already_has_an_account(app, admin, world, mailbox, count):
    """Is an email address already in use here, or in another authority, refused next to the email field
    with the same message, one that does not say which authority has it?"""
    here = _invite(admin, world, email=world.a.dsl2.email)
    elsewhere = _invite(admin, world, email=world.b.dsl2.email.upper())
    for response in (here, elsewhere):
        assert response.status_code == 200
        assert "already has an account" in field_error(response, "email")
    assert field_error(here, "email") == field_error(elsewhere, "email")
    text = page_text(elsewhere)
    assert world.b.name not in text and "Brackley" not in text
    assert count(User, world.a.authority_id) == len(world.a.people)
    assert count(User, world.b.authority_id) == len(world.b.people)
    assert count(Membership, world.a.authority_id) == len(world.a.people)
    assert mailbox() == []
    assert audit_events(app, world.a.authority_id, "membership.added") == []


@pytest.mark.parametrize(
    "role, where, message",
    [
        (
            "dsl",
            "police",
            "Avonford Police is not a school, early years setting or college. Choose a school, early years setting or college for a designated safeguarding lead (or deputy)",
        ),
        ("front_door", "school1", "Avonford Primary School is not a children's social care. Choose a children's social care for a front-door officer"),
        ("authority_admin", "school1", "An authority administrator belongs to the authority, not to an organisation"),
    ],
    ids=["dsl-at-police", "front-door-officer-at-school", "administrator-at-school"],
)
def test_invite_role_in_the_wrong_kind_of_organisation(app, admin, world, mailbox, count, role, where, message):
    """Is a role at an organisation that cannot hold it (a DSL at the police, a front-door officer at a
    school, an administrator at any organisation) refused next to the organisation, with nothing created?"""
    response = _invite(admin, world, role=role, organisation=str(getattr(world.a, where)))
    assert response.status_code == 200
    assert field_error(response, "organisation").startswith(message)
    _nothing_created(app, count, world, mailbox, "nadia.khan@avonford.example.org")


def test_invite_an_authority_administrator(app, admin, world, mailbox):
    """Can an administrator invite another administrator, who belongs to the authority itself?"""
    response = _invite(admin, world, email="second.admin@avonford.example.org", full_name="Second Admin", role="authority_admin", organisation="authority")
    assert response.status_code == 302
    detail = page_text(admin.get(response.headers["Location"]))
    assert "Authority administrator" in detail
    assert [m["To"] for m in mailbox()] == ["second.admin@avonford.example.org"]
