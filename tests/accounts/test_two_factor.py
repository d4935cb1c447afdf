"""Two-factor authentication: setting it up, signing in with a security code or a recovery code, and
authorities that require it."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp

from portal.accounts.actions import Action
from portal.clock import utcnow
from tests.accounts.conftest import is_signed_in, set_require_two_factor, wrong_code
from tests.support import PASSWORD, audit_events, sign_in, text_of
from tests.world import create_user

WRONG_SECURITY_CODE = "The security code is not right, or has been used already"


def _setup_secret(client) -> str:
    """Open the set-up page and return the key it offers (also kept in the session while setting up)."""
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    assert "Set up two-factor authentication" in text_of(page)
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    shown = re.search(r'id="totp-secret">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert shown.replace(" ", "") == secret  # the key typed into the app is the one checked
    return secret


def _recovery_codes(response) -> list[str]:
    html = response.get_data(as_text=True)
    listing = html[html.index('aria-label="Recovery codes"') :]
    listing = listing[: listing.index("</ul>")]
    return re.findall(r"<li>\s*([0-9a-f]{5}-[0-9a-f]{5})\s*</li>", listing)


def _enrol(client, frozen) -> tuple[str, list[str]]:
    """Set up two-factor for the signed-in user; return the secret and the recovery codes."""
    secret = _setup_secret(client)
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).at(utcnow())})
    assert response.status_code == 200
    codes = _recovery_codes(response)
    frozen.shift(timedelta(seconds=30))  # the next sign-in needs a newer code
    return secret, codes


def _password_step(client, person):
    response = client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in/two-factor"
    return response


def test_setting_up_two_factor(client, world, frozen):
    """Is a wrong code refused with a message, and does the right code turn two-factor on and show
    ten recovery codes once?"""
    sign_in(client, world.a.dsl1)
    secret = _setup_secret(client)

    response = client.post("/account/two-factor", data={"code": wrong_code(secret)})
    assert response.status_code == 200
    assert "The security code is not right. Check the time on your phone is correct" in text_of(response)
    assert "Two-factor authentication Off" in text_of(client.get("/account"))

    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).at(utcnow())})
    assert response.status_code == 200
    page = text_of(response)
    assert "Two-factor authentication is on" in page
    assert "Save your recovery codes" in page
    codes = _recovery_codes(response)
    assert len(codes) == len(set(codes)) == 10

    assert "Two-factor authentication On since" in text_of(client.get("/account"))
    again = client.get("/account/two-factor")
    assert "Two-factor authentication is on" in text_of(again)
    assert not any(code in again.get_data(as_text=True) for code in codes)
    assert [e.object_id for e in audit_events(client.application, world.a.authority_id, Action.TWO_FACTOR_ENROLLED)] == [str(world.a.dsl1.id)]


def test_codes_that_are_not_six_digits_are_refused(client, world):
    """Is a code of the wrong shape refused with 'Enter the 6-digit security code'?"""
    sign_in(client, world.a.dsl1)
    _setup_secret(client)
    response = client.post("/account/two-factor", data={"code": "12345"})
    assert "Enter the 6-digit security code" in text_of(response)
    assert "Two-factor authentication Off" in text_of(client.get("/account"))


def test_sign_in_asks_for_the_code_once_two_factor_is_on(client, world, frozen):
    """After setting it up, does signing in stop at the security code page until the right code is
    given?"""
    person = world.a.dsl1
    sign_in(client, person)
    secret, _ = _enrol(client, frozen)
    client.post("/sign-out")

    _password_step(client, person)
    assert not is_signed_in(client)
    page = client.get("/sign-in/two-factor")
    assert "Enter your security code" in text_of(page)
    response = client.post("/sign-in/two-factor", data={"code": wrong_code(secret)})
    assert WRONG_SECURITY_CODE in text_of(response)
    assert not is_signed_in(client)
    response = client.post("/sign-in/two-factor", data={"code": pyotp.TOTP(secret).at(utcnow())})
    assert urlsplit(response.headers["Location"]).path == "/home"
    assert is_signed_in(client)
    methods = [e.details.get("method") for e in audit_events(client.application, world.a.authority_id, Action.SIGN_IN)]
    assert methods == ["password", "totp"]


def test_security_code_page_without_a_password_sends_you_to_sign_in(client, world):
    """Does opening the security code page without having entered a password send you to sign in?"""
    response = client.get("/sign-in/two-factor")
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    response = client.post("/sign-in/two-factor", data={"code": "123456"})
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert not is_signed_in(client)


def test_half_finished_sign_in_times_out(client, world, frozen):
    """If the code is entered more than 10 minutes after the password, is the person sent back to
    sign in?"""
    person = create_user(client.application, world.a.authority_id, "two.factor@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    _password_step(client, person)
    frozen.shift(timedelta(minutes=11))
    response = client.post("/sign-in/two-factor", data={"code": pyotp.TOTP(person.totp_secret).at(utcnow())})
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert "Your sign-in timed out. Sign in again." in text_of(client.get("/sign-in"))
    assert not is_signed_in(client)


def test_a_security_code_cannot_be_used_twice(app, world, frozen):
    """Is a code that has signed someone in refused when it is used again for a second sign-in, in
    the same or another browser?"""
    person = create_user(app, world.a.authority_id, "two.factor@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    code = pyotp.TOTP(person.totp_secret).at(utcnow())
    first, second = app.test_client(), app.test_client()
    _password_step(first, person)
    _password_step(second, person)
    assert urlsplit(first.post("/sign-in/two-factor", data={"code": code}).headers["Location"]).path == "/home"

    response = second.post("/sign-in/two-factor", data={"code": code})
    assert response.status_code == 200
    assert WRONG_SECURITY_CODE in text_of(response)
    assert not is_signed_in(second)

    first.post("/sign-out")
    _password_step(first, person)
    response = first.post("/sign-in/two-factor", data={"code": code})
    assert WRONG_SECURITY_CODE in text_of(response)
    assert not is_signed_in(first)

    frozen.shift(timedelta(seconds=30))
    response = first.post("/sign-in/two-factor", data={"code": pyotp.TOTP(person.totp_secret).at(utcnow())})
    assert urlsplit(response.headers["Location"]).path == "/home"


def test_the_code_used_to_set_up_cannot_sign_in(client, world, frozen):
    """Is the code typed while setting up two-factor refused if replayed at the next sign-in?"""
    person = world.a.dsl1
    sign_in(client, person)
    secret = _setup_secret(client)
    code = pyotp.TOTP(secret).at(utcnow())
    client.post("/account/two-factor", data={"code": code})
    client.post("/sign-out")
    _password_step(client, person)
    assert WRONG_SECURITY_CODE in text_of(client.post("/sign-in/two-factor", data={"code": code}))
    assert not is_signed_in(client)


def test_a_recovery_code_signs_in_once(client, world, frozen):
    """Does a recovery code sign someone in (saying how many are left), and is the same code refused
    the next time?"""
    person = world.a.dsl1
    sign_in(client, person)
    _, codes = _enrol(client, frozen)
    client.post("/sign-out")

    _password_step(client, person)
    assert "Enter a recovery code" in text_of(client.get("/sign-in/recovery-code"))
    response = client.post("/sign-in/recovery-code", data={"code": codes[3].upper()})
    assert urlsplit(response.headers["Location"]).path == "/home"
    assert "You signed in with a recovery code. You have 9 left." in text_of(client.get("/home"))
    client.post("/sign-out")

    _password_step(client, person)
    response = client.post("/sign-in/recovery-code", data={"code": codes[3]})
    assert response.status_code == 200
    assert "The recovery code is not right, or has been used" in text_of(response)
    assert not is_signed_in(client)
    response = client.post("/sign-in/recovery-code", data={"code": codes[4]})
    assert urlsplit(response.headers["Location"]).path == "/home"
    assert "You have 8 left." in text_of(client.get("/home"))
    used = audit_events(client.application, world.a.authority_id, Action.RECOVERY_CODE_USED)
    assert [e.details["remaining"] for e in used] == [9, 8]


def test_recovery_codes_belong_to_one_person(app, world, frozen):
    """Is one person's recovery code useless for signing in as someone else?"""
    dsl1, dsl2 = app.test_client(), app.test_client()
    sign_in(dsl1, world.a.dsl1)
    _, codes = _enrol(dsl1, frozen)
    sign_in(dsl2, world.a.dsl2)
    _enrol(dsl2, frozen)
    dsl2.post("/sign-out")
    _password_step(dsl2, world.a.dsl2)
    response = dsl2.post("/sign-in/recovery-code", data={"code": codes[0]})
    assert "The recovery code is not right, or has been used" in text_of(response)
    assert not is_signed_in(dsl2)


