"""Following categories and threads of the network: a notification in the portal for each new post in
what you follow, and one email each morning (the daily digest) listing the threads with new posts.

Starting a thread, or replying, follows it (``portal.forums.notify.post_created``). The thread and
category pages show a "Follow" button posting here; :func:`following` tells them whether the person does.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.forums import service
from portal.forums.blueprint import bp
from portal.forums.models import ForumCategory, ForumSubscription, ForumThread
from portal.forums.policy import members_only
from portal.policies import get_or_404, visible_query


def following(*, category_id=None, thread_id=None) -> ForumSubscription | None:
    """The current user's subscription to the category or thread, if they follow it."""
    query = visible_query(ForumSubscription)
    query = query.where(ForumSubscription.thread_id == thread_id) if thread_id is not None else query.where(ForumSubscription.category_id == category_id)
    return db.session.execute(query).scalar_one_or_none()


def _back(endpoint: str, **values) -> str:
    """The page the button was on, if that page exists; otherwise the list of what you follow."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return url_for("forums.subscriptions")


def _subscribe(*, category_id=None, thread_id=None, name: str) -> None:
    """Follow (audited); following twice changes nothing."""
    if following(category_id=category_id, thread_id=thread_id) is not None:
        flash(f"You already follow {name}.", "success")
        return
    try:
        service.subscribe(current_user.id, category_id=category_id, thread_id=thread_id)
        db.session.commit()
    except IntegrityError:  # a second click at the same moment
        db.session.rollback()
    flash(f"You now follow {name}. You will be told about new posts here and in a daily email.", "success")


@bp.route("/network/categories/<uuid:category_id>/subscribe", methods=["POST"])
@login_required
def subscribe(category_id):
    category = get_or_404(ForumCategory, category_id, action="subscribe")
    name, target = category.name, category.id
    _subscribe(category_id=target, name=name)
    return redirect(_back("forums.category", category_id=target))


@bp.route("/network/threads/<uuid:thread_id>/subscribe", methods=["POST"])
@login_required
def thread_subscribe(thread_id):
    thread = get_or_404(ForumThread, thread_id, action="subscribe")
    name, target = thread.title, thread.id
    _subscribe(thread_id=target, name=name)
    return redirect(_back("forums.thread", thread_id=target))


@bp.route("/network/subscriptions/<uuid:subscription_id>/delete", methods=["POST"])
@login_required
def subscription_delete(subscription_id):
    subscription = get_or_404(ForumSubscription, subscription_id, action="delete")
    name = _name_of(subscription)
    service.unsubscribe(subscription)
    db.session.commit()
    flash(f"You no longer follow {name}." if name else "You no longer follow it.", "success")
    return redirect(url_for("forums.subscriptions"))


def _name_of(subscription: ForumSubscription) -> str | None:
    if subscription.category_id is not None:
        return db.session.execute(
            visible_query(ForumCategory).where(ForumCategory.id == subscription.category_id).with_only_columns(ForumCategory.name)
        ).scalar_one_or_none()
    return db.session.execute(
        visible_query(ForumThread).where(ForumThread.id == subscription.thread_id).with_only_columns(ForumThread.title)
    ).scalar_one_or_none()


@bp.route("/network/subscriptions")
@login_required
@members_only
def subscriptions():
    categories = db.session.execute(
        visible_query(ForumSubscription)
        .join(ForumCategory, ForumCategory.id == ForumSubscription.category_id)
        .with_only_columns(
            ForumSubscription.id, ForumCategory.id.label("category_id"), ForumCategory.name, ForumCategory.archived_at, maintain_column_froms=True
        )
        .order_by(ForumCategory.position, func.lower(ForumCategory.name))
    ).all()
    threads = db.session.execute(
        visible_query(ForumSubscription)
        .join(ForumThread, ForumThread.id == ForumSubscription.thread_id)
        .join(ForumCategory, ForumCategory.id == ForumThread.category_id)
        .with_only_columns(
            ForumSubscription.id,
            ForumThread.id.label("thread_id"),
            ForumThread.title,
            ForumThread.last_post_at,
            ForumCategory.name.label("category"),
            maintain_column_froms=True,
        )
        .order_by(ForumThread.last_post_at.desc())
    ).all()
    return render_template("forums/subscriptions.html", categories=categories, threads=threads)
