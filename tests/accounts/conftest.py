"""Helpers for the account tests: reading links out of emails, copying a browser's cookie into another
browser, frozen time, and a few changes made through the admin screens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
import time_machine

from portal.clock import travel, utcnow
from tests.support import sign_in

COOKIE = "portal_session"


def session_cookie(client) -> str | None:
    """The value of the browser's session cookie (``None`` if it has none)."""
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def browser_with_cookie(app, value: str):
    """A second browser holding a copy of ``value`` as its session cookie (a stolen or replayed cookie)."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def is_signed_in(client) -> bool:
    """Does the home page open (rather than sending the browser to sign in)?"""
    response = client.get("/home")
    if response.status_code == 200:
        return True
    assert response.status_code == 302, response.status_code
    assert urlsplit(response.headers["Location"]).path in {"/sign-in", "/account/two-factor"}
    return False


def link_in(message) -> str:
    """The path of the one portal link in an email's text."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1, body
    return urlsplit(links[0]).path


def emails_to(mailbox, address: str) -> list:
    return [m for m in mailbox() if m["To"] == address]


def wrong_code(secret: str) -> str:
    """A 6-digit code that is not valid for ``secret`` now (nor one step either side)."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(utcnow().timestamp() + drift) for drift in (-30, 0, 30)}
    candidate = 0
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


class _Frozen:
    """The portal's clock and the libraries' (the rate limiter's window) standing still together."""

    def __init__(self, portal_clock, machine):
        self.portal_clock, self.machine = portal_clock, machine

    def shift(self, delta: timedelta) -> None:
        self.portal_clock.shift(delta)
        self.machine.shift(delta)


@pytest.fixture
def frozen():
    """Time stands still at the portal's present moment until the test moves it with
    ``frozen.shift(timedelta)``. The rate limiter keeps its window by the machine's clock, which
    time-machine holds still and moves by the same amount."""
    with travel(utcnow()) as portal_clock, time_machine.travel(datetime.now(UTC), tick=False) as machine:
        yield _Frozen(portal_clock, machine)


@pytest.fixture
def admin_client(app, world):
    """Authority A's administrator, signed in in a browser of their own."""
    client = app.test_client()
    response = sign_in(client, world.a.admin)
    assert response.status_code == 302
    return client


def set_require_two_factor(app, authority_id, required: bool = True) -> None:
    from portal.authorities.models import Authority
    from portal.extensions import db

    with app.app_context():
        authority = db.session.get(Authority, authority_id)
        authority.require_two_factor = required
        db.session.commit()
