"""The DSL network forums: who is in the network, who leads it (moderates), what a member sees (a hidden
post, a thread whose opening post is hidden and an archived resource only their author and the lead)."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user
from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from portal.accounts.models import Role
from portal.authorities.models import Duty
from portal.extensions import db
from portal.forums.models import (
    ForumCategory,
    ForumDigest,
    ForumGuest,
    ForumPost,
    ForumPostRevision,
    ForumReport,
    ForumResource,
    ForumResourceVersion,
    ForumSubscription,
    ForumThread,
)
from portal.policies import Policy, deny_page, has_duty, never

#: Roles that are in the authority's DSL network without an invitation (DESIGN.md §1).
NETWORK_ROLES = (Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR)


def network_lead(user) -> bool:
    """Moderates the forums: named for the duty in the authority's settings."""
    return has_duty(user, Duty.NETWORK_LEAD)


def forum_member(user) -> bool:
    """In the network: DSLs and heads, the front door and social care, the network lead, and partners the
    network lead invited (once per request)."""
    if not user.is_authenticated:
        return False
    if user.has_role(*NETWORK_ROLES) or network_lead(user):
        return True
    if not user.has_role(Role.PARTNER):
        return False
    from flask import g

    cache = g.setdefault("_forum_guests", {})
    if user.id not in cache:
        cache[user.id] = db.session.execute(select(ForumGuest.id).where(ForumGuest.user_id == user.id)).first() is not None
    return cache[user.id]


def members_only(view):
    """A page of the network without an object of its own (the library, search, what you follow): members
    only; anyone else gets 403 (audited)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not forum_member(current_user):
            deny_page()
        return view(*args, **kwargs)

    return wrapper


def _members(user) -> ColumnElement[bool]:
    return true() if forum_member(user) else false()


def _forum_resource_visible(user) -> ColumnElement[bool]:
    """Members see the library; an archived resource (withdrawn: say, a document that turned out to
    identify a child) and its files only the person who added it and the network lead."""
    if not forum_member(user):
        return false()
    if network_lead(user):
        return true()
    return or_(ForumResource.archived_at.is_(None), ForumResource.created_by_id == user.id)


def _forum_post_visible(user) -> ColumnElement[bool]:
    """Members see the posts; a hidden post only its author and the moderators."""
    if not forum_member(user):
        return false()
    if network_lead(user):
        return true()
    return or_(ForumPost.hidden_at.is_(None), ForumPost.author_id == user.id)


def forum_opening_hidden() -> ColumnElement[bool]:
    """The thread's opening post (its first, by time then id, as the thread shows it) is hidden by a moderator."""
    opening, earlier = aliased(ForumPost), aliased(ForumPost)
    return exists().where(
        opening.authority_id == ForumThread.authority_id,
        opening.thread_id == ForumThread.id,
        opening.hidden_at.is_not(None),
        ~exists().where(
            earlier.authority_id == opening.authority_id,
            earlier.thread_id == opening.thread_id,
            or_(earlier.created_at < opening.created_at, and_(earlier.created_at == opening.created_at, earlier.id < opening.id)),
        ),
    )


def _forum_thread_visible(user) -> ColumnElement[bool]:
    """Members see the threads; one whose opening post a moderator hid (its title with it) only its author
    and the moderators."""
    if not forum_member(user):
        return false()
    if network_lead(user):
        return true()
    return or_(ForumThread.author_id == user.id, ~forum_opening_hidden())


def _forum_thread_open(thread_id) -> bool:
    """Whether the thread is open (once per thread per request: a thread's page asks for every post)."""
    from flask import g

    cache = g.setdefault("_forum_threads_open", {})
    if thread_id not in cache:
        cache[thread_id] = db.session.execute(select(ForumThread.id).where(ForumThread.id == thread_id, ForumThread.locked_at.is_(None))).first() is not None
    return cache[thread_id]


def _forum_post_allows(user, action, obj) -> bool:
    if not forum_member(user):
        return False
    if action == "edit":
        return obj.author_id == user.id and obj.hidden_at is None and _forum_thread_open(obj.thread_id)
    if action == "hide":
        return network_lead(user)
    if action == "report":
        return obj.author_id != user.id and obj.hidden_at is None
    if action == "quote":
        return obj.hidden_at is None and _forum_thread_open(obj.thread_id)
    if action == "history":  # the edit history: as ForumPostRevision's visibility
        return obj.author_id == user.id or network_lead(user)
    return False


def _forum_thread_allows(user, action, obj) -> bool:
    if not forum_member(user):
        return False
    if action == "reply":
        return obj.locked_at is None
    if action == "lock":
        return network_lead(user)
    return action == "subscribe"


def _forum_category_allows(user, action, obj) -> bool:
    if action == "manage":
        return network_lead(user)
    if action == "start_thread":
        return forum_member(user) and obj.archived_at is None
    if action == "subscribe":
        return forum_member(user)
    return False


def _forum_resource_allows(user, action, obj) -> bool:
    if not forum_member(user):
        return False
    if action in {"new_version", "archive", "edit"}:
        # An archived resource is kept as it was: no new version, no edit, no second archiving.
        return obj.archived_at is None and (obj.created_by_id == user.id or network_lead(user))
    return False


POLICIES: dict[type, Policy] = {
    # The DSL network forums.
    ForumCategory: Policy(visible=_members, allows=_forum_category_allows),
    ForumGuest: Policy(
        visible=lambda user: true() if network_lead(user) else false(), allows=lambda user, action, obj: action == "remove" and network_lead(user)
    ),
    ForumThread: Policy(visible=_forum_thread_visible, allows=_forum_thread_allows),
    ForumPost: Policy(visible=_forum_post_visible, allows=_forum_post_allows),
    # The edit history may hold text the author took out (a name typed by mistake): the author and the
    # moderators only.
    ForumPostRevision: Policy(
        visible=lambda user: (
            (true() if network_lead(user) else ForumPostRevision.post_id.in_(select(ForumPost.id).where(ForumPost.author_id == user.id)))
            if forum_member(user)
            else false()
        ),
        allows=never,
    ),
    ForumReport: Policy(
        visible=lambda user: (true() if network_lead(user) else ForumReport.reported_by_id == user.id) if forum_member(user) else false(),
        allows=lambda user, action, obj: action == "resolve" and network_lead(user),
    ),
    ForumResource: Policy(visible=_forum_resource_visible, allows=_forum_resource_allows),
    ForumResourceVersion: Policy(
        visible=lambda user: (
            ForumResourceVersion.resource_id.in_(select(ForumResource.id).where(_forum_resource_visible(user))) if forum_member(user) else false()
        ),
        allows=lambda user, action, obj: action == "download" and forum_member(user),
    ),
    ForumSubscription: Policy(
        visible=lambda user: (
            and_(
                ForumSubscription.user_id == user.id,
                _members(user),
                or_(ForumSubscription.thread_id.is_(None), ForumSubscription.thread_id.in_(select(ForumThread.id).where(_forum_thread_visible(user)))),
            )
            if user.is_authenticated
            else false()
        ),
        allows=lambda user, action, obj: action == "delete" and obj.user_id == user.id,
    ),
    ForumDigest: Policy(visible=lambda user: ForumDigest.user_id == user.id if user.is_authenticated else false(), allows=never),
}
