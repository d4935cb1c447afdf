"""Who hears about a new post: subscribers of its thread and category, and people it mentions.

In-app notifications only, each a fixed title and a link to the thread: never the text of a post (a
notification is also shown in lists, and may be read over someone's shoulder). The email is the daily
digest (``portal.forums.jobs``).

* The author of a post follows its thread from then on (whoever starts a thread, and whoever replies).
* Followers of the thread, and of its category, are told, if they are still in the network (a partner
  whose invitation was removed hears nothing); never the author.
* ``@`` followed by a member's full name as the forum shows it ("@Jo Williams"; any case) mentions them:
  the longest name that fits wins ("@Jo Williams" over "@Jo"), a name that is not a member's does nothing,
  and a mentioned member is told once (instead of the follower's notification). Lines quoted from
  another post (starting with ``>``) mention nobody again. A mention added by editing a post tells the
  person then; one the post already had tells nobody again.
* Only people who may see the thread hear about it: when a moderator hid its opening post, the network
  leads and the thread's author.
"""

from __future__ import annotations

import re
import uuid

from flask import current_app
from sqlalchemy import and_, or_, select

from portal.accounts.models import Membership, Role, User
from portal.authorities.models import AuthorityDuty, Duty
from portal.casework.people import notify_all
from portal.extensions import db
from portal.forums.models import ForumGuest, ForumPost, ForumSubscription, ForumThread
from portal.forums.policy import NETWORK_ROLES, forum_opening_hidden
from portal.notifications.service import page_path

NEW_THREAD = "New thread in a category you follow"
NEW_REPLY = "New reply in a thread you follow"
NEW_REPLY_IN_CATEGORY = "New reply in a category you follow"
MENTIONED = "You were mentioned in a post"


def network_members() -> dict[uuid.UUID, str]:
    """The active people of the authority in context who are in the network, with their full names (one
    query): as :func:`portal.policies.forum_member` decides it, for everyone at once."""
    by_role = select(Membership.user_id).where(Membership.role.in_(NETWORK_ROLES))
    leads = select(AuthorityDuty.user_id).where(AuthorityDuty.duty == Duty.NETWORK_LEAD)
    partners = select(Membership.user_id).where(Membership.role == Role.PARTNER)
    guests = select(ForumGuest.user_id).where(ForumGuest.user_id.in_(partners))
    rows = db.session.execute(
        select(User.id, User.full_name).where(
            User.deactivated_at.is_(None),
            User.password_hash.is_not(None),
            or_(User.id.in_(by_role), User.id.in_(leads), User.id.in_(guests)),
        )
    ).all()
    return {row.id: row.full_name for row in rows}


def readers(thread, members: dict[uuid.UUID, str]) -> set[uuid.UUID]:
    """The members who may see ``thread``: all of them, or (its opening post hidden by a moderator) the
    network leads and the thread's author, as ``ForumThread``'s policy decides it."""
    hidden = db.session.execute(select(ForumThread.id).where(ForumThread.id == thread.id, forum_opening_hidden())).first() is not None
    if not hidden:
        return set(members)
    leads = set(db.session.execute(select(AuthorityDuty.user_id).where(AuthorityDuty.duty == Duty.NETWORK_LEAD)).scalars())
    return set(members) & (leads | {thread.author_id})


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def mentioned(text: str, members: dict[uuid.UUID, str]) -> set[uuid.UUID]:
    """The members ``text`` mentions with ``@Full Name`` (longest name first, any case)."""
    names: dict[str, set[uuid.UUID]] = {}
    for user_id, name in members.items():
        key = _squash(name or "")
        if key:
            names.setdefault(key, set()).add(user_id)
    if not names or "@" not in text:
        return set()
    ordered = sorted(names, key=len, reverse=True)
    own_lines = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    found: set[uuid.UUID] = set()
    for match in re.finditer(r"(?<![\w@.])@", own_lines):  # not an email address (jo@school.org)
        after = own_lines[match.end() : match.end() + 300]
        if not after[:1] or after[:1].isspace():
            continue
        rest = _squash(after)
        for name in ordered:
            if rest.startswith(name) and (len(rest) == len(name) or not rest[len(name)].isalnum()):
                found |= names[name]
                break
    return found


def thread_link(thread_id, post_id=None) -> str | None:
    """The thread's page (at the post), for a notification: built from the URL map (works in a job)."""
    if "forums.thread" in current_app.view_functions:
        path = page_path("forums.thread", thread_id=thread_id)
        return f"{path}#post-{post_id}" if post_id else path
    for endpoint in ("forums.index", "forums.subscriptions"):
        if endpoint in current_app.view_functions:
            return page_path(endpoint)
    return None


def follow_thread(user_id, thread_id) -> None:
    """``user_id`` follows the thread (nothing if they already do), in the current transaction."""
    exists = select(ForumSubscription.id).where(ForumSubscription.user_id == user_id, ForumSubscription.thread_id == thread_id)
    if db.session.execute(exists).first() is not None:
        return
    from sqlalchemy.exc import IntegrityError

    savepoint = db.session.begin_nested()
    try:
        db.session.add(ForumSubscription(user_id=user_id, thread_id=thread_id))
        db.session.flush()
    except IntegrityError:  # they followed it at the same moment
        savepoint.rollback()
    else:
        savepoint.commit()


def post_created(post, thread, *, actor_id) -> None:
    """Tell subscribers and mentioned people about ``post`` (in-app; the daily digest emails)."""
    follow_thread(post.author_id, thread.id)
    members = network_members()
    audience = readers(thread, members)
    first = db.session.execute(select(ForumPost.id).where(ForumPost.thread_id == thread.id, ForumPost.id != post.id).limit(1)).first() is None
    link = thread_link(thread.id, post.id)
    told = {post.author_id, actor_id}

    mentions = {user_id for user_id in mentioned(post.body or "", members) if user_id not in told} & audience
    notify_all(sorted(mentions), MENTIONED, link=link, email=False)
    told |= mentions

    followers = db.session.execute(
        select(ForumSubscription.user_id, ForumSubscription.thread_id).where(
            or_(ForumSubscription.thread_id == thread.id, and_(ForumSubscription.category_id.is_not(None), ForumSubscription.category_id == thread.category_id))
        )
    ).all()
    of_thread = {row.user_id for row in followers if row.thread_id is not None} & audience
    of_category = {row.user_id for row in followers if row.thread_id is None} & audience
    if first:
        notify_all(sorted((of_thread | of_category) - told), NEW_THREAD, link=link, email=False)
        return
    notify_all(sorted(of_thread - told), NEW_REPLY, link=link, email=False)
    notify_all(sorted(of_category - of_thread - told), NEW_REPLY_IN_CATEGORY, link=link, email=False)


def post_edited(post, old_body: str, *, actor_id) -> None:
    """Tell the people an edit of ``post`` newly mentions (not in its text before, not the editor or the
    author, and only those who may see the thread), as a reply tells them (in-app)."""
    thread = db.session.execute(select(ForumThread).where(ForumThread.id == post.thread_id)).unique().scalar_one()
    members = network_members()
    new = mentioned(post.body or "", members) - mentioned(old_body or "", members) - {post.author_id, actor_id}
    new &= readers(thread, members)
    notify_all(sorted(new), MENTIONED, link=thread_link(thread.id, post.id), email=False)
