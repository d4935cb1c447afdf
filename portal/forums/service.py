"""The work of the DSL network's pages: posting (after the identifiable-child check), editing with the history
kept, reporting, hiding, locking, categories and guests. Each function adds to the session and the audit log
in the request's transaction; the view commits.

Audit details hold ids, kinds and the length of the moderators' reasons (the reason itself is kept on the post
or thread), never the text of a post, of a report or of a reason.
Notifications carry a title and a link only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import and_, func, or_, select, update

from portal.accounts.models import Membership, Role, User
from portal.audit.service import record
from portal.authorities.models import AuthorityDuty, Duty, Organisation
from portal.casework.people import notify_all
from portal.clock import utcnow
from portal.extensions import db
from portal.forums import markdown
from portal.forums.actions import Action
from portal.forums.models import ForumCategory, ForumGuest, ForumPost, ForumPostRevision, ForumReport, ForumThread
from portal.notifications.service import page_path
from portal.pagination import encode_cursor
from portal.policies import casework_schools, policy_for, visible_query

#: Posts on one page of a thread, and threads on one page of a category.
POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25

#: How a report was resolved.
OUTCOME_HIDDEN = "hidden"
OUTCOME_NO_ACTION = "no action"


# The identifiable-child check ----------------------------------------------------------------------


def child_matches(text: str, user) -> list:
    """What in ``text`` may identify a child: names of pupils on the poster's own schools' registers (as
    DSL or head), dates that look like a date of birth and UPN-shaped identifiers (for anyone).

    ``portal.forums.childcheck`` does the matching (imported when a post is made; if it cannot be, posting
    fails rather than saving an unchecked post)."""
    from portal.forums.childcheck import find_matches

    return list(find_matches(text, set(casework_schools(user))))


def match_summary(matches) -> dict:
    """What the audit log keeps of a confirmed check: the kinds and how many, never the matched text."""
    return {"kinds": sorted({m.kind for m in matches}), "count": len(matches)}


def matches_signature(matches, user) -> str:
    """A keyed signature of the matches shown to ``user`` (kinds and words, in a fixed order): the page
    carries it with the confirmation, so a confirmation counts only for the matches that were shown."""
    shown = sorted([m.kind, m.text] for m in matches)
    message = json.dumps([str(user.id), shown], separators=(",", ":")).encode()
    key = hashlib.sha256(b"forum-child-check:" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_matches(matches, user, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(matches_signature(matches, user), str(submitted))


def _confirmed(post: ForumPost, matches) -> None:
    post.child_check_confirmed = bool(matches)
    if matches:
        record(
            Action.FORUM_CHILD_CHECK_CONFIRMED, object_type="forum_post", object_id=post.id, details={"thread": str(post.thread_id), **match_summary(matches)}
        )


# People -----------------------------------------------------------------------------------------------


def moderator_ids() -> list[uuid.UUID]:
    """The network leads named in the authority's settings (active accounts only)."""
    query = (
        select(AuthorityDuty.user_id)
        .join(User, (User.id == AuthorityDuty.user_id) & (User.authority_id == AuthorityDuty.authority_id))
        .where(AuthorityDuty.duty == Duty.NETWORK_LEAD, User.deactivated_at.is_(None), User.password_hash.is_not(None))
    )
    return sorted(set(db.session.execute(query).scalars().all()))


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


# Pages of a thread ------------------------------------------------------------------------------------


def _post_keys(thread_id, user=None) -> list[tuple]:
    query = visible_query(ForumPost, user).where(ForumPost.thread_id == thread_id).order_by(ForumPost.created_at, ForumPost.id)
    return [(p.created_at, p.id) for p in db.session.execute(query.with_only_columns(ForumPost.created_at, ForumPost.id)).all()]


