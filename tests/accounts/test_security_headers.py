"""The browser protections every page carries: Content-Security-Policy, framing, sniffing and the
session cookie's flags."""

from __future__ import annotations

import re

from tests.support import sign_in


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _session_cookie_header(response) -> str:
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("portal_session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def _flags(set_cookie: str) -> set[str]:
    """The attributes of a Set-Cookie header: ``httponly``, ``secure``, ``samesite=lax`` ..."""
    flags = set()
    for part in set_cookie.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        name = name.lower()
        flags.add(f"{name}={value.lower()}" if name == "samesite" else name)
    return flags


def test_pages_only_run_the_portals_own_scripts(client, world):
    """Does every page's Content-Security-Policy allow scripts from the portal only, never inline
    script, and forbid framing?"""
    signed_in = client.application.test_client()
    sign_in(signed_in, world.a.dsl1)
    for browser, path in ((client, "/sign-in"), (signed_in, "/home"), (signed_in, "/account")):
        response = browser.get(path)
        assert response.status_code == 200, path
        directives = _directives(response)
        assert directives["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], path
        assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"], path
        assert directives["object-src"] == ["'none'"], path
        assert directives["frame-ancestors"] == ["'none'"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


def test_pages_have_no_inline_script(client):
    """Are the pages free of inline script that the policy would block (so nothing silently breaks)?"""
    html = client.get("/sign-in").get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html)  # no onclick= and the like


def test_session_cookie_is_httponly_and_samesite_lax(client, world):
    """Is the session cookie hidden from scripts and held back from cross-site requests, before and
    after sign-in?"""
    anonymous = _flags(_session_cookie_header(client.get("/sign-in")))
    assert "httponly" in anonymous
    assert "samesite=lax" in anonymous
    assert "secure" not in anonymous  # the test app is served over plain HTTP
    signed_in = _flags(_session_cookie_header(sign_in(client, world.a.dsl1)))
    assert {"httponly", "samesite=lax"} <= signed_in


def test_session_cookie_is_secure_when_configured(make_app):
    """With SESSION_COOKIE_SECURE on, is the session cookie marked Secure?"""
    app = make_app(SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/sign-in")
    flags = _flags(_session_cookie_header(response))
    assert {"secure", "httponly", "samesite=lax"} <= flags


def test_https_is_forced_and_remembered_in_production_settings(make_app, world):
    """With FORCE_HTTPS on (production's default): plain HTTP is sent to HTTPS, and HTTPS answers carry
    HSTS, for a signed-in person's pages too, with no-store."""
    from tests.support import PASSWORD

    app = make_app(FORCE_HTTPS=True, SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    plain = client.get("/sign-in", base_url="http://localhost")
    assert plain.status_code in (301, 302) and plain.headers["Location"].startswith("https://localhost/sign-in")
    secure = client.get("/sign-in", base_url="https://localhost")
    assert secure.status_code == 200 and "max-age=31556926" in secure.headers["Strict-Transport-Security"]
    signed_in = client.post(
        "/sign-in",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/sign-in"},  # CSRF protection checks it over HTTPS
        data={"email": world.a.dsl1.email, "password": PASSWORD},
    )
    assert signed_in.status_code == 302
    home = client.get("/home", base_url="https://localhost")
    assert home.status_code == 200 and "Strict-Transport-Security" in home.headers and home.headers["Cache-Control"] == "no-store"
