"""Isolation declarations for disagreements' routes (see ``registry.py`` for the fields).

A disagreement follows its referral's (or advice request's) visibility: the school's DSL and head and the
front door; the authority administrator only at stage 3. Responding is refused to the school's own
people (separation of duties: 403, audited) and to everyone who cannot see it (404)."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

#: Everyone in the authority who holds no casework at school1 and is not the front door.
OUTSIDERS = ("staff1", "governor1", "admin", "assessor", "partner")


def _referral(app, side):
    from tests.disagreements.support import decided_referral

    return {"referral_id": decided_referral(app, side)}


def _advice(app, side):
    from tests.disagreements.support import answered_advice

    return {"advice_id": answered_advice(app, side)}


def _stage(stage, awaiting_school=False):
    def target(app, side):
        from tests.disagreements.support import at_stage

        return {"disagreement_id": at_stage(app, side, stage, awaiting_school=awaiting_school)}

    return target


def _raise_form(app, side):
    return {"reason": "The child has told us more since the decision.", "wanted": "A strategy discussion."}


def _response(app, side):
    return {"outcome": "upheld", "response": "The decision stands: early help is the right route.", "version": "1"}


def _last_response(app, side):
    return {"outcome": "upheld", "response": "The partnership agrees the decision stands.", "version": "5"}


def _escalation(app, side):
    return {"why": "The response does not deal with what the child told us.", "version": "2"}


def _version(version):
    return lambda app, side: {"version": str(version)}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("disagreements.raise_for_referral", "GET", "dsl1", _referral, refused=OUTSIDERS + ("front_door",), other_school=("dsl2",)),
    RouteIsolation(
        "disagreements.raise_for_referral", "POST", "dsl1", _referral, refused=OUTSIDERS + ("front_door",), data=_raise_form, other_school=("dsl2",)
    ),
    RouteIsolation("disagreements.raise_for_advice", "GET", "dsl1", _advice, refused=OUTSIDERS + ("front_door",), other_school=("dsl2",)),
    RouteIsolation("disagreements.raise_for_advice", "POST", "dsl1", _advice, refused=OUTSIDERS + ("front_door",), data=_raise_form, other_school=("dsl2",)),
    RouteIsolation("disagreements.detail", "GET", "dsl1", _stage(1), refused=OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation("disagreements.respond", "GET", "front_door", _stage(1), refused=("dsl1", "head1") + OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation("disagreements.respond", "POST", "front_door", _stage(1), refused=("dsl1", "head1") + OUTSIDERS, data=_response, other_school=("dsl2",)),
    # Stage 3 is the partnership's (the authority administrator): the front door and the school are refused.
    RouteIsolation(
        "disagreements.respond",
        "POST",
        "admin",
        _stage(3),
        refused=("front_door", "dsl1", "head1", "staff1", "governor1", "assessor", "partner"),
        data=_last_response,
        other_school=("dsl2",),
    ),
    RouteIsolation("disagreements.escalate", "GET", "dsl1", _stage(1, True), refused=("front_door",) + OUTSIDERS, other_school=("dsl2",)),
    RouteIsolation("disagreements.escalate", "POST", "dsl1", _stage(1, True), refused=("front_door",) + OUTSIDERS, data=_escalation, other_school=("dsl2",)),
    RouteIsolation("disagreements.accept", "POST", "dsl1", _stage(1, True), refused=("front_door",) + OUTSIDERS, data=_version(2), other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("disagreements.open_list", "GET"): ("front_door", "admin"),
    ("disagreements.timescales", "GET"): ("admin",),
}
