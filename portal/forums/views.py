"""Pages of the DSL network: categories, threads and posts, moderation, categories and guests.

One network per authority (DESIGN.md §1, §3 item 8): DSLs and heads, the front door and social care, the
network lead (who moderates) and the partners the lead invites. Anyone else gets 403 for the network's
pages and 404 for its objects, audited. Posts are written in Markdown and shown only as the sanitised HTML
rendered from it (``portal.forums.markdown``); before a post is saved it goes through the identifiable-child
check (``service.child_matches``), and the poster must change it or confirm it is not about a real child.

Forum posts are not child-level data: reads are not audited (but for a post's edit history, which may hold
text its author took out); refusals, and every change, are.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from forms import choices
from portal.audit.service import record, render_audited
from portal.clock import utcnow
from portal.extensions import db
from portal.forums import markdown, service
from portal.forums.actions import Action
from portal.forums.blueprint import bp
from portal.forums.forms import (
    CATEGORY_LABELS,
    CONFIRM_ERROR,
    CategoryForm,
    EditForm,
    GuestForm,
    HideForm,
    LockForm,
    ReplyForm,
    ReportForm,
    ResolveForm,
    ThreadForm,
)
from portal.forums.models import ForumCategory, ForumGuest, ForumPost, ForumPostRevision, ForumReport, ForumThread
from portal.forums.policy import forum_member, network_lead
from portal.locking import stale_refused, what_changed
from portal.model_base import as_uuid
from portal.pagination import fetch_page, request_cursor
from portal.policies import deny_page, get_or_404, policy_for, visible_query

QUOTE_REFUSED = "The post you chose to quote cannot be quoted: it is not in this thread, or it is no longer shown. Post your reply without it, or choose another post to quote"


def _may(model, action: str, obj) -> bool:
    return policy_for(model).allows(current_user, action, obj)


def check_child(form, text: str):
    """Run the identifiable-child check on ``text`` (a post, or a shared resource's details): the matches,
    and whether it may be saved: no match, or the person ticked the confirmation on the page that showed
    them exactly these matches (the signature the page carried). Otherwise the matches are shown (again),
    with the confirmation unticked and its error, and the signature of what is shown now."""
    matches = service.child_matches(text, current_user)
    if not matches:
        return matches, True
    if form.confirm.data and service.signature_matches(matches, current_user, form.child_check.data):
        return matches, True
    form.confirm.data = False
    form.confirm.errors = [CONFIRM_ERROR]
    form.child_check.data = service.matches_signature(matches, current_user)
    return matches, False


# The network and its categories --------------------------------------------------------------------------


@bp.route("/network")
@login_required
def index():
    if not forum_member(current_user):
        deny_page()
    categories = (
        db.session.execute(
            visible_query(ForumCategory).where(ForumCategory.archived_at.is_(None)).order_by(ForumCategory.position, ForumCategory.name, ForumCategory.id)
        )
        .scalars()
        .all()
    )
    lead = network_lead(current_user)
    open_reports = (
        db.session.execute(visible_query(ForumReport).where(ForumReport.resolved_at.is_(None)).with_only_columns(func.count())).scalar_one() if lead else 0
    )
    return render_template(
        "forums/index.html", categories=categories, summaries=service.category_summaries(categories, current_user), lead=lead, open_reports=open_reports
    )


@bp.route("/network/categories/<uuid:category_id>")
@login_required
def category(category_id):
    category = get_or_404(ForumCategory, category_id)
    after = request_cursor(2, datetime, uuid.UUID)
    query = service.threads_after(visible_query(ForumThread).where(ForumThread.category_id == category.id), after)
    page = fetch_page(db.session, query, service.THREADS_PER_PAGE, lambda t: (t.last_post_at, t.id))
    return render_template(
        "forums/category.html",
        category=category,
        page=page,
        first_page=after is None,
        replies=service.reply_counts([t.id for t in page.items], current_user),
        may_start=_may(ForumCategory, "start_thread", category),
    )


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
            matches, may_save = check_child(form, f"{title}\n{body}")
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
    query = service.posts_after(visible_query(ForumPost).where(ForumPost.thread_id == thread.id), after)
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
        organisations=service.organisations_of(people),
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
            matches, may_save = check_child(form, form.text)
            if may_save:
                post = service.add_reply(thread, body=form.text, author_id=current_user.id, quoted=quoted, matches=matches)
                db.session.commit()
                flash("Your reply has been posted.", "success")
                return redirect(service.post_url(post))
    return _thread_page(thread, reply_form=form, preview=preview, matches=matches)


# A post: editing and its history ---------------------------------------------------------------------------


def _edit_conflict(post: ForumPost, typed: str, form: EditForm):
    changes = what_changed({"body": post.body}, {"body": typed}, {"body": "The post"})
    stale_refused("forum_post", post.id)
    form.version.data = str(post.version)
    return changes


@bp.route("/network/posts/<uuid:post_id>/edit", methods=["GET", "POST"])
@login_required
def post_edit(post_id):
    post = get_or_404(ForumPost, post_id, action="edit")
    thread = get_or_404(ForumThread, post.thread_id)
    form = EditForm(data={"body": post.body, "version": str(post.version)} if request.method == "GET" else None)
    preview = matches = changes = None
    if request.method == "POST":
        if form.previewing:
            preview = markdown.render(form.text)
        elif form.validate():
            typed = form.text
            if form.version.version != post.version:
                changes = _edit_conflict(post, typed, form)
            else:
                matches, may_save = check_child(form, typed)
                if may_save:
                    try:
                        changed = service.edit_post(post, body=typed, editor_id=current_user.id, matches=matches)
                        db.session.commit()
                    except StaleDataError:
                        db.session.rollback()
                        post = get_or_404(ForumPost, post_id, action="edit")
                        changes, matches = _edit_conflict(post, typed, form), None
                    else:
                        flash("Your post has been changed." if changed else "Nothing was changed.", "success")
                        return redirect(service.post_url(post))
    return render_template("forums/post_edit.html", form=form, post=post, thread=thread, preview=preview, matches=matches, changes=changes)


@bp.route("/network/posts/<uuid:post_id>/history")
@login_required
def post_history(post_id):
    post = get_or_404(ForumPost, post_id, action="history")
    thread = get_or_404(ForumThread, post.thread_id)
    revisions = (
        db.session.execute(
            visible_query(ForumPostRevision)
            .where(ForumPostRevision.post_id == post.id)
            .order_by(ForumPostRevision.created_at.desc(), ForumPostRevision.id.desc())
        )
        .scalars()
        .all()
    )
    # The history may hold text its author took out (a name typed by mistake): who read it is recorded.
    record(Action.RECORD_VIEWED, object_type="forum_post", object_id=post.id, details={"page": "history"})
    return render_audited(
        "forums/post_history.html",
        post=post,
        thread=thread,
        revisions=revisions,
        rendered={r.id: markdown.render(r.body) for r in revisions},
        names=service.names_of({r.edited_by_id for r in revisions} | {post.author_id}),
        organisations=service.organisations_of({post.author_id}),
        post_url=service.post_url(post),
    )


# Reporting and moderating -----------------------------------------------------------------------------------


@bp.route("/network/posts/<uuid:post_id>/report", methods=["GET", "POST"])
@login_required
def post_report(post_id):
    post = get_or_404(ForumPost, post_id, action="report")
    thread = get_or_404(ForumThread, post.thread_id)
    existing = service.reported_by(post.id, current_user.id)
    form = ReportForm()
    if existing is None and form.validate_on_submit():
        try:
            service.report_post(post, reason=form.text, reporter_id=current_user.id)
            db.session.commit()
        except IntegrityError:  # reported twice at once: the first report stands
            db.session.rollback()
            existing = service.reported_by(post.id, current_user.id)
        else:
            flash("Thank you. The post has been reported and the network lead will look at it.", "success")
            return redirect(service.post_url(post))
    return render_template(
        "forums/post_report.html",
        post=post,
        thread=thread,
        form=form,
        existing=existing,
        organisations=service.organisations_of({post.author_id}),
        post_url=service.post_url(post),
    )


@bp.route("/network/posts/<uuid:post_id>/hide", methods=["GET", "POST"])
@login_required
def post_hide(post_id):
    post = get_or_404(ForumPost, post_id, action="hide")
    thread = get_or_404(ForumThread, post.thread_id)
    if post.hidden_at is not None:
        flash("This post is already hidden.")
        return redirect(service.post_url(post))
    form = HideForm()
    if form.validate_on_submit():
        try:
            service.hide_post(post, reason=form.text, actor_id=current_user.id)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash("The post was changed while you were hiding it. Read it again, then hide it if you still need to.")
            return redirect(url_for("forums.post_hide", post_id=post_id))
        flash("The post has been hidden. Its author has been told.", "success")
        return redirect(service.post_url(post))
    reports = service.open_reports(post.id)
    return render_template(
        "forums/post_hide.html",
        post=post,
        thread=thread,
        form=form,
        reports=reports,
        names=service.names_of({r.reported_by_id for r in reports}),
        organisations=service.organisations_of({post.author_id}),
        post_url=service.post_url(post),
    )


@bp.route("/network/posts/<uuid:post_id>/unhide", methods=["POST"])
@login_required
def post_unhide(post_id):
    post = get_or_404(ForumPost, post_id, action="hide")
    if post.hidden_at is None:
        flash("This post is not hidden.")
    else:
        try:
            service.unhide_post(post)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash("The post was changed at the same time. Try again.")
        else:
            flash("The post is shown again.", "success")
    return redirect(service.post_url(post))


@bp.route("/network/threads/<uuid:thread_id>/lock", methods=["POST"])
@login_required
def thread_lock(thread_id):
    thread = get_or_404(ForumThread, thread_id, action="lock")
    if thread.locked_at is not None:
        flash("This thread is already locked.")
        return redirect(url_for("forums.thread", thread_id=thread.id))
    form = LockForm()
    if form.validate_on_submit():
        try:
            service.lock_thread(thread, reason=form.text, actor_id=current_user.id)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
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
        try:
            service.unlock_thread(thread)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash("The thread was changed at the same time. Try again.")
        else:
            flash("The thread has been unlocked. Members can reply again.", "success")
    return redirect(url_for("forums.thread", thread_id=thread_id))


@bp.route("/network/reports")
@login_required
def reports():
    if not network_lead(current_user):
        deny_page()
    rows = (
        db.session.execute(visible_query(ForumReport).where(ForumReport.resolved_at.is_(None)).order_by(ForumReport.created_at, ForumReport.id)).scalars().all()
    )
    posts = (
        {p.id: p for p in db.session.execute(visible_query(ForumPost).where(ForumPost.id.in_({r.post_id for r in rows}))).unique().scalars()} if rows else {}
    )
    threads = (
        {t.id: t for t in db.session.execute(visible_query(ForumThread).where(ForumThread.id.in_({p.thread_id for p in posts.values()}))).unique().scalars()}
        if posts
        else {}
    )
    return render_template(
        "forums/reports.html",
        reports=[r for r in rows if r.post_id in posts],
        posts=posts,
        threads=threads,
        links={pid: service.post_url(p) for pid, p in posts.items()},
        names=service.names_of({r.reported_by_id for r in rows}),
        form=ResolveForm(formdata=None),
    )


@bp.route("/network/reports/<uuid:report_id>/resolve", methods=["POST"])
@login_required
def report_resolve(report_id):
    report = get_or_404(ForumReport, report_id, action="resolve")
    form = ResolveForm()
    if report.resolved_at is not None:
        flash("This report had already been resolved.")
    elif form.validate_on_submit() and form.outcome.data == service.OUTCOME_NO_ACTION:
        service.resolve_report(report, outcome=service.OUTCOME_NO_ACTION, actor_id=current_user.id)
        db.session.commit()
        flash("The report has been resolved with no action.", "success")
    else:
        abort(400)
    return redirect(url_for("forums.reports"))


# Categories (the network lead) ----------------------------------------------------------------------------


@bp.route("/network/categories/manage", methods=["GET", "POST"])
@login_required
def categories_manage():
    if not network_lead(current_user):
        deny_page()
    form = CategoryForm()
    if request.method == "POST":
        valid = form.validate()
        name = " ".join((form.name.data or "").split())
        if name and not form.name.errors and service.name_taken(name):  # said with any other error
            form.name.errors = [f"There is already a category called {name}"]
            valid = False
        if valid:
            values = form.values
            try:
                category = ForumCategory(created_by_id=current_user.id, **values)
                db.session.add(category)
                db.session.flush()
                record(Action.FORUM_CATEGORY_CREATED, object_type="forum_category", object_id=category.id)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.name.errors = [f"There is already a category called {values['name']}"]
            else:
                flash(f"The category {values['name']} has been added.", "success")
                return redirect(url_for("forums.categories_manage"))
    categories = (
        db.session.execute(
            visible_query(ForumCategory).order_by(ForumCategory.archived_at.is_not(None), ForumCategory.position, ForumCategory.name, ForumCategory.id)
        )
        .scalars()
        .all()
    )
    return render_template("forums/categories_manage.html", form=form, categories=categories, summaries=service.category_summaries(categories, current_user))


def _category_values(category: ForumCategory) -> dict:
    return {"name": category.name, "description": category.description, "position": category.position}


@bp.route("/network/categories/<uuid:category_id>/edit", methods=["GET", "POST"])
@login_required
def category_edit(category_id):
    category = get_or_404(ForumCategory, category_id, action="manage")
    data = {**_category_values(category), "position": str(category.position), "version": str(category.version)} if request.method == "GET" else None
    form = CategoryForm(data=data)
    changes = None
    if form.validate_on_submit():
        labels = {k: v for k, v in CATEGORY_LABELS.items() if k != "archived"}
        yours = form.values
        if form.version.version != category.version:
            changes = what_changed(_category_values(category), yours, labels)
            stale_refused("forum_category", category.id)
            form.version.data = str(category.version)
        elif form.archive.data or form.restore.data:
            archive = bool(form.archive.data)
            if archive == (category.archived_at is not None):
                flash("The category is already archived." if archive else "The category is not archived.")
                return redirect(url_for("forums.categories_manage"))
            try:
                category.archived_at = utcnow() if archive else None
                db.session.flush()
                record(Action.FORUM_CATEGORY_ARCHIVED if archive else Action.FORUM_CATEGORY_RESTORED, object_type="forum_category", object_id=category.id)
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                category = get_or_404(ForumCategory, category_id, action="manage")
                changes = what_changed(_category_values(category), yours, labels)
                stale_refused("forum_category", category.id)
                form.version.data = str(category.version)
            else:
                flash(f"The category {category.name} has been {'archived: no new threads can be started in it' if archive else 'restored'}.", "success")
                return redirect(url_for("forums.categories_manage"))
        elif service.name_taken(yours["name"], except_id=category.id):
            form.name.errors = [f"There is already a category called {yours['name']}"]
        else:
            saved = _category_values(category)
            fields = [name for name in labels if saved[name] != yours[name]]
            try:
                for name in fields:
                    setattr(category, name, yours[name])
                if fields:
                    db.session.flush()
                    record(Action.FORUM_CATEGORY_UPDATED, object_type="forum_category", object_id=category.id, details={"fields": fields})
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                category = get_or_404(ForumCategory, category_id, action="manage")
                changes = what_changed(_category_values(category), yours, labels)
                stale_refused("forum_category", category.id)
                form.version.data = str(category.version)
            except IntegrityError:
                db.session.rollback()
                category = get_or_404(ForumCategory, category_id, action="manage")
                form.name.errors = [f"There is already a category called {yours['name']}"]
            else:
                flash(f"The category {category.name} has been saved." if fields else "Nothing was changed.", "success")
                return redirect(url_for("forums.categories_manage"))
    return render_template("forums/category_edit.html", form=form, category=category, changes=changes)


# Partners invited into the network (the network lead) --------------------------------------------------------


@bp.route("/network/guests", methods=["GET", "POST"])
@login_required
def guests():
    if not network_lead(current_user):
        deny_page()
    candidates = service.invitable_partners()
    organisations = service.organisations_of({u.id for u in candidates})
    form = GuestForm()
    form.person.choices = choices([("", "Select a person")] + [(u.id, f"{u.full_name} ({organisations.get(u.id, 'partner agency')})") for u in candidates])
    if form.validate_on_submit():
        person = next((u for u in candidates if str(u.id) == form.person.data), None)
        if person is None:
            form.person.errors = ["Select a person from the list"]
        else:
            try:
                service.invite_guest(person, by_id=current_user.id)
                db.session.commit()
            except IntegrityError:  # invited by someone else at the same moment
                db.session.rollback()
                flash(f"{person.full_name} is already in the network.")
            else:
                flash(f"{person.full_name} has been invited to the DSL network and has been told.", "success")
            return redirect(url_for("forums.guests"))
    rows = db.session.execute(visible_query(ForumGuest).order_by(ForumGuest.created_at, ForumGuest.id)).unique().scalars().all()
    return render_template(
        "forums/guests.html",
        form=form,
        guests=rows,
        candidates=candidates,
        organisations={**organisations, **service.organisations_of({g.user_id for g in rows})},
        names=service.names_of({g.invited_by_id for g in rows}),
    )


@bp.route("/network/guests/<uuid:guest_id>/remove", methods=["POST"])
@login_required
def guest_remove(guest_id):
    guest = get_or_404(ForumGuest, guest_id, action="remove")
    name = guest.user.full_name if guest.user else "The person"
    service.remove_guest(guest)
    db.session.commit()
    flash(f"{name} has been removed from the DSL network.", "success")
    return redirect(url_for("forums.guests"))
