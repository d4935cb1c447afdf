"""Signing in with an email address and password: who gets in, where they land, and what everyone
else is told."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from portal.accounts.actions import Action
from tests.accounts.conftest import is_signed_in
from tests.support import PASSWORD, audit_events, next_totp, sign_in, text_of
from tests.world import create_user

WRONG_DETAILS = "Enter a correct email address and password"


def _error_summary_and_field(response) -> tuple[str, str]:
    """The error summary's text and the password field's error text, as shown on the page."""
    html = response.get_data(as_text=True)
    summary_start = html.index("govuk-error-summary")
    summary = html[summary_start : html.index("</div>", html.index("govuk-error-summary__body", summary_start))]
    field_start = html.index('id="password-error"')
    field = html[field_start : html.index("</p>", field_start)]
    return summary, field


def test_right_password_signs_in_and_lands_on_home(client, world):
    """Does the right email and password sign someone in and take them to their home page?"""
    response = sign_in(client, world.a.dsl1)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/home"
    home = client.get("/home")
    assert home.status_code == 200
    assert world.a.dsl1.full_name in text_of(home)
    assert [e.object_id for e in audit_events(client.application, world.a.authority_id, Action.SIGN_IN)] == [str(world.a.dsl1.id)]


def test_email_is_not_case_sensitive(client, world):
    """Can someone sign in when they type their email address with capitals and spaces?"""
    response = client.post("/sign-in", data={"email": "  " + world.a.dsl1.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(client)


def test_wrong_password_shows_the_error_by_the_field_and_in_the_summary(client, world):
    """Is a wrong password refused with 'Enter a correct email address and password' by the password
    field and in the error summary, without signing in?"""
    response = sign_in(client, world.a.dsl1, password="not the password at all")
    assert response.status_code == 200
    summary, field = _error_summary_and_field(response)
    assert WRONG_DETAILS in summary
    assert WRONG_DETAILS in field
    assert 'href="#password"' in summary
    assert "not the password at all" not in response.get_data(as_text=True)
    assert not is_signed_in(client)
    failed = audit_events(client.application, world.a.authority_id, Action.SIGN_IN_FAILED)
    assert [(e.object_id, e.details["reason"]) for e in failed] == [(str(world.a.dsl1.id), "password")]


def test_unknown_email_gets_the_same_message(client, world):
    """Is an email address with no account told exactly what a wrong password is told?"""
    unknown = client.post("/sign-in", data={"email": "nobody@avonford.example.org", "password": PASSWORD})
    wrong = client.post("/sign-in", data={"email": world.a.dsl1.email, "password": "not the password at all"})
    assert unknown.status_code == wrong.status_code == 200
    assert _error_summary_and_field(unknown) == _error_summary_and_field(wrong)
    assert not is_signed_in(client)


def test_password_of_another_account_does_not_work(client, world):
    """Is one person's password useless for another person's email address?"""
    create_user(client.application, world.a.authority_id, "other.password@avonford.example.org", "staff", world.a.school1, password="another long passphrase")
    response = client.post("/sign-in", data={"email": world.a.dsl1.email, "password": "another long passphrase"})
    assert WRONG_DETAILS in text_of(response)
    assert not is_signed_in(client)


def test_deactivated_user_cannot_sign_in(client, world, admin_client):
    """Once an administrator deactivates someone, is their right password refused?"""
    response = admin_client.post(f"/admin/users/{world.a.staff1.id}/deactivate")
    assert response.status_code == 302
    response = sign_in(client, world.a.staff1)
    assert response.status_code == 200
    assert WRONG_DETAILS in text_of(response)
    assert not is_signed_in(client)
    failed = audit_events(client.application, world.a.authority_id, Action.SIGN_IN_FAILED)
    assert [e.details["reason"] for e in failed if e.object_id == str(world.a.staff1.id)] == ["deactivated"]


def test_invited_user_without_a_password_cannot_sign_in(client, world):
    """Can someone who was invited but has not yet created their account sign in with any password?"""
    invited = create_user(client.application, world.a.authority_id, "new.starter@avonford.example.org", "staff", world.a.school1, password=None)
    for password, message in (("anything at all", WRONG_DETAILS), ("", "Enter your password")):
        response = client.post("/sign-in", data={"email": invited.email, "password": password})
        assert response.status_code == 200
        assert message in text_of(response)
    assert not is_signed_in(client)
    failed = audit_events(client.application, world.a.authority_id, Action.SIGN_IN_FAILED)
    assert [e.details["reason"] for e in failed] == ["invited"]


def test_next_takes_you_back_to_the_page_you_asked_for(client, world):
    """After being sent to sign in from a page, does signing in take you back to that page?"""
    response = client.get("/account")
    assert response.status_code == 302
    sign_in_url = response.headers["Location"]
    assert urlsplit(sign_in_url).path == "/sign-in"
    response = client.post(sign_in_url, data={"email": world.a.dsl1.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Your account" in text_of(client.get("/account"))


OFF_SITE_TARGETS = [
    "https://evil.example.com/home",
    "//evil.example.com/home",
    "/\\evil.example.com",
    "\\\\evil.example.com",
    "/\t/evil.example.com",
    "/\n/evil.example.com",
    "/\r\n/evil.example.com",
    "javascript:alert(1)",
    "evil.example.com",
]


def test_next_never_leaves_the_portal(client, world):
    """Is a ``next`` address that points away from the portal (including ones a browser would read as
    another site once it drops tabs and newlines) ignored, landing on /home instead?"""
    for target in OFF_SITE_TARGETS:
        response = client.post("/sign-in", query_string={"next": target}, data={"email": world.a.dsl1.email, "password": PASSWORD})
        assert response.status_code == 302, target
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost"), (target, response.headers["Location"])
        assert location.path == "/home", (target, response.headers["Location"])
        client.post("/sign-out")


def test_next_is_kept_through_the_second_factor(client, world):
    """For someone with two-factor authentication, does ``next`` still take them to their page, and
    still refuse other sites?"""
    person = create_user(client.application, world.a.authority_id, "two.factor@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    response = client.post("/sign-in?next=/account", data={"email": person.email, "password": PASSWORD})
    assert urlsplit(response.headers["Location"]).path == "/sign-in/two-factor"
    response = client.post(response.headers["Location"], data={"code": next_totp(person.totp_secret)})
    assert response.headers["Location"] == "/account"

    other = client.application.test_client()
    response = other.post("/sign-in?next=//evil.example.com", data={"email": person.email, "password": PASSWORD})
    response = other.post(response.headers["Location"], data={"code": next_totp(person.totp_secret)})
    assert urlsplit(response.headers["Location"]).path == "/home"
    assert urlsplit(response.headers["Location"]).netloc in ("", "localhost")


def test_signed_in_user_opening_sign_in_goes_home(client, world):
    """Does a signed-in person who opens the sign-in page go straight to their home page?"""
    sign_in(client, world.a.dsl1)
    response = client.get("/sign-in")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/home"


def test_sign_in_without_csrf_token_is_refused_and_changes_nothing(client, world):
    """Is a sign-in form sent without its CSRF token refused (400), leaving the person signed out and
    nothing recorded or counted?"""
    response = client.post("/sign-in", data={"email": world.a.dsl1.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "The form had expired or was sent from somewhere else" in text_of(response)
    assert not is_signed_in(client)
    for _ in range(5):  # wrong passwords without a token are not even counted towards a lockout
        assert client.post("/sign-in", data={"email": world.a.dsl1.email, "password": "wrong wrong wrong"}, csrf=False).status_code == 400
    assert audit_events(client.application, world.a.authority_id, Action.SIGN_IN) == []
    assert audit_events(client.application, world.a.authority_id, Action.SIGN_IN_FAILED) == []
    assert sign_in(client, world.a.dsl1).status_code == 302


def test_too_many_sign_in_attempts_are_rate_limited(make_app, world):
    """With a limit of 3 a minute, is the fourth sign-in attempt within the minute refused with the
    'Too many attempts' page (HTTP 429), even with the right password?"""
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        response = client.post("/sign-in", data={"email": world.a.dsl1.email, "password": "wrong wrong wrong"})
        assert response.status_code == 200
    response = client.post("/sign-in", data={"email": world.a.dsl1.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in text_of(response)
    assert not is_signed_in(client)
    # Reading the page is not limited.
    assert client.get("/sign-in").status_code == 200


def test_rate_limit_lifts_after_a_minute(make_app, world, frozen):
    """Once the minute has passed, can the person sign in again?"""
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        client.post("/sign-in", data={"email": world.a.dsl1.email, "password": "wrong wrong wrong"})
    assert client.post("/sign-in", data={"email": world.a.dsl1.email, "password": PASSWORD}).status_code == 429
    frozen.shift(timedelta(seconds=61))
    assert client.post("/sign-in", data={"email": world.a.dsl1.email, "password": PASSWORD}).status_code == 302


def test_one_persons_attempts_do_not_lock_out_their_colleagues(make_app, world):
    """When one person at a school uses up their attempts, can a colleague at the same school (the same
    public address) still sign in?"""
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    first, colleague = app.test_client(), app.test_client()
    for _ in range(3):
        first.post("/sign-in", data={"email": world.a.dsl1.email, "password": "wrong wrong wrong"})
    assert first.post("/sign-in", data={"email": world.a.dsl1.email, "password": PASSWORD}).status_code == 429
    assert colleague.post("/sign-in", data={"email": world.a.staff1.email, "password": PASSWORD}).status_code == 302


def test_one_address_trying_many_accounts_is_limited(make_app, world):
    """Is an address that tries many different accounts in a minute stopped (HTTP 429)?"""
    app = make_app(LOGIN_RATE_LIMIT_PER_ADDRESS="5 per minute")
    client = app.test_client()
    people = list(world.a.people.values())
    for person in people[:5]:
        assert client.post("/sign-in", data={"email": person.email, "password": "wrong wrong wrong"}).status_code == 200
    assert client.post("/sign-in", data={"email": people[5].email, "password": PASSWORD}).status_code == 429
