"""A thread of the DSL network: starting one, its page of posts (quoting, and what each person may do with
each post), replying, and the network lead locking and unlocking it.

Posts are written in Markdown and shown only as the sanitised HTML rendered from it
(``portal.forums.markdown``); before a post is saved it goes through the identifiable-child check
(``ChildCheckFields.check_child``), and the poster must change it or confirm it is not about a real child.
Forum posts are not child-level data: reading them is not audited; refusals, and every change, are.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.forums import markdown, queries, service
from portal.forums.blueprint import bp
from portal.forums.forms import LockForm, ReplyForm, ThreadForm
from portal.forums.models import ForumCategory, ForumPost, ForumThread
from portal.forums.policy import network_lead
from portal.locking import saving
from portal.model_base import as_uuid
from portal.pagination import fetch_page, request_cursor
from portal.policies import get_or_404, policy_for, visible_query

QUOTE_REFUSED = "The post you chose to quote cannot be quoted: it is not in this thread, or it is no longer shown. Post your reply without it, or choose another post to quote"


def _may(model, action: str, obj) -> bool:
    return policy_for(model).allows(current_user, action, obj)


@bp.route("/network/categories/<uuid:category_id>/threads/new", methods=["GET", "POST"])
@login_required
def thread_new(category_id):
    category = get_or_404(ForumCategory, category_id, action="start_thread")
    form = ThreadForm()
    preview = matches = None
    if request.method == "POST":
        if form.previewing:
            preview = markdown.render(form.text)
        elif form.validate():
            title, body = form.title_text, form.text
            matches, may_save = form.check_child(f"{title}\n{body}", current_user)
            if may_save:
                thread, _post = service.start_thread(category, title=title, body=body, author_id=current_user.id, matches=matches)
                db.session.commit()
                flash("Your thread has been started.", "success")
                return redirect(url_for("forums.thread", thread_id=thread.id))
    return render_template("forums/thread_new.html", form=form, category=category, preview=preview, matches=matches)


# A thread ------------------------------------------------------------------------------------------------


def _quotable(thread: ForumThread, raw_id) -> ForumPost | None:
    """The post a reply may quote: of this thread, visible to the poster, and quotable (not hidden, thread open)."""
    post_id = as_uuid(raw_id) if raw_id else None
    if post_id is None:
        return None
    post = db.session.execute(visible_query(ForumPost).where(ForumPost.id == post_id, ForumPost.thread_id == thread.id)).unique().scalar_one_or_none()
    return post if post is not None and _may(ForumPost, "quote", post) else None


def _thread_page(
    thread: ForumThread, *, reply_form: ReplyForm | None = None, lock_form: LockForm | None = None, preview=None, matches=None, refused_text: str | None = None
):
    category = db.session.execute(visible_query(ForumCategory).where(ForumCategory.id == thread.category_id)).scalar_one()
    after = request_cursor(2, datetime, uuid.UUID)
    query = queries.posts_after(visible_query(ForumPost).where(ForumPost.thread_id == thread.id), after)
    page = fetch_page(db.session, query, service.POSTS_PER_PAGE, lambda p: (p.created_at, p.id))
    posts = list(page.items)
    lead = network_lead(current_user)
    may_reply = _may(ForumThread, "reply", thread)

    quoting = quote_refused = None
    if may_reply:
        if reply_form is None:
            reply_form = ReplyForm(formdata=None)
            reply_form.quoted_post_id.data = request.args.get("quote", "")
        if reply_form.quoted_post_id.data:
            quoting = _quotable(thread, reply_form.quoted_post_id.data)
            if quoting is None:
                reply_form.quoted_post_id.data = ""
                quote_refused = not reply_form.body.errors
    else:
        reply_form = None

    quoted_ids = {p.quoted_post_id for p in posts if p.quoted_post_id}
    quoted = {q.id: q for q in db.session.execute(visible_query(ForumPost).where(ForumPost.id.in_(quoted_ids))).unique().scalars()} if quoted_ids else {}
    # A quote shows the quoted post as it is now; hidden or out of sight: "no longer available".
    quotes = {i: q for i, q in quoted.items() if q.hidden_at is None}
    people = {p.author_id for p in posts} | {q.author_id for q in quotes.values()} | ({quoting.author_id} if quoting else set())

    allows = policy_for(ForumPost).allows
    me = current_user
    actions = {
        p.id: {
            "quote": may_reply and allows(me, "quote", p),
            "edit": p.author_id == me.id and allows(me, "edit", p),
            "report": not lead and allows(me, "report", p),
            "hide": p.hidden_at is None and allows(me, "hide", p),
            "unhide": p.hidden_at is not None and allows(me, "hide", p),
            "history": p.edited_at is not None and allows(me, "history", p),
        }
        for p in posts
    }
    return render_template(
        "forums/thread.html",
        thread=thread,
        category=category,
        page=page,
        first_page=after is None,
        after=request.args.get("after") if after else None,
        posts=posts,
        quotes=quotes,
        organisations=queries.organisations_of(people),
        actions=actions,
        lead=lead,
        may_lock=_may(ForumThread, "lock", thread),
        reply_form=reply_form,
        lock_form=lock_form or LockForm(formdata=None),
        preview=preview,
        matches=matches,
        quoting=quoting,
        quote_refused=quote_refused,
        refused_text=refused_text,
    )


@bp.route("/network/threads/<uuid:thread_id>")
@login_required
def thread(thread_id):
    return _thread_page(get_or_404(ForumThread, thread_id))


@bp.route("/network/threads/<uuid:thread_id>/replies", methods=["POST"])
@login_required
def reply(thread_id):
    thread = get_or_404(ForumThread, thread_id)
    form = ReplyForm()
    if not _may(ForumThread, "reply", thread):
        # Locked since the page was loaded: nothing is saved; what they typed is shown for them to keep.
        return _thread_page(thread, refused_text=form.text)
    preview = matches = None
    if form.previewing:
        preview = markdown.render(form.text)
    elif form.validate():
        quoted = _quotable(thread, form.quoted_post_id.data) if form.quoted_post_id.data else None
        if form.quoted_post_id.data and quoted is None:
            form.body.errors = [QUOTE_REFUSED]
        else:
            matches, may_save = form.check_child(form.text, current_user)
            if may_save:
                post = service.add_reply(thread, body=form.text, author_id=current_user.id, quoted=quoted, matches=matches)
                db.session.commit()
                flash("Your reply has been posted.", "success")
                return redirect(service.post_url(post))
    return _thread_page(thread, reply_form=form, preview=preview, matches=matches)


# Locking (the network lead) ---------------------------------------------------------------------------------


@bp.route("/network/threads/<uuid:thread_id>/lock", methods=["POST"])
@login_required
def thread_lock(thread_id):
    thread = get_or_404(ForumThread, thread_id, action="lock")
    if thread.locked_at is not None:
        flash("This thread is already locked.")
        return redirect(url_for("forums.thread", thread_id=thread.id))
    form = LockForm()
    if form.validate_on_submit():
        with saving() as save:
            service.lock_thread(thread, reason=form.text, actor_id=current_user.id)
        if save.stale:
            flash("The thread was changed at the same time. Try again.")
        else:
            flash("The thread has been locked. No one can reply to it or edit its posts.", "success")
        return redirect(url_for("forums.thread", thread_id=thread_id))
    return _thread_page(thread, lock_form=form)


@bp.route("/network/threads/<uuid:thread_id>/unlock", methods=["POST"])
@login_required
def thread_unlock(thread_id):
    thread = get_or_404(ForumThread, thread_id, action="lock")
    if thread.locked_at is None:
        flash("This thread is not locked.")
    else:
        with saving() as save:
            service.unlock_thread(thread)
        if save.stale:
            flash("The thread was changed at the same time. Try again.")
        else:
            flash("The thread has been unlocked. Members can reply again.", "success")
    return redirect(url_for("forums.thread", thread_id=thread_id))
