"""Following categories and threads, and who is told about a new post: followers of the thread and of its
category who are still in the network (never the author), and members mentioned with ``@Full Name`` (once
each; an unknown name or someone outside the network, nobody). In-app only, a fixed title and a link to
the thread: never what the post says."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from portal.forums.models import ForumGuest, ForumSubscription
from tests.admin.pages import page_text
from tests.factories import _scope
from tests.forums.support import invite_guest, make_category, make_post, make_thread
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import create_user

NEW_THREAD = "New thread in a category you follow"
NEW_REPLY = "New reply in a thread you follow"
NEW_REPLY_IN_CATEGORY = "New reply in a category you follow"
MENTIONED = "You were mentioned in a post"


def follow(app, side, key: str, *, category_id=None, thread_id=None) -> uuid.UUID:
    """``key`` follows a category or a thread (as the Follow button would make it)."""
    from portal.extensions import db

    with _scope(app, side, side.people[key]):
        row = ForumSubscription(user_id=side.people[key].id, category_id=category_id, thread_id=thread_id)
        db.session.add(row)
        db.session.commit()
        return row.id


def posted(app, side, post_id) -> None:
    """What the posting page does after saving a post: ``notify.post_created``, committed with it."""
    from portal.extensions import db
    from portal.forums import notify
    from portal.forums.models import ForumPost, ForumThread

    with _scope(app, side):
        post = db.session.execute(select(ForumPost).where(ForumPost.id == post_id)).scalar_one()
        thread = db.session.execute(select(ForumThread).where(ForumThread.id == post.thread_id)).scalar_one()
        notify.post_created(post, thread, actor_id=post.author_id)
        db.session.commit()


def told(app, side, person) -> list[tuple[str, str | None, str | None]]:
    """(title, body, link) of each of ``person``'s notifications, oldest first."""
    from portal.extensions import db
    from portal.notifications.models import Notification

    with _scope(app, side):
        rows = db.session.execute(select(Notification).where(Notification.user_id == person.id).order_by(Notification.created_at)).scalars().all()
        return [(n.title, n.body, n.link) for n in rows]


def titles(app, side, person) -> list[str]:
    return [title for title, _body, _link in told(app, side, person)]


# Following ------------------------------------------------------------------------------------------


def test_a_member_follows_a_category_and_a_thread_and_stops(app, world):
    a = world.a
    category = make_category(app, a, "Online safety")
    thread_id, _post = make_thread(app, a, category, title="Year 6 group chats")
    head = signed_in_client(app, a.head1)

    response = head.post(f"/network/categories/{category}/subscribe")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/network/categories/{category}")
    assert head.post(f"/network/categories/{category}/subscribe").status_code == 302  # twice: still one
    assert head.post(f"/network/threads/{thread_id}/subscribe").headers["Location"].endswith(f"/network/threads/{thread_id}")
    rows = detached_rows(app, ForumSubscription, a.authority_id, user_id=a.head1.id)
    assert sorted((r.category_id, r.thread_id) for r in rows if r.category_id) == [(category, None)]
    assert [r.thread_id for r in rows if r.thread_id] == [thread_id]
    assert len(audit_events(app, a.authority_id, "forum.subscribed")) == 2

    page = page_text(head.get("/network/subscriptions"))
    assert "Categories you follow Category Action Online safety Stop following Online safety" in page
    assert "Threads you follow" in page and "Year 6 group chats Online safety" in page and "Stop following Year 6 group chats" in page

    [mine] = [r for r in rows if r.thread_id]
    # Nobody else may stop it for them (404: they cannot see it), and it stays.
    assert signed_in_client(app, a.dsl2).post(f"/network/subscriptions/{mine.id}/delete").status_code == 404
    assert signed_in_client(app, world.b.head1).post(f"/network/subscriptions/{mine.id}/delete").status_code == 404
    response = head.post(f"/network/subscriptions/{mine.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/network/subscriptions")
    assert [r.thread_id for r in detached_rows(app, ForumSubscription, a.authority_id, user_id=a.head1.id) if r.thread_id] == []
    assert [e.object_id for e in audit_events(app, a.authority_id, "forum.unsubscribed")] == [str(mine.id)]
    assert "You do not follow any threads." in page_text(head.get("/network/subscriptions"))


def test_people_outside_the_network_cannot_follow(app, world):
    a = world.a
    category = make_category(app, a)
    thread_id, _post = make_thread(app, a, category)
    for key in ("partner", "staff1", "governor1"):
        client = signed_in_client(app, a.people[key])
        assert client.post(f"/network/categories/{category}/subscribe").status_code == 404, key
        assert client.post(f"/network/threads/{thread_id}/subscribe").status_code == 404, key
        assert client.get("/network/subscriptions").status_code == 403, key
    assert detached_rows(app, ForumSubscription, a.authority_id) == []


# Who is told about a new post -------------------------------------------------------------------------


