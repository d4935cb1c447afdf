"""A post of the DSL network: editing it (its earlier text kept in its history, with optimistic locking),
reading its history, and reporting it to the network lead.

An edited post goes through the identifiable-child check again. Reading a post's edit history is audited:
it may hold text its author took out (a name typed by mistake).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal.audit.service import record, render_audited
from portal.extensions import db
from portal.forums import markdown, queries, service
from portal.forums.actions import Action
from portal.forums.blueprint import bp
from portal.forums.forms import EditForm, ReportForm
from portal.forums.models import ForumPost, ForumPostRevision, ForumThread
from portal.locking import saving, stale_refused, what_changed
from portal.policies import get_or_404, visible_query


def _edit_conflict(post: ForumPost, typed: str, form: EditForm):
    """Refuse a stale edit: audited, what they typed kept, the next save made against the version now."""
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
                matches, may_save = form.check_child(typed, current_user)
                if may_save:
                    with saving() as save:
                        changed = service.edit_post(post, body=typed, editor_id=current_user.id, matches=matches)
                    if save.stale:
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
        names=queries.names_of({r.edited_by_id for r in revisions} | {post.author_id}),
        organisations=queries.organisations_of({post.author_id}),
        post_url=service.post_url(post),
    )


# Reporting ------------------------------------------------------------------------------------------------


@bp.route("/network/posts/<uuid:post_id>/report", methods=["GET", "POST"])
@login_required
def post_report(post_id):
    post = get_or_404(ForumPost, post_id, action="report")
    thread = get_or_404(ForumThread, post.thread_id)
    existing = queries.reported_by(post.id, current_user.id)
    form = ReportForm()
    if existing is None and form.validate_on_submit():
        try:
            service.report_post(post, reason=form.text, reporter_id=current_user.id)
            db.session.commit()
        except IntegrityError:  # reported twice at once: the first report stands
            db.session.rollback()
            existing = queries.reported_by(post.id, current_user.id)
        else:
            flash("Thank you. The post has been reported and the network lead will look at it.", "success")
            return redirect(service.post_url(post))
    return render_template(
        "forums/post_report.html",
        post=post,
        thread=thread,
        form=form,
        existing=existing,
        organisations=queries.organisations_of({post.author_id}),
        post_url=service.post_url(post),
    )
