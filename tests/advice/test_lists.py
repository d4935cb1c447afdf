"""The front door's queue and the school's list: order, tabs, keyset pagination, and a query count that
does not grow with the number of requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.advice.models import AdviceOutcome, AdviceStatus
from portal.advice.views import PAGE_SIZE
from portal.clock import utcnow
from portal.vocabulary import Urgency
from tests.admin.pages import page_text
from tests.factories import make_pupil
from tests.support import page_queries

QUEUE = "/front-door/advice"


def _add(app, side, specs) -> list:
    """Insert requests in one go: each spec is a dict of AdviceRequest fields (school key, minutes ago...)."""
    from portal.advice.models import AdviceRequest
    from portal.extensions import db
    from tenants.context import tenant_scope

    now = utcnow()
    with app.app_context(), tenant_scope(side.authority_id):
        made = []
        for spec in specs:
            spec = dict(spec)
            school = spec.pop("school", "school1")
            ago = spec.pop("ago", 60)
            values = {"question": "Should we refer?", "categories": ["neglect"], "requested_by_id": side.dsl1.id if school == "school1" else side.dsl2.id}
            values.update(spec)
            advice = AdviceRequest(organisation_id=getattr(side, school), created_at=now - timedelta(minutes=ago), **values)
            db.session.add(advice)
            made.append(advice)
        db.session.commit()
        return [a.id for a in made]


def _listed(response) -> list[str]:
    """The ids of the requests linked from the table, in order."""
    markup = response.get_data(as_text=True)
    body = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', markup, re.S)
    return re.findall(r'href="/advice/([0-9a-f-]{36})"', body.group(1)) if body else []


def _next(response) -> str | None:
    match = re.search(r'<div class="govuk-pagination__next">\s*<a[^>]*href="([^"]+)"', response.get_data(as_text=True))
    return match.group(1).replace("&amp;", "&") if match else None


def _all_pages(client, url) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(_listed(response))
        url = _next(response)
    return pages


def test_waiting_queue_is_urgent_first_then_oldest_first(app, world, signed_in):
    """Are waiting requests of every school listed urgent first, then by how long they have waited, with
    their school, whether a child is named, the kinds of harm and their age?"""
    pupil_id = make_pupil(app, world.a)
    routine_old, urgent_new, routine_new, urgent_old = _add(
        app,
        world.a,
        [
            {"ago": 180},
            {"ago": 10, "urgency": Urgency.TODAY, "school": "school2"},
            {"ago": 60, "pupil_id": pupil_id},
            {"ago": 120, "urgency": Urgency.TODAY, "categories": ["online_harm", "child_on_child"]},
        ],
    )
    response = signed_in(world.a.front_door).get(QUEUE)
    assert _listed(response) == [str(urgent_old), str(urgent_new), str(routine_old), str(routine_new)]
    text = page_text(response)
    assert "Asked 2 hours ago" in text and "Asked 10 minutes ago" in text and "Asked 3 hours ago" in text
    assert "Avonford High School" in text and "Avonford Primary School" in text
    assert "Online harm, Child-on-child abuse" in text
    assert text.count("No child named") == 3 and "Named" in text
    assert "Jordan" not in text  # the queue says a child is named, not who
    assert "Waiting (4)" in text and "Being looked at (0)" in text


def test_taken_and_answered_tabs(app, world, signed_in, front_door2):
    """Does the "being looked at" tab say who has each request, and the answered tab the outcome, most
    recently answered first?"""
    now = utcnow()
    taken, first, second = _add(
        app,
        world.a,
        [
            {"status": AdviceStatus.TAKEN, "taken_by_id": front_door2.id, "taken_at": now},
            {
                "status": AdviceStatus.ANSWERED,
                "outcome": AdviceOutcome.EARLY_HELP,
                "answer": "Early help.",
                "answered_at": now - timedelta(hours=2),
                "answered_by_id": front_door2.id,
            },
            {
                "status": AdviceStatus.ANSWERED,
                "outcome": AdviceOutcome.ADVICE_GIVEN,
                "answer": "Advice.",
                "answered_at": now - timedelta(hours=1),
                "answered_by_id": world.a.front_door.id,
            },
        ],
    )
    officer = signed_in(world.a.front_door)
    being_looked_at = officer.get(f"{QUEUE}?status=taken")
    assert _listed(being_looked_at) == [str(taken)]
    assert "Sam Second" in page_text(being_looked_at)
    answered = officer.get(f"{QUEUE}?status=answered")
    assert _listed(answered) == [str(second), str(first)]
    assert "Advice given" in page_text(answered) and "Refer to early help" in page_text(answered)
    assert _listed(officer.get(QUEUE)) == []
    assert "No requests are waiting." in page_text(officer.get(QUEUE))


def test_queue_pages_by_keyset_across_urgency_and_equal_times(app, world, signed_in):
    """Does the queue page through every request exactly once, in order, where a page ends among urgent
    requests asked at the same moment and the next page goes on to routine ones?"""
    specs = [{"ago": 500 - i, "urgency": Urgency.TODAY} for i in range(PAGE_SIZE - 1)]
    specs += [{"ago": 100, "urgency": Urgency.TODAY}, {"ago": 100, "urgency": Urgency.TODAY}]  # the same moment, across the page end
    specs += [{"ago": 90 - i} for i in range(4)]
    ids = _add(app, world.a, specs)
    pages = _all_pages(signed_in(world.a.front_door), QUEUE)
    assert [len(p) for p in pages] == [PAGE_SIZE, len(ids) - PAGE_SIZE]
    listed = [i for page in pages for i in page]
    assert len(set(listed)) == len(ids)
    assert listed[: PAGE_SIZE - 1] == [str(i) for i in ids[: PAGE_SIZE - 1]]
    assert set(listed[PAGE_SIZE - 1 : PAGE_SIZE + 1]) == {str(ids[PAGE_SIZE - 1]), str(ids[PAGE_SIZE])}
    assert listed[PAGE_SIZE + 1 :] == [str(i) for i in ids[PAGE_SIZE + 1 :]]


def test_school_list_is_newest_first_paged_and_only_its_own(app, world, signed_in):
    """Does the DSL's list show only their school's requests, newest first, page by page, with status and outcome?"""
    ours = _add(app, world.a, [{"ago": 1000 - i} for i in range(PAGE_SIZE + 3)])
    answered = _add(
        app, world.a, [{"ago": 1, "status": AdviceStatus.ANSWERED, "outcome": AdviceOutcome.NO_FURTHER_ACTION, "answer": "NFA", "answered_at": utcnow()}]
    )
    theirs = _add(app, world.a, [{"ago": 5, "school": "school2"}])
    dsl = signed_in(world.a.dsl1)
    first = dsl.get("/advice")
    assert "Answered" in page_text(first) and "No further action" in page_text(first)
    listed = [i for page in _all_pages(dsl, "/advice") for i in page]
    assert listed == [str(i) for i in answered + list(reversed(ours))]
    assert str(theirs[0]) not in listed
    assert _listed(signed_in(world.a.dsl2).get("/advice")) == [str(theirs[0])]


def test_a_dsl_of_two_schools_chooses_the_school(app, world, signed_in):
    """Can a DSL who holds two schools' casework switch the list between them?"""
    from tests.world import add_membership

    add_membership(app, world.a.dsl1, "dsl", world.a.school2)
    [ours] = _add(app, world.a, [{}])
    [theirs] = _add(app, world.a, [{"school": "school2"}])
    dsl = signed_in(world.a.dsl1)
    assert _listed(dsl.get(f"/advice?school={world.a.school1}")) == [str(ours)]
    assert _listed(dsl.get(f"/advice?school={world.a.school2}")) == [str(theirs)]


