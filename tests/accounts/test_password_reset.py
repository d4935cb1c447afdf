"""Resetting a forgotten password by email: the link, what it lets you do once, and what it ends."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from portal.accounts.actions import Action
from tests.accounts.conftest import browser_with_cookie, emails_to, is_signed_in, link_in, session_cookie
from tests.support import audit_events, next_totp, sign_in, text_of
from tests.world import create_user

NEW_PASSWORD = "purple elephant marmalade kettle"


def _ask_for_reset(client, mailbox, person) -> str:
    """Ask for a reset of ``person``'s password and return the path of the link in the email."""
    response = client.post("/password-reset", data={"email": person.email})
    assert response.status_code == 200
    assert "Check your email" in text_of(response)
    sent = emails_to(mailbox, person.email)
    assert len(sent) == 1
    assert sent[0]["Subject"] == "Reset your Safeguarding Partnership Portal password"
    return link_in(sent[0])


def _choose(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(link, data={"password": password, "confirm": password if confirm is None else confirm})


def test_reset_link_sets_a_new_password(client, world, mailbox):
    """Does the emailed link let someone choose a new password, after which the old one no longer
    works and the new one does?"""
    person = world.a.dsl1
    link = _ask_for_reset(client, mailbox, person)
    assert link.startswith("/password-reset/")
    page = client.get(link)
    assert page.status_code == 200
    assert "Choose a new password" in text_of(page)

    response = _choose(client, link)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert "Your password has been reset. Sign in with your new password." in text_of(client.get("/sign-in"))

    response = sign_in(client, person)
    assert "Enter a correct email address and password" in text_of(response)
    assert sign_in(client, person, password=NEW_PASSWORD).status_code == 302
    assert is_signed_in(client)
    assert [e.object_id for e in audit_events(client.application, world.a.authority_id, Action.PASSWORD_RESET)] == [str(person.id)]


def test_reset_link_works_only_once(client, world, mailbox):
    """Is a used reset link refused with 'has already been used' (HTTP 410), leaving the password as
    the first use set it?"""
    person = world.a.dsl1
    link = _ask_for_reset(client, mailbox, person)
    assert _choose(client, link).status_code == 302

    again = client.get(link)
    assert again.status_code == 410
    assert "This password reset link has already been used" in text_of(again)
    again = _choose(client, link, password="a different passphrase entirely")
    assert again.status_code == 410
    assert "has already been used" in text_of(again)
    assert "Enter a correct email address and password" in text_of(sign_in(client, person, password="a different passphrase entirely"))
    assert sign_in(client, person, password=NEW_PASSWORD).status_code == 302


def test_expired_reset_link_is_refused(client, world, mailbox, frozen):
    """After PASSWORD_RESET_VALID_MINUTES, does the link say it has expired and change nothing?"""
    person = world.a.dsl1
    link = _ask_for_reset(client, mailbox, person)
    valid = client.application.config["PASSWORD_RESET_VALID_MINUTES"]

    frozen.shift(timedelta(minutes=valid - 1))
    assert client.get(link).status_code == 200
    frozen.shift(timedelta(minutes=1, seconds=1))
    page = client.get(link)
    assert page.status_code == 410
    assert "This password reset link has expired" in text_of(page)
    response = _choose(client, link)
    assert response.status_code == 410
    assert "has expired" in text_of(response)
    assert sign_in(client, person).status_code == 302  # the old password still works


def test_a_newer_reset_link_replaces_the_older_one(client, world, mailbox):
    """When someone asks twice, does only the newest link work?"""
    person = world.a.dsl1
    first = _ask_for_reset(client, mailbox, person)
    client.post("/password-reset", data={"email": person.email})
    second = link_in(emails_to(mailbox, person.email)[-1])
    assert first != second
    assert client.get(first).status_code == 410
    assert _choose(client, second).status_code == 302


def test_made_up_reset_link_is_not_found(client, world, mailbox):
    """Is a reset link that was never sent (or has been tampered with) a plain 'Page not found'?"""
    person = world.a.dsl1
    link = _ask_for_reset(client, mailbox, person)
    tampered = link[:-4] + ("aaaa" if not link.endswith("aaaa") else "bbbb")
    for path in (tampered, "/password-reset/not-a-token", f"/password-reset/{world.b.authority_id.hex}.{link.rsplit('.', 1)[1]}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in text_of(response)


def test_new_password_must_be_good_enough(client, world, mailbox):
    """Are a too-short password and a mismatched confirmation refused with field errors, leaving the
    link usable and the old password working?"""
    person = world.a.dsl1
    link = _ask_for_reset(client, mailbox, person)
    response = _choose(client, link, password="short")
    assert response.status_code == 200
    assert "Password must be 12 characters or more" in text_of(response)
    response = _choose(client, link, confirm="something else entirely")
    assert "Passwords do not match" in text_of(response)
    assert sign_in(client, person).status_code == 302
    client.post("/sign-out")
    assert _choose(client, link).status_code == 302


def test_two_factor_is_still_asked_for_after_a_reset(client, world, mailbox):
    """For someone with two-factor authentication, does signing in after a reset still ask for the
    security code?"""
    person = create_user(client.application, world.a.authority_id, "two.factor@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    link = _ask_for_reset(client, mailbox, person)
    response = _choose(client, link)
    assert "and a security code from your authenticator app" in text_of(client.get(response.headers["Location"]))

    response = sign_in(client, person, password=NEW_PASSWORD)
    assert urlsplit(response.headers["Location"]).path == "/sign-in/two-factor"
    assert not is_signed_in(client)
    response = client.post("/sign-in/two-factor", data={"code": next_totp(person.totp_secret)})
    assert urlsplit(response.headers["Location"]).path == "/home"
    assert is_signed_in(client)


def test_reset_signs_out_existing_sessions(client, world, mailbox, app):
    """Is a browser that was signed in before the reset signed out on its next request?"""
    person = world.a.dsl1
    signed_in = app.test_client()
    sign_in(signed_in, person)
    assert is_signed_in(signed_in)
    stolen_copy = browser_with_cookie(app, session_cookie(signed_in))

    link = _ask_for_reset(client, mailbox, person)
    assert _choose(client, link).status_code == 302

    assert not is_signed_in(signed_in)
    assert not is_signed_in(stolen_copy)
    assert audit_events(app, world.a.authority_id, Action.PASSWORD_RESET)[0].details["sessions_ended"] == 1


def test_unknown_email_gets_the_same_page_and_no_email(client, world, mailbox):
    """Does asking for a reset of an address with no account show the same 'Check your email' page,
    and send nothing?"""
    response = client.post("/password-reset", data={"email": "nobody@avonford.example.org"})
    assert response.status_code == 200
    page = text_of(response)
    assert "Check your email" in page
    assert "If nobody@avonford.example.org belongs to an account" in page
    assert mailbox() == []


def test_no_reset_email_for_deactivated_or_invited_users(client, world, mailbox, admin_client):
    """Are deactivated and not-yet-activated accounts sent nothing, though the page looks the same?"""
    admin_client.post(f"/admin/users/{world.a.staff1.id}/deactivate")
    invited = create_user(client.application, world.a.authority_id, "new.starter@avonford.example.org", "staff", world.a.school1, password=None)
    for person in (world.a.staff1, invited):
        response = client.post("/password-reset", data={"email": person.email})
        assert "Check your email" in text_of(response)
    assert mailbox() == []
