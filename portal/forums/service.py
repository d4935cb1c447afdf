"""The work of the DSL network's pages: posting (after the identifiable-child check), editing with the history
kept, reporting, hiding, locking, categories and guests, the shared resources and following. Each function
adds to the session and the audit log in the request's transaction; the view commits.

Audit details hold ids, kinds and the length of the moderators' reasons (the reason itself is kept on the post
or thread), never the text of a post, of a report or of a reason.
Notifications carry a title and a link only.
"""

from __future__ import annotations

import uuid

from flask import url_for
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.audit.service import record
from portal.authorities.models import AuthorityDuty, Duty
from portal.casework import files
from portal.casework.people import notify_all
from portal.clock import utcnow
from portal.extensions import db
from portal.forums import markdown
from portal.forums.actions import Action
from portal.forums.models import (
    ForumCategory,
    ForumGuest,
    ForumPost,
    ForumPostRevision,
    ForumReport,
    ForumResource,
    ForumResourceVersion,
    ForumSubscription,
    ForumThread,
)
from portal.notifications.service import page_path
from portal.pagination import encode_cursor
from portal.policies import visible_query
from portal.pupils.childcheck import match_summary
from portal.uploads import read_upload, safe_filename

#: Posts on one page of a thread, and threads on one page of a category.
POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25

#: How a report was resolved.
OUTCOME_HIDDEN = "hidden"
OUTCOME_NO_ACTION = "no action"


# The identifiable-child check (portal.pupils.childcheck) ---------------------------------------------------


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


# Pages of a thread ------------------------------------------------------------------------------------


def _post_keys(thread_id, user=None) -> list[tuple]:
    query = visible_query(ForumPost, user).where(ForumPost.thread_id == thread_id).order_by(ForumPost.created_at, ForumPost.id)
    return [(p.created_at, p.id) for p in db.session.execute(query.with_only_columns(ForumPost.created_at, ForumPost.id)).all()]


