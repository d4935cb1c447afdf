"""Replies, quotes, editing with the history kept, and the identifiable-child check before a post is saved:
a reply is audited (never its text) and tells subscribers; a quote shows the quoted post as it is now (or
that it is no longer available), and only a post of the same thread can be quoted; a locked thread takes no
reply; only the author edits a post, a stale edit is refused with what changed, and the history is the
author's and the moderators'; a post that may identify a child is stopped until changed or confirmed."""

from __future__ import annotations

import html
import re

import pytest

from portal.forums.models import ForumPost, ForumPostRevision, ForumThread
from tests.admin.pages import field_error, input_value, page_text
from tests.factories import make_pupil
from tests.forums.support import hide_post, lock_thread, make_category, make_post, make_thread, name_network_lead
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import load


@pytest.fixture
def posted(monkeypatch):
    calls = []
    monkeypatch.setattr("portal.forums.notify.post_created", lambda post, thread, *, actor_id: calls.append((post.id, thread.id, actor_id)))
    return calls


@pytest.fixture
def thread(app, world):
    """A thread of Avonford started by dsl1: (thread id, opening post id)."""
    return make_thread(app, world.a, make_category(app, world.a))


def textarea(response, name: str = "body") -> str:
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', response.get_data(as_text=True), re.S).group(1).strip()


def posts_of(app, side, thread_id) -> list:
    return sorted(detached_rows(app, ForumPost, side.authority_id, thread_id=thread_id), key=lambda p: p.created_at)


# Replying and quoting ----------------------------------------------------------------------------------


def test_a_reply_is_saved_audited_without_its_text_moves_the_thread_up_and_tells_subscribers(app, world, thread, posted):
    a = world.a
    thread_id, _ = thread
    before = load(app, ForumThread, thread_id, a.authority_id).last_post_at
    dsl2 = signed_in_client(app, a.dsl2)
    response = dsl2.post(f"/network/threads/{thread_id}/replies", data={"body": "We ask parents at the *Year 6* meeting.", "post": "Post"})
    reply = posts_of(app, a, thread_id)[-1]
    assert response.status_code == 302 and response.headers["Location"] == f"/network/threads/{thread_id}#post-{reply.id}"
    assert (reply.author_id, reply.body, reply.body_html, reply.quoted_post_id) == (
        a.dsl2.id,
        "We ask parents at the *Year 6* meeting.",
        "<p>We ask parents at the <em>Year 6</em> meeting.</p>\n",
        None,
    )
    assert load(app, ForumThread, thread_id, a.authority_id).last_post_at > before
    [event] = audit_events(app, a.authority_id, "forum.post_created")
    assert (event.object_id, event.actor_id, event.details) == (str(reply.id), a.dsl2.id, {"thread": str(thread_id)})
    assert posted == [(reply.id, thread_id, a.dsl2.id)]
    assert "Your reply has been posted." in page_text(dsl2.get(f"/network/threads/{thread_id}"))


def test_a_reply_must_have_text_and_preview_saves_nothing(app, world, thread, posted):
    a = world.a
    thread_id, _ = thread
    dsl2 = signed_in_client(app, a.dsl2)
    response = dsl2.post(f"/network/threads/{thread_id}/replies", data={"body": "  ", "post": "Post"})
    assert response.status_code == 200 and field_error(response, "body") == "Enter your post"
    response = dsl2.post(f"/network/threads/{thread_id}/replies", data={"body": "# Idea\n\n[our leaflet](https://example.org/leaflet)", "preview": "Preview"})
    markup = response.get_data(as_text=True)
    assert "Preview of your post" in page_text(response)
    assert "<h3>Idea</h3>" in markup and '<a href="https://example.org/leaflet" class="govuk-link" rel="noopener noreferrer nofollow">our leaflet</a>' in markup
    assert textarea(response) == "# Idea\n\n[our leaflet](https://example.org/leaflet)"
    assert len(posts_of(app, a, thread_id)) == 1 and posted == []


