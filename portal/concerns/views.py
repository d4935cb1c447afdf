"""Pages of the concerns module: logging a concern (any member of staff; zero threshold), the DSL's
triage, and the authority's own concern categories.

Who sees what is decided in ``portal.policies``: the person who logged a concern sees it, with the
outcome and the DSL's response to them; the school's DSLs and head see everything and triage it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from forms import choices
from portal.accounts.models import Role
from portal.audit.actions import Action
from portal.audit.service import record, render_audited
from portal.authorities.models import Organisation
from portal.casework.models import Attachment
from portal.clock import uk_date
from portal.concerns import service
from portal.concerns.blueprint import bp
from portal.concerns.forms import CategoryForm, ConcernForm, TriageForm
from portal.concerns.models import BUILT_IN_CATEGORIES, Concern, ConcernCategory, ConcernOutcome, ConcernStatus
from portal.extensions import db
from portal.locking import saving
from portal.pagination import fetch_page, request_cursor
from portal.policies import casework_schools, get_or_404, policy_for, roles_required, staff_schools, visible_query
from portal.pupils.models import Pupil
from portal.pupils.search import after_pupil, name_contains, pupil_cursor_key

PAGE_SIZE = 50
school_staff = roles_required(Role.STAFF, Role.DSL, Role.HEAD)
admin_only = roles_required(Role.AUTHORITY_ADMIN)


def _may_triage(concern: Concern) -> bool:
    return policy_for(Concern).allows(current_user, "triage", concern)


def _school_names(organisation_ids) -> dict:
    if not organisation_ids:
        return {}
    rows = db.session.execute(visible_query(Organisation).where(Organisation.id.in_(sorted(organisation_ids)))).scalars()
    return {o.id: o.name for o in rows}


# The lists --------------------------------------------------------------------------------------------

#: 1 for an urgent concern still waiting for the DSL (listed first), else 0.
_WAITING_URGENT = case((and_(Concern.urgent.is_(True), Concern.status == ConcernStatus.NEW), 1), else_=0)


def _waiting_urgent(concern: Concern) -> int:
    return 1 if concern.urgent and concern.status is ConcernStatus.NEW else 0


@bp.route("/concerns")
@login_required
@school_staff
def index():
    """A DSL or head: their school's concerns, urgent ones waiting first, then newest. Anyone else on the
    staff: the concerns they have logged."""
    casework = bool(casework_schools(current_user))
    status = request.args.get("status") if request.args.get("status") in {s.value for s in ConcernStatus} else ""
    # The pupils of the page's rows are read by their ids once the page is chosen (selectin): joined into
    # the query, PostgreSQL hashed every pupil of the authority before sorting and cutting the page.
    query = visible_query(Concern).options(joinedload(Concern.raised_by), selectinload(Concern.pupil))
    if not casework:
        query = query.where(Concern.raised_by_id == current_user.id)
    if status:
        query = query.where(Concern.status == ConcernStatus(status))
    after = request_cursor(3, str, datetime, uuid.UUID)
    if after is not None and after[0] in {"0", "1"}:
        first, created, last_id = int(after[0]), after[1], after[2]
        query = query.where(
            or_(
                _WAITING_URGENT < first,
                and_(_WAITING_URGENT == first, Concern.created_at < created),
                and_(_WAITING_URGENT == first, Concern.created_at == created, Concern.id < last_id),
            )
        )
    query = query.order_by(_WAITING_URGENT.desc(), Concern.created_at.desc(), Concern.id.desc())
    page = fetch_page(db.session, query, PAGE_SIZE, key=lambda c: (_waiting_urgent(c), c.created_at, c.id))
    schools = {c.organisation_id for c in page.items}
    record(Action.RECORD_VIEWED, object_type="concern_list", details={"shown": len(page.items), "status": status or "all"})
    return render_audited(
        "concerns/index.html",
        page=page,
        casework=casework,
        status=status,
        statuses=list(ConcernStatus),
        labels=service.category_labels(),
        school_names=_school_names(schools) if len(casework_schools(current_user) | schools) > 1 else {},
        paged=request.args.get("after") is not None,
    )


# Logging a concern --------------------------------------------------------------------------------------


def _choose_pupil():
    """Step 1: find the child on the register of a school where the user works (names only, never flags)."""
    search = (request.args.get("q") or "").strip()[:100]
    page = None
    if search:
        # Not a child whose file has gone to their new school: a worry about them goes to the DSL, who
        # tells that school.
        query = visible_query(Pupil).where(Pupil.file_transferred_at.is_(None))
        for word in search.split()[:5]:
            query = query.where(name_contains(word))
        after = after_pupil(request.args.get("after"))
        if after is not None:
            query = query.where(after)
        query = query.order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
        page = fetch_page(db.session, query, PAGE_SIZE, key=pupil_cursor_key)
        record(Action.RECORD_VIEWED, object_type="pupil_search", details={"shown": len(page.items)})
    schools = staff_schools(current_user)
    return render_audited(
        "concerns/choose_pupil.html",
        search=search,
        page=page,
        school_names=_school_names(schools) if len(schools) > 1 else {},
        paged=request.args.get("after") is not None,
    )


@bp.route("/concerns/new", methods=["GET", "POST"])
@login_required
@school_staff
def new():
    """Step 1 choose the child; step 2 say what you saw or heard. On saving, the school's DSLs are told."""
    if not request.args.get("pupil_id"):
        return _choose_pupil()
    pupil = get_or_404(Pupil, request.args["pupil_id"], action="log_concern")
    offered = service.category_choices()
    form = ConcernForm()
    form.category.choices = choices(offered)
    if form.validate_on_submit():
        label = dict(offered)[form.category.data]
        concern, told = service.log_concern(
            pupil,
            raised_by_id=current_user.id,
            category=form.category.data,
            category_label=label,
            seen_or_heard=form.seen_or_heard.data.strip(),
            child_words=(form.child_words.data or "").strip() or None,
            occurred_at=form.occurred_at,
            location=(form.location.data or "").strip() or None,
            urgent=bool(form.urgent.data),
            uploads=form.attachments.files,
        )
        db.session.commit()
        if told and concern.urgent:
            flash("Your concern has been logged and the DSL has been alerted that it is urgent. Now tell them in person straight away.", "success")
        elif told:
            flash("Your concern has been logged and the DSL has been told.", "success")
        else:
            flash("Your concern has been logged. Nobody else at the school can be told through the portal yet: tell your DSL in person now.")
        return redirect(url_for("concerns.detail", concern_id=concern.id))
    record(Action.RECORD_VIEWED, object_type="pupil", object_id=pupil.id, organisation_id=pupil.organisation_id, details={"purpose": "log_concern"})
    return render_audited("concerns/form.html", form=form, pupil=pupil)


