"""Reporting a post and moderating the network: a member reports a post once (the network lead is told,
by title only); the network lead hides a post with a reason (audited; open reports resolved; the author
told), which then is gone for other members but shown, with its reason, to the lead, and to its author
without the reason; the lead locks and unlocks a thread and resolves reports; a DSL can do none of it."""

from __future__ import annotations

import pytest

from portal.forums.models import ForumPost, ForumReport, ForumThread
from portal.notifications.models import Notification
from tests.admin.pages import field_error, page_text
from tests.forums.support import hide_post, make_category, make_post, make_report, make_thread, name_network_lead
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import load

SECRET = "A sentence only in the reported post."


@pytest.fixture
def network(app, world):
    """Avonford with a network lead (front_door), a thread by dsl1 and a reply by dsl2:
    (thread id, opening post id, reply id)."""
    a = world.a
    name_network_lead(app, a)
    thread_id, opening = make_thread(app, a, make_category(app, a))
    reply = make_post(app, a, thread_id, by="dsl2", body=SECRET)
    return thread_id, opening, reply


def notifications(app, side, key: str) -> list:
    return detached_rows(app, Notification, side.authority_id, user_id=side.people[key].id)


# Reporting -----------------------------------------------------------------------------------------------


def test_a_member_reports_a_post_once_and_the_network_lead_is_told_by_title_only(app, world, network):
    a = world.a
    thread_id, _, reply = network
    head = signed_in_client(app, a.head1)
    page = head.get(f"/network/posts/{reply}/report")
    assert page.status_code == 200 and SECRET in page_text(page) and "Dsl2, Avonford High School" in page_text(page)

    response = head.post(f"/network/posts/{reply}/report", data={"reason": "  "})
    assert response.status_code == 200 and field_error(response, "reason") == "Enter why you are reporting this post"
    assert detached_rows(app, ForumReport, a.authority_id) == []

    response = head.post(f"/network/posts/{reply}/report", data={"reason": "It could identify a pupil in my school."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{reply}")
    [report] = detached_rows(app, ForumReport, a.authority_id)
    assert (report.post_id, report.reported_by_id, report.reason, report.resolved_at) == (reply, a.head1.id, "It could identify a pupil in my school.", None)
    [event] = audit_events(app, a.authority_id, "forum.post_reported")
    assert (event.object_id, event.actor_id, event.details) == (str(reply), a.head1.id, {"thread": str(thread_id), "report": str(report.id)})
    [told] = notifications(app, a, "front_door")
    assert (told.title, told.link, told.body) == ("A post in the DSL network has been reported", "/network/reports", None)
    assert notifications(app, a, "dsl2") == []  # the author is not told who reported them

    again = head.get(f"/network/posts/{reply}/report")
    assert "You already reported this post" in page_text(again) and 'name="reason"' not in again.get_data(as_text=True)
    assert head.post(f"/network/posts/{reply}/report", data={"reason": "Again"}).status_code == 200
    assert len(detached_rows(app, ForumReport, a.authority_id)) == 1


def test_no_one_reports_their_own_post_or_a_hidden_one(app, world, network):
    a = world.a
    _, opening, reply = network
    dsl1 = signed_in_client(app, a.dsl1)
    assert dsl1.get(f"/network/posts/{opening}/report").status_code == 403
    assert dsl1.post(f"/network/posts/{opening}/report", data={"reason": "Mine"}).status_code == 403
    assert audit_events(app, a.authority_id)[-1].details == {"action": "report"}
    hide_post(app, a, reply)
    assert dsl1.get(f"/network/posts/{reply}/report").status_code == 404  # a hidden post is out of sight
    assert detached_rows(app, ForumReport, a.authority_id) == []


# Hiding -------------------------------------------------------------------------------------------------


def test_a_dsl_cannot_hide_a_post_or_lock_a_thread(app, world, network):
    a = world.a
    thread_id, _, reply = network
    for key in ("dsl1", "head1", "assessor"):
        client = signed_in_client(app, a.people[key])
        assert client.get(f"/network/posts/{reply}/hide").status_code == 403, key
        assert client.post(f"/network/posts/{reply}/hide", data={"reason": "Because"}).status_code == 403, key
        assert client.post(f"/network/threads/{thread_id}/lock", data={"reason": "Because"}).status_code == 403, key
        assert audit_events(app, a.authority_id)[-1].details == {"action": "lock"}
        page = client.get(f"/network/threads/{thread_id}")
        assert "/hide" not in page.get_data(as_text=True) and "Lock the thread" not in page_text(page)
    assert load(app, ForumPost, reply, a.authority_id).hidden_at is None
    assert load(app, ForumThread, thread_id, a.authority_id).locked_at is None


def test_the_lead_hides_a_post_with_a_reason_audited_reports_resolved_and_the_author_told(app, world, network):
    a = world.a
    thread_id, _, reply = network
    report = make_report(app, a, reply, by="head1", reason="Names a pupil")
    lead = signed_in_client(app, a.front_door)
    assert f"/network/posts/{reply}/hide" in lead.get(f"/network/threads/{thread_id}").get_data(as_text=True)
    page = lead.get(f"/network/posts/{reply}/hide")
    assert SECRET in page_text(page) and "Head1, " in page_text(page) and "Names a pupil" in page_text(page)

    response = lead.post(f"/network/posts/{reply}/hide", data={"reason": ""})
    assert response.status_code == 200 and field_error(response, "reason") == "Enter why you are hiding this post"
    response = lead.post(f"/network/posts/{reply}/hide", data={"reason": "It could identify a child."})
    assert response.status_code == 302
    post = load(app, ForumPost, reply, a.authority_id)
    assert (post.hidden_by_id, post.hidden_reason) == (a.front_door.id, "It could identify a child.") and post.hidden_at is not None
    [event] = audit_events(app, a.authority_id, "forum.post_hidden")
    assert (event.object_id, event.actor_id) == (str(reply), a.front_door.id)
    assert event.details == {"thread": str(thread_id), "reason_length": len("It could identify a child."), "reports_resolved": [str(report)]}
    assert all("It could identify a child" not in str(e.details) for e in audit_events(app, a.authority_id))
    [resolved] = detached_rows(app, ForumReport, a.authority_id)
    assert (resolved.outcome, resolved.resolved_by_id) == ("hidden", a.front_door.id) and resolved.resolved_at is not None
    [told] = notifications(app, a, "dsl2")
    assert (told.title, told.link) == ("A moderator has hidden one of your posts in the DSL network", f"/network/threads/{thread_id}")
    assert SECRET not in told.title and "identify" not in told.title

    # Hiding it again: already hidden.
    assert lead.get(f"/network/posts/{reply}/hide").status_code == 302


def test_a_hidden_post_is_gone_for_other_members_shown_with_its_reason_to_the_lead_and_without_it_to_its_author(app, world, network):
    a = world.a
    thread_id, opening, reply = network
    make_post(app, a, thread_id, by="head1", body="A later reply.")
    hide_post(app, a, reply, reason="Off topic and unkind.")

    for key in ("dsl1", "head1", "assessor"):
        text = page_text(signed_in_client(app, a.people[key]).get(f"/network/threads/{thread_id}"))
        assert SECRET not in text and "Hidden by a moderator" not in text and "Off topic" not in text, key
        assert "A later reply." in text

    lead_page = page_text(signed_in_client(app, a.front_door).get(f"/network/threads/{thread_id}"))
    assert f"Hidden by a moderator: Off topic and unkind. {SECRET}" in lead_page
    assert "Show again" in lead_page

    author = page_text(signed_in_client(app, a.dsl2).get(f"/network/threads/{thread_id}"))
    assert "This post was hidden by a moderator." in author and SECRET in author
    assert "Off topic" not in author


def test_the_lead_shows_a_hidden_post_again(app, world, network):
    a = world.a
    thread_id, _, reply = network
    hide_post(app, a, reply)
    assert signed_in_client(app, a.dsl1).post(f"/network/posts/{reply}/unhide").status_code == 404  # out of their sight
    assert signed_in_client(app, a.dsl2).post(f"/network/posts/{reply}/unhide").status_code == 403  # their own, but not a moderator
    response = signed_in_client(app, a.front_door).post(f"/network/posts/{reply}/unhide")
    assert response.status_code == 302
    post = load(app, ForumPost, reply, a.authority_id)
    assert (post.hidden_at, post.hidden_by_id, post.hidden_reason) == (None, None, None)
    [event] = audit_events(app, a.authority_id, "forum.post_unhidden")
    assert (event.object_id, event.actor_id) == (str(reply), a.front_door.id)
    assert SECRET in page_text(signed_in_client(app, a.dsl1).get(f"/network/threads/{thread_id}"))


# Locking ------------------------------------------------------------------------------------------------


def test_the_lead_locks_a_thread_with_a_reason_and_unlocks_it(app, world, network):
    a = world.a
    thread_id, _, _ = network
    lead = signed_in_client(app, a.front_door)
    response = lead.post(f"/network/threads/{thread_id}/lock", data={"reason": " "})
    assert response.status_code == 200 and field_error(response, "reason") == "Enter why you are locking this thread"
    assert load(app, ForumThread, thread_id, a.authority_id).locked_at is None

    assert lead.post(f"/network/threads/{thread_id}/lock", data={"reason": "The question has been answered."}).status_code == 302
    thread = load(app, ForumThread, thread_id, a.authority_id)
    assert (thread.locked_by_id, thread.lock_reason) == (a.front_door.id, "The question has been answered.") and thread.locked_at is not None
    [event] = audit_events(app, a.authority_id, "forum.thread_locked")
    assert (event.object_id, event.actor_id, event.details) == (str(thread_id), a.front_door.id, {"reason_length": len("The question has been answered.")})
    assert all("The question has been answered" not in str(e.details) for e in audit_events(app, a.authority_id))
    text = page_text(lead.get(f"/network/threads/{thread_id}"))
    assert "This thread is locked." in text and "Reason (only moderators see it): The question has been answered." in text
    assert "Unlock the thread" in text
    assert "Locked" in page_text(lead.get(f"/network/categories/{load(app, ForumThread, thread_id, a.authority_id).category_id}"))

    assert signed_in_client(app, a.dsl1).post(f"/network/threads/{thread_id}/unlock").status_code == 403
    assert lead.post(f"/network/threads/{thread_id}/unlock").status_code == 302
    thread = load(app, ForumThread, thread_id, a.authority_id)
    assert (thread.locked_at, thread.locked_by_id, thread.lock_reason) == (None, None, None)
    assert [e.actor_id for e in audit_events(app, a.authority_id, "forum.thread_unlocked")] == [a.front_door.id]
    assert 'name="body"' in signed_in_client(app, a.dsl2).get(f"/network/threads/{thread_id}").get_data(as_text=True)


# The reports page ------------------------------------------------------------------------------------------


def test_the_lead_sees_open_reports_and_resolves_one_with_no_action(app, world, network):
    a = world.a
    thread_id, opening, reply = network
    first = make_report(app, a, reply, by="head1", reason="Could identify a child")
    make_report(app, a, opening, by="dsl2", reason="Off topic")
    lead = signed_in_client(app, a.front_door)
    page = lead.get("/network/reports")
    text = page_text(page)
    assert "Post by Dsl2" in text and "Year 6 group chats" in text and "Head1 Could identify a child" in text
    assert "Post by Dsl1" in text and "Dsl2 Off topic" in text
    assert f"/network/threads/{thread_id}#post-{reply}" in page.get_data(as_text=True)

    for key in ("dsl1", "staff1", "partner"):
        assert signed_in_client(app, a.people[key]).get("/network/reports").status_code == 403, key
    assert signed_in_client(app, a.head1).post(f"/network/reports/{first}/resolve", data={"outcome": "no action"}).status_code == 403  # the reporter
    assert signed_in_client(app, a.dsl1).post(f"/network/reports/{first}/resolve", data={"outcome": "no action"}).status_code == 404

    assert lead.post(f"/network/reports/{first}/resolve", data={"outcome": "deleted"}).status_code == 400
    response = lead.post(f"/network/reports/{first}/resolve", data={"outcome": "no action"})
    assert response.status_code == 302 and response.headers["Location"] == "/network/reports"
    resolved = load(app, ForumReport, first, a.authority_id)
    assert (resolved.outcome, resolved.resolved_by_id) == ("no action", a.front_door.id)
    [event] = audit_events(app, a.authority_id, "forum.report_resolved")
    assert (event.object_id, event.details) == (str(first), {"post": str(reply), "outcome": "no action"})
    text = page_text(lead.get("/network/reports"))
    assert "Could identify a child" not in text and "Off topic" in text
    assert "Reported posts (1 to look at)" in page_text(lead.get("/network"))
    assert load(app, ForumPost, reply, a.authority_id).hidden_at is None


def test_another_authoritys_reports_are_not_counted_or_listed(app, world, network):
    a, b = world.a, world.b
    name_network_lead(app, b)
    thread_b, post_b = make_thread(app, b, make_category(app, b), title="Brackley thread")
    make_report(app, b, post_b, by="dsl2", reason="Brackley report")
    lead = signed_in_client(app, a.front_door)
    assert "Reported posts (0 to look at)" in page_text(lead.get("/network"))
    text = page_text(lead.get("/network/reports"))
    assert "Brackley" not in text and "There are no reports to look at." in text
