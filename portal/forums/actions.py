"""The audited actions of this feature: the DSL network forums (details: ids, kinds and moderators' reasons' lengths; never the text of a post)."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """The DSL network forums (details: ids, kinds and moderators' reasons' lengths; never the text of a post). (With the actions every feature records: portal.audit.actions.)"""

    # The DSL network forums (details: ids, kinds and moderators' reasons; never the text of a post).
    FORUM_THREAD_CREATED = "forum.thread_created"
    FORUM_POST_CREATED = "forum.post_created"
    FORUM_POST_EDITED = "forum.post_edited"
    FORUM_POST_HIDDEN = "forum.post_hidden"
    FORUM_POST_UNHIDDEN = "forum.post_unhidden"
    FORUM_POST_REPORTED = "forum.post_reported"
    FORUM_REPORT_RESOLVED = "forum.report_resolved"
    FORUM_THREAD_LOCKED = "forum.thread_locked"
    FORUM_THREAD_UNLOCKED = "forum.thread_unlocked"
    FORUM_CATEGORY_CREATED = "forum.category_created"
    FORUM_CATEGORY_UPDATED = "forum.category_updated"
    FORUM_CATEGORY_ARCHIVED = "forum.category_archived"
    FORUM_CATEGORY_RESTORED = "forum.category_restored"
    FORUM_GUEST_INVITED = "forum.guest_invited"
    FORUM_GUEST_REMOVED = "forum.guest_removed"
    FORUM_CHILD_CHECK_CONFIRMED = "forum.child_check_confirmed"
    # The network's shared resources, and following categories and threads (details: ids, numbers, types).
    FORUM_RESOURCE_ADDED = "forum.resource_added"
    FORUM_RESOURCE_UPDATED = "forum.resource_updated"
    FORUM_RESOURCE_VERSION_ADDED = "forum.resource_version_added"
    FORUM_RESOURCE_ARCHIVED = "forum.resource_archived"
    FORUM_RESOURCE_DOWNLOADED = "forum.resource_downloaded"
    FORUM_SUBSCRIBED = "forum.subscribed"
    FORUM_UNSUBSCRIBED = "forum.unsubscribed"
    FORUM_DIGEST_SENT = "forum.digest_sent"