def page_cursor(thread_id, post_id, user=None) -> str | None:
    """The ``after`` cursor of the page of the thread (as ``user`` sees it) that shows ``post_id``."""
    keys = _post_keys(thread_id, user)
    position = next((i for i, key in enumerate(keys) if key[1] == post_id), 0)
    start = (position // POSTS_PER_PAGE) * POSTS_PER_PAGE
    return encode_cursor(*keys[start - 1]) if start else None


def post_url(post: ForumPost, user=None) -> str:
    """The address of a post on its thread's page."""
    return url_for("forums.thread", thread_id=post.thread_id, after=page_cursor(post.thread_id, post.id, user), _anchor=f"post-{post.id}")


def thread_path(thread_id) -> str:
    """A thread's address for a notification (built without a request)."""
    return page_path("forums.thread", thread_id=thread_id)


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


# Posting ------------------------------------------------------------------------------------------------


def _touch(thread_id, when) -> None:
    """The thread's last post time, without taking its version (two replies at once must both save)."""
    db.session.execute(update(ForumThread).where(ForumThread.id == thread_id).values(last_post_at=when).execution_options(synchronize_session=False))


def _posted(post: ForumPost, thread: ForumThread, actor_id) -> None:
    from portal.forums import notify

    notify.post_created(post, thread, actor_id=actor_id)


def start_thread(category: ForumCategory, *, title: str, body: str, author_id, matches=()) -> tuple[ForumThread, ForumPost]:
    now = utcnow()
    thread = ForumThread(category_id=category.id, title=title, author_id=author_id, last_post_at=now)
    db.session.add(thread)
    db.session.flush()
    post = ForumPost(thread_id=thread.id, author_id=author_id, body=body, body_html=markdown.render(body))
    db.session.add(post)
    db.session.flush()
    record(Action.FORUM_THREAD_CREATED, object_type="forum_thread", object_id=thread.id, details={"category": str(category.id), "post": str(post.id)})
    _confirmed(post, matches)
    _posted(post, thread, author_id)
    return thread, post


def add_reply(thread: ForumThread, *, body: str, author_id, quoted: ForumPost | None = None, matches=()) -> ForumPost:
    post = ForumPost(thread_id=thread.id, author_id=author_id, body=body, body_html=markdown.render(body), quoted_post_id=quoted.id if quoted else None)
    db.session.add(post)
    db.session.flush()
    _touch(thread.id, post.created_at or utcnow())
    details = {"thread": str(thread.id)}
    if quoted is not None:
        details["quoted"] = str(quoted.id)
    record(Action.FORUM_POST_CREATED, object_type="forum_post", object_id=post.id, details=details)
    _confirmed(post, matches)
    _posted(post, thread, author_id)
    return post


def edit_post(post: ForumPost, *, body: str, editor_id, matches=()) -> bool:
    """Save a new text: the old one goes into the history first. False when nothing changed. May raise
    ``StaleDataError`` (the post changed since it was loaded)."""
    if body == post.body:
        return False
    old_body = post.body
    db.session.add(ForumPostRevision(post_id=post.id, body=old_body, edited_by_id=editor_id))
    post.body = body
    post.body_html = markdown.render(body)
    post.edited_at = utcnow()
    post.child_check_confirmed = bool(matches)
    db.session.flush()
    record(Action.FORUM_POST_EDITED, object_type="forum_post", object_id=post.id, details={"thread": str(post.thread_id)})
    _confirmed(post, matches)
    from portal.forums import notify

    notify.post_edited(post, old_body, actor_id=editor_id)
    return True


# Moderation ------------------------------------------------------------------------------------------------


def open_reports(post_id) -> list[ForumReport]:
    return db.session.execute(visible_query(ForumReport).where(ForumReport.post_id == post_id, ForumReport.resolved_at.is_(None))).scalars().all()


def hide_post(post: ForumPost, *, reason: str, actor_id) -> None:
    now = utcnow()
    post.hidden_at, post.hidden_by_id, post.hidden_reason = now, actor_id, reason
    db.session.flush()
    reports = open_reports(post.id)
    for report in reports:
        report.resolved_at, report.resolved_by_id, report.outcome = now, actor_id, OUTCOME_HIDDEN
    record(
        Action.FORUM_POST_HIDDEN,
        object_type="forum_post",
        object_id=post.id,
        details={"thread": str(post.thread_id), "reason_length": len(reason), "reports_resolved": [str(r.id) for r in reports]},
    )
    notify_all([post.author_id], "A moderator has hidden one of your posts in the DSL network", link=thread_path(post.thread_id), exclude={actor_id})


def unhide_post(post: ForumPost) -> None:
    post.hidden_at = post.hidden_by_id = post.hidden_reason = None
    db.session.flush()
    record(Action.FORUM_POST_UNHIDDEN, object_type="forum_post", object_id=post.id, details={"thread": str(post.thread_id)})


def lock_thread(thread: ForumThread, *, reason: str, actor_id) -> None:
    thread.locked_at, thread.locked_by_id, thread.lock_reason = utcnow(), actor_id, reason
    db.session.flush()
    record(Action.FORUM_THREAD_LOCKED, object_type="forum_thread", object_id=thread.id, details={"reason_length": len(reason)})


def unlock_thread(thread: ForumThread) -> None:
    thread.locked_at = thread.locked_by_id = thread.lock_reason = None
    db.session.flush()
    record(Action.FORUM_THREAD_UNLOCKED, object_type="forum_thread", object_id=thread.id)


def reported_by(post_id, user_id) -> ForumReport | None:
    return db.session.execute(visible_query(ForumReport).where(ForumReport.post_id == post_id, ForumReport.reported_by_id == user_id)).scalar_one_or_none()


def report_post(post: ForumPost, *, reason: str, reporter_id) -> ForumReport:
    report = ForumReport(post_id=post.id, reported_by_id=reporter_id, reason=reason)
    db.session.add(report)
    db.session.flush()
    record(Action.FORUM_POST_REPORTED, object_type="forum_post", object_id=post.id, details={"thread": str(post.thread_id), "report": str(report.id)})
    notify_all(moderator_ids(), "A post in the DSL network has been reported", link=page_path("forums.reports"), exclude={reporter_id})
    return report


def resolve_report(report: ForumReport, *, outcome: str, actor_id) -> None:
    report.resolved_at, report.resolved_by_id, report.outcome = utcnow(), actor_id, outcome
    record(Action.FORUM_REPORT_RESOLVED, object_type="forum_report", object_id=report.id, details={"post": str(report.post_id), "outcome": outcome})


# Categories and guests -----------------------------------------------------------------------------------


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


def invite_guest(user: User, *, by_id) -> ForumGuest:
    guest = ForumGuest(user_id=user.id, invited_by_id=by_id)
    db.session.add(guest)
    db.session.flush()
    record(Action.FORUM_GUEST_INVITED, object_type="forum_guest", object_id=guest.id, details={"user": str(user.id)})
    notify_all([user.id], "You have been invited to the DSL network", link=page_path("forums.index"), exclude={by_id})
    return guest


def remove_guest(guest: ForumGuest) -> None:
    record(Action.FORUM_GUEST_REMOVED, object_type="forum_guest", object_id=guest.id, details={"user": str(guest.user_id)})
    db.session.delete(guest)
    db.session.flush()


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
