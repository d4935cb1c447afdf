"""The DSL network's index, categories and threads: who is in the network (and who is refused, audited),
the categories with their thread counts and latest post, a category's threads newest activity first,
starting a thread (with a preview that saves nothing), and a thread's posts oldest first, a page at a time."""

from __future__ import annotations

import re

import pytest

from portal.forums.models import ForumPost, ForumThread
from tests.admin.pages import field_error, input_value, page_text
from tests.forums.support import invite_guest, lock_thread, make_category, make_post, make_thread, name_network_lead
from tests.support import audit_events, detached_rows, signed_in_client

MEMBERS = ("dsl1", "head1", "dsl2", "front_door", "assessor")
NOT_MEMBERS = ("admin", "staff1", "governor1", "partner", "partner2")


def thread_form(**changes) -> dict:
    return {"title": "Online safety assemblies", "body": "What has worked for **Year 5** assemblies on sharing images?", "post": "Post", **changes}


@pytest.fixture
def posted(monkeypatch):
    """The calls the posting pages make to the subscriptions' notifier."""
    calls = []
    monkeypatch.setattr("portal.forums.notify.post_created", lambda post, thread, *, actor_id: calls.append((post.id, thread.id, actor_id)))
    return calls


def test_members_see_the_categories_with_thread_counts_and_the_latest_post(app, world):
    a = world.a
    safety = make_category(app, a, "Online safety")
    policies = make_category(app, a, "Policy templates")
    make_category(app, a, "Old category")
    from tests.factories import _scope

    with _scope(app, a):
        from sqlalchemy import select

        from portal.clock import utcnow
        from portal.extensions import db
        from portal.forums.models import ForumCategory

        db.session.execute(select(ForumCategory).where(ForumCategory.name == "Old category")).scalar_one().archived_at = utcnow()
        db.session.commit()
    make_thread(app, a, safety, title="Year 6 group chats")
    make_thread(app, a, safety, title="Sharing images")
    make_thread(app, a, policies, title="Child protection policy 2026")

    for key in MEMBERS:
        client = signed_in_client(app, a.people[key])
        response = client.get("/network")
        assert response.status_code == 200, key
        text = page_text(response)
        assert "Online safety Keeping children safe online: apps, gaming, sharing images. 2 Sharing images" in text
        assert "Policy templates Keeping children safe online: apps, gaming, sharing images. 1 Child protection policy 2026" in text
        assert "Old category" not in text
        assert re.search(
            r'<a class="govuk-service-navigation__link" href="/network"[^>]*>\s*(<strong[^>]*>)?\s*DSL network',
            response.get_data(as_text=True).split("</header>")[0],
        ), key
        assert "Manage categories" not in text and "Invite a partner" not in text


def test_people_outside_the_network_are_refused_and_the_refusal_is_audited(app, world):
    a = world.a
    category_id = make_category(app, a)
    thread_id, post_id = make_thread(app, a, category_id)
    for key in NOT_MEMBERS:
        client = signed_in_client(app, a.people[key])
        home = client.get("/home")
        assert "DSL network" not in home.get_data(as_text=True).split("</header>")[0], key
        assert client.get("/network").status_code == 403, key
        [*_, event] = audit_events(app, a.authority_id)
        assert (event.action, event.actor_id, event.details["endpoint"]) == ("access.denied", a.people[key].id, "forums.index")
        for url, object_id in (
            (f"/network/categories/{category_id}", category_id),
            (f"/network/threads/{thread_id}", thread_id),
            (f"/network/posts/{post_id}/report", post_id),
        ):
            assert client.get(url).status_code == 404, (key, url)
            [*_, event] = audit_events(app, a.authority_id)
            assert (event.action, event.actor_id, event.object_id) == ("access.not_found", a.people[key].id, str(object_id))
        assert client.post(f"/network/threads/{thread_id}/replies", data={"body": "Hello", "post": "Post"}).status_code == 404
    assert len(detached_rows(app, ForumPost, a.authority_id)) == 1


def test_an_invited_partner_is_in_the_network_and_can_post(app, world, posted):
    a = world.a
    category_id = make_category(app, a)
    thread_id, _ = make_thread(app, a, category_id)
    invite_guest(app, a, "partner")
    partner = signed_in_client(app, a.partner)
    assert "DSL network" in partner.get("/home").get_data(as_text=True).split("</header>")[0]
    assert "Online safety" in page_text(partner.get("/network"))
    response = partner.post(f"/network/threads/{thread_id}/replies", data={"body": "The police schools officer can join an assembly.", "post": "Post"})
    assert response.status_code == 302
    text = page_text(partner.get(f"/network/threads/{thread_id}"))
    assert "Partner, Avonford Police" in text and "The police schools officer can join an assembly." in text
    assert len(posted) == 1
    # The other partner was not invited: still outside.
    assert signed_in_client(app, a.partner2).get(f"/network/threads/{thread_id}").status_code == 404


