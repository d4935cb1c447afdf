"""Invitations: an administrator invites someone, who creates their account from the emailed link."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from portal.accounts.actions import Action
from tests.accounts.conftest import emails_to, is_signed_in, link_in
from tests.support import audit_events, text_of
from tests.world import create_user

NEW_EMAIL = "nadia.new@avonford.example.org"
CHOSEN = "marmalade teapot lighthouse"


def _invite_through_admin_screen(admin_client, world) -> None:
    response = admin_client.post(
        "/admin/users/invite",
        data={"email": NEW_EMAIL, "full_name": "Nadia New", "organisation": str(world.a.school1), "role": "dsl"},
    )
    assert response.status_code == 302, text_of(response)


def _resend_invitation(admin_client, person) -> None:
    response = admin_client.post(f"/admin/users/{person.id}/resend-invitation")
    assert response.status_code == 302


def _accept(client, link: str, *, full_name: str = "Nadia Newman", password: str = CHOSEN, confirm: str | None = None):
    return client.post(link, data={"full_name": full_name, "password": password, "confirm": password if confirm is None else confirm})


def test_invited_person_creates_their_account_from_the_email(app, world, admin_client, mailbox):
    """Does an invitation sent from the admin screen arrive by email, open a 'Create your account'
    page, and create the account and sign the person in (on to setting up two-factor)?"""
    _invite_through_admin_screen(admin_client, world)
    sent = emails_to(mailbox, NEW_EMAIL)
    assert len(sent) == 1
    assert sent[0]["Subject"] == f"You have been invited to the Safeguarding Partnership Portal ({world.a.name})"
    assert "Admin has invited you." in sent[0].get_body(preferencelist=("plain",)).get_content()
    link = link_in(sent[0])
    assert link.startswith("/invitation/")

    browser = app.test_client()
    page = browser.get(link)
    assert page.status_code == 200
    assert "Create your account" in text_of(page)
    assert f"You have been invited to the Safeguarding Partnership Portal as {NEW_EMAIL}" in text_of(page)
    assert world.a.name in text_of(page)
    assert 'value="Nadia New"' in page.get_data(as_text=True)

    response = _accept(browser, link)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/two-factor"
    setup = browser.get("/account/two-factor")
    assert setup.status_code == 200
    assert "Your account has been created." in text_of(setup)
    account = text_of(browser.get("/account"))
    assert "Nadia Newman" in account
    assert "Designated safeguarding lead (or deputy), Avonford Primary School" in account

    accepted = audit_events(app, world.a.authority_id, Action.INVITATION_ACCEPTED)
    assert len(accepted) == 1
    # They can come back later with the password they chose.
    browser.post("/sign-out")
    response = browser.post("/sign-in", data={"email": NEW_EMAIL, "password": CHOSEN})
    assert response.status_code == 302
    assert is_signed_in(browser)


def test_invitation_link_works_only_once(app, world, admin_client, mailbox):
    """Once the account is created, is the link refused with 'has already been used' (HTTP 410), and
    cannot change the password again?"""
    _invite_through_admin_screen(admin_client, world)
    link = link_in(emails_to(mailbox, NEW_EMAIL)[0])
    assert _accept(app.test_client(), link).status_code == 302

    other = app.test_client()
    page = other.get(link)
    assert page.status_code == 410
    assert "This invitation has already been used" in text_of(page)
    response = _accept(other, link, password="someone else's new password")
    assert response.status_code == 410
    assert not is_signed_in(other)
    assert "Enter a correct email address and password" in text_of(other.post("/sign-in", data={"email": NEW_EMAIL, "password": "someone else's new password"}))
    assert other.post("/sign-in", data={"email": NEW_EMAIL, "password": CHOSEN}).status_code == 302


def test_short_or_mismatched_password_is_refused_and_nothing_saved(app, world, admin_client, mailbox):
    """Are a password under 12 characters and a confirmation that does not match shown as field
    errors, with the account left uncreated and the link still usable?"""
    person = create_user(app, world.a.authority_id, NEW_EMAIL, "staff", world.a.school1, full_name="Nadia New", password=None)
    _resend_invitation(admin_client, person)
    link = link_in(emails_to(mailbox, NEW_EMAIL)[0])
    browser = app.test_client()

    short = _accept(browser, link, password="elevenchars")
    assert short.status_code == 200
    assert "Password must be 12 characters or more" in text_of(short)
    assert 'id="password-error"' in short.get_data(as_text=True)

    mismatched = _accept(browser, link, confirm="marmalade teapot lighthous")
    assert mismatched.status_code == 200
    assert "Passwords do not match" in text_of(mismatched)
    assert 'id="confirm-error"' in mismatched.get_data(as_text=True)

    assert not is_signed_in(browser)
    for password in ("elevenchars", CHOSEN):
        assert "Enter a correct email address and password" in text_of(browser.post("/sign-in", data={"email": NEW_EMAIL, "password": password}))
    page = browser.get(link)
    assert page.status_code == 200
    assert 'value="Nadia New"' in page.get_data(as_text=True)  # the name typed with the refused password was not kept
    assert audit_events(app, world.a.authority_id, Action.INVITATION_ACCEPTED) == []
    assert _accept(browser, link).status_code == 302


def test_expired_invitation_is_refused(app, world, admin_client, mailbox, frozen):
    """Seven days after it was sent, is the invitation link refused as expired, with no account
    created?"""
    _invite_through_admin_screen(admin_client, world)
    link = link_in(emails_to(mailbox, NEW_EMAIL)[0])
    browser = app.test_client()

    frozen.shift(timedelta(days=6, hours=23))
    assert browser.get(link).status_code == 200
    frozen.shift(timedelta(hours=1, seconds=1))
    page = browser.get(link)
    assert page.status_code == 410
    assert "This invitation has expired" in text_of(page)
    assert "Ask your authority administrator to send you a new invitation" in text_of(page)
    response = _accept(browser, link)
    assert response.status_code == 410
    assert not is_signed_in(browser)
    assert "Enter a correct email address and password" in text_of(browser.post("/sign-in", data={"email": NEW_EMAIL, "password": CHOSEN}))


def test_a_new_invitation_replaces_the_old_link(app, world, admin_client, mailbox):
    """When the administrator sends a new invitation, does the earlier link stop working and the new
    one work?"""
    person = create_user(app, world.a.authority_id, NEW_EMAIL, "staff", world.a.school1, password=None)
    _resend_invitation(admin_client, person)
    _resend_invitation(admin_client, person)
    first, second = (link_in(m) for m in emails_to(mailbox, NEW_EMAIL))
    browser = app.test_client()
    assert browser.get(first).status_code == 410
    assert _accept(browser, second).status_code == 302


def test_made_up_invitation_link_is_not_found(app, world):
    """Is an invitation link that was never sent a plain 'Page not found'?"""
    browser = app.test_client()
    for path in (f"/invitation/{world.a.authority_id.hex}.{'x' * 43}", "/invitation/nonsense"):
        response = browser.get(path)
        assert response.status_code == 404
        assert "Page not found" in text_of(response)


def test_opening_an_invitation_while_signed_in_signs_no_one_out(app, world, admin_client, mailbox):
    """If someone already signed in opens an invitation link (perhaps one crafted by someone else), are
    they asked to sign out first, rather than signed out by the link, and is the invitation still usable?"""
    _invite_through_admin_screen(admin_client, world)
    link = link_in(emails_to(mailbox, NEW_EMAIL)[0])
    page = admin_client.get(link)
    assert page.status_code == 409
    assert "You are already signed in" in text_of(page)
    assert is_signed_in(admin_client)
    assert _accept(app.test_client(), link).status_code == 302


def test_a_password_containing_your_name_is_refused(app, world, admin_client, mailbox):
    """Is a password that contains the person's own name refused, with a message next to the field?"""
    _invite_through_admin_screen(admin_client, world)
    link = link_in(emails_to(mailbox, NEW_EMAIL)[0])
    response = _accept(app.test_client(), link, full_name="Nadia Newman", password="newman is my password")
    assert response.status_code == 200
    assert "Password must not contain your name" in text_of(response)
