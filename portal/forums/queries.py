"""Reads for the DSL network's pages, only for showing them: who people are (names, organisations), each
category's threads and newest activity, the order of a category's threads and a thread's posts, who may be
invited, whether someone already reported a post or a category's name is taken. The forum's own rows are
read through the policies (``visible_query``); nothing here changes anything (``portal.forums.service``
does).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from portal.accounts.models import Membership, Role, User
from portal.authorities.models import Organisation
from portal.extensions import db
from portal.forums.models import ForumCategory, ForumGuest, ForumPost, ForumReport, ForumThread
from portal.policies import policy_for, visible_query

# People -----------------------------------------------------------------------------------------------


def organisations_of(user_ids) -> dict[uuid.UUID, str]:
    """Each person's organisations, by name ("Avonford Primary School"), in one query."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Membership.user_id, Organisation.name)
        .join(Organisation, (Organisation.id == Membership.organisation_id) & (Organisation.authority_id == Membership.authority_id))
        .where(Membership.user_id.in_(ids))
        .order_by(Organisation.name)
    ).all()
    names: dict[uuid.UUID, list[str]] = {}
    for user_id, name in rows:
        if name not in names.setdefault(user_id, []):
            names[user_id].append(name)
    return {user_id: ", ".join(found) for user_id, found in names.items()}


def names_of(user_ids) -> dict[uuid.UUID, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


# Categories on the index -------------------------------------------------------------------------------


@dataclass
class CategorySummary:
    threads: int
    latest: ForumThread | None


def category_summaries(categories, user) -> dict[uuid.UUID, CategorySummary]:
    """For each category: how many threads, and the thread with the newest post (three queries in all)."""
    ids = [c.id for c in categories]
    if not ids:
        return {}
    visible = policy_for(ForumThread).visible(user)
    counts = dict(
        db.session.execute(
            select(ForumThread.category_id, func.count()).where(visible, ForumThread.category_id.in_(ids)).group_by(ForumThread.category_id)
        ).all()
    )
    newest = (
        select(ForumThread.category_id.label("category_id"), func.max(ForumThread.last_post_at).label("at"))
        .where(visible, ForumThread.category_id.in_(ids))
        .group_by(ForumThread.category_id)
        .subquery()
    )
    latest: dict[uuid.UUID, ForumThread] = {}
    for thread in (
        db.session.execute(
            visible_query(ForumThread, user)
            .join(newest, and_(ForumThread.category_id == newest.c.category_id, ForumThread.last_post_at == newest.c.at))
            .order_by(ForumThread.id)
        )
        .unique()
        .scalars()
    ):
        latest.setdefault(thread.category_id, thread)
    return {i: CategorySummary(counts.get(i, 0), latest.get(i)) for i in ids}


def reply_counts(thread_ids, user) -> dict[uuid.UUID, int]:
    """Replies each thread has that ``user`` can see (its posts but the opening one)."""
    if not thread_ids:
        return {}
    rows = db.session.execute(
        select(ForumPost.thread_id, func.count())
        .where(policy_for(ForumPost).visible(user), ForumPost.thread_id.in_(list(thread_ids)))
        .group_by(ForumPost.thread_id)
    ).all()
    return {thread_id: max(count - 1, 0) for thread_id, count in rows}


# The order of threads and posts ----------------------------------------------------------------------------


def threads_after(query, after):
    """Threads newest activity first, after the cursor ``(last_post_at, id)``."""
    if after:
        query = query.where(or_(ForumThread.last_post_at < after[0], and_(ForumThread.last_post_at == after[0], ForumThread.id < after[1])))
    return query.order_by(ForumThread.last_post_at.desc(), ForumThread.id.desc())


def posts_after(query, after):
    """Posts oldest first, after the cursor ``(created_at, id)``."""
    if after:
        query = query.where(or_(ForumPost.created_at > after[0], and_(ForumPost.created_at == after[0], ForumPost.id > after[1])))
    return query.order_by(ForumPost.created_at, ForumPost.id)


# Moderation, categories and guests ---------------------------------------------------------------------------


def reported_by(post_id, user_id) -> ForumReport | None:
    return db.session.execute(visible_query(ForumReport).where(ForumReport.post_id == post_id, ForumReport.reported_by_id == user_id)).scalar_one_or_none()


def name_taken(name: str, except_id=None) -> bool:
    query = visible_query(ForumCategory).where(func.lower(ForumCategory.name) == name.lower())
    if except_id is not None:
        query = query.where(ForumCategory.id != except_id)
    return db.session.execute(query.with_only_columns(ForumCategory.id)).first() is not None


def invitable_partners() -> list[User]:
    """Active people of the authority's partner agencies not in the network yet."""
    return (
        db.session.execute(
            select(User)
            .where(
                User.id.in_(select(Membership.user_id).where(Membership.role == Role.PARTNER)),
                User.id.not_in(select(ForumGuest.user_id)),
                User.deactivated_at.is_(None),
                User.password_hash.is_not(None),
            )
            .order_by(User.full_name, User.id)
        )
        .scalars()
        .all()
    )
