"""Search across the network: posts, thread titles and shared resources the person may see, newest first,
20 a page (the page itself: ``portal.forums.views.search``).

* PostgreSQL: full-text search with ``to_tsvector('english', ...) @@ websearch_to_tsquery('english', :q)``,
  exactly the expressions of the GIN indexes of migration 0007, so the indexes are used.
* SQLite (development and tests): every word must appear, case-insensitive (``LIKE``).

Posts come through ``visible_query(ForumPost)`` (a hidden post is found only by its author and the
moderators); archived resources are not found. Each result shows a short plain-text snippet taken from
the sanitised text (never the Markdown source rendered as HTML), with the words searched for marked:
each piece of text is escaped first, then the matches wrapped in ``<mark>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

from flask import current_app, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import and_, func, literal_column, select

from portal.accounts.models import User
from portal.extensions import db
from portal.forums.models import ForumCategory, ForumPost, ForumResource, ForumThread
from portal.policies import policy_for, visible_query

PAGE_SIZE = 20
MIN_LENGTH = 2
MAX_LENGTH = 200
SNIPPET = 220

#: The text-search configuration, as a literal (the index expressions name it as a constant).
ENGLISH = literal_column("'english'")

#: Words not worth marking in a snippet (PostgreSQL ignores them in a search too).
UNMARKED = {"a", "an", "and", "are", "as", "at", "be", "by", "for", "in", "is", "it", "of", "on", "or", "the", "to", "was", "with"}


# The text of a query and of what it found ----------------------------------------------------------


def words(query: str) -> list[str]:
    """The words of a query, lower case, each once, in order."""
    return list(dict.fromkeys(w.lower() for w in re.findall(r"\w+", query)))


def _stem(word: str) -> str:
    for suffix, keep in (("ies", 3), ("ing", 3), ("ed", 3), ("es", 3), ("s", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def _pattern(terms: list[str]) -> re.Pattern | None:
    stems = sorted({_stem(t) for t in terms if t not in UNMARKED}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"\w*(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> Markup:
    """``text`` escaped, with the words of ``terms`` (and words sharing their stem) in ``<mark>``."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(Markup("<mark>%s</mark>") % text[match.start() : match.end()])
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