def test_the_network_lead_sees_how_to_manage_categories_and_invite_partners(app, world):
    a = world.a
    name_network_lead(app, a, "dsl2")
    text = page_text(signed_in_client(app, a.dsl2).get("/network"))
    assert "Manage categories" in text and "Invite a partner" in text and "Reported posts (0 to look at)" in text
    assert "There are no categories yet. Add the first category" in text


def test_a_categorys_threads_are_newest_activity_first_a_page_at_a_time_and_locked_ones_say_so(app, world, monkeypatch):
    monkeypatch.setattr("portal.forums.service.THREADS_PER_PAGE", 2)
    a = world.a
    category_id = make_category(app, a)
    first, _ = make_thread(app, a, category_id, title="First thread")
    make_thread(app, a, category_id, title="Second thread")
    third, _ = make_thread(app, a, category_id, title="Third thread", by="dsl2")
    make_post(app, a, first, by="head1")  # a reply brings the first thread back to the top
    from tests.factories import _scope

    with _scope(app, a):
        from sqlalchemy import update

        from portal.clock import utcnow
        from portal.extensions import db

        db.session.execute(update(ForumThread).where(ForumThread.id == first).values(last_post_at=utcnow()))
        db.session.commit()
    lock_thread(app, a, third)
    dsl = signed_in_client(app, a.dsl1)

    page = dsl.get(f"/network/categories/{category_id}")
    text = page_text(page)
    assert text.index("First thread") < text.index("Third thread")
    assert "Second thread" not in text
    assert "Third thread Locked Dsl2" in text
    assert "First thread Dsl1" in text and re.search(r"First thread Dsl1, \d+ \w+ \d{4} 1 ", text)  # one reply
    next_page = re.search(r'href="(/network/categories/[^"]+after=[^"]+)"', page.get_data(as_text=True)).group(1)
    text = page_text(dsl.get(next_page.replace("&amp;", "&")))
    assert "Second thread" in text and "First thread" not in text and "First page" in text
    assert "Start a new thread" in text


def test_starting_a_thread_saves_it_with_its_first_post_rendered_audits_and_tells_subscribers(app, world, posted):
    a = world.a
    category_id = make_category(app, a)
    dsl = signed_in_client(app, a.dsl1)
    form = dsl.get(f"/network/categories/{category_id}/threads/new")
    assert form.status_code == 200
    assert "You can use Markdown" in page_text(form) and "Never write anything that could identify a child" in page_text(form)

    response = dsl.post(f"/network/categories/{category_id}/threads/new", data=thread_form())
    [thread] = detached_rows(app, ForumThread, a.authority_id)
    [post] = detached_rows(app, ForumPost, a.authority_id)
    assert response.status_code == 302 and response.headers["Location"] == f"/network/threads/{thread.id}"
    assert (thread.title, thread.category_id, thread.author_id) == ("Online safety assemblies", category_id, a.dsl1.id)
    assert (post.thread_id, post.author_id, post.body) == (thread.id, a.dsl1.id, "What has worked for **Year 5** assemblies on sharing images?")
    assert post.body_html == "<p>What has worked for <strong>Year 5</strong> assemblies on sharing images?</p>\n"
    assert post.child_check_confirmed is False
    assert thread.last_post_at == post.created_at or abs((thread.last_post_at - post.created_at).total_seconds()) < 1
    [event] = audit_events(app, a.authority_id, "forum.thread_created")
    assert (event.object_id, event.actor_id, event.details) == (str(thread.id), a.dsl1.id, {"category": str(category_id), "post": str(post.id)})
    assert posted == [(post.id, thread.id, a.dsl1.id)]

    page = dsl.get(f"/network/threads/{thread.id}")
    text = page_text(page)
    assert "Online safety assemblies" in text and "Dsl1, Avonford Primary School" in text and "Started the thread" in text
    assert "<strong>Year 5</strong>" in page.get_data(as_text=True)


def test_a_thread_with_no_title_or_text_is_explained_and_what_was_typed_is_kept(app, world, posted):
    a = world.a
    category_id = make_category(app, a)
    dsl = signed_in_client(app, a.dsl1)
    url = f"/network/categories/{category_id}/threads/new"
    response = dsl.post(url, data=thread_form(title="  ", body="Half a thought"))
    assert response.status_code == 200 and page_text(response).startswith("Error:")
    assert field_error(response, "title") == "Enter a title"
    assert "Half a thought" in response.get_data(as_text=True)
    response = dsl.post(url, data=thread_form(body="   "))
    assert field_error(response, "body") == "Enter your post"
    assert input_value(response, "title") == "Online safety assemblies"
    response = dsl.post(url, data=thread_form(body="x" * 20001))
    assert field_error(response, "body") == "Your post must be 20,000 characters or fewer"
    assert detached_rows(app, ForumThread, a.authority_id) == [] and posted == []


