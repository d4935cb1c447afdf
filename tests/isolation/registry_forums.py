"""Isolation declarations for the DSL network: categories, threads, posts, moderation, categories management
and guests (see ``registry.py``).

The network is one per authority, not per school: a DSL of another school is a member like any other and is
*meant* to read and answer the thread, so ``other_school`` is empty for every forum route. What is refused is
everyone outside the network (staff, governors, the authority admin, and a partner the network lead has not
invited: a partner is not a member unless invited), who get 404 for the network's objects; and, inside it,
whoever the action is not for (the author's edit and history, the network lead's moderation), who get 403.
Another authority's objects are 404 for everyone (``test_user_of_another_authority_gets_404``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.isolation.route import RouteIsolation

#: People of the authority outside the network (the partner is not invited by the targets below).
NOT_MEMBERS = ("staff1", "governor1", "admin", "partner")
#: Members who are not the network lead (the targets name the front door as the lead).
NOT_LEAD = ("dsl1", "dsl2", "head1", "assessor")


def _new_category(app, side):
    """A category with a name of its own (the signed-out test builds every target in one database)."""
    from tests.forums.support import make_category

    return make_category(app, side, f"Category {uuid.uuid4().hex[:8]}")


def _category(app, side):
    return {"category_id": _new_category(app, side)}


def _thread(app, side):
    from tests.forums.support import make_thread

    thread_id, _ = make_thread(app, side, _new_category(app, side))
    return {"thread_id": thread_id}


def _post(app, side):
    """The opening post of a thread, by dsl1."""
    from tests.forums.support import make_thread

    _, post_id = make_thread(app, side, _new_category(app, side))
    return {"post_id": post_id}


def _with_lead(target):
    def build(app, side):
        from portal.authorities.models import AuthorityDuty, Duty
        from portal.extensions import db
        from tests.factories import _scope
        from tests.forums.support import name_network_lead

        with _scope(app, side):  # named once (the signed-out test builds every target in one database)
            named = db.session.execute(
                select(AuthorityDuty.id).where(AuthorityDuty.user_id == side.front_door.id, AuthorityDuty.duty == Duty.NETWORK_LEAD)
            ).first()
        if named is None:
            name_network_lead(app, side, "front_door")
        return target(app, side)

    return build


def _hidden_post(app, side):
    from tests.forums.support import hide_post

    kwargs = _post(app, side)
    hide_post(app, side, kwargs["post_id"])
    return kwargs


def _locked_thread(app, side):
    from tests.forums.support import lock_thread

    kwargs = _thread(app, side)
    lock_thread(app, side, kwargs["thread_id"])
    return kwargs


def _report(app, side):
    """dsl2's open report of dsl1's post."""
    from tests.forums.support import make_report

    return {"report_id": make_report(app, side, _post(app, side)["post_id"], by="dsl2")}


def _guest(app, side):
    from tests.forums.support import invite_guest

    return {"guest_id": invite_guest(app, side, "partner2")}


def _thread_form(app, side):
    return {"title": "Staff training on harmful sexual behaviour", "body": "Which providers have you used?", "post": "Post"}


def _reply_form(app, side):
    return {"body": "We used the local authority's own trainers.", "post": "Post"}


def _edit_form(app, side):
    return {"body": "Which training providers have other schools used?", "version": "1", "post": "Save changes"}


def _reason_form(app, side):
    return {"reason": "Off topic."}


def _category_form(app, side):
    return {"name": "Training", "description": "", "position": "1", "version": "1", "submit": "Save the category"}


ENTRIES: list[RouteIsolation] = [
    RouteIsolation("forums.category", "GET", "dsl1", _category, refused=NOT_MEMBERS),
    RouteIsolation("forums.thread_new", "GET", "dsl1", _category, refused=NOT_MEMBERS),
    RouteIsolation("forums.thread_new", "POST", "dsl2", _category, refused=NOT_MEMBERS, data=_thread_form),
    RouteIsolation("forums.thread", "GET", "dsl2", _thread, refused=NOT_MEMBERS),
    RouteIsolation("forums.reply", "POST", "dsl2", _thread, refused=NOT_MEMBERS, data=_reply_form),
    # The author edits (and sees the history); other members are refused with 403.
    RouteIsolation("forums.post_edit", "GET", "dsl1", _post, refused=NOT_MEMBERS + ("dsl2", "head1")),
    RouteIsolation("forums.post_edit", "POST", "dsl1", _post, refused=NOT_MEMBERS + ("dsl2", "head1"), data=_edit_form),
    RouteIsolation("forums.post_history", "GET", "dsl1", _post, refused=NOT_MEMBERS + ("dsl2", "head1", "assessor")),
    # Anyone in the network but the author reports a post.
    RouteIsolation("forums.post_report", "GET", "dsl2", _post, refused=NOT_MEMBERS + ("dsl1",)),
    RouteIsolation("forums.post_report", "POST", "dsl2", _post, refused=NOT_MEMBERS + ("dsl1",), data=_reason_form),
    # Moderation is the network lead's.
    RouteIsolation("forums.post_hide", "GET", "front_door", _with_lead(_post), refused=NOT_MEMBERS + NOT_LEAD),
    RouteIsolation("forums.post_hide", "POST", "front_door", _with_lead(_post), refused=NOT_MEMBERS + NOT_LEAD, data=_reason_form),
    RouteIsolation("forums.post_unhide", "POST", "front_door", _with_lead(_hidden_post), refused=NOT_MEMBERS + NOT_LEAD),
    RouteIsolation("forums.thread_lock", "POST", "front_door", _with_lead(_thread), refused=NOT_MEMBERS + NOT_LEAD, data=_reason_form),
    RouteIsolation("forums.thread_unlock", "POST", "front_door", _with_lead(_locked_thread), refused=NOT_MEMBERS + NOT_LEAD),
    RouteIsolation(
        "forums.report_resolve", "POST", "front_door", _with_lead(_report), refused=NOT_MEMBERS + NOT_LEAD, data=lambda app, side: {"outcome": "no action"}
    ),
    RouteIsolation("forums.category_edit", "GET", "front_door", _with_lead(_category), refused=NOT_MEMBERS + NOT_LEAD),
    RouteIsolation("forums.category_edit", "POST", "front_door", _with_lead(_category), refused=NOT_MEMBERS + NOT_LEAD, data=_category_form),
    RouteIsolation("forums.guest_remove", "POST", "front_door", _with_lead(_guest), refused=NOT_MEMBERS + NOT_LEAD),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some people may open: (endpoint, method) -> person keys allowed. No one is
#: the network lead in the test world, so the lead's pages are refused to everyone here (tests/forums shows
#: the lead using them).
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("forums.index", "GET"): ("dsl1", "head1", "dsl2", "front_door", "assessor"),
    ("forums.reports", "GET"): (),
    ("forums.categories_manage", "GET"): (),
    ("forums.categories_manage", "POST"): (),
    ("forums.guests", "GET"): (),
    ("forums.guests", "POST"): (),
}
