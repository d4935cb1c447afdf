"""The isolation suite: for every declared route, can its rightful user use it, and is everyone else —
another authority, another school, another role — refused, with the attempt audited?"""

from __future__ import annotations

import re

import pytest
from flask import url_for

from tests.isolation.registry import EXEMPT, PUBLIC_PAGES, REGISTRY, ROLE_GATED_PAGES, SIGNED_IN_PAGES
from tests.support import audit_events, duplicate_ids, heading_jumps, main_headings, sign_in, title_apart_from_heading

REFUSALS = {"access.denied", "access.not_found"}


def _url(app, endpoint, kwargs):
    with app.test_request_context():
        return url_for(endpoint, **kwargs)


def _request(client, entry, url, data):
    if entry.method == "GET":
        return client.get(url)
    return client.post(url, data=data or {})


def _page_problems(response) -> list:
    """What is wrong with a page's HTML that a person would meet: an id used twice (a label or a link points
    at the wrong element), a heading level skipped, other than one h1, a title that does not start with the
    h1, a time with more than the 3 digits of a second HTML allows."""
    markup = response.get_data(as_text=True)
    problems: list = [*duplicate_ids(markup), *heading_jumps(markup)]
    if main_headings(markup) != 1:
        problems.append(f"{main_headings(markup)} h1s")
    if title_apart_from_heading(markup):
        problems.append(title_apart_from_heading(markup))
    return problems + re.findall(r'datetime="[^"]*\.\d{4,}', markup)


def _refusals(app, authority_id):
    return [e for e in audit_events(app, authority_id) if e.action in REFUSALS]


def test_every_route_with_an_id_is_declared(app):
    """Does every route that takes an argument have an isolation declaration (or a stated exemption)?"""
    declared = {(entry.endpoint, entry.method) for entry in REGISTRY}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in EXEMPT:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in declared:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert missing == [], "Routes with ids but no isolation tests; declare them in tests/isolation/registry.py"


def test_every_page_without_an_id_is_declared(app):
    """Is every page that takes no id public, open to every signed-in person (and filtered by their
    policies), or declared for the roles that may open it? A new list page left undeclared fails here."""
    gated = {endpoint for endpoint, _method in ROLE_GATED_PAGES}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.arguments or rule.endpoint in EXEMPT:
            continue
        if rule.endpoint not in PUBLIC_PAGES and rule.endpoint not in SIGNED_IN_PAGES and rule.endpoint not in gated:
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == [], "Pages without ids and no declaration; declare them in tests/isolation/registry.py"


def test_every_declaration_names_a_real_route(app):
    """Is every declaration still a route of the portal (no stale entries giving false comfort)?"""
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods}
    stale = [entry.key for entry in REGISTRY if (entry.endpoint, entry.method) not in routes]
    stale += [f"{m} {e}" for (e, m) in ROLE_GATED_PAGES if (e, m) not in routes]
    endpoints = {endpoint for endpoint, _method in routes}
    stale += [e for e in (*PUBLIC_PAGES, *SIGNED_IN_PAGES) if e not in endpoints]
    assert stale == []


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: e.key)
def test_rightful_user_can_use_the_route(app, world, entry):
    """Can the person the route is for use it on their own authority's object? (So refusals below mean something.)"""
    kwargs = entry.target(app, world.a)
    client = app.test_client()
    sign_in(client, getattr(world.a, entry.actor))
    response = _request(client, entry, _url(app, entry.endpoint, kwargs), entry.data(app, world.a) if entry.data else None)
    assert response.status_code in (200, 302), response.status_code
    assert response.headers["Cache-Control"] == "no-store"  # never kept by a browser or a proxy
    if response.status_code == 200 and response.mimetype == "text/html":
        assert _page_problems(response) == []
    assert _refusals(app, world.a.authority_id) == []


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: e.key)
def test_user_of_another_authority_gets_404(app, world, entry):
    """Does the same person in authority A get 404 for authority B's object, audited in A, with nothing
    happening in B?"""
    kwargs = entry.target(app, world.b)
    before_b = len(audit_events(app, world.b.authority_id))
    client = app.test_client()
    sign_in(client, getattr(world.a, entry.actor))
    response = _request(client, entry, _url(app, entry.endpoint, kwargs), entry.data(app, world.b) if entry.data else None)
    assert response.status_code == 404
    refusals = _refusals(app, world.a.authority_id)
    assert [e.action for e in refusals] == ["access.not_found"]
    assert refusals[0].actor_id == getattr(world.a, entry.actor).id
    assert refusals[0].object_id in {str(v) for v in kwargs.values()}
    assert len(audit_events(app, world.b.authority_id)) == before_b, "something was recorded (so done) in B"