def test_followers_are_told_and_the_author_is_not(app, world):
    a = world.a
    category = make_category(app, a, "Online safety")
    follow(app, a, "head1", category_id=category)
    thread_id, opening = make_thread(app, a, category, by="dsl1", title="Year 6 group chats", body="Group chats that start at home spill into school.")
    posted(app, a, opening)

    # Starting a thread follows it; the category's follower hears of a new thread.
    assert [(r.user_id, r.thread_id) for r in detached_rows(app, ForumSubscription, a.authority_id, thread_id=thread_id)] == [(a.dsl1.id, thread_id)]
    [(title, body, link)] = told(app, a, a.head1)
    assert (title, body, link) == (NEW_THREAD, None, f"/network/threads/{thread_id}#post-{opening}")
    assert told(app, a, a.dsl1) == []

    reply = make_post(app, a, thread_id, by="dsl2", body="We ask parents about WhatsApp at the Year 6 meeting.")
    posted(app, a, reply)
    assert titles(app, a, a.dsl1) == [NEW_REPLY]  # the thread's author follows it
    assert titles(app, a, a.head1) == [NEW_THREAD, NEW_REPLY_IN_CATEGORY]
    assert titles(app, a, a.dsl2) == []  # their own reply
    assert told(app, a, a.dsl1)[0][2] == f"/network/threads/{thread_id}#post-{reply}"

    # Replying follows the thread: the next reply tells the first replier too (once, although they
    # follow nothing else), and nobody who does not follow it.
    posted(app, a, make_post(app, a, thread_id, by="front_door", body="The police schools officer can help."))
    assert titles(app, a, a.dsl2) == [NEW_REPLY]
    assert titles(app, a, a.dsl1) == [NEW_REPLY, NEW_REPLY]
    for key in ("assessor", "staff1", "governor1", "partner", "admin"):
        assert told(app, a, a.people[key]) == [], key


def test_no_notification_carries_the_text_of_the_post_and_none_is_emailed(app, world, mailbox):
    from jobs.models import OutboxJob
    from portal.notifications.models import Notification

    a = world.a
    category = make_category(app, a)
    follow(app, a, "head1", category_id=category)
    create_user(app, a.authority_id, "jo.williams@avonford.example.org", "dsl", a.school2, full_name="Jo Williams")
    body = "Jordan Example in Year 6 was upset by the group chat. @Jo Williams could you call me?"
    thread_id, opening = make_thread(app, a, category, by="dsl1", title="A thread", body=body)
    posted(app, a, opening)
    rows = detached_rows(app, Notification, a.authority_id)
    assert len(rows) == 2
    for row in rows:
        assert row.title in {NEW_THREAD, MENTIONED} and row.body is None
        assert "Jordan" not in row.title and "group chat" not in row.title and "upset" not in row.title
        assert row.emailed_at is None
    assert [j for j in detached_rows(app, OutboxJob, a.authority_id) if j.name == "notifications.email_notification"] == []
    assert mailbox() == []


def test_a_partner_removed_from_the_network_and_someone_outside_it_hear_nothing(app, world):
    from portal.extensions import db

    a = world.a
    category = make_category(app, a)
    guest = invite_guest(app, a, "partner")
    follow(app, a, "partner", category_id=category)
    follow(app, a, "staff1", category_id=category)  # a row from before: staff are not in the network
    thread_id, opening = make_thread(app, a, category, by="dsl1")
    posted(app, a, opening)
    assert titles(app, a, a.partner) == [NEW_THREAD]  # invited: in the network

    with _scope(app, a, a.front_door):
        db.session.delete(db.session.execute(select(ForumGuest).where(ForumGuest.id == guest)).scalar_one())
        db.session.commit()
    posted(app, a, make_post(app, a, thread_id, by="dsl2"))
    assert titles(app, a, a.partner) == [NEW_THREAD]  # nothing since the invitation was removed
    assert told(app, a, a.staff1) == []


def test_a_mention_tells_the_member_once_and_an_unknown_name_or_a_non_member_nobody(app, world):
    a = world.a
    category = make_category(app, a)
    jo_williams = create_user(app, a.authority_id, "jo.williams@avonford.example.org", "dsl", a.school2, full_name="Jo Williams")
    jo = create_user(app, a.authority_id, "jo@avonford.example.org", "head", a.school2, full_name="Jo")
    sam = create_user(app, a.authority_id, "sam.patel@avonford.example.org", "partner", a.police, full_name="Sam Patel")  # not invited
    thread_id, opening = make_thread(app, a, category, by="dsl1")
    posted(app, a, opening)
    follow(app, a, "head1", thread_id=thread_id)

    body = (
        "Thanks @jo williams, and @Jo Williams again. @Sam Patel may know, @Nobody Here does not.\n"
        f"> @{a.head1.full_name} wrote this before\n"
        "Write to jo@avonford.example.org or @ Jo."
    )
    posted(app, a, make_post(app, a, thread_id, by="dsl2", body=body))
    assert titles(app, a, jo_williams) == [MENTIONED]  # once, although named twice
    assert titles(app, a, jo) == []  # "@Jo Williams" is the longer name; an email address and "@ Jo" are not mentions
    assert titles(app, a, sam) == []  # not in the network
    assert titles(app, a, a.head1) == [NEW_REPLY]  # a quoted line mentions nobody again: they hear as a follower

    posted(app, a, make_post(app, a, thread_id, by="dsl2", body=f"@JO, and @{a.head1.full_name}: see above."))
    assert titles(app, a, jo) == [MENTIONED]
    assert titles(app, a, a.head1) == [NEW_REPLY, MENTIONED]  # mentioned: that notification only, not both
    posted(app, a, make_post(app, a, thread_id, by="dsl1", body="@Dsl1 talking to myself"))
    assert MENTIONED not in titles(app, a, a.dsl1)