def _queries(app, client, url) -> int:
    client.get(url)  # warm up (caches, first-request work)
    return page_queries(app, client, url)[0]


@pytest.mark.parametrize("status", ["waiting", "taken", "answered"])
def test_queue_queries_do_not_grow_with_requests(app, world, signed_in, front_door2, status):
    """Does a page of the queue take the same number of queries with 3 requests as with 40 (no query per row)?"""
    pupil_id = make_pupil(app, world.a)
    now = utcnow()
    extra = {
        "waiting": {},
        "taken": {"status": AdviceStatus.TAKEN, "taken_at": now},
        "answered": {"status": AdviceStatus.ANSWERED, "outcome": AdviceOutcome.ADVICE_GIVEN, "answer": "Advice.", "answered_at": now},
    }[status]
    officers = [world.a.front_door.id, front_door2.id]

    def specs(n, offset):
        out = []
        for i in range(n):
            spec = {"ago": offset + i, "school": ("school1", "school2")[i % 2], "pupil_id": pupil_id if i % 3 == 0 else None, **extra}
            if status != "waiting":
                spec["taken_by_id" if status == "taken" else "answered_by_id"] = officers[i % 2]
            out.append(spec)
        return out

    officer = signed_in(world.a.front_door)
    _add(app, world.a, specs(3, 0))
    with_3 = _queries(app, officer, f"{QUEUE}?status={status}")
    _add(app, world.a, specs(37, 10))
    with_40 = _queries(app, officer, f"{QUEUE}?status={status}")
    assert with_40 == with_3


def test_school_list_queries_do_not_grow_with_requests(app, world, signed_in):
    """Does the school's list take the same number of queries with 3 requests as with 40?"""
    pupil_id = make_pupil(app, world.a)
    dsl = signed_in(world.a.dsl1)
    _add(app, world.a, [{"ago": i, "pupil_id": pupil_id if i % 2 else None} for i in range(3)])
    with_3 = _queries(app, dsl, "/advice")
    _add(app, world.a, [{"ago": 10 + i, "pupil_id": pupil_id if i % 2 else None} for i in range(37)])
    assert _queries(app, dsl, "/advice") == with_3


def test_opening_the_queue_and_the_school_list_is_audited(app, world, signed_in):
    """Both lists can name children: is each opening recorded with who opened it and how many were shown?"""
    from tests.support import audit_events

    _add(app, world.a, [{"ago": 30}, {"ago": 20}, {"ago": 10}])
    assert signed_in(world.a.front_door).get(QUEUE).status_code == 200
    assert signed_in(world.a.dsl1).get("/advice").status_code == 200
    events = [e for e in audit_events(app, world.a.authority_id, "record.viewed") if e.object_type in {"advice_queue", "advice_list"}]
    assert [(e.object_type, e.actor_id, e.details["shown"]) for e in events] == [
        ("advice_queue", world.a.front_door.id, 3),
        ("advice_list", world.a.dsl1.id, 3),
    ]


def test_a_tampered_cursor_shows_the_first_page(app, world, signed_in):
    """Does a "next page" cursor with values of the wrong kind show the first page instead of failing?"""
    from portal.pagination import encode_cursor

    _add(app, world.a, [{"ago": 30}])
    officer = signed_in(world.a.front_door)
    for cursor in (encode_cursor("x", "y", "z"), encode_cursor("1", "not a date", "z"), "%%%"):
        assert officer.get(f"{QUEUE}?after={cursor}").status_code == 200
        assert officer.get(f"{QUEUE}?status=answered&after={cursor}").status_code == 200
    dsl = signed_in(world.a.dsl1)
    assert dsl.get(f"/advice?after={encode_cursor('x', 'y')}").status_code == 200
