"""A thread whose opening post the network lead hid takes its title out of sight with it: for everyone but
the lead and the thread's author it is gone from the category, the index's "latest", search, the
subscriptions page and the daily digest, and its page is not found (audited). Showing the post again brings
the thread back."""

from __future__ import annotations

import pytest

from portal.clock import travel
from portal.forums.models import ForumPost
from tests.admin.pages import page_text
from tests.forums.support import hide_post, make_category, make_post, make_thread, name_network_lead
from tests.forums.test_subscriptions import follow
from tests.jobs.test_forum_digest import MORNING, _at, _emails, _tick
from tests.support import audit_events, detached_rows, signed_in_client

TITLE = "Jordan Example in Year 6"


def _pages(client, category_id) -> dict[str, str]:
    return {
        "category": page_text(client.get(f"/network/categories/{category_id}")),
        "index": page_text(client.get("/network")),
        "search": page_text(client.get("/network/search?q=Year+6")),
        "subscriptions": page_text(client.get("/network/subscriptions")),
    }


@pytest.fixture
def on_the_day():
    """The thread is started at 9am on the day of the digest's posts, before the reply at 10am."""
    with travel(_at(9), tick=True):
        yield


def test_a_thread_whose_opening_post_is_hidden_is_gone_for_others_until_shown_again(on_the_day, app, world, mailbox):
    a = world.a
    name_network_lead(app, a, "front_door")
    category_id = make_category(app, a)
    older, _ = make_thread(app, a, category_id, by="head1", title="Attendance letters", body="Older thread.")
    thread_id, opening = make_thread(app, a, category_id, by="dsl1", title=TITLE, body="About a pupil in Year 6.")
    follow(app, a, "dsl2", thread_id=thread_id)
    follow(app, a, "front_door", thread_id=thread_id)
    make_post(app, a, thread_id, by="head1", body="A reply in Year 6.", created_at=_at(10))
    hide_post(app, a, opening)

    dsl2 = signed_in_client(app, a.dsl2)  # the DSL of another school
    for name, text in _pages(dsl2, category_id).items():
        assert TITLE not in text, name
    assert "Attendance letters" in _pages(dsl2, category_id)["category"]  # the category's other threads stay
    assert dsl2.get(f"/network/threads/{thread_id}").status_code == 404
    event = audit_events(app, a.authority_id)[-1]
    assert (event.action, event.object_type, event.object_id, event.actor_id) == ("access.not_found", "forum_thread", str(thread_id), a.dsl2.id)

    for key in ("front_door", "dsl1"):  # the network lead, and the thread's author
        client = signed_in_client(app, a.people[key])
        pages = _pages(client, category_id)
        assert TITLE in pages["category"] and TITLE in pages["index"] and TITLE in pages["search"], key
        assert client.get(f"/network/threads/{thread_id}").status_code == 200

    _tick(app, MORNING)  # the digest of the day of the reply: for the lead only
    emails = _emails(mailbox)
    assert a.dsl2.email not in emails and TITLE in emails[a.front_door.email][1]

    lead, dsl2 = signed_in_client(app, a.front_door), signed_in_client(app, a.dsl2)
    assert lead.post(f"/network/posts/{opening}/unhide").status_code == 302
    assert detached_rows(app, ForumPost, a.authority_id, id=opening)[0].hidden_at is None
    for name, text in _pages(dsl2, category_id).items():
        assert TITLE in text, name
    assert dsl2.get(f"/network/threads/{thread_id}").status_code == 200


def test_hiding_a_reply_leaves_the_thread_in_sight(app, world):
    a = world.a
    name_network_lead(app, a, "front_door")
    category_id = make_category(app, a)
    thread_id, _opening = make_thread(app, a, category_id, by="dsl1", title=TITLE)
    hide_post(app, a, make_post(app, a, thread_id, by="head1"))
    dsl2 = signed_in_client(app, a.dsl2)
    assert TITLE in page_text(dsl2.get(f"/network/categories/{category_id}"))
    assert dsl2.get(f"/network/threads/{thread_id}").status_code == 200