def test_mentions_and_followers_stay_in_their_authority(app, world):
    a, b = world.a, world.b
    b_category = make_category(app, b)
    follow(app, b, "head1", category_id=b_category)
    category = make_category(app, a)
    follow(app, a, "head1", category_id=category)
    thread_id, opening = make_thread(app, a, category, by="dsl1", body=f"Has anyone spoken to @{b.dsl2.full_name}?")
    posted(app, a, opening)
    assert titles(app, a, a.head1) == [NEW_THREAD]
    assert titles(app, a, a.dsl2) == [MENTIONED]  # the member of this authority with that name
    assert told(app, b, b.dsl2) == [] and told(app, b, b.head1) == []


def test_starting_a_thread_and_replying_on_the_network_pages_follow_it_and_tell_the_followers(app, world):
    """Through the posting pages themselves: a new thread tells the category's followers, and a reply
    (which makes its author a follower) tells the thread's."""
    a = world.a
    category = make_category(app, a, "Online safety")
    follow(app, a, "head1", category_id=category)
    response = signed_in_client(app, a.dsl1).post(
        f"/network/categories/{category}/threads/new", data={"title": "Year 6 group chats", "body": "How do other schools handle them?", "post": "Post"}
    )
    assert response.status_code == 302
    [started] = detached_rows(app, ForumSubscription, a.authority_id, user_id=a.dsl1.id)
    assert titles(app, a, a.head1) == [NEW_THREAD]

    response = signed_in_client(app, a.dsl2).post(
        f"/network/threads/{started.thread_id}/replies", data={"body": f"@{a.head1.full_name} we ask parents.", "post": "Post"}
    )
    assert response.status_code == 302
    assert titles(app, a, a.dsl1) == [NEW_REPLY]
    assert titles(app, a, a.head1) == [NEW_THREAD, MENTIONED]
    assert [r.thread_id for r in detached_rows(app, ForumSubscription, a.authority_id, user_id=a.dsl2.id)] == [started.thread_id]
    assert told(app, a, a.dsl2) == []


def test_a_mention_added_by_editing_a_post_tells_the_person_then_and_once(app, world):
    from tests.forums.support import hide_post, name_network_lead

    a = world.a
    sam = create_user(app, a.authority_id, "sam.patel@avonford.example.org", "partner", a.police, full_name="Sam Patel")  # not invited
    thread_id, opening = make_thread(app, a, make_category(app, a), by="dsl1")
    dsl1 = signed_in_client(app, a.dsl1)
    body = f"Any thoughts @{a.head1.full_name}? (@{a.dsl1.full_name}, @Sam Patel)"
    assert dsl1.post(f"/network/posts/{opening}/edit", data={"body": body, "version": "1", "post": "Save changes"}).status_code == 302
    assert titles(app, a, a.head1) == [MENTIONED]
    assert told(app, a, a.head1)[0][2] == f"/network/threads/{thread_id}#post-{opening}"
    assert titles(app, a, a.dsl1) == [] and titles(app, a, sam) == []  # not the editor; not someone outside the network

    body = f"Any thoughts @{a.head1.full_name} or @{a.dsl2.full_name}?"
    assert dsl1.post(f"/network/posts/{opening}/edit", data={"body": body, "version": "2", "post": "Save changes"}).status_code == 302
    assert titles(app, a, a.head1) == [MENTIONED]  # mentioned before: not told again
    assert titles(app, a, a.dsl2) == [MENTIONED]

    # Where the opening post is hidden, only the people who may still see the thread hear.
    name_network_lead(app, a, "front_door")
    thread_id, opening = make_thread(app, a, make_category(app, a, "Attendance"), by="dsl1")
    reply = make_post(app, a, thread_id, by="dsl1", body="More to follow.")
    hide_post(app, a, opening)
    body = f"Could @{a.assessor.full_name} or @{a.front_door.full_name} look?"
    assert dsl1.post(f"/network/posts/{reply}/edit", data={"body": body, "version": "1", "post": "Save changes"}).status_code == 302
    assert titles(app, a, a.assessor) == [] and MENTIONED in titles(app, a, a.front_door)