def _cursor_of(keys: list[tuple], post_id) -> str | None:
    """The ``after`` cursor of the page that shows ``post_id``, given the thread's posts' keys in order."""
    position = next((i for i, key in enumerate(keys) if key[1] == post_id), 0)
    start = (position // POSTS_PER_PAGE) * POSTS_PER_PAGE
    return encode_cursor(*keys[start - 1]) if start else None


def page_cursor(thread_id, post_id, user=None) -> str | None:
    """The ``after`` cursor of the page of the thread (as ``user`` sees it) that shows ``post_id``."""
    return _cursor_of(_post_keys(thread_id, user), post_id)


def _url_of(post: ForumPost, cursor: str | None) -> str:
    return url_for("forums.thread", thread_id=post.thread_id, after=cursor, _anchor=f"post-{post.id}")


def post_url(post: ForumPost, user=None) -> str:
    """The address of a post on its thread's page."""
    return _url_of(post, page_cursor(post.thread_id, post.id, user))


def post_urls(posts, user=None) -> dict[uuid.UUID, str]:
    """The address of each post on its thread's page, as ``post_url`` gives it, with the posts of all their
    threads read in one query (not one per post)."""
    posts = list(posts)
    if not posts:
        return {}
    query = visible_query(ForumPost, user).where(ForumPost.thread_id.in_({p.thread_id for p in posts})).order_by(ForumPost.created_at, ForumPost.id)
    keys: dict[uuid.UUID, list[tuple]] = {}
    for thread_id, created_at, post_id in db.session.execute(query.with_only_columns(ForumPost.thread_id, ForumPost.created_at, ForumPost.id)).all():
        keys.setdefault(thread_id, []).append((created_at, post_id))
    return {p.id: _url_of(p, _cursor_of(keys.get(p.thread_id, []), p.id)) for p in posts}


def thread_path(thread_id) -> str:
    """A thread's address for a notification (built without a request)."""
    return page_path("forums.thread", thread_id=thread_id)


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


def add_category(values: dict, *, actor_id) -> ForumCategory:
    """A new category (name, description, position), audited. A name taken at the same moment fails on the
    unique name (the page says so)."""
    category = ForumCategory(created_by_id=actor_id, **values)
    db.session.add(category)
    db.session.flush()
    record(Action.FORUM_CATEGORY_CREATED, object_type="forum_category", object_id=category.id)
    return category


def archive_category(category: ForumCategory, archive: bool) -> None:
    """Archive the category (no new threads in it) or restore it, audited; the page handles a stale save."""
    category.archived_at = utcnow() if archive else None
    db.session.flush()
    record(Action.FORUM_CATEGORY_ARCHIVED if archive else Action.FORUM_CATEGORY_RESTORED, object_type="forum_category", object_id=category.id)


def update_category(category: ForumCategory, values: dict, fields: list[str]) -> None:
    """Change the category's ``fields`` to ``values``, audited with their names when any changed; the page
    handles a stale save and a name taken meanwhile."""
    for name in fields:
        setattr(category, name, values[name])
    if fields:
        db.session.flush()
        record(Action.FORUM_CATEGORY_UPDATED, object_type="forum_category", object_id=category.id, details={"fields": fields})


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


# Following ------------------------------------------------------------------------------------------------


def _subscription_details(subscription: ForumSubscription) -> dict:
    return {"category": str(subscription.category_id)} if subscription.category_id else {"thread": str(subscription.thread_id)}


def subscribe(user_id, *, category_id=None, thread_id=None) -> ForumSubscription:
    """``user_id`` follows the category or the thread, audited. Following it twice at the same moment fails
    on the unique subscription (the page treats it as followed)."""
    subscription = ForumSubscription(user_id=user_id, category_id=category_id, thread_id=thread_id)
    db.session.add(subscription)
    db.session.flush()
    record(Action.FORUM_SUBSCRIBED, object_type="forum_subscription", object_id=subscription.id, details=_subscription_details(subscription))
    return subscription


def unsubscribe(subscription: ForumSubscription) -> None:
    record(Action.FORUM_UNSUBSCRIBED, object_type="forum_subscription", object_id=subscription.id, details=_subscription_details(subscription))
    db.session.delete(subscription)
    db.session.flush()


# Shared resources -------------------------------------------------------------------------------------------


def _store(resource: ForumResource, upload, note: str | None, number: int, *, uploaded_by_id) -> ForumResourceVersion:
    """Keep ``upload`` as version ``number`` of ``resource`` (in the current transaction)."""
    data, mime = read_upload(upload)
    key = files.new_key()
    version = ForumResourceVersion(
        resource_id=resource.id,
        number=number,
        storage_key=key,
        filename=safe_filename(upload.filename),
        content_type=mime,
        size_bytes=len(data),
        uploaded_by_id=uploaded_by_id,
        note=note,
    )
    db.session.add(version)
    db.session.flush()  # the number is taken (or IntegrityError) before the file is written
    files.write(key, data)
    return version


def _resource_child_check(resource: ForumResource, matches) -> None:
    """A confirmed check, in the audit log: the kinds and how many, never the words."""
    if matches:
        record(Action.FORUM_CHILD_CHECK_CONFIRMED, object_type="forum_resource", object_id=resource.id, details=match_summary(matches))


def add_resource(*, title: str, description: str | None, category_id, upload, note: str | None, actor_id, matches=()) -> ForumResource:
    """A new resource of the library with ``upload`` as its first version, audited (with the identifiable-
    child check's matches the person confirmed)."""
    resource = ForumResource(title=title, description=description, category_id=category_id, created_by_id=actor_id)
    db.session.add(resource)
    db.session.flush()
    version = _store(resource, upload, note, 1, uploaded_by_id=actor_id)
    record(
        Action.FORUM_RESOURCE_ADDED,
        object_type="forum_resource",
        object_id=resource.id,
        details={"version": str(version.id), "type": version.content_type, "bytes": version.size_bytes},
    )
    _resource_child_check(resource, matches)
    return resource


def add_resource_version(resource: ForumResource, upload, note: str | None, number: int, *, actor_id, matches=()) -> ForumResourceVersion:
    """``upload`` as version ``number`` of the resource, audited. Someone else's upload of the same number
    at the same moment fails on the unique number (the page shows theirs)."""
    version = _store(resource, upload, note, number, uploaded_by_id=actor_id)
    record(
        Action.FORUM_RESOURCE_VERSION_ADDED,
        object_type="forum_resource",
        object_id=resource.id,
        details={"version": str(version.id), "number": version.number, "type": version.content_type, "bytes": version.size_bytes},
    )
    _resource_child_check(resource, matches)
    return version


def update_resource(resource: ForumResource, *, title: str, description: str | None, category_id, fields: list[str], matches=()) -> None:
    """Change the resource's details, audited with the names of the ``fields`` that changed (nothing when
    none did); the page handles a stale save."""
    if fields:
        resource.title, resource.description, resource.category_id = title, description, category_id
        record(Action.FORUM_RESOURCE_UPDATED, object_type="forum_resource", object_id=resource.id, details={"fields": fields})
        _resource_child_check(resource, matches)


def archive_resource(resource: ForumResource) -> None:
    """Withdraw the resource from the library, audited; the page handles a stale save."""
    resource.archived_at = utcnow()
    record(Action.FORUM_RESOURCE_ARCHIVED, object_type="forum_resource", object_id=resource.id)


def stored_files():
    """The storage keys of every version of the network's shared resources in the authority in context."""
    return db.session.execute(select(ForumResourceVersion.storage_key)).scalars()
