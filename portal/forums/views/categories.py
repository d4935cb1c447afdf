"""The DSL network's front page and its categories: the list of categories, a category's threads, and the
network lead's management of the categories (adding, editing, archiving and restoring them).

One network per authority (DESIGN.md §1, §3 item 8): DSLs and heads, the front door and social care, the
network lead (who moderates) and the partners the lead invites. Anyone else gets 403 for the network's
pages and 404 for its objects, audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.authorities.models import AuthorityDuty, Duty
from portal.extensions import db
from portal.forums import queries, service
from portal.forums.blueprint import bp
from portal.forums.forms import CATEGORY_LABELS, CategoryForm
from portal.forums.models import ForumCategory, ForumReport, ForumThread
from portal.forums.policy import forum_member, network_lead
from portal.locking import saving, stale_refused, what_changed
from portal.pagination import fetch_page, request_cursor
from portal.policies import deny_page, get_or_404, policy_for, visible_query


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
    led = lead or db.session.execute(select(AuthorityDuty.id).where(AuthorityDuty.duty == Duty.NETWORK_LEAD).limit(1)).first() is not None
    open_reports = (
        db.session.execute(visible_query(ForumReport).where(ForumReport.resolved_at.is_(None)).with_only_columns(func.count())).scalar_one() if lead else 0
    )
    return render_template(
        "forums/index.html",
        categories=categories,
        summaries=queries.category_summaries(categories, current_user),
        lead=lead,
        led=led,
        open_reports=open_reports,
    )


@bp.route("/network/categories/<uuid:category_id>")
@login_required
def category(category_id):
    category = get_or_404(ForumCategory, category_id)
    after = request_cursor(2, datetime, uuid.UUID)
    query = queries.threads_after(visible_query(ForumThread).where(ForumThread.category_id == category.id), after)
    page = fetch_page(db.session, query, service.THREADS_PER_PAGE, lambda t: (t.last_post_at, t.id))
    return render_template(
        "forums/category.html",
        category=category,
        page=page,
        first_page=after is None,
        replies=queries.reply_counts([t.id for t in page.items], current_user),
        may_start=policy_for(ForumCategory).allows(current_user, "start_thread", category),
    )


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
        if name and not form.name.errors and queries.name_taken(name):  # said with any other error
            form.name.errors = [f"There is already a category called {name}"]
            valid = False
        if valid:
            values = form.values
            try:
                service.add_category(values, actor_id=current_user.id)
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
    return render_template("forums/categories_manage.html", form=form, categories=categories, summaries=queries.category_summaries(categories, current_user))


def _category_values(category: ForumCategory) -> dict:
    return {"name": category.name, "description": category.description, "position": category.position}


def _conflict(category: ForumCategory, yours: dict, labels: dict, form: CategoryForm) -> list:
    """Refuse a stale save: audited, what they typed kept, the next save made against the version now."""
    changes = what_changed(_category_values(category), yours, labels)
    stale_refused("forum_category", category.id)
    form.version.data = str(category.version)
    return changes


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
            changes = _conflict(category, yours, labels, form)
        elif form.archive.data or form.restore.data:
            archive = bool(form.archive.data)
            if archive == (category.archived_at is not None):
                flash("The category is already archived." if archive else "The category is not archived.")
                return redirect(url_for("forums.categories_manage"))
            with saving() as save:
                service.archive_category(category, archive)
            if save.stale:
                category = get_or_404(ForumCategory, category_id, action="manage")
                changes = _conflict(category, yours, labels, form)
            else:
                flash(f"The category {category.name} has been {'archived: no new threads can be started in it' if archive else 'restored'}.", "success")
                return redirect(url_for("forums.categories_manage"))
        elif queries.name_taken(yours["name"], except_id=category.id):
            form.name.errors = [f"There is already a category called {yours['name']}"]
        else:
            saved = _category_values(category)
            fields = [name for name in labels if saved[name] != yours[name]]
            try:
                with saving() as save:
                    service.update_category(category, yours, fields)
            except IntegrityError:
                db.session.rollback()
                category = get_or_404(ForumCategory, category_id, action="manage")
                form.name.errors = [f"There is already a category called {yours['name']}"]
            else:
                if save.stale:
                    category = get_or_404(ForumCategory, category_id, action="manage")
                    changes = _conflict(category, yours, labels, form)
                else:
                    flash(f"The category {category.name} has been saved." if fields else "Nothing was changed.", "success")
                    return redirect(url_for("forums.categories_manage"))
    return render_template("forums/category_edit.html", form=form, category=category, changes=changes)
