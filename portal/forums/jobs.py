"""The DSL network's daily digest: each morning, one email to each member who follows something, listing the
threads with new posts the day before (the UK day, midnight to midnight, GMT or BST) that they may see,
not their own. Thread titles, the number of new posts and links only: never what was written (an email
can be read anywhere).

Scheduled once a day for every authority (``jobs.schedule``), so it runs in one authority's tenant scope
and sees only its posts. Two jobs, so that nobody gets a digest twice and a failed email is retried:

1. ``forums.daily_digest`` works out who has something, and for each inserts the ``ForumDigest`` row
   (unique per person per day) and enqueues that person's email, in one transaction. A second run, or a
   retry, finds the row and enqueues nothing; two runs at once are stopped by the unique row.
2. ``forums.digest_email`` sends one person's email. If sending fails, that job is retried by the
   outbox: the row does not block it (it is what the email job works from).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from jobs.outbox import enqueue
from jobs.registry import job
from portal.accounts.models import User
from portal.audit.service import record
from portal.clock import UK, uk_today
from portal.extensions import db
from portal.forums.actions import Action
from portal.forums.models import ForumCategory, ForumDigest, ForumPost, ForumSubscription, ForumThread
from portal.forums.notify import network_members
from portal.forums.policy import forum_member
from portal.notifications.mail import external_url, send_templated
from portal.policies import policy_for, visible_query


@dataclass
class DigestThread:
    id: uuid.UUID
    title: str
    category: str
    new_posts: int


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UK day ``day``, midnight to midnight, in UTC (23 or 25 hours when the clocks change)."""
    start = datetime.combine(day, time.min, tzinfo=UK)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UK)
    return start.astimezone(UTC), end.astimezone(UTC)


def digest_threads(user: User, day: date) -> list[DigestThread]:
    """The threads with posts on ``day`` that ``user`` follows (the thread or its category) and may see,
    not counting their own posts; with how many new posts each."""
    start, end = day_bounds(day)
    followed_threads = select(ForumSubscription.thread_id).where(ForumSubscription.user_id == user.id, ForumSubscription.thread_id.is_not(None))
    followed_categories = select(ForumSubscription.category_id).where(ForumSubscription.user_id == user.id, ForumSubscription.category_id.is_not(None))
    posts = db.session.execute(
        visible_query(ForumPost, user)
        .join(ForumThread, ForumThread.id == ForumPost.thread_id)
        .where(
            policy_for(ForumThread).visible(user),
            ForumPost.created_at >= start,
            ForumPost.created_at < end,
            ForumPost.author_id != user.id,
            or_(ForumPost.thread_id.in_(followed_threads), ForumThread.category_id.in_(followed_categories)),
        )
        .with_only_columns(ForumPost.id, ForumPost.thread_id, maintain_column_froms=True)
    ).all()
    counts: dict[uuid.UUID, int] = {}
    for post in posts:
        counts[post.thread_id] = counts.get(post.thread_id, 0) + 1
    if not counts:
        return []
    rows = db.session.execute(
        visible_query(ForumThread, user)
        .join(ForumCategory, ForumCategory.id == ForumThread.category_id)
        .where(ForumThread.id.in_(sorted(counts)), policy_for(ForumCategory).visible(user))
        .with_only_columns(ForumThread.id, ForumThread.title, ForumCategory.name, ForumCategory.position, maintain_column_froms=True)
    ).all()
    rows = sorted(rows, key=lambda r: (r.position, r.name.lower(), r.title.lower()))
    return [DigestThread(r.id, r.title, r.name, counts[r.id]) for r in rows]


def _subscribers() -> list[User]:
    """Active members of the network who follow something (with their roles, for the policy)."""
    members = network_members()
    following = set(db.session.execute(select(ForumSubscription.user_id).distinct()).scalars()) & members.keys()
    if not following:
        return []
    return db.session.execute(select(User).where(User.id.in_(sorted(following))).options(selectinload(User.memberships)).order_by(User.id)).scalars().all()


@job("forums.daily_digest", queue="notifications")
def daily_digest() -> None:
    """Yesterday's digest (UK day) for each person with something new in what they follow."""
    day = uk_today() - timedelta(days=1)
    done = set(db.session.execute(select(ForumDigest.user_id).where(ForumDigest.digest_on == day)).scalars())
    for user in _subscribers():
        if user.id in done or not forum_member(user):
            continue
        threads = digest_threads(user, day)
        if not threads:
            continue  # nothing new: no email
        savepoint = db.session.begin_nested()
        try:
            row = ForumDigest(user_id=user.id, digest_on=day, post_count=sum(t.new_posts for t in threads))
            db.session.add(row)
            db.session.flush()
        except IntegrityError:  # another run made it at the same moment: theirs sends it
            savepoint.rollback()
            continue
        savepoint.commit()
        enqueue("forums.digest_email", digest_id=row.id)


def _thread_link(thread_id) -> str:
    for endpoint, values in (("forums.thread", {"thread_id": thread_id}), ("forums.index", {}), ("forums.subscriptions", {})):
        if endpoint in current_app.view_functions:
            return external_url(endpoint, **values)
    return external_url("dashboard.home")


@job("forums.digest_email", queue="notifications")
def digest_email(digest_id: str) -> None:
    """Send one person's digest (worked out again from the row: what they may see now, that day's posts)."""
    digest = db.session.execute(select(ForumDigest).where(ForumDigest.id == uuid.UUID(str(digest_id)))).scalar_one()  # payload ids are strings
    user = db.session.execute(select(User).where(User.id == digest.user_id).options(selectinload(User.memberships))).scalar_one()
    if user.status != "active" or not forum_member(user):
        return  # deactivated, or out of the network since the digest was made
    threads = digest_threads(user, digest.digest_on)
    if not threads:
        return  # hidden or removed since: nothing left to tell
    total = sum(t.new_posts for t in threads)
    day_label = digest.digest_on.strftime("%A %-d %B %Y")
    send_templated(
        to=user.email,
        subject=f"DSL network: {total} new {'post' if total == 1 else 'posts'} in what you follow, {digest.digest_on.strftime('%-d %B %Y')}",
        template="forum_digest",
        user_id=user.id,
        user=user,
        day=day_label,
        total=total,
        threads=[(t, _thread_link(t.id)) for t in threads],
        subscriptions_link=external_url("forums.subscriptions"),
    )
    record(
        Action.FORUM_DIGEST_SENT,
        object_type="forum_digest",
        object_id=digest.id,
        actor_id=None,
        details={"user": str(user.id), "day": digest.digest_on.isoformat(), "posts": total, "threads": len(threads)},
    )