def test_quoting_a_post_shows_it_above_the_reply_and_in_the_thread_as_it_is_now(app, world, thread, posted):
    a = world.a
    thread_id, opening = thread
    dsl2 = signed_in_client(app, a.dsl2)
    assert f'href="/network/threads/{thread_id}?quote={opening}#reply"' in dsl2.get(f"/network/threads/{thread_id}").get_data(as_text=True)
    form = dsl2.get(f"/network/threads/{thread_id}?quote={opening}")
    assert input_value(form, "quoted_post_id") == str(opening)
    assert "You are quoting: Dsl1 wrote: How are other schools handling group chats that start at home?" in page_text(form)

    response = dsl2.post(f"/network/threads/{thread_id}/replies", data={"body": "We talk to parents.", "quoted_post_id": str(opening), "post": "Post"})
    assert response.status_code == 302
    reply = posts_of(app, a, thread_id)[-1]
    assert reply.quoted_post_id == opening
    assert audit_events(app, a.authority_id, "forum.post_created")[-1].details == {"thread": str(thread_id), "quoted": str(opening)}
    text = page_text(dsl2.get(f"/network/threads/{thread_id}"))
    assert "Dsl2, Avonford High School Posted" in text
    assert "Dsl1 wrote: How are other schools handling group chats that start at home? We talk to parents." in text

    # The quote is the quoted post as it is now: edited, then hidden by a moderator.
    dsl1 = signed_in_client(app, a.dsl1)
    edit = dsl1.post(f"/network/posts/{opening}/edit", data={"body": "How do schools handle group chats?", "version": "1", "post": "Save changes"})
    assert edit.status_code == 302
    assert "Dsl1 wrote: How do schools handle group chats? We talk to parents." in page_text(dsl2.get(f"/network/threads/{thread_id}"))
    name_network_lead(app, a)
    hide_post(app, a, opening)
    for client in (dsl1, signed_in_client(app, a.front_door)):  # the thread's author and the lead still see the thread
        text = page_text(client.get(f"/network/threads/{thread_id}"))
        assert "This post is no longer available. We talk to parents." in text
    assert dsl2.get(f"/network/threads/{thread_id}").status_code == 404  # its opening post hidden: gone for others


def test_a_post_of_another_thread_or_a_hidden_post_cannot_be_quoted(app, world, thread, posted):
    a = world.a
    thread_id, _ = thread
    other_thread, other_post = make_thread(app, a, make_category(app, a, "Attendance"), title="Another thread", body="Text of the other thread.")
    dsl2 = signed_in_client(app, a.dsl2)

    form = dsl2.get(f"/network/threads/{thread_id}?quote={other_post}")
    assert input_value(form, "quoted_post_id") == ""
    assert "The post you chose cannot be quoted" in page_text(form) and "Text of the other thread." not in page_text(form)

    response = dsl2.post(f"/network/threads/{thread_id}/replies", data={"body": "My reply.", "quoted_post_id": str(other_post), "post": "Post"})
    assert response.status_code == 200 and page_text(response).startswith("Error:")
    assert field_error(response, "body").startswith("The post you chose to quote cannot be quoted")
    assert textarea(response) == "My reply." and input_value(response, "quoted_post_id") == ""
    assert "Text of the other thread." not in page_text(response)
    assert len(posts_of(app, a, thread_id)) == 1 and posted == []

    hidden = make_post(app, a, thread_id, by="head1", body="Will be hidden.")
    name_network_lead(app, a)
    hide_post(app, a, hidden)
    response = dsl2.post(f"/network/threads/{thread_id}/replies", data={"body": "My reply.", "quoted_post_id": str(hidden), "post": "Post"})
    assert field_error(response, "body").startswith("The post you chose to quote cannot be quoted")
    assert response.status_code == 200 and len(posts_of(app, a, thread_id)) == 2

    # Without the quote the reply posts.
    assert dsl2.post(f"/network/threads/{thread_id}/replies", data={"body": "My reply.", "quoted_post_id": "", "post": "Post"}).status_code == 302


