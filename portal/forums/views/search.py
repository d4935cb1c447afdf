"""The network's search page: what it found among the posts, thread titles and shared resources the person
may see (``portal.forums.search`` runs the queries), for members of the network only.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from portal.forums.blueprint import bp
from portal.forums.policy import members_only
from portal.forums.search import MAX_LENGTH, MIN_LENGTH, run, words
from portal.pagination import page_number


@bp.route("/network/search")
@login_required
@members_only
def search():
    query = " ".join((request.args.get("q") or "").split())[:MAX_LENGTH]
    page = page_number()
    results, total, pages, message = [], 0, 1, None
    if "q" in request.args:
        if len(query) < MIN_LENGTH or not words(query):
            message = f"Enter at least {MIN_LENGTH} letters or numbers to search for"
        else:
            results, total, pages = run(query, page)
            page = min(max(1, page), pages)
    return render_template(
        "forums/search.html",
        query=query,
        searched="q" in request.args and message is None,
        results=results,
        total=total,
        page=page,
        pages=pages,
        message=message,
    )
