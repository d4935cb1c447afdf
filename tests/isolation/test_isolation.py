"""The isolation suite: for every declared route, can its rightful user use it, and is everyone else —
another authority, another school, another role — refused, with the attempt audited?"""

from __future__ import annotations

import pytest
from flask import url_for

from tests.isolation.registry import EXEMPT, REGISTRY, ROLE_GATED_PAGES
from tests.support import audit_events, sign_in

REFUSALS = {"access.denied", "access.not_found"}


def _url(app, endpoint, kwargs):
    with app.test_request_context():
        return url_for(endpoint, **kwargs)


def _request(client, entry, url, data):
    if entry.method == "GET":
        return client.get(url)
    return client.post(url, data=data or {})


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


def test_every_declaration_names_a_real_route(app):
    """Is every declaration still a route of the portal (no stale entries giving false comfort)?"""
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods}
    stale = [entry.key for entry in REGISTRY if (entry.endpoint, entry.method) not in routes]
    stale += [f"{m} {e}" for (e, m) in ROLE_GATED_PAGES if (e, m) not in routes]
    assert stale == []


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: e.key)
def test_rightful_user_can_use_the_route(app, world, entry):
    """Can the person the route is for use it on their own authority's object? (So refusals below mean something.)"""
    kwargs = entry.target(app, world.a)
    client = app.test_client()
    sign_in(client, getattr(world.a, entry.actor))
    response = _request(client, entry, _url(app, entry.endpoint, kwargs), entry.data(app, world.a) if entry.data else None)
    assert response.status_code in (200, 302), response.status_code
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
    """Are pages for one role (the admin screens) refused with 403, audited, to every other role, including
    the DSL and head of another school?"""
    endpoint, method = page
    allowed = ROLE_GATED_PAGES[page]
    url = _url(app, endpoint, {})
    for person_key, person in world.a.people.items():
        client = app.test_client()
        sign_in(client, person)
        response = client.get(url) if method == "GET" else client.post(url, data={})
        if person_key in allowed:
            assert response.status_code in (200, 302, 400), person_key
        else:
            assert response.status_code == 403, person_key
            assert _refusals(app, world.a.authority_id)[-1].actor_id == person.id


def test_signed_out_visitors_are_sent_to_sign_in(app, world):
    """Does every declared route send a signed-out visitor to the sign-in page, revealing nothing?"""
    client = app.test_client()
    for entry in REGISTRY:
        kwargs = entry.target(app, world.a)
        response = _request(client, entry, _url(app, entry.endpoint, kwargs), entry.data(app, world.a) if entry.data else None)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], entry.key