# One concern ---------------------------------------------------------------------------------------------


@bp.route("/concerns/<uuid:concern_id>")
@login_required
def detail(concern_id):
    """The DSL and head see everything; the person who logged it sees what they recorded, the outcome and
    the DSL's response to them (never the action taken or the links)."""
    concern = get_or_404(Concern, concern_id)
    may_triage = _may_triage(concern)
    files = visible_query(Attachment).where(Attachment.concern_id == concern.id).order_by(Attachment.created_at, Attachment.id)
    if not may_triage:
        files = files.where(Attachment.uploaded_by_id == current_user.id)
    attachments = db.session.execute(files).scalars().all()
    linked = service.linked_concerns(concern) if may_triage else []
    labels = service.category_labels()
    return render_audited("concerns/detail.html", concern=concern, may_triage=may_triage, attachments=attachments, linked=linked, labels=labels)


def _link_label(concern: Concern, labels: dict) -> str:
    who = concern.raised_by.full_name if concern.raised_by else "someone"
    return f"{uk_date(concern.created_at)}: {labels.get(concern.category, concern.category)}, logged by {who}. {concern.status.label}"


@bp.route("/concerns/<uuid:concern_id>/triage", methods=["GET", "POST"])
@login_required
def triage(concern_id):
    """The DSL's triage: action taken, outcome, a response to the person who logged it, and links to other
    concerns about the child. Two DSLs saving at once: the second is told, and keeps what they typed."""
    concern = get_or_404(Concern, concern_id, action="triage")
    labels = service.category_labels()
    candidates = service.link_candidates(concern)
    offered = {c.id for c in candidates}
    form = TriageForm()
    form.links.choices = choices((str(c.id), _link_label(c, labels)) for c in candidates)
    if request.method == "GET":
        form.action_taken.data = concern.action_taken
        form.outcome.data = concern.outcome.value if concern.outcome else None
        form.response_to_reporter.data = concern.response_to_reporter
        form.links.data = sorted(str(i) for i in service.linked_ids(concern) & offered)
        form.version.data = str(concern.version)
    conflict = None
    if form.validate_on_submit():
        if form.version.version != concern.version:
            conflict = concern
        else:
            chosen = set()
            for value in form.links.data or []:
                try:
                    chosen.add(uuid.UUID(value))
                except ValueError:
                    continue
            try:
                with saving() as save:
                    told = service.triage(
                        concern,
                        by_id=current_user.id,
                        action_taken=form.action_taken.data.strip(),
                        outcome=ConcernOutcome(form.outcome.data),
                        response_to_reporter=(form.response_to_reporter.data or "").strip() or None,
                        offered=offered,
                        chosen=chosen,
                    )
                refused = save.stale
            except IntegrityError:  # the same link made by another DSL at the same moment
                db.session.rollback()
                refused = True
            if refused:
                conflict = concern  # expired by the rollback: reads what is saved now
            else:
                told_text = f" {concern.raised_by.full_name} has been told." if told else ""
                flash(f"Your triage has been saved.{told_text}", "success")
                return redirect(url_for("concerns.detail", concern_id=concern.id))
    if conflict is not None:
        # Keep what they typed; show what is saved now; the next save is made against the new version.
        form.version.data = str(conflict.version)
    record(Action.RECORD_VIEWED, object_type="concern", object_id=concern.id, organisation_id=concern.organisation_id, details={"purpose": "triage"})
    return render_audited("concerns/triage.html", form=form, concern=concern, conflict=conflict, labels=labels)


