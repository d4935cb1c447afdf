"""Isolation declarations for the summits module's routes (see ``registry.py`` for the fields).

The targets are summits hosted by school1 and organised by the front door: school1's DSL and head plan
them; staff, the governor, the administrator and partners who were not invited are refused; school2's DSL
(not invited) gets 404.
"""

from __future__ import annotations

from datetime import timedelta

from portal.clock import uk_today
from tests.isolation.route import RouteIsolation

#: People of the authority who may not plan a summit hosted by school1 that did not invite them.
NOT_ORGANISERS = ("staff1", "governor1", "admin", "partner", "partner2")


def _summit(status="planning"):
    def target(app, side):
        from tests.summits.support import make_summit

        return {"summit_id": make_summit(app, side, status=status)}

    return target


def _activity(app, side):
    from tests.summits.support import make_activity, make_summit

    return {"activity_id": make_activity(app, side, make_summit(app, side))}


def _action(app, side):
    from tests.summits.support import make_action, make_summit

    return {"action_id": make_action(app, side, make_summit(app, side, status="held"), owner="front_door")}


def _invitation(app, side):
    from tests.summits.support import invite, make_summit

    return {"invitation_id": invite(app, side, make_summit(app, side), "school2")}


def _due():
    soon = uk_today() + timedelta(days=14)
    return [str(soon.day), str(soon.month), str(soon.year)]


def _plan_form(app, side):
    return {
        "title": "Student Safety Summit",
        "day": ["17", "3", "2026"],
        "start_time": "09:00",
        "end_time": "12:30",
        "venue": "Hall",
        "consent_arranged": "yes",
        "version": "1",
    }


def _action_form(app, side):
    return {"description": "Light the alley", "owner": f"user:{side.front_door.id}", "due_on": _due(), "status": "in_progress", "version": "1"}


def _new_action_form(app, side):
    return {"description": "Light the alley", "owner": f"user:{side.front_door.id}", "due_on": _due()}


def _you_said_form(app, side):
    return {"you_said": "The alley is dark.", "we_did": "The council lit it.", "told_on": ["1", "3", "2026"], "told_how": "An assembly."}


def _organiser(endpoint, method, target=None, data=None):
    return RouteIsolation(endpoint, method, "dsl1", target or _summit(), NOT_ORGANISERS, data, other_school=("dsl2",))


ENTRIES: list[RouteIsolation] = [
    _organiser("summits.detail", "GET"),
    _organiser("summits.edit", "GET"),
    _organiser("summits.edit", "POST", data=_plan_form),
    _organiser("summits.checklist", "POST", data=lambda app, side: {"items": ["invite"], "version": "1"}),
    _organiser("summits.invite", "POST", data=lambda app, side: {"organisation": str(side.police)}),
    _organiser("summits.status", "POST", data=lambda app, side: {"status": "held"}),
    _organiser("summits.participants", "GET"),
    _organiser("summits.participants", "POST", data=lambda app, side: {"user": str(side.assessor.id), "role": "attendee"}),
    _organiser("summits.activity_new", "GET"),
    _organiser("summits.activity_new", "POST", data=lambda app, side: {"kind": "online", "title": "", "facilitator": "", "notes": ""}),
    _organiser("summits.activity_edit", "GET", _activity),
    _organiser(
        "summits.activity_edit", "POST", _activity, lambda app, side: {"kind": "online", "title": "Online", "facilitator": "", "notes": "Notes", "version": "1"}
    ),
    _organiser("summits.finding_new", "GET", _summit("held")),
    _organiser("summits.finding_new", "POST", _summit("held"), lambda app, side: {"text": "Young people feel unsafe at the bus station.", "activity": ""}),
    _organiser("summits.action_new", "GET", _summit("held")),
    _organiser("summits.action_new", "POST", _summit("held"), _new_action_form),
    _organiser("summits.action_edit", "GET", _action),
    _organiser("summits.action_edit", "POST", _action, _action_form),
    _organiser("summits.you_said_new", "GET", _summit("held")),
    _organiser("summits.you_said_new", "POST", _summit("held"), _you_said_form),
    # An invitation to school2: school2's DSL answers it. The host, social care (who can see it) and
    # everyone else are refused; partners who were not invited do not see it at all.
    RouteIsolation(
        "summits.respond",
        "POST",
        "dsl2",
        _invitation,
        refused=("dsl1", "head1", "front_door", "assessor") + NOT_ORGANISERS,
        data=lambda app, side: {"answer": "accept"},
    ),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("summits.index", "GET"): ("staff1", "dsl1", "head1", "dsl2", "front_door", "assessor", "partner", "partner2"),
    ("summits.new", "GET"): ("dsl1", "head1", "dsl2", "front_door", "assessor"),
}