def test_preview_shows_the_sanitised_post_keeps_the_text_and_saves_nothing(app, world, posted):
    a = world.a
    category_id = make_category(app, a)
    dsl = signed_in_client(app, a.dsl1)
    body = "## Our approach\n\nWe use *trusted adults*. <script>alert(1)</script>"
    response = dsl.post(f"/network/categories/{category_id}/threads/new", data=thread_form(body=body, post=None, preview="Preview"))
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    assert "Preview of your post" in page_text(response) and "It has not been posted yet" in page_text(response)
    assert "<h3>Our approach</h3>" in markup and "<em>trusted adults</em>" in markup
    assert "<script>alert(1)</script>" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    textarea = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', markup, re.S).group(1)
    assert "## Our approach" in textarea and "*trusted adults*" in textarea
    assert input_value(response, "title") == "Online safety assemblies"
    assert detached_rows(app, ForumThread, a.authority_id) == [] and detached_rows(app, ForumPost, a.authority_id) == [] and posted == []
    assert audit_events(app, a.authority_id, "forum.thread_created") == []


def test_an_archived_category_can_be_read_but_no_thread_started_in_it(app, world):
    a = world.a
    category_id = make_category(app, a)
    make_thread(app, a, category_id, title="Before it was archived")
    from tests.factories import _scope

    with _scope(app, a):
        from sqlalchemy import select

        from portal.clock import utcnow
        from portal.extensions import db
        from portal.forums.models import ForumCategory

        db.session.execute(select(ForumCategory).where(ForumCategory.id == category_id)).scalar_one().archived_at = utcnow()
        db.session.commit()
    dsl = signed_in_client(app, a.dsl1)
    text = page_text(dsl.get(f"/network/categories/{category_id}"))
    assert "Before it was archived" in text and "no new thread can be started in it" in text and "Start a new thread" not in text
    assert dsl.get(f"/network/categories/{category_id}/threads/new").status_code == 403
    assert dsl.post(f"/network/categories/{category_id}/threads/new", data=thread_form()).status_code == 403
    assert audit_events(app, a.authority_id)[-1].action == "access.denied"
    assert len(detached_rows(app, ForumThread, a.authority_id)) == 1


def test_a_threads_posts_are_oldest_first_a_page_at_a_time(app, world, monkeypatch):
    monkeypatch.setattr("portal.forums.service.POSTS_PER_PAGE", 2)
    a = world.a
    category_id = make_category(app, a)
    thread_id, _ = make_thread(app, a, category_id, body="Opening question.")
    make_post(app, a, thread_id, by="dsl2", body="First reply.")
    make_post(app, a, thread_id, by="front_door", body="Second reply.")
    dsl = signed_in_client(app, a.dsl1)
    page = dsl.get(f"/network/threads/{thread_id}")
    text = page_text(page)
    assert text.index("Opening question.") < text.index("First reply.")
    assert "Second reply." not in text
    assert "Dsl2, Avonford High School" in text
    next_page = re.search(r'href="(/network/threads/[^"]+after=[^"]+)"', page.get_data(as_text=True)).group(1).replace("&amp;", "&")
    text = page_text(dsl.get(next_page))
    assert "Second reply." in text and "Opening question." not in text
    assert "Front_Door, Avonford Children's Services Front Door" in text


def test_another_authoritys_category_and_thread_are_404_audited_in_ones_own(app, world):
    a, b = world.a, world.b
    category_id = make_category(app, b)
    thread_id, post_id = make_thread(app, b, category_id, title="Brackley only")
    before = len(audit_events(app, b.authority_id))
    dsl = signed_in_client(app, a.dsl1)
    for url in (
        f"/network/categories/{category_id}",
        f"/network/threads/{thread_id}",
        f"/network/posts/{post_id}/edit",
        f"/network/categories/{category_id}/threads/new",
    ):
        response = dsl.get(url)
        assert response.status_code == 404 and "Brackley only" not in page_text(response), url
        assert audit_events(app, a.authority_id)[-1].action == "access.not_found"
    assert dsl.post(f"/network/threads/{thread_id}/replies", data={"body": "Hello", "post": "Post"}).status_code == 404
    assert "Brackley only" not in page_text(dsl.get("/network"))
    assert len(audit_events(app, b.authority_id)) == before


def test_a_threads_page_costs_the_same_number_of_queries_however_many_posts_it_shows(app, world):
    """No query per post (authors, organisations, quotes and what each person may do are fetched once)."""
    from tests.support import page_queries

    a = world.a
    name_network_lead(app, a)
    category_id = make_category(app, a)
    small, first = make_thread(app, a, category_id, title="Small")
    make_post(app, a, small, by="dsl2", quoted_post_id=first)
    large, first = make_thread(app, a, category_id, title="Large")
    for i in range(12):
        make_post(app, a, large, by=("dsl2", "head1", "front_door", "dsl1")[i % 4], body=f"Reply {i}", quoted_post_id=first if i % 2 else None)
    for key in ("dsl1", "front_door"):
        client = signed_in_client(app, a.people[key])
        counted_small, _ = page_queries(app, client, f"/network/threads/{small}")
        counted_large, response = page_queries(app, client, f"/network/threads/{large}")
        assert "Reply 11" in page_text(response)
        assert counted_large == counted_small, key
