"""Every form of the portal — each route that takes a POST, found from the portal's routes, not listed
by hand — given what a hostile or careless person might type: NUL and other control characters, 100,000
characters, right-to-left text and emoji, in every field at once and (NUL) in each field on its own. No
answer is ever a 500; a refused value is said next to its field, and a refused form shows again the text
that was typed into it (WCAG 3.3.7)."""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

import pytest
from flask import url_for

from tests.isolation.registry import EXEMPT, PUBLIC_PAGES, REGISTRY, ROLE_GATED_PAGES, SIGNED_IN_PAGES
from tests.support import sign_in

HOSTILE = {
    "nul": "Jordan\x00Example",
    "controls": "line\x01\x07\x1b[31mred\x7f",
    "long": "x" * 100_000,
    "right-to-left": "\u202eevil\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "emoji": "\U0001f469\u200d\U0001f467 \U0001f9d2\U0001f3fd \u2764\ufe0f",
}
#: Fields whose value the page itself gives (CSRF, a record's version, the check's signature): kept.
KEPT = {"csrf_token", "version", "child_check"}


def _post_routes(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods and rule.endpoint not in EXEMPT})


@functools.cache
def _routes_at_collection() -> list[str]:
    """The POST routes of a portal built for collecting the tests (no database is opened)."""
    from portal import create_app

    return _post_routes(create_app({"PORTAL_ENV": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}))


class _Fields(HTMLParser):
    """The names (and given values) of a page's form fields."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag in {"input", "textarea", "select"} and name and attrs.get("type") not in {"submit", "file", "button"}:
            self.fields.setdefault(name, attrs.get("value") or "")


class _Typed(HTMLParser):
    """The text a person typed that a page shows back: each text field's and text area's name and value."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._area: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type", "text") in {"text", "email", "search", "tel", "url", "number"} and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "textarea" and attrs.get("name"):
            self._area = attrs["name"]
            self.values.setdefault(self._area, "")

    def handle_data(self, data):
        if self._area:
            self.values[self._area] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._area = None


def _typed(html: str) -> dict[str, str]:
    parser = _Typed()
    parser.feed(html)
    return {name: value.strip("\n") for name, value in parser.values.items()}


def _fields(html: str) -> dict[str, str]:
    parser = _Fields()
    parser.feed(html)
    return parser.fields


def _how(app, world, endpoint):
    """(who posts, the url kwargs, the declared good data) for ``endpoint``, from the isolation registry
    (which every route must be declared in)."""
    side = world.a
    for method in ("POST", "GET"):
        for entry in REGISTRY:
            if entry.endpoint == endpoint and entry.method == method:
                if entry.data and method == "POST":  # called for each post: it may hold a file, read once
                    return getattr(side, entry.actor), entry.target(app, side), lambda entry=entry: entry.data(app, side)
                return getattr(side, entry.actor), entry.target(app, side), dict
    for (gated, _method), roles in ROLE_GATED_PAGES.items():
        if gated == endpoint:
            return getattr(side, roles[0] if roles else "dsl1"), {}, dict  # nobody may: refused, never a 500
    if endpoint in SIGNED_IN_PAGES:
        return side.dsl1, {}, dict
    if endpoint in PUBLIC_PAGES:
        return None, {}, dict
    pytest.fail(f"{endpoint} takes a POST but is not declared in tests/isolation/registry.py")


def _client(app, person):
    client = app.test_client()
    if person is not None:
        sign_in(client, person)
    return client


def test_the_fuzz_covers_every_form(app):
    assert _post_routes(app) == _routes_at_collection() and len(_routes_at_collection()) > 100


@pytest.mark.parametrize("endpoint", _routes_at_collection())
def test_no_hostile_value_in_any_field_gives_a_500(app, world, endpoint):
    person, kwargs, declared = _how(app, world, endpoint)
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)
    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    page = {}
    if "GET" in rule.methods:
        opened = _client(app, person).get(url)
        assert opened.status_code < 500
        if opened.status_code == 200 and opened.mimetype == "text/html":
            page = _fields(opened.get_data(as_text=True))
    names = {*page, *(k for k, v in declared().items() if isinstance(v, str | list))} - KEPT  # none for a form that is only a button
    client = _client(app, person)
    for label, value in HOSTILE.items():
        data = {**page, **declared(), **{name: value for name in names}}
        response = client.post(url, data=data)
        assert response.status_code < 500, (endpoint, label, response.status_code)
        if label == "nul" and response.status_code == 200 and response.mimetype == "text/html":
            assert "\x00" not in response.get_data(as_text=True), (endpoint, "a NUL was written into the page")
        if label in ("emoji", "long") and response.status_code == 200 and response.mimetype == "text/html":
            # Refused (too long, or with emoji where a choice was expected): what was typed is on the page
            # again, to correct rather than type again (WCAG 3.3.7, redundant entry).
            lost = {name for name, shown in _typed(response.get_data(as_text=True)).items() if name in names and shown != value}
            assert not lost, (endpoint, "typed text not shown again after the form was refused", sorted(lost))
    for name in sorted(names):  # one field at a time: the rest as the page or the declaration gives them
        response = client.post(url, data={**page, **declared(), name: HOSTILE["nul"]})
        assert response.status_code < 500, (endpoint, name, response.status_code)
        if response.status_code == 200 and response.mimetype == "text/html":
            text = response.get_data(as_text=True)
            assert "\x00" not in text, (endpoint, name)
            assert not re.search(r"Traceback|Internal Server Error", text), (endpoint, name)


def _link(mailbox) -> str:
    from urllib.parse import urlsplit

    body = mailbox()[-1].get_body(preferencelist=("plain",)).get_content()
    return urlsplit(re.findall(r"https?://\S+", body)[0]).path


@pytest.mark.parametrize("which", ["accounts.password_reset", "accounts.accept_invitation"])
def test_the_one_time_token_forms_take_hostile_values_without_a_500(app, world, mailbox, which):
    """The two forms reached by an emailed token (not an id, so not in the isolation registry)."""
    assert which in EXEMPT
    if which == "accounts.password_reset":
        app.test_client().post("/password-reset", data={"email": world.a.dsl1.email})
        fields = ("password", "confirm")
    else:
        admin = _client(app, world.a.admin)
        invited = {"email": "nadia.new@avonford.example.org", "full_name": "Nadia New", "organisation": str(world.a.school1), "role": "dsl"}
        assert admin.post("/admin/users/invite", data=invited).status_code == 302
        fields = ("full_name", "password", "confirm")
    link = _link(mailbox)
    client = app.test_client()
    assert client.get(link).status_code == 200
    for label, value in HOSTILE.items():
        response = client.post(link, data={name: value for name in fields})
        assert response.status_code < 500, (label, response.status_code)
        assert "\x00" not in response.get_data(as_text=True), label
