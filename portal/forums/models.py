"""The DSL network forums: one network per authority, where DSLs, heads, social care and invited partners
share practice.

Categories (managed by the network lead), threads and posts; each post keeps its Markdown source and the
sanitised HTML rendered from it, and every earlier text of an edited post (``ForumPostRevision``, insert
only). Reports of a post, moderators hiding a post (with a reason) and locking a thread. A library of shared
resources with versions. Subscriptions to categories and threads, and one digest per person per day.

No child may be identifiable in a post: before a post is saved it is checked against the poster's own
school register and for dates of birth and UPNs; a poster who confirms the matches are not about a real
child is recorded on the post (``child_check_confirmed``) and in the audit log.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class ForumCategory(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A category of the network's forum (for example "Online safety", "Policy templates")."""

    __tablename__ = "forum_categories"
    __table_args__ = tenant_table_args(
        parent_key("created_by_id", "users"),
        UniqueConstraint("authority_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class ForumGuest(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A partner agency's person the network lead invited into the network (partners are not in it
    otherwise). Removing the invitation deletes the row (audited)."""

    __tablename__ = "forum_guests"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users"),
        parent_key("invited_by_id", "users"),
        UniqueConstraint("authority_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    invited_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    user = tenant_relationship("User", "ForumGuest.user_id", lazy="joined")


class ForumThread(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    __tablename__ = "forum_threads"
    __table_args__ = tenant_table_args(
        parent_key("category_id", "forum_categories"),
        parent_key("author_id", "users"),
        parent_key("locked_by_id", "users"),
        Index("ix_forum_threads_category", "authority_id", "category_id", "last_post_at"),
        CheckConstraint("locked_at IS NULL OR locked_by_id IS NOT NULL", name="lock_recorded"),
    )

    category_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    lock_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    author = tenant_relationship("User", "ForumThread.author_id", lazy="joined")


class ForumPost(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A post: the thread's opening post or a reply (optionally quoting another post of the thread).

    ``body`` is what the author typed (Markdown); ``body_html`` is rendered from it and sanitised with nh3,
    and is all a page ever shows. A hidden post keeps its text for the moderators; others see that it was
    hidden."""

    __tablename__ = "forum_posts"
    __table_args__ = tenant_table_args(
        parent_key("thread_id", "forum_threads", ondelete="CASCADE"),
        parent_key("author_id", "users"),
        parent_key("quoted_post_id", "forum_posts"),
        parent_key("hidden_by_id", "users"),
        Index("ix_forum_posts_thread", "authority_id", "thread_id", "created_at"),
        Index("ix_forum_posts_author", "authority_id", "author_id"),
        CheckConstraint("hidden_at IS NULL OR (hidden_by_id IS NOT NULL AND hidden_reason IS NOT NULL)", name="hiding_recorded"),
    )

    thread_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    quoted_post_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The poster was shown what looked like an identifiable child and confirmed it is not about a real one.
    child_check_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    author = tenant_relationship("User", "ForumPost.author_id", lazy="joined")


class ForumPostRevision(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The text a post had before an edit (insert only): the edit history."""

    __tablename__ = "forum_post_revisions"
    __table_args__ = tenant_table_args(
        parent_key("post_id", "forum_posts", ondelete="CASCADE"),
        parent_key("edited_by_id", "users"),
        Index("ix_forum_post_revisions_post", "authority_id", "post_id", "created_at"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    edited_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)


class ForumReport(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """Someone reported a post to the moderators; a moderator resolves it (hiding the post or not)."""

    __tablename__ = "forum_reports"
    __table_args__ = tenant_table_args(
        parent_key("post_id", "forum_posts", ondelete="CASCADE"),
        parent_key("reported_by_id", "users"),
        parent_key("resolved_by_id", "users"),
        UniqueConstraint("authority_id", "post_id", "reported_by_id"),
        Index("ix_forum_reports_open", "authority_id", "resolved_at"),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    reported_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    outcome: Mapped[str | None] = mapped_column(Text)


class ForumResource(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A shared document of the network's library (a policy template, training materials): its versions
    are ``ForumResourceVersion`` rows."""

    __tablename__ = "forum_resources"
    __table_args__ = tenant_table_args(
        parent_key("category_id", "forum_categories"),
        parent_key("created_by_id", "users"),
        Index("ix_forum_resources_category", "authority_id", "category_id"),
    )

    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class ForumResourceVersion(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One uploaded version of a resource: the file (type read from its bytes, stored outside the web root
    under ``storage_key``), who uploaded it and when, and what changed."""

    __tablename__ = "forum_resource_versions"
    __table_args__ = tenant_table_args(
        parent_key("resource_id", "forum_resources", ondelete="CASCADE"),
        parent_key("uploaded_by_id", "users"),
        UniqueConstraint("authority_id", "resource_id", "number"),
        UniqueConstraint("storage_key"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    resource_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class ForumSubscription(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A person follows a category or a thread (exactly one)."""

    __tablename__ = "forum_subscriptions"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users"),
        parent_key("category_id", "forum_categories", ondelete="CASCADE"),
        parent_key("thread_id", "forum_threads", ondelete="CASCADE"),
        UniqueConstraint("authority_id", "user_id", "category_id", name="uq_forum_subscription_category"),
        UniqueConstraint("authority_id", "user_id", "thread_id", name="uq_forum_subscription_thread"),
        CheckConstraint(
            "(CASE WHEN category_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN thread_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    thread_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class ForumDigest(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The daily digest sent to one person for one day: the unique row makes the job idempotent."""

    __tablename__ = "forum_digests"
    __table_args__ = tenant_table_args(
        parent_key("user_id", "users"),
        UniqueConstraint("authority_id", "user_id", "digest_on"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    digest_on: Mapped[date] = mapped_column(Date, nullable=False)
    post_count: Mapped[int] = mapped_column(Integer, nullable=False)