def test_a_locked_thread_takes_no_reply_and_says_so_keeping_what_was_typed(app, world, thread, posted):
    a = world.a
    thread_id, opening = thread
    lock_thread(app, a, thread_id, reason="Duplicate of another thread")
    dsl2 = signed_in_client(app, a.dsl2)
    page = dsl2.get(f"/network/threads/{thread_id}")
    text = page_text(page)
    assert "This thread is locked." in text and "no one can reply to it" in text
    assert "Duplicate of another thread" not in text  # the reason is for moderators
    assert 'name="body"' not in page.get_data(as_text=True) and "Quote" not in text

    response = dsl2.post(f"/network/threads/{thread_id}/replies", data={"body": "Too late to say this.", "post": "Post"})
    assert response.status_code == 200
    assert "Your reply has not been posted" in page_text(response) and "The thread was locked" in page_text(response)
    assert re.search(r'<textarea[^>]*id="refused-text"[^>]*readonly>Too late to say this.</textarea>', response.get_data(as_text=True))
    assert len(posts_of(app, a, thread_id)) == 1 and posted == []
    # Nor can its posts be edited.
    assert signed_in_client(app, a.dsl1).get(f"/network/posts/{opening}/edit").status_code == 403


# Editing and the history ---------------------------------------------------------------------------------


