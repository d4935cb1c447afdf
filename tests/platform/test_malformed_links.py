"""Every page address with an id, a slug or a token in it — found from the portal's routes, not listed by
hand — asked for with a malformed one, by every role and signed out: a 404 (or, for a role the page is
not for, its refusal; signed out, the way to sign in), never a 500 and never a page of someone's record;
and the refusal, like every answer, is ``Cache-Control: no-store``."""

from __future__ import annotations

import re

import pytest

from tests.support import signed_in_client

#: What goes where an id, slug or token should: not an id, a path climbing out, a NUL, far too long.
MALFORMED = {
    "not-an-id": "not-an-id",
    "climbing": "..%2F..%2Fetc%2Fpasswd",
    "nul": "abc%00def",
    "long": "9" * 400,
}
#: Answers other than 404 that say nothing about the link: an invitation opened while signed in asks the
#: person to sign out first, before the link is looked at.
BEFORE_THE_LINK = {("accounts.accept_invitation", 409)}
#: Signed out, and a person of each kind of organisation (a school, the front door, a partner agency, the
#: authority's administration).
ROLES = (None, "dsl1", "front_door", "partner", "admin")
ARGUMENT = re.compile(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>")


def _addresses(app) -> list[tuple[str, str]]:
    """(endpoint, the rule) of every GET route with an argument, but the portal's own files."""
    return sorted(
        {
            (rule.endpoint, rule.rule)
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.arguments and rule.endpoint not in ("static", "govuk_assets")
        }
    )


def test_every_address_with_a_malformed_id_is_refused_without_a_fault(make_app, world):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    addresses = _addresses(app)
    assert len(addresses) > 80  # the routes were found, not an empty walk
    clients = {role: (signed_in_client(app, world.a.people[role]) if role else app.test_client()) for role in ROLES}
    faults, answered_otherwise, kept = [], [], set()
    for endpoint, rule in addresses:
        for name, value in MALFORMED.items():
            path = ARGUMENT.sub(value, rule)
            for role, client in clients.items():
                response = client.get(path)
                status = response.status_code
                if response.headers.get("Cache-Control") != "no-store":
                    kept.add(f"{endpoint} {status}")
                if status >= 500:
                    faults.append(f"{path} as {role or 'signed out'}: {status}")
                elif (endpoint, status) in BEFORE_THE_LINK and role is not None:
                    continue
                elif status == 200 or (status not in (302, 403, 404)):
                    answered_otherwise.append(f"{endpoint} ({name}) as {role or 'signed out'}: {status}")
                elif status == 302 and role is not None and "/sign-in" not in response.headers.get("Location", ""):
                    answered_otherwise.append(f"{endpoint} ({name}) as {role}: sent to {response.headers['Location'][:80]}")
    assert not faults, "A malformed address gave a fault:\n" + "\n".join(faults[:40])
    assert not kept, "A refusal a browser or proxy may keep (no Cache-Control: no-store):\n" + "\n".join(sorted(kept))
    assert not answered_otherwise, "A malformed address was answered as if it named something:\n" + "\n".join(
        sorted({a.split(" as ")[0] + " " + a.split(": ", 1)[1] for a in answered_otherwise})
    )


@pytest.mark.parametrize("role", ["dsl1", "front_door"])
def test_a_malformed_id_is_a_404_for_a_person_the_page_is_for(make_app, world, role):
    """The pupil's, the referral's and the summit's pages with a malformed id: 404 for the people they are
    for, with the signed-in navigation."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = signed_in_client(app, world.a.people[role])
    for path in ("/pupils/not-an-id", "/referrals/" + "9" * 400, "/transfers/abc%00def"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.get_data(as_text=True)


def _query_names() -> set[str]:
    """Every query parameter a page of the portal reads (``request.args.get("x")``, ``getlist``,
    ``request.args["x"]``), found in its source, not listed by hand."""
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "portal"
    pattern = re.compile(r"""request\.args(?:\.get(?:list)?\(\s*|\[)["']([a-z_]+)["']""")
    return {name for path in source.rglob("*.py") for name in pattern.findall(path.read_text(encoding="utf-8"))}


#: What goes into every query parameter at once: not an id, a negative number, far too long, a NUL.
HOSTILE_QUERIES = {"not-an-id": "not-an-id", "negative": "-1", "long": "9" * 400, "nul": "a\x00b"}


def test_every_page_takes_hostile_query_parameters_without_a_fault(make_app, world):
    """Every page — each one a person opens (the isolation registry's, with its rightful person and a real
    record) and each without an id (as each kind of person) — with every query parameter the portal reads
    set to something hostile: never a 500; a NUL is a 400."""
    from flask import url_for

    from tests.isolation.registry import REGISTRY

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    names = _query_names()
    assert {"school", "q", "after", "status", "pupil_id"} <= names
    visits: list[tuple[str, str, str]] = []  # (endpoint, url, who)
    for entry in REGISTRY:
        if entry.method == "GET":
            with app.test_request_context():
                visits.append((entry.endpoint, url_for(entry.endpoint, **entry.target(app, world.a)), entry.actor))
    for endpoint, rule in sorted({(r.endpoint, r.rule) for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments}):
        if endpoint not in ("static", "govuk_assets"):
            visits += [(endpoint, rule, who) for who in ("dsl1", "front_door", "admin")]
    assert len(visits) > 200
    clients: dict[str, object] = {}
    faults, nul_not_refused = [], []
    for endpoint, url, who in visits:
        client = clients.setdefault(who, signed_in_client(app, world.a.people[who]))
        for label, value in HOSTILE_QUERIES.items():
            response = client.get(url, query_string={name: value for name in names})
            if response.status_code >= 500:
                faults.append(f"{endpoint} ({label}) as {who}: {response.status_code}")
            elif label == "nul" and response.status_code != 400:
                nul_not_refused.append(f"{endpoint} as {who}: {response.status_code}")
    assert not faults, "A hostile query parameter gave a fault:\n" + "\n".join(faults[:40])
    assert not nul_not_refused, "A NUL in a query parameter was not refused:\n" + "\n".join(nul_not_refused[:40])
