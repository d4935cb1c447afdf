"""Signed-in sessions: a new one at every sign-in, ended by signing out, deactivation, a password
change or a timeout."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pyotp

from portal.accounts.actions import Action
from portal.clock import utcnow
from tests.accounts.conftest import COOKIE, browser_with_cookie, is_signed_in, session_cookie
from tests.support import PASSWORD, audit_events, sign_in, text_of
from tests.world import create_user

NEW_PASSWORD = "purple elephant marmalade kettle"


def _session_reference(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]


def test_session_changes_at_sign_in(app, world):
    """Does signing in give the browser a new session, so that a cookie captured (or planted) before
    sign-in is not signed in?"""
    client = app.test_client()
    client.get("/sign-in")
    client.csrf_token()  # the browser now holds a session cookie, as it does after loading the form
    before = session_cookie(client)
    assert before is not None
    sign_in(client, world.a.dsl1)
    after = session_cookie(client)
    assert after != before
    assert is_signed_in(client)
    assert not is_signed_in(browser_with_cookie(app, before))


def test_each_sign_in_gets_its_own_session_secret(app, world):
    """Are two sign-ins of the same person given different session secrets, each working alone?"""
    first, second = app.test_client(), app.test_client()
    sign_in(first, world.a.dsl1)
    sign_in(second, world.a.dsl1)
    assert _session_reference(first) != _session_reference(second)
    first.post("/sign-out")
    assert not is_signed_in(first)
    assert is_signed_in(second)


def test_session_changes_after_the_second_factor(app, world):
    """For someone with two-factor, is the cookie held between the password and the code not signed
    in, and replaced once the code is given?"""
    person = create_user(app, world.a.authority_id, "two.factor@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    client = app.test_client()
    client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    halfway = session_cookie(client)
    assert not is_signed_in(browser_with_cookie(app, halfway))
    client.post("/sign-in/two-factor", data={"code": pyotp.TOTP(person.totp_secret).at(utcnow())})
    assert session_cookie(client) != halfway
    assert is_signed_in(client)
    assert not is_signed_in(browser_with_cookie(app, halfway))


def test_sign_out_ends_the_session_for_good(app, world):
    """After signing out, is a copy of the old session cookie no longer signed in?"""
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    copy = session_cookie(client)
    assert is_signed_in(browser_with_cookie(app, copy))
    response = client.post("/sign-out")
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert not is_signed_in(client)
    assert not is_signed_in(browser_with_cookie(app, copy))
    assert [e.object_id for e in audit_events(app, world.a.authority_id, Action.SIGN_OUT)] == [str(world.a.dsl1.id)]


def test_deactivation_signs_the_user_out_everywhere(app, world, admin_client):
    """When an administrator deactivates someone, are all their browsers signed out, while the
    administrator stays signed in?"""
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, world.a.dsl1)
    sign_in(phone, world.a.dsl1)
    response = admin_client.post(f"/admin/users/{world.a.dsl1.id}/deactivate")
    assert response.status_code == 302
    assert "has been deactivated and signed out everywhere" in text_of(admin_client.get(response.headers["Location"]))
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert is_signed_in(admin_client)
    deactivated = audit_events(app, world.a.authority_id, Action.USER_DEACTIVATED)
    assert [e.details["sessions_ended"] for e in deactivated] == [2]


def test_changing_password_ends_other_sessions_but_not_this_one(app, world):
    """Does changing your password keep you signed in here, sign you out in your other browsers, and
    make the new password the one that works?"""
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, world.a.dsl1)
    sign_in(elsewhere, world.a.dsl1)
    response = here.post("/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account"
    page = here.get("/account")
    assert page.status_code == 200
    assert "Your password has been changed. You have been signed out everywhere else." in text_of(page)
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)

    third = app.test_client()
    assert "Enter a correct email address and password" in text_of(sign_in(third, world.a.dsl1))
    assert sign_in(third, world.a.dsl1, password=NEW_PASSWORD).status_code == 302
    changed = audit_events(app, world.a.authority_id, Action.PASSWORD_CHANGED)
    assert [e.details["other_sessions_ended"] for e in changed] == [1]


def test_password_change_needs_the_current_password(app, world):
    """Is a password change with the wrong current password refused, changing nothing and signing
    no one out?"""
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, world.a.dsl1)
    sign_in(elsewhere, world.a.dsl1)
    response = here.post("/account/password", data={"current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert "Your current password is not right" in text_of(response)
    [refused] = audit_events(app, world.a.authority_id, "auth.password_change_refused")
    assert refused.actor_id == world.a.dsl1.id
    response = here.post("/account/password", data={"current_password": PASSWORD, "password": "too short", "confirm": "too short"})
    assert "Password must be 12 characters or more" in text_of(response)
    assert is_signed_in(elsewhere)
    assert sign_in(app.test_client(), world.a.dsl1).status_code == 302


def test_idle_session_ends_after_30_minutes(app, world, frozen):
    """Is a session left unused for more than 30 minutes ended (and audited), while one used within
    30 minutes carries on?"""
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    for _ in range(3):
        frozen.shift(timedelta(minutes=29))
        assert is_signed_in(client)
    frozen.shift(timedelta(minutes=30, seconds=1))
    response = client.get("/home")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert not is_signed_in(client)
    expired = audit_events(app, world.a.authority_id, Action.SESSION_EXPIRED)
    assert [(e.object_id, e.details["reason"]) for e in expired] == [(str(world.a.dsl1.id), "idle_timeout")]
    assert sign_in(client, world.a.dsl1).status_code == 302  # signing in again works


def test_session_ends_after_10_hours_however_busy(app, world, frozen):
    """Is a session ended 10 hours after sign-in even when it has been in use all along (and
    audited)?"""
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    for _ in range(30):  # a request every 20 minutes, for 10 hours
        frozen.shift(timedelta(minutes=20))
        assert is_signed_in(client)
    frozen.shift(timedelta(minutes=1))
    assert not is_signed_in(client)
    expired = audit_events(app, world.a.authority_id, Action.SESSION_EXPIRED)
    assert [(e.object_id, e.details["reason"]) for e in expired] == [(str(world.a.dsl1.id), "absolute_timeout")]


def test_the_cookie_lasts_from_signing_in_and_is_not_sent_again_with_every_page(app, world):
    """The browser's cookie expires at the session's absolute lifetime from signing in; a page that changes
    nothing in the session sends no cookie (it used to sign and send it again, sliding its expiry)."""
    client = app.test_client()
    response = sign_in(client, world.a.dsl1)
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]
    assert cookies and "Expires=" in cookies[0]
    client.get("/accessibility")
    page = client.get("/accessibility")
    assert page.status_code == 200 and "Sign out" in page.get_data(as_text=True)
    assert not [h for h in page.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]


def test_expired_session_explains_why_on_the_sign_in_page(app, world, frozen):
    """After a timeout, does the sign-in page the person is sent to tell them their session ended?"""
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    frozen.shift(timedelta(minutes=31))
    response = client.get("/account")
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    page = text_of(client.get(response.headers["Location"]))
    assert "Your session ended because you had not used the portal for a while" in page
    # Only once: a later visit to the sign-in page does not repeat it.
    assert "Your session ended" not in text_of(client.get("/sign-in"))
