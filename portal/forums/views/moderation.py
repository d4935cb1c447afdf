"""Moderating the DSL network (the network lead): hiding a post (its author is told, its open reports
resolved) and showing it again, and the reports members made, resolved with no action.

Audit details hold ids and the length of the moderators' reasons, never the text of a post, of a report
or of a reason.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.forums import queries, service
from portal.forums.blueprint import bp
from portal.forums.forms import HideForm, ResolveForm
from portal.forums.models import ForumPost, ForumReport, ForumThread
from portal.forums.policy import network_lead
from portal.locking import saving
from portal.policies import deny_page, get_or_404, visible_query


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
        with saving() as save:
            service.hide_post(post, reason=form.text, actor_id=current_user.id)
        if save.stale:
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
        names=queries.names_of({r.reported_by_id for r in reports}),
        organisations=queries.organisations_of({post.author_id}),
        post_url=service.post_url(post),
    )


@bp.route("/network/posts/<uuid:post_id>/unhide", methods=["POST"])
@login_required
def post_unhide(post_id):
    post = get_or_404(ForumPost, post_id, action="hide")
    if post.hidden_at is None:
        flash("This post is not hidden.")
    else:
        with saving() as save:
            service.unhide_post(post)
        if save.stale:
            flash("The post was changed at the same time. Try again.")
        else:
            flash("The post is shown again.", "success")
    return redirect(service.post_url(post))


# Reports ------------------------------------------------------------------------------------------------------


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
        links=service.post_urls(posts.values()),
        names=queries.names_of({r.reported_by_id for r in rows}),
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