def test_the_author_edits_their_post_the_old_text_is_kept_and_the_post_says_edited(app, world, thread):
    a = world.a
    thread_id, opening = thread
    dsl1 = signed_in_client(app, a.dsl1)
    form = dsl1.get(f"/network/posts/{opening}/edit")
    assert form.status_code == 200 and textarea(form) == "How are other schools handling group chats that start at home?"
    assert input_value(form, "version") == "1"

    response = dsl1.post(f"/network/posts/{opening}/edit", data={"body": "How are schools handling **group chats**?", "version": "1", "post": "Save changes"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#post-{opening}")
    post = load(app, ForumPost, opening, a.authority_id)
    assert (post.body, post.body_html, post.version) == (
        "How are schools handling **group chats**?",
        "<p>How are schools handling <strong>group chats</strong>?</p>\n",
        2,
    )
    assert post.edited_at is not None
    [revision] = detached_rows(app, ForumPostRevision, a.authority_id)
    assert (revision.post_id, revision.body, revision.edited_by_id) == (opening, "How are other schools handling group chats that start at home?", a.dsl1.id)
    [event] = audit_events(app, a.authority_id, "forum.post_edited")
    assert (event.object_id, event.actor_id, event.details) == (str(opening), a.dsl1.id, {"thread": str(thread_id)})

    page = dsl1.get(f"/network/threads/{thread_id}")
    assert ", edited" in page_text(page) and f"/network/posts/{opening}/history" in page.get_data(as_text=True)
    other = signed_in_client(app, a.dsl2).get(f"/network/threads/{thread_id}")
    assert ", edited" in page_text(other) and "/history" not in other.get_data(as_text=True)  # the history is not theirs

    # Saving the same text again changes nothing and keeps no new revision.
    assert (
        dsl1.post(
            f"/network/posts/{opening}/edit", data={"body": "How are schools handling **group chats**?", "version": "2", "post": "Save changes"}
        ).status_code
        == 302
    )
    assert len(detached_rows(app, ForumPostRevision, a.authority_id)) == 1


def test_only_the_author_may_edit_a_post(app, world, thread):
    a = world.a
    _, opening = thread
    name_network_lead(app, a)
    for key in ("dsl2", "head1", "front_door"):  # other members, the network lead included
        client = signed_in_client(app, a.people[key])
        assert client.get(f"/network/posts/{opening}/edit").status_code == 403, key
        assert (
            client.post(f"/network/posts/{opening}/edit", data={"body": "Changed by someone else", "version": "1", "post": "Save changes"}).status_code == 403
        ), key
        event = audit_events(app, a.authority_id)[-1]
        assert (event.action, event.actor_id, event.details) == ("access.denied", a.people[key].id, {"action": "edit"})
    assert signed_in_client(app, a.staff1).get(f"/network/posts/{opening}/edit").status_code == 404
    assert load(app, ForumPost, opening, a.authority_id).body == "How are other schools handling group chats that start at home?"


def test_the_edit_history_shows_earlier_text_to_the_author_and_the_lead_only(app, world, thread):
    a = world.a
    _, opening = thread
    dsl1 = signed_in_client(app, a.dsl1)
    dsl1.post(f"/network/posts/{opening}/edit", data={"body": "Second version.", "version": "1", "post": "Save changes"})
    dsl1.post(f"/network/posts/{opening}/edit", data={"body": "Third version.", "version": "2", "post": "Save changes"})
    name_network_lead(app, a)
    for key in ("dsl1", "front_door"):
        text = page_text(signed_in_client(app, a.people[key]).get(f"/network/posts/{opening}/history"))
        assert "Now" in text and "Third version." in text
        assert text.index("Third version.") < text.index("Second version.") < text.index("How are other schools handling group chats that start at home?")
        assert "Edited by Dsl1." in text
    dsl2 = signed_in_client(app, a.dsl2)
    assert dsl2.get(f"/network/posts/{opening}/history").status_code == 403
    assert (audit_events(app, a.authority_id)[-1].action, audit_events(app, a.authority_id)[-1].details) == ("access.denied", {"action": "history"})
    assert signed_in_client(app, a.governor1).get(f"/network/posts/{opening}/history").status_code == 404


def test_reading_the_edit_history_is_audited(app, world, thread):
    a = world.a
    _, opening = thread
    dsl1 = signed_in_client(app, a.dsl1)
    dsl1.post(f"/network/posts/{opening}/edit", data={"body": "Second version.", "version": "1", "post": "Save changes"})
    name_network_lead(app, a)
    assert audit_events(app, a.authority_id, "record.viewed") == []
    assert "Second version." in page_text(signed_in_client(app, a.front_door).get(f"/network/posts/{opening}/history"))
    [event] = audit_events(app, a.authority_id, "record.viewed")
    assert (event.object_type, event.object_id, event.actor_id, event.details) == ("forum_post", str(opening), a.front_door.id, {"page": "history"})
    assert signed_in_client(app, a.dsl2).get(f"/network/posts/{opening}/history").status_code == 403
    assert len(audit_events(app, a.authority_id, "record.viewed")) == 1  # a refusal is not a read


def test_a_stale_edit_is_refused_with_what_changed_and_the_text_typed_is_kept(app, world, thread):
    a = world.a
    _, opening = thread
    first, second = signed_in_client(app, a.dsl1), signed_in_client(app, a.dsl1)
    first.get(f"/network/posts/{opening}/edit")
    second.get(f"/network/posts/{opening}/edit")
    assert second.post(f"/network/posts/{opening}/edit", data={"body": "Saved in the other tab.", "version": "1", "post": "Save changes"}).status_code == 302

    response = first.post(f"/network/posts/{opening}/edit", data={"body": "Typed in this tab.", "version": "1", "post": "Save changes"})
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this post while you were editing" in text
    assert "The post Saved in the other tab. Typed in this tab." in text
    assert textarea(response) == "Typed in this tab." and input_value(response, "version") == "2"
    assert load(app, ForumPost, opening, a.authority_id).body == "Saved in the other tab."
    assert [e.object_id for e in audit_events(app, a.authority_id, "record.stale_save_refused")] == [str(opening)]
    assert len(detached_rows(app, ForumPostRevision, a.authority_id)) == 1

    # Saving again, against the version now, goes through.
    assert first.post(f"/network/posts/{opening}/edit", data={"body": "Typed in this tab.", "version": "2", "post": "Save changes"}).status_code == 302
    assert load(app, ForumPost, opening, a.authority_id).body == "Typed in this tab."


def test_preview_of_an_edit_saves_nothing(app, world, thread):
    a = world.a
    _, opening = thread
    response = signed_in_client(app, a.dsl1).post(f"/network/posts/{opening}/edit", data={"body": "*New* text", "version": "1", "preview": "Preview"})
    assert response.status_code == 200 and "<em>New</em> text" in response.get_data(as_text=True)
    assert textarea(response) == "*New* text"
    assert load(app, ForumPost, opening, a.authority_id).version == 1 and detached_rows(app, ForumPostRevision, a.authority_id) == []


# The identifiable-child check ------------------------------------------------------------------------------


def test_a_reply_naming_a_pupil_of_the_posters_school_is_stopped_until_confirmed_and_the_confirmation_is_audited(app, world, thread, posted):
    a = world.a
    thread_id, _ = thread
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    dsl1 = signed_in_client(app, a.dsl1)
    body = "We spoke to Jordan Example's parents about the chat."
    response = dsl1.post(f"/network/threads/{thread_id}/replies", data={"body": body, "post": "Post"})
    assert response.status_code == 200 and page_text(response).startswith("Error:")
    text = page_text(response)
    assert "Your post may identify a child" in text
    assert "Jordan Example : Matches the name of a pupil on your school's register." in text
    assert field_error(response, "confirm") == "Change what you wrote so no child can be identified from it, or confirm it is not about a real child"
    assert "I confirm this is not about a real child and no child can be identified from it" in text
    assert html.unescape(textarea(response)) == body
    assert len(posts_of(app, a, thread_id)) == 1 and posted == []

    response = dsl1.post(
        f"/network/threads/{thread_id}/replies", data={"body": body, "confirm": "y", "child_check": input_value(response, "child_check"), "post": "Post"}
    )
    assert response.status_code == 302
    reply = posts_of(app, a, thread_id)[-1]
    assert reply.body == body and reply.child_check_confirmed is True
    [event] = audit_events(app, a.authority_id, "forum.child_check_confirmed")
    assert (event.object_id, event.actor_id, event.details) == (str(reply.id), a.dsl1.id, {"thread": str(thread_id), "kinds": ["name"], "count": 1})
    assert all("Jordan" not in str(e.details) for e in audit_events(app, a.authority_id))


def test_changing_the_text_so_nothing_matches_saves_without_the_confirmation(app, world, thread, posted):
    a = world.a
    thread_id, _ = thread
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    dsl1 = signed_in_client(app, a.dsl1)
    assert dsl1.post(f"/network/threads/{thread_id}/replies", data={"body": "Jordan Example, UPN A123456789012", "post": "Post"}).status_code == 200
    response = dsl1.post(f"/network/threads/{thread_id}/replies", data={"body": "A pupil in Year 6 (details removed).", "post": "Post"})
    assert response.status_code == 302
    reply = posts_of(app, a, thread_id)[-1]
    assert reply.child_check_confirmed is False
    assert audit_events(app, a.authority_id, "forum.child_check_confirmed") == []


def test_another_schools_pupil_is_not_a_match_but_dates_of_birth_and_upns_are_for_anyone(app, world, thread, posted):
    a = world.a
    thread_id, _ = thread
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")  # on school1's register
    assert (
        signed_in_client(app, a.dsl2)
        .post(f"/network/threads/{thread_id}/replies", data={"body": "Jordan Example is a character in our training.", "post": "Post"})
        .status_code
        == 302
    )

    front_door = signed_in_client(app, a.front_door)  # no school of their own: dates and UPNs only
    response = front_door.post(f"/network/threads/{thread_id}/replies", data={"body": "The child was born 14/03/2015, UPN A123456789012.", "post": "Post"})
    assert response.status_code == 200
    text = page_text(response)
    assert "14/03/2015 :" in text and "A123456789012 : Has the shape of a unique pupil number (UPN)." in text
    response = front_door.post(
        f"/network/threads/{thread_id}/replies",
        data={"body": "The child was born 14/03/2015, UPN A123456789012.", "confirm": "y", "child_check": input_value(response, "child_check"), "post": "Post"},
    )
    assert response.status_code == 302
    [event] = audit_events(app, a.authority_id, "forum.child_check_confirmed")
    assert event.details["kinds"] == ["date_of_birth", "upn"] and event.details["count"] == 2
    assert "2015" not in str(event.details) and "A123456789012" not in str(event.details)


def test_a_new_thread_is_checked_title_and_text(app, world, posted):
    a = world.a
    category_id = make_category(app, a)
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    dsl1 = signed_in_client(app, a.dsl1)
    data = {"title": "Worried about Jordan Example", "body": "Advice welcome.", "post": "Post"}
    response = dsl1.post(f"/network/categories/{category_id}/threads/new", data=data)
    assert response.status_code == 200 and "Jordan Example : Matches the name of a pupil" in page_text(response)
    assert input_value(response, "title") == "Worried about Jordan Example" and textarea(response) == "Advice welcome."
    assert detached_rows(app, ForumThread, a.authority_id) == []
    assert dsl1.post(f"/network/categories/{category_id}/threads/new", data={**data, "title": "Worried about a Year 6 pupil"}).status_code == 302
    [post] = detached_rows(app, ForumPost, a.authority_id)
    assert post.child_check_confirmed is False and posted and posted[0][0] == post.id


def test_an_edit_is_checked_too(app, world, thread):
    a = world.a
    _, opening = thread
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    dsl1 = signed_in_client(app, a.dsl1)
    data = {"body": "Update: Jordan Example has moved school.", "version": "1", "post": "Save changes"}
    response = dsl1.post(f"/network/posts/{opening}/edit", data=data)
    assert response.status_code == 200 and field_error(response, "confirm") is not None
    assert load(app, ForumPost, opening, a.authority_id).version == 1
    assert dsl1.post(f"/network/posts/{opening}/edit", data={**data, "confirm": "y", "child_check": input_value(response, "child_check")}).status_code == 302
    post = load(app, ForumPost, opening, a.authority_id)
    assert post.body == data["body"] and post.child_check_confirmed is True
    assert audit_events(app, a.authority_id, "forum.child_check_confirmed")[-1].details["kinds"] == ["name"]


def _ticked(response) -> bool:
    tag = re.search(r'<input\b[^>]*name="confirm"[^>]*>', response.get_data(as_text=True)).group(0)
    return "checked" in tag


def test_a_confirmation_sent_before_the_warning_was_shown_saves_nothing_and_shows_the_warning(app, world, thread, posted):
    a = world.a
    thread_id, opening = thread
    category_id = make_category(app, a, "Attendance")
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    dsl1 = signed_in_client(app, a.dsl1)
    body = "Jordan Example, UPN A123456789012"
    for url, data in (
        (f"/network/threads/{thread_id}/replies", {"body": body, "confirm": "y", "post": "Post"}),
        (f"/network/categories/{category_id}/threads/new", {"title": "Attendance", "body": body, "confirm": "y", "post": "Post"}),
        (f"/network/posts/{opening}/edit", {"body": body, "version": "1", "confirm": "y", "post": "Save changes"}),
        (f"/network/threads/{thread_id}/replies", {"body": body, "confirm": "y", "child_check": "0" * 64, "post": "Post"}),
    ):
        response = dsl1.post(url, data=data)
        assert response.status_code == 200, url
        assert "Your post may identify a child" in page_text(response) and field_error(response, "confirm") is not None
        assert not _ticked(response) and input_value(response, "child_check")
        assert html.unescape(textarea(response)) == body
    assert len(detached_rows(app, ForumPost, a.authority_id)) == 1 and posted == []
    assert load(app, ForumPost, opening, a.authority_id).version == 1
    assert audit_events(app, a.authority_id, "forum.child_check_confirmed") == []


def test_a_confirmation_counts_only_for_the_matches_shown_not_for_new_ones_typed_since(app, world, thread, posted):
    a = world.a
    thread_id, _ = thread
    make_pupil(app, a, legal_forename="Jordan", legal_surname="Example")
    dsl1 = signed_in_client(app, a.dsl1)
    shown = dsl1.post(f"/network/threads/{thread_id}/replies", data={"body": "Born 14/03/2015.", "post": "Post"})
    assert "14/03/2015 :" in page_text(shown)
    changed = {"body": "Born 14/03/2015. Jordan Example, UPN A123456789012.", "confirm": "y", "child_check": input_value(shown, "child_check"), "post": "Post"}
    again = response = dsl1.post(f"/network/threads/{thread_id}/replies", data=changed)
    assert response.status_code == 200 and field_error(response, "confirm") is not None and not _ticked(response)
    text = page_text(response)
    assert "Jordan Example : Matches the name of a pupil" in text and "A123456789012 :" in text
    assert len(posts_of(app, a, thread_id)) == 1 and posted == []

    # Another person's signature of the same matches does not count either.
    other = signed_in_client(app, a.front_door).post(f"/network/threads/{thread_id}/replies", data={"body": "Born 14/03/2015.", "post": "Post"})
    response = dsl1.post(
        f"/network/threads/{thread_id}/replies",
        data={"body": "Born 14/03/2015.", "confirm": "y", "child_check": input_value(other, "child_check"), "post": "Post"},
    )
    assert response.status_code == 200 and len(posts_of(app, a, thread_id)) == 1

    # Confirming what is shown now saves it.
    response = dsl1.post(f"/network/threads/{thread_id}/replies", data={**changed, "child_check": input_value(again, "child_check")})
    assert response.status_code == 302
    assert posts_of(app, a, thread_id)[-1].child_check_confirmed is True