# The authority's categories ----------------------------------------------------------------------------


@bp.route("/concerns/categories", methods=["GET", "POST"])
@login_required
@admin_only
def categories():
    """The built-in categories, and the authority's own: add one, or archive one no longer wanted."""
    form = CategoryForm()
    if form.validate_on_submit():
        problem = service.category_label_problem(form.label.data)
        if problem:
            form.label.errors.append(problem)
        else:
            category = service.add_category(form.label.data)
            db.session.commit()
            flash(f"‘{category.label}’ has been added. Schools can now choose it when they log a concern.", "success")
            return redirect(url_for("concerns.categories"))
    own = (
        db.session.execute(visible_query(ConcernCategory).order_by(ConcernCategory.archived_at.is_not(None), func.lower(ConcernCategory.label))).scalars().all()
    )
    return render_template("concerns/categories.html", form=form, built_in=BUILT_IN_CATEGORIES, own=own)


@bp.route("/concerns/categories/<uuid:category_id>/archive", methods=["POST"])
@login_required
@admin_only
def category_archive(category_id):
    category = get_or_404(ConcernCategory, category_id, action="archive")
    if service.archive_category(category):
        db.session.commit()
        flash(f"‘{category.label}’ has been archived. Concerns already logged under it keep it; it is no longer offered.", "success")
    return redirect(url_for("concerns.categories"))