class _Text(HTMLParser):
    BREAKS = {"p", "br", "li", "blockquote", "pre", "h3", "h4", "hr", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.BREAKS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words of (sanitised) HTML, tags dropped and entities decoded, whitespace collapsed."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())


def snippet(text: str, terms: list[str], size: int = SNIPPET) -> Markup:
    """A short piece of ``text`` around the first word found, with the words marked."""
    text = " ".join((text or "").split())
    if len(text) > size:
        pattern = _pattern(terms)
        found = pattern.search(text) if pattern else None
        start = max(0, (found.start() if found else 0) - size // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + 30 else start
        end = min(len(text), start + size)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start + size // 2 else end
        text = ("… " if start else "") + text[start:end].strip() + (" …" if end < len(text) else "")
    return highlight(text, terms)


# The queries --------------------------------------------------------------------------------------


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def matches(document, query: str, terms: list[str]):
    """``document`` (a column expression) matches the query: full text on PostgreSQL, every word on SQLite."""
    if _postgresql():
        return func.to_tsvector(ENGLISH, document).bool_op("@@")(func.websearch_to_tsquery(ENGLISH, query))
    return and_(*(document.ilike("%" + re.sub(r"([\\%_])", r"\\\1", term) + "%", escape="\\") for term in terms))


def _resource_document():
    """``title || ' ' || coalesce(description, '')``, as the index has it."""
    return ForumResource.title.concat(literal_column("' '")).concat(func.coalesce(ForumResource.description, literal_column("''")))


def post_query(query: str, terms: list[str]):
    return (
        visible_query(ForumPost)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(policy_for(ForumThread).visible(current_user), matches(ForumPost.body, query, terms))
    )


def thread_query(query: str, terms: list[str]):
    return visible_query(ForumThread).where(matches(ForumThread.title, query, terms))


def resource_query(query: str, terms: list[str]):
    return visible_query(ForumResource).where(ForumResource.archived_at.is_(None), matches(_resource_document(), query, terms))


@dataclass
class Result:
    kind: str  # "post", "thread" or "resource"
    id: object
    at: datetime
    title: str
    title_html: Markup
    url: str | None
    category: str | None
    author: str
    snippet: Markup | None = None


def _thread_url(thread_id, post_id=None) -> str | None:
    if "forums.thread" not in current_app.view_functions:
        return None
    return url_for("forums.thread", thread_id=thread_id, _anchor=f"post-{post_id}" if post_id else None)


def _count(query) -> int:
    return db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def _keys(model, query, limit: int) -> list[tuple[datetime, object, str]]:
    """(created at, id, kind) of the newest ``limit`` rows of ``query``."""
    kind = {ForumPost: "post", ForumThread: "thread", ForumResource: "resource"}[model]
    rows = db.session.execute(
        query.with_only_columns(model.created_at, model.id, maintain_column_froms=True).order_by(model.created_at.desc(), model.id.desc()).limit(limit)
    ).all()
    return [(row[0], row[1], kind) for row in rows]


def run(query: str, page: int) -> tuple[list[Result], int, int]:
    """One page of results, the total number found and the number of pages (``page`` is kept in range)."""
    terms = words(query)
    queries = {ForumPost: post_query(query, terms), ForumThread: thread_query(query, terms), ForumResource: resource_query(query, terms)}
    total = sum(_count(q) for q in queries.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    if total == 0:
        return [], 0, 1
    wanted = page * PAGE_SIZE
    keys = sorted((key for model, q in queries.items() for key in _keys(model, q, wanted)), key=lambda k: (k[0], str(k[1])), reverse=True)
    keys = keys[(page - 1) * PAGE_SIZE : wanted]
    return _results(keys, terms), total, pages


def _results(keys, terms: list[str]) -> list[Result]:
    ids = {kind: [k[1] for k in keys if k[2] == kind] for kind in ("post", "thread", "resource")}
    posts = {p.id: p for p in db.session.execute(visible_query(ForumPost).where(ForumPost.id.in_(ids["post"]))).scalars()} if ids["post"] else {}
    thread_ids = set(ids["thread"]) | {p.thread_id for p in posts.values()}
    threads = {t.id: t for t in db.session.execute(visible_query(ForumThread).where(ForumThread.id.in_(thread_ids))).scalars()} if thread_ids else {}
    resources = (
        {r.id: r for r in db.session.execute(visible_query(ForumResource).where(ForumResource.id.in_(ids["resource"]))).scalars()} if ids["resource"] else {}
    )
    category_ids = {t.category_id for t in threads.values()} | {r.category_id for r in resources.values() if r.category_id}
    categories = (
        dict(
            db.session.execute(
                visible_query(ForumCategory).where(ForumCategory.id.in_(category_ids)).with_only_columns(ForumCategory.id, ForumCategory.name)
            ).all()
        )
        if category_ids
        else {}
    )
    people = {r.created_by_id for r in resources.values()}
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(people))).all()) if people else {}

    results = []
    for at, object_id, kind in keys:
        if kind == "post" and object_id in posts and posts[object_id].thread_id in threads:
            post = posts[object_id]
            thread = threads[post.thread_id]
            results.append(
                Result(
                    "post",
                    post.id,
                    at,
                    thread.title,
                    escape(thread.title),
                    _thread_url(thread.id, post.id),
                    categories.get(thread.category_id),
                    post.author.full_name if post.author else "Unknown",
                    snippet(plain_text(post.body_html), terms),
                )
            )
        elif kind == "thread" and object_id in threads:
            thread = threads[object_id]
            results.append(
                Result(
                    "thread",
                    thread.id,
                    at,
                    thread.title,
                    highlight(thread.title, terms),
                    _thread_url(thread.id),
                    categories.get(thread.category_id),
                    thread.author.full_name if thread.author else "Unknown",
                )
            )
        elif kind == "resource" and object_id in resources:
            resource = resources[object_id]
            results.append(
                Result(
                    "resource",
                    resource.id,
                    at,
                    resource.title,
                    highlight(resource.title, terms),
                    url_for("forums.resource", resource_id=resource.id),
                    categories.get(resource.category_id),
                    names.get(resource.created_by_id, "Unknown"),
                    snippet(resource.description, terms) if resource.description else None,
                )
            )
    return results