@pytest.mark.parametrize("entry", [e for e in REGISTRY if e.refused], ids=lambda e: e.key)
def test_people_without_the_right_are_refused(app, world, entry):
    """Is everyone in the same authority whose role does not give the right refused (403 or 404), and
    is each refusal audited?"""
    kwargs = entry.target(app, world.a)
    url = _url(app, entry.endpoint, kwargs)
    for person_key in entry.refused:
        person = getattr(world.a, person_key)
        before = len(_refusals(app, world.a.authority_id))
        client = app.test_client()
        sign_in(client, person)
        response = _request(client, entry, url, entry.data(app, world.a) if entry.data else None)
        assert response.status_code in (403, 404), f"{person_key}: {response.status_code}"
        refusals = _refusals(app, world.a.authority_id)
        assert len(refusals) == before + 1, person_key
        assert refusals[-1].actor_id == person.id


@pytest.mark.parametrize("entry", [e for e in REGISTRY if e.other_school], ids=lambda e: e.key)
def test_people_at_another_school_get_404(app, world, entry):
    """Does someone at another school of the same authority get 404 (existence not leaked), audited?"""
    kwargs = entry.target(app, world.a)
    url = _url(app, entry.endpoint, kwargs)
    for person_key in entry.other_school:
        client = app.test_client()
        sign_in(client, getattr(world.a, person_key))
        response = _request(client, entry, url, entry.data(app, world.a) if entry.data else None)
        assert response.status_code == 404, person_key
        assert _refusals(app, world.a.authority_id)[-1].actor_id == getattr(world.a, person_key).id


@pytest.mark.parametrize("page", sorted(ROLE_GATED_PAGES), ids=lambda p: f"{p[1]} {p[0]}")
def test_role_gated_pages_refuse_other_roles(app, world, page):
    """Are pages for some roles refused with 403, audited, to every other role, including the DSL and head
    of another school? A form's page is tried both ways: opened, and sent (empty) — unless the sending
    is declared on its own."""
    endpoint, method = page
    allowed = ROLE_GATED_PAGES[page]
    url = _url(app, endpoint, {})
    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    methods = [method] + (["POST"] if method == "GET" and "POST" in rule.methods and (endpoint, "POST") not in ROLE_GATED_PAGES else [])
    for person_key, person in world.a.people.items():
        client = app.test_client()
        sign_in(client, person)
        for how in methods:
            response = client.get(url) if how == "GET" else client.post(url, data={})
            assert response.headers["Cache-Control"] == "no-store", (person_key, how)
            if person_key in allowed:
                assert response.status_code in (200, 302, 400), (person_key, how)
                if response.status_code == 200 and response.mimetype == "text/html":
                    assert _page_problems(response) == [], person_key
            else:
                assert response.status_code == 403, (person_key, how, response.status_code)
                assert _refusals(app, world.a.authority_id)[-1].actor_id == person.id


@pytest.mark.parametrize("endpoint", sorted(SIGNED_IN_PAGES))
def test_pages_for_everyone_signed_in_open_for_every_role_and_not_without_signing_in(app, world, endpoint):
    """Does each page declared open to every signed-in person open for every role (nobody refused, nothing
    broken), and send a signed-out visitor to sign in?"""
    url = _url(app, endpoint, {})
    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    how = "GET" if "GET" in rule.methods else "POST"
    for person_key, person in world.a.people.items():
        client = app.test_client()
        sign_in(client, person)
        response = client.get(url) if how == "GET" else client.post(url, data={})
        assert response.status_code in (200, 302), (person_key, response.status_code)
        assert response.headers["Cache-Control"] == "no-store", person_key
        if response.status_code == 200 and response.mimetype == "text/html":
            assert _page_problems(response) == [], person_key
    assert _refusals(app, world.a.authority_id) == []
    signed_out = app.test_client()
    response = signed_out.get(url) if how == "GET" else signed_out.post(url, data={})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("endpoint", sorted(PUBLIC_PAGES))
def test_public_pages_open_without_signing_in(app, endpoint):
    """Does each public page answer a signed-out visitor (a page, or a step back to signing in), never an
    error?"""
    response = app.test_client().get(_url(app, endpoint, {}))
    assert response.status_code in (200, 302), response.status_code


def test_signed_out_visitors_are_sent_to_sign_in(app, world):
    """Does every declared route send a signed-out visitor to the sign-in page, revealing nothing?"""
    client = app.test_client()
    for entry in REGISTRY:
        kwargs = entry.target(app, world.a)
        response = _request(client, entry, _url(app, entry.endpoint, kwargs), entry.data(app, world.a) if entry.data else None)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], entry.key
