"""Searching the network: posts, thread titles and shared resources the person may see, newest first, 20 a
page, each with its thread, category, author, date and a plain-text snippet with the words marked. A
hidden post is found by its author and the moderators only; another authority's posts never; people
outside the network may not search. The same tests run on SQLite (every word, LIKE) and PostgreSQL
(full-text search on the indexed expressions)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from portal.clock import utcnow
from tests.admin.pages import page_text
from tests.factories import _scope
from tests.forums.support import invite_guest, make_category, make_post, make_thread, name_network_lead
from tests.forums.test_resources import make_resource
from tests.support import audit_events, signed_in_client

GROUP_CHATS = "How are other schools handling group chats that start at home?"
REPLY = "We ask parents to talk about WhatsApp at the Year 6 meeting."


def rendered_post(app, side, thread_id, *, by: str, body: str, **fields):
    """A post with its HTML made by the portal's own renderer (as the reply page would save it)."""
    from portal.extensions import db
    from portal.forums.markdown import render
    from portal.forums.models import ForumPost

    with _scope(app, side, side.people[by]):
        post = ForumPost(thread_id=thread_id, author_id=side.people[by].id, body=body, body_html=render(body), **fields)
        db.session.add(post)
        db.session.commit()
        return post.id


def _network(app, side):
    category = make_category(app, side, "Online safety")
    thread_id, opening = make_thread(app, side, category, by="dsl1", title="Year 6 group chats", body=GROUP_CHATS)
    reply = make_post(app, side, thread_id, by="dsl2", body=REPLY)
    return category, thread_id, opening, reply


def _results(response) -> list[str]:
    """Each result's heading and details, as read on the page."""
    markup = response.get_data(as_text=True)
    items = re.findall(r'<li class="govuk-!-margin-bottom-6" id="result-[^"]+">(.*?)</li>', markup, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def _search(client, q: str, page: int | None = None):
    return client.get("/network/search", query_string={"q": q, **({"page": page} if page else {})})


def test_a_post_a_thread_title_and_a_resource_are_found_with_their_details(app, world):
    a = world.a
    _category, thread_id, _opening, reply = _network(app, a)
    make_resource(app, a, title="WhatsApp guide for parents", description="What parents of Year 6 pupils should know about group chats.")
    dsl = signed_in_client(app, a.head1)

    response = _search(dsl, "whatsapp")
    assert response.status_code == 200
    results = _results(response)
    assert "2 results for ‘whatsapp’" in page_text(response)
    assert results[0].startswith("Shared resource: WhatsApp guide for parents A shared resource, by " + a.dsl1.full_name)  # newest first
    assert results[1].startswith(f"Post in: Year 6 group chats A post in Online safety, by {a.dsl2.full_name},")
    assert results[1].endswith(REPLY)
    markup = response.get_data(as_text=True)
    assert "We ask parents to talk about <mark>WhatsApp</mark> at the Year 6 meeting." in markup
    assert f'href="/network/threads/{thread_id}#post-{reply}"' in markup

    titles = _results(_search(dsl, "group chats"))
    assert any(r.startswith(f"Thread: Year 6 group chats A thread in Online safety, by {a.dsl1.full_name}") for r in titles)
    assert any(r.startswith("Post in: Year 6 group chats A post in Online safety, by " + a.dsl1.full_name) and r.endswith(GROUP_CHATS) for r in titles)
    assert '<a class="govuk-link" href="/network/threads/' in _search(dsl, "group chats").get_data(as_text=True)
    assert "<mark>group</mark> <mark>chats</mark>" in _search(dsl, "group chats").get_data(as_text=True)

    # Every word must be there.
    assert _results(_search(dsl, "parents meeting")) and _results(_search(dsl, "parents giraffe")) == []
    assert "No results for ‘parents giraffe’" in page_text(_search(dsl, "parents giraffe"))


def test_snippets_are_plain_text_from_the_sanitised_post_with_the_words_marked_safely(app, world):
    a = world.a
    _category, thread_id, _opening, _reply = _network(app, a)
    rendered_post(
        app,
        a,
        thread_id,
        by="dsl2",
        body="**Bold** advice about <script>alert('x')</script> sexting & [a link](javascript:alert(1)) <img src=x onerror=alert(2)>",
    )

    response = _search(signed_in_client(app, a.dsl1), "sexting")
    markup = response.get_data(as_text=True)
    [result] = _results(response)
    assert "**" not in result and "<strong>" not in markup.split("<main", 1)[1]  # plain text, not the Markdown or its HTML
    assert "<script>alert" not in markup and "onerror=alert(2)>" not in markup and 'href="javascript' not in markup
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>sexting</mark> &amp;" in markup


def test_a_hidden_post_is_found_by_its_author_and_the_network_lead_only(app, world):
    a = world.a
    name_network_lead(app, a)
    _category, thread_id, _opening, _reply = _network(app, a)
    make_post(
        app,
        a,
        thread_id,
        by="dsl1",
        body="The zebracrossing outside school is where it happens.",
        hidden_at=utcnow(),
        hidden_by_id=a.front_door.id,
        hidden_reason="Identifies a place",
    )

    assert _results(_search(signed_in_client(app, a.dsl2), "zebracrossing")) == []
    assert _results(_search(signed_in_client(app, a.head1), "zebracrossing")) == []
    assert len(_results(_search(signed_in_client(app, a.dsl1), "zebracrossing"))) == 1  # its author
    assert len(_results(_search(signed_in_client(app, a.front_door), "zebracrossing"))) == 1  # the moderator


def test_archived_resources_are_not_found(app, world):
    a = world.a
    make_resource(app, a, title="Old filtering guidance", archived=True)
    make_resource(app, a, title="New filtering guidance")
    assert [r.split(" A shared")[0] for r in _results(_search(signed_in_client(app, a.dsl2), "filtering guidance"))] == [
        "Shared resource: New filtering guidance"
    ]


def test_another_authoritys_posts_threads_and_resources_are_never_found(app, world):
    a, b = world.a, world.b
    _network(app, a)
    b_category = make_category(app, b, "Online safety")
    b_thread, _b_opening = make_thread(app, b, b_category, title="Brackley kestrel thread", body="Kestrel estate: what do other schools know?")
    make_resource(app, b, title="Kestrel estate map")

    response = _search(signed_in_client(app, a.dsl1), "kestrel")
    assert _results(response) == [] and "No results for ‘kestrel’" in page_text(response)  # not even counted
    assert _results(_search(signed_in_client(app, a.front_door), "kestrel")) == []
    assert len(_results(_search(signed_in_client(app, b.dsl1), "kestrel"))) == 3
    assert _results(_search(signed_in_client(app, b.dsl1), "whatsapp")) == []


def test_people_outside_the_network_may_not_search(app, world):
    a = world.a
    _network(app, a)
    for key in ("partner", "staff1", "governor1", "admin"):
        response = _search(signed_in_client(app, a.people[key]), "whatsapp")
        assert response.status_code == 403, key
        assert "WhatsApp" not in response.get_data(as_text=True)
        denied = audit_events(app, a.authority_id, "access.denied")[-1]
        assert (denied.actor_id, denied.details["endpoint"]) == (a.people[key].id, "forums.search")
    invite_guest(app, a, "partner")
    assert len(_results(_search(signed_in_client(app, a.partner), "whatsapp"))) == 1


def test_results_come_twenty_a_page_newest_first(app, world):
    a = world.a
    category = make_category(app, a)
    thread_id, _opening = make_thread(app, a, category, title="Lunchtime supervision", body="How do you staff the field?")
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for n in range(1, 26):
        make_post(app, a, thread_id, by="dsl2", body=f"Rota idea number {n}.", created_at=start + timedelta(hours=n))
    dsl = signed_in_client(app, a.dsl1)

    first = _search(dsl, "rota")
    assert "25 results for ‘rota’" in page_text(first) and "Page 1 of 2." in page_text(first)
    results = _results(first)
    assert len(results) == 20
    assert results[0].endswith("Rota idea number 25.") and results[19].endswith("Rota idea number 6.")
    assert 'href="/network/search?q=rota&amp;page=2"' in first.get_data(as_text=True)
    second = _results(_search(dsl, "rota", 2))
    assert [r.rsplit(" ", 1)[-1] for r in second] == ["5.", "4.", "3.", "2.", "1."]
    assert len(_results(_search(dsl, "rota", 99))) == 5  # past the end: the last page
    assert len(_results(_search(dsl, "rota", -3))) == 20


def test_an_empty_or_one_letter_search_says_so_and_runs_no_query(app, world):
    a = world.a
    _network(app, a)
    dsl = signed_in_client(app, a.dsl1)
    assert "Search posts, thread titles and shared resources" in page_text(dsl.get("/network/search"))
    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    for q in ("", " ", "a", "!!"):
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany, *, statements=statements):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = _search(dsl, q)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        text = page_text(response)
        assert "There is a problem" in text and "Enter at least 2 letters or numbers to search for" in text, q
        assert not [s for s in statements if "forum_posts" in s or "forum_resources" in s], q


