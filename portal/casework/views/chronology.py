"""A pupil's chronology: the time line with each line's substance, newest first, filtered by kind or to the
significant events; marking a line significant; asking for its PDF (all lines shown, or the significant
events only)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts.models import named
from portal.audit.service import commit_read, record
from portal.casework import chronology as chronology_service
from portal.casework import record as record_service
from portal.casework import service
from portal.casework.actions import Action
from portal.casework.blueprint import bp
from portal.casework.forms import ChronologyFilterForm, entry_kinds
from portal.casework.models import ChronologyEntry
from portal.extensions import db
from portal.pagination import decode_cursor, fetch_page
from portal.policies import get_or_404, policy_for
from portal.pupils.models import Pupil
from portal.templating import url_maker

#: Where a chronology line links to: object type -> (endpoint, its id argument).
RECORD_PAGES = {
    "concern": ("concerns.detail", "concern_id", "Open the concern"),
    "advice_request": ("advice.detail", "advice_id", "Open the advice request"),
    "referral": ("referrals.detail", "referral_id", "Open the referral"),
    "context_referral": ("contexts.detail", "context_referral_id", "Open the context referral"),
    "manual_entry": ("casework.manual_entry", "entry_id", "Open the entry and its history"),
}


def _record_links() -> Callable[[ChronologyEntry], tuple[str, str] | None]:
    """For one page: the (url, link text) of the record a line is about, if that module's page exists."""
    makers = {
        object_type: (url_maker(endpoint, argument), text)
        for object_type, (endpoint, argument, text) in RECORD_PAGES.items()
        if endpoint in current_app.view_functions
    }

    def link(entry: ChronologyEntry) -> tuple[str, str] | None:
        found = makers.get(entry.object_type)
        if found is None or entry.object_id is None:
            return None
        return found[0](entry.object_id), found[1]

    return link


def _before(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    values = decode_cursor(cursor, 2)
    if values and isinstance(values[0], datetime) and values[0].tzinfo is not None and isinstance(values[1], uuid.UUID):
        return values
    return None


@bp.route("/pupils/<uuid:pupil_id>/chronology")
@login_required
def chronology(pupil_id):
    """The pupil's time line, newest first, 50 lines a page, each with its substance; filtered by kind or to
    the significant events; audited."""
    pupil = get_or_404(Pupil, pupil_id, action="open")
    form = ChronologyFilterForm(request.args)
    kinds = form.selected()
    significant_only = bool(form.significant.data)
    before = _before(request.args.get("before"))
    query = chronology_service.page_query(pupil.id, kinds, significant_only=significant_only, before=before)
    query = query.where(policy_for(ChronologyEntry).visible(current_user)).options(named(ChronologyEntry.actor), named(ChronologyEntry.significant_by))
    page = fetch_page(db.session, query, chronology_service.PAGE_SIZE, key=lambda entry: (entry.occurred_at, entry.id))
    record(
        Action.CHRONOLOGY_VIEWED,
        object_type="pupil",
        object_id=pupil.id,
        organisation_id=pupil.organisation_id,
        details={"kinds": [k.value for k in kinds], "significant_only": significant_only, "older_page": before is not None},
    )
    # Rendered before the commit (commit_read: the lines loaded are not expired).
    page_html = render_template(
        "casework/chronology.html",
        pupil=pupil,
        form=form,
        kinds=kinds,
        significant_only=significant_only,
        entries=page.items,
        next_cursor=page.next_cursor,
        is_first_page=before is None,
        record_link=_record_links(),
    )
    commit_read()
    return page_html


@bp.route("/pupils/<uuid:pupil_id>/chronology/export", methods=["POST"])
@login_required
def export_new(pupil_id):
    """Ask for a PDF of the chronology as filtered on screen — every line shown, or the significant events
    only (the summary chronology a conference asks for); a job builds it."""
    pupil = get_or_404(Pupil, pupil_id, action="export")
    significant_only = request.form.get("scope") == "significant"
    export = service.request_export(pupil, entry_kinds(request.form.getlist("kind")), significant_only=significant_only, requested_by_id=current_user.id)
    db.session.commit()
    return redirect(url_for("casework.export_detail", export_id=export.id))


@bp.route("/chronology/<uuid:entry_id>/significant", methods=["POST"])
@login_required
def significant(entry_id):
    """Mark a line of the chronology as a significant event, or unmark it (audited)."""
    line = get_or_404(ChronologyEntry, entry_id, action="mark_significant")
    marking = request.form.get("significant") == "yes"
    if record_service.mark_significant(line, marking, actor_id=current_user.id):
        db.session.commit()
        flash(f"'{line.title}' is {'now marked' if marking else 'no longer marked'} as a significant event.", "success")
    return redirect(url_for("casework.chronology", pupil_id=line.pupil_id, _anchor=f"entry-{line.id}"))
