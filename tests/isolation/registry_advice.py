"""Isolation declarations for the advice module's routes (see ``registry.py`` for the fields).

One declaration per endpoint and method: the front door's view of a request (it sees every school's)
is tested in ``tests/advice/test_visibility.py``.
"""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

NOT_CASEWORK = ("staff1", "governor1", "admin", "assessor", "partner")
SCHOOL_ONLY = ("dsl1",) + NOT_CASEWORK


def _request(app, side):
    """A request for advice from school1 about a named pupil (so both the pupil and the request are at stake)."""
    from tests.factories import make_advice, make_pupil

    return {"advice_id": make_advice(app, side, make_pupil(app, side))}


def _answer_form(app, side):
    return {"outcome": "advice_given", "answer_level": "early_help", "answer": "Keep monitoring; talk to the family about the breakfast club.", "version": "1"}


def _reply_form(app, side):
    return {"body": "Thank you. Could you say more about what the child said?"}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("advice.detail", "GET", "dsl1", _request, refused=NOT_CASEWORK, other_school=("dsl2",)),
    RouteIsolation("advice.take", "POST", "front_door", _request, refused=SCHOOL_ONLY),
    RouteIsolation("advice.answer", "GET", "front_door", _request, refused=SCHOOL_ONLY),
    RouteIsolation("advice.answer", "POST", "front_door", _request, refused=SCHOOL_ONLY, data=_answer_form),
    RouteIsolation("advice.reply", "POST", "dsl1", _request, refused=NOT_CASEWORK, data=_reply_form, other_school=("dsl2",)),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("advice.index", "GET"): ("dsl1", "head1", "dsl2"),
    ("advice.new", "GET"): ("dsl1", "head1", "dsl2"),
    ("advice.new", "POST"): ("dsl1", "head1", "dsl2"),
    ("advice.queue", "GET"): ("front_door",),
}