def test_the_search_uses_the_databases_own_method(app, world, database):
    """On PostgreSQL, the full-text expressions the GIN indexes of migration 0007 were built on (and the
    planner can use the indexes); on SQLite, LIKE on each word."""
    from sqlalchemy import select, text

    from portal.extensions import db
    from portal.forums import search
    from portal.forums.models import ForumPost, ForumResource, ForumThread

    a = world.a
    _network(app, a)
    with app.app_context():
        engine = db.engine
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert len(_results(_search(signed_in_client(app, a.dsl1), "chats"))) == 2
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    sql = " ".join(statements)
    if database.is_postgresql:
        assert "to_tsvector('english', forum_posts.body) @@ websearch_to_tsquery('english'" in sql
        assert "to_tsvector('english', forum_threads.title) @@ websearch_to_tsquery('english'" in sql
        assert "to_tsvector('english', forum_resources.title || ' ' || coalesce(forum_resources.description, '')) @@ websearch_to_tsquery('english'" in sql
        with app.app_context():
            checks = {
                "ix_search_forum_posts": select(ForumPost.id).where(search.matches(ForumPost.body, "chats", ["chats"])),
                "ix_search_forum_threads": select(ForumThread.id).where(search.matches(ForumThread.title, "chats", ["chats"])),
                "ix_search_forum_resources": select(ForumResource.id).where(search.matches(search._resource_document(), "chats", ["chats"])),
            }
            # As the server's administrator (no row-level security in the plan), with sequential scans off:
            # the only way to answer the match quickly is the index on the same expression.
            from sqlalchemy import create_engine

            from tests.database import _replace_db

            admin = create_engine(_replace_db(database.admin_url, database.name).replace("postgresql://", "postgresql+psycopg://"))
            with admin.connect() as connection:
                connection.execute(text("SET enable_seqscan = off"))
                for index, statement in checks.items():
                    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
                    plan = " ".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))
                    assert index in plan, plan
            admin.dispose()
    else:
        assert "websearch_to_tsquery" not in sql
        assert "lower(forum_posts.body) LIKE lower(" in sql and "lower(forum_threads.title) LIKE lower(" in sql