def test_authority_requiring_two_factor_sends_users_to_set_it_up(client, world, frozen):
    """When the authority requires two-factor, is a signed-in user without it sent to set it up from
    every other page, until they have?"""
    set_require_two_factor(client.application, world.a.authority_id)
    response = sign_in(client, world.a.dsl1)
    assert urlsplit(response.headers["Location"]).path == "/home"
    for path in ("/home", "/account", "/notifications", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/account/two-factor", path
    page = client.get("/account/two-factor")
    assert f"{world.a.name} asks everyone to use two-factor authentication" in text_of(page)
    assert "Set this up later" not in text_of(page)

    _enrol(client, frozen)
    assert client.get("/home").status_code == 200
    assert client.get("/account").status_code == 200


def test_required_two_factor_still_lets_you_sign_out(client, world):
    """Can someone who has not yet set up the required two-factor still sign out?"""
    set_require_two_factor(client.application, world.a.authority_id)
    sign_in(client, world.a.dsl1)
    response = client.post("/sign-out")
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert "You have signed out." in text_of(client.get("/sign-in"))
    assert urlsplit(client.get("/home").headers["Location"]).path == "/sign-in"


def test_requiring_two_factor_in_one_authority_leaves_the_other_alone(client, world):
    """Does authority A requiring two-factor leave authority B's users free to use the portal?"""
    set_require_two_factor(client.application, world.a.authority_id)
    sign_in(client, world.b.dsl1)
    assert client.get("/home").status_code == 200
