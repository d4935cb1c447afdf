"""Isolation declarations for the selfreview routes (see ``registry.py`` for the fields).

A school's self-reviews are its head's and governors' only: the school's DSL and staff, the authority
administrator (who sees counts across schools, on another page), social care and partners are refused, and
the people of another school (its DSL, and a head of school 2 made by the target) get 404."""

from __future__ import annotations

from tests.isolation.route import RouteIsolation

#: People of the same authority who never see a school's self-review.
NOT_SELF_REVIEW = ("staff1", "dsl1", "admin", "partner", "front_door")
#: People of another school of the same authority (``head2`` is made by the targets).
OTHER_SCHOOL = ("dsl2", "head2")


def _head_of_school2(app, side) -> None:
    """A head teacher of school 2 (the world has none), so another school's head is refused too."""
    if "head2" not in side.people:
        from tests.world import create_user

        side.people["head2"] = create_user(app, side.authority_id, f"head2@{side.slug}.example.org", "head", side.school2)


def _review(app, side):
    """School 1's review of the twelve questions for 2026 (the one already made, when a test asks for
    several targets in one world: one review per school, framework and year)."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.selfreview.models import SelfReview
    from tenants.context import tenant_scope
    from tests.selfreview.support import make_review

    _head_of_school2(app, side)
    with app.app_context(), tenant_scope(side.authority_id):
        found = db.session.execute(
            select(SelfReview.id).where(SelfReview.organisation_id == side.school1, SelfReview.framework == "practical-tips", SelfReview.academic_year == 2026)
        ).scalar_one_or_none()
    return found or make_review(app, side)


def _a_review(app, side):
    return {"review_id": _review(app, side)}


def _rated_review(app, side):
    """A review of the twelve questions with every question rated, ready to be marked as complete."""
    from tests.selfreview.support import answer_all

    review_id = _review(app, side)
    answer_all(app, side, review_id)
    return {"review_id": review_id}


def _question(app, side):
    return {"review_id": _review(app, side), "question_key": "tip-01"}


def _answer_form(app, side):
    return {"rating": "amber", "evidence": "Minutes of the safeguarding governors' meeting.", "notes": "", "version": "0"}


def _action(app, side):
    from tests.selfreview.support import make_action

    return {"action_id": make_action(app, side, _review(app, side))}


def _action_form(app, side):
    return {"status": "in_progress", "progress_note": "Photos ordered.", "due_on": ["1", "3", "2099"], "version": "1"}


ENTRIES: list[RouteIsolation] = [
    # Governors read every review of their school: only the others are refused.
    RouteIsolation("selfreview.review", "GET", "governor1", _a_review, refused=NOT_SELF_REVIEW, other_school=OTHER_SCHOOL),
    RouteIsolation("selfreview.plan", "GET", "governor1", _a_review, refused=NOT_SELF_REVIEW, other_school=OTHER_SCHOOL),
    # The twelve questions are the head's to complete: a governor reads them, and is refused a change (403).
    RouteIsolation("selfreview.review_complete", "POST", "head1", _rated_review, refused=NOT_SELF_REVIEW + ("governor1",), other_school=OTHER_SCHOOL),
    RouteIsolation("selfreview.answer", "GET", "head1", _question, refused=NOT_SELF_REVIEW + ("governor1",), other_school=OTHER_SCHOOL),
    RouteIsolation("selfreview.answer", "POST", "head1", _question, refused=NOT_SELF_REVIEW + ("governor1",), data=_answer_form, other_school=OTHER_SCHOOL),
    RouteIsolation("selfreview.action_edit", "GET", "head1", _action, refused=NOT_SELF_REVIEW + ("governor1",), other_school=OTHER_SCHOOL),
    RouteIsolation("selfreview.action_edit", "POST", "head1", _action, refused=NOT_SELF_REVIEW + ("governor1",), data=_action_form, other_school=OTHER_SCHOOL),
]

#: Routes with arguments that are not ids of tenant objects: endpoint -> where their isolation is tested.
EXEMPT: dict[str, str] = {}

#: Pages without an id that only some roles may open: (endpoint, method) -> person keys allowed.
ROLE_GATED_PAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("selfreview.index", "GET"): ("head1", "governor1"),
    # Posted empty (no framework), a head's or a governor's start is a bad request (400), not a refusal.
    ("selfreview.review_new", "POST"): ("head1", "governor1"),
    ("selfreview.compare", "GET"): ("head1", "governor1"),
    ("selfreview.distribution", "GET"): ("admin",),
}
