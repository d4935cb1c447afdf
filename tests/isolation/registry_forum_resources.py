"""Isolation declarations for the network's shared resources, search and subscriptions (see ``registry.py``
for the fields).

The network is the authority's: people outside it (staff, governors, the administrator, a partner nobody
invited) get 404 for its objects and 403 for its pages. Inside it, only the person who added a resource
(or the network lead, not named here) changes it: the other members get 403. A subscription is its
owner's alone: anyone else gets 404.
"""

from __future__ import annotations

import uuid
from io import BytesIO

from tests.isolation.route import RouteIsolation

#: Not in the network: no role of it, and no invitation.
NOT_MEMBERS = ("staff1", "governor1", "admin", "partner")
#: In the network, but not the one who added the resource.
OTHER_MEMBERS = ("dsl2", "head1", "assessor")
#: Who may open the network's pages without an id.
MEMBERS = ("dsl1", "dsl2", "head1", "front_door", "assessor")


def _resource(app, side):
    from tests.forums.test_resources import make_resource

    resource_id, _version = make_resource(app, side)
    return {"resource_id": resource_id}


def _version(app, side):
    from tests.forums.test_resources import make_resource

    _resource_id, version_id = make_resource(app, side)
    return {"version_id": version_id}


def _new_category(app, side):
    """A category of its own (the signed-out check makes every target on one side: names must differ)."""
    from tests.forums.support import make_category

    return make_category(app, side, f"Category {uuid.uuid4().hex[:8]}")


def _category(app, side):
    return {"category_id": _new_category(app, side)}


def _thread(app, side):
    from tests.forums.support import make_thread

    thread_id, _post = make_thread(app, side, _new_category(app, side))
    return {"thread_id": thread_id}


def _subscription(app, side):
    from tests.forums.test_subscriptions import follow

    return {"subscription_id": follow(app, side, "dsl1", category_id=_new_category(app, side))}


def _new_version(app, side):
    from tests.casework.conftest import TINY_PDF

    return {"file": (BytesIO(TINY_PDF), "policy-v2.pdf"), "note": "New contact numbers.", "latest": "1"}


def _details(app, side):
    return {"title": "Online safety policy (primary)", "description": "", "category": "", "version": "1"}


def _archive(app, side):
    return {"version": "1"}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("forums.resource", "GET", "dsl1", _resource, refused=NOT_MEMBERS),
    RouteIsolation("forums.resource_version_new", "POST", "dsl1", _resource, refused=NOT_MEMBERS + OTHER_MEMBERS, data=_new_version),
    RouteIsolation("forums.resource_edit", "GET", "dsl1", _resource, refused=NOT_MEMBERS + OTHER_MEMBERS),
    RouteIsolation("forums.resource_edit", "POST", "dsl1", _resource, refused=NOT_MEMBERS + OTHER_MEMBERS, data=_details),
    RouteIsolation("forums.resource_archive", "POST", "dsl1", _resource, refused=NOT_MEMBERS + OTHER_MEMBERS, data=_archive),
    RouteIsolation("forums.resource_download", "GET", "dsl2", _version, refused=NOT_MEMBERS),
    RouteIsolation("forums.subscribe", "POST", "head1", _category, refused=NOT_MEMBERS),
    RouteIsolation("forums.thread_subscribe", "POST", "head1", _thread, refused=NOT_MEMBERS),
    RouteIsolation("forums.subscription_delete", "POST", "dsl1", _subscription, refused=NOT_MEMBERS + OTHER_MEMBERS + ("front_door",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("forums.resources", "GET"): MEMBERS,
    ("forums.resource_new", "GET"): MEMBERS,
    ("forums.resource_new", "POST"): MEMBERS,
    ("forums.search", "GET"): MEMBERS,
    ("forums.subscriptions", "GET"): MEMBERS,
}
