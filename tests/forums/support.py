"""Factories for the forums' tests, made through the models inside the authority (as the portal would)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.factories import _scope


def name_network_lead(app, side, key: str = "front_door") -> None:
    """Name ``key`` as the DSL network lead (the moderator) in the authority's settings."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db

    with _scope(app, side):
        db.session.add(AuthorityDuty(user_id=side.people[key].id, duty=Duty.NETWORK_LEAD))
        db.session.commit()


def invite_guest(app, side, key: str = "partner", by: str = "front_door") -> uuid.UUID:
    """A partner invited into the network by the lead."""
    from portal.extensions import db
    from portal.forums.models import ForumGuest

    with _scope(app, side, side.people[by]):
        row = ForumGuest(user_id=side.people[key].id, invited_by_id=side.people[by].id)
        db.session.add(row)
        db.session.commit()
        return row.id


def make_category(app, side, name: str = "Online safety", by: str = "front_door") -> uuid.UUID:
    from portal.extensions import db
    from portal.forums.models import ForumCategory

    with _scope(app, side, side.people[by]):
        row = ForumCategory(name=name, description="Keeping children safe online: apps, gaming, sharing images.", created_by_id=side.people[by].id)
        db.session.add(row)
        db.session.commit()
        return row.id


def make_thread(
    app, side, category_id, *, by: str = "dsl1", title: str = "Year 6 group chats", body: str = "How are other schools handling group chats that start at home?"
) -> tuple[uuid.UUID, uuid.UUID]:
    """A thread with its opening post: (thread id, post id). The post's HTML is the escaped text (tests
    of rendering use the portal's own renderer)."""
    from markupsafe import escape

    from portal.clock import utcnow
    from portal.extensions import db
    from portal.forums.models import ForumPost, ForumThread

    author = side.people[by]
    with _scope(app, side, author):
        thread = ForumThread(category_id=category_id, title=title, author_id=author.id, last_post_at=utcnow())
        db.session.add(thread)
        db.session.flush()
        post = ForumPost(thread_id=thread.id, author_id=author.id, body=body, body_html=f"<p>{escape(body)}</p>")
        db.session.add(post)
        db.session.commit()
        return thread.id, post.id


def make_post(app, side, thread_id, *, by: str = "dsl2", body: str = "We ask parents to talk about it at the Year 6 meeting.", **fields) -> uuid.UUID:
    from markupsafe import escape

    from portal.extensions import db
    from portal.forums.models import ForumPost

    author = side.people[by]
    with _scope(app, side, author):
        post = ForumPost(thread_id=thread_id, author_id=author.id, body=body, body_html=f"<p>{escape(body)}</p>", **fields)
        db.session.add(post)
        db.session.commit()
        return post.id


def make_report(app, side, post_id, *, by: str = "dsl2", reason: str = "This may identify a pupil.") -> uuid.UUID:
    """A member's report of a post (open)."""
    from portal.extensions import db
    from portal.forums.models import ForumReport

    with _scope(app, side, side.people[by]):
        row = ForumReport(post_id=post_id, reported_by_id=side.people[by].id, reason=reason)
        db.session.add(row)
        db.session.commit()
        return row.id


def hide_post(app, side, post_id, *, by: str = "front_door", reason: str = "Names a pupil.") -> None:
    """A moderator hid the post (``by`` should be the network lead)."""
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.forums.models import ForumPost

    with _scope(app, side, side.people[by]):
        post = db.session.execute(select(ForumPost).where(ForumPost.id == post_id)).scalar_one()
        post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), side.people[by].id, reason
        db.session.commit()


def lock_thread(app, side, thread_id, *, by: str = "front_door", reason: str = "Resolved.") -> None:
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.forums.models import ForumThread

    with _scope(app, side, side.people[by]):
        thread = db.session.execute(select(ForumThread).where(ForumThread.id == thread_id)).scalar_one()
        thread.locked_at, thread.locked_by_id, thread.lock_reason = utcnow(), side.people[by].id, reason
        db.session.commit()
