"""Pages of the advice module: a DSL asks the front door for advice (naming the child or not), the front
door takes and answers it from one queue for the whole authority, and both sides talk on one thread."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import joinedload, selectinload

from forms import MessageForm, choices
from portal.accounts.models import Role
from portal.advice import service
from portal.advice.blueprint import bp
from portal.advice.forms import CATEGORY_ORDER, EXTRA_FAMILIAL_HINT, AdviceRequestForm, AnswerForm
from portal.advice.models import AdviceMessage, AdviceOutcome, AdviceRequest, AdviceStatus
from portal.audit.actions import Action
from portal.audit.service import record, render_audited
from portal.authorities.models import Organisation
from portal.casework.models import Attachment
from portal.clock import utcnow
from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.needs import service as needs
from portal.pagination import fetch_page, request_cursor
from portal.policies import casework_organisations, casework_schools, get_or_404, is_front_door, roles_required, visible_query
from portal.pupils.models import Pupil
from portal.pupils.search import name_contains
from portal.referrals.models import Referral
from portal.vocabulary import EXTRA_FAMILIAL, Level, Urgency

school_casework = roles_required(Role.DSL, Role.HEAD)
front_door_only = roles_required(Role.FRONT_DOOR)
PAGE_SIZE = 25
SEARCH_LIMIT = 20


# The school's list -----------------------------------------------------------------------------------


@bp.route("/advice")
@login_required
@school_casework
def index():
    schools = casework_organisations()
    school = next((s for s in schools if str(s.id) == request.args.get("school")), schools[0] if schools else None)
    query = (
        visible_query(AdviceRequest)
        .where(AdviceRequest.organisation_id == (school.id if school else None))
        .options(joinedload(AdviceRequest.requested_by), selectinload(AdviceRequest.pupil))
    )
    after = request_cursor(2, datetime, uuid.UUID)
    if after:
        moment, last_id = after
        query = query.where(or_(AdviceRequest.created_at < moment, and_(AdviceRequest.created_at == moment, AdviceRequest.id < last_id)))
    query = query.order_by(AdviceRequest.created_at.desc(), AdviceRequest.id.desc())
    page = fetch_page(db.session, query, PAGE_SIZE, lambda a: (a.created_at, a.id))
    if school is not None:  # the list names children: the read is audited
        record(Action.RECORD_VIEWED, object_type="advice_list", object_id=school.id, organisation_id=school.id, details={"shown": len(page.items)})
    return render_audited("advice/index.html", page=page, schools=schools, school=school, first_page=after is None)


# Asking ----------------------------------------------------------------------------------------------


def _pupil_query(schools: list[Organisation]):
    """Pupils of the DSL's own schools (a DSL may name only a child of a school whose casework they hold)."""
    # Not a child whose file has gone to their new school: nothing more is added to it here.
    return visible_query(Pupil).where(Pupil.organisation_id.in_(sorted(s.id for s in schools)), Pupil.file_transferred_at.is_(None))


def _search_pupils(schools, text: str) -> list[Pupil]:
    words = [w for w in text.lower().split() if w][:4]
    if not words:
        return []
    query = _pupil_query(schools)
    for word in words:
        query = query.where(name_contains(word))
    query = query.order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id).limit(SEARCH_LIMIT)
    return db.session.execute(query).scalars().all()


def _pupil_label(pupil: Pupil, schools) -> str:
    label = f"{pupil.display_name}, {pupil.year_group_label}, born {pupil.date_of_birth.strftime('%-d %B %Y')}"
    if len(schools) > 1:
        label += f" ({pupil.organisation.name})"
    return label


@bp.route("/advice/new", methods=["GET", "POST"])
@login_required
@school_casework
def new():
    schools = casework_organisations()
    form = AdviceRequestForm()
    form.school.choices = choices((str(s.id), s.name) for s in schools)
    chosen = None
    if request.method == "GET":
        pupil_id = request.args.get("pupil_id")
        if pupil_id:
            chosen = get_or_404(Pupil, pupil_id, action="add_to_file")
            record(Action.RECORD_VIEWED, object_type="pupil", object_id=chosen.id, organisation_id=chosen.organisation_id, details={"page": "advice.new"})
            form.name_child.data = "yes"
            form.pupil.data = str(chosen.id)
        school_arg = request.args.get("school")
        form.school.data = school_arg if school_arg in {str(s.id) for s in schools} else None
    else:
        wanted = as_uuid(form.pupil.data)
        if wanted:
            chosen = db.session.execute(_pupil_query(schools).where(Pupil.id == wanted)).scalar_one_or_none()
    # Asked under the levels-of-need guidance in force: its indicators are the checklist, and the
    # request keeps that version.
    guidance = needs.current_guidance()
    indicators: list = []
    results = None
    if request.method == "POST" and form.searching:
        results = _search_pupils(schools, form.pupil_search.data or "")
        form.name_child.data = "yes"
    elif request.method == "POST" and form.suggesting:
        indicators = _ticked(form, guidance)  # nothing is sent: the page shows the level they suggest
    elif request.method == "POST":
        valid = form.validate_on_submit()
        indicators = _ticked(form, guidance)
        if message := needs.reason_missing(form.view_level, needs.suggest_level(indicators), form.dsl_view_reason.data, who="you think"):
            form.dsl_view_reason.errors.append(message)
        valid = valid and not form.need_indicators.errors and not form.dsl_view_reason.errors
        if form.named and chosen is None and (form.pupil_search.data or "").strip():
            results = _search_pupils(schools, form.pupil_search.data)  # show the list they were choosing from
        if _check_school_and_pupil(form, schools, chosen, results) and valid:
            named = form.named
            school_id = chosen.organisation_id if named else _school_id(form, schools)
            advice = service.ask(
                organisation=next(s for s in schools if s.id == school_id),
                pupil=chosen if named else None,
                requested_by_id=current_user.id,
                question=form.question.data,
                categories=form.categories.data,
                urgency=Urgency(form.urgency.data),
                uploads=form.attachments.files,
                guidance=guidance,
                indicators=indicators,
                view_level=form.view_level,
                view_reason=form.dsl_view_reason.data,
            )
            db.session.commit()
            flash("Your request has been sent to the front door. You will be told when they answer.", "success")
            return redirect(url_for("advice.detail", advice_id=advice.id))
    candidates = results if results is not None else ([chosen] if chosen else [])
    form.pupil.choices = choices((str(p.id), _pupil_label(p, schools)) for p in candidates)
    if results is not None and chosen not in results:
        form.pupil.data = None
    # A browser cannot be given files back: if some were chosen, the page asks for them again.
    files_lost = request.method == "POST" and bool(form.attachments.files)
    return render_audited(
        "advice/new.html",
        form=form,
        schools=schools,
        chosen=chosen if results is None else None,
        results=results,
        files_lost=files_lost,
        category_items=[{"hint": {"text": EXTRA_FAMILIAL_HINT}} if c in EXTRA_FAMILIAL else {} for c in CATEGORY_ORDER],
        need_checklist=needs.checklist(guidance, form.need_indicators.data, needs.suggest_level(indicators)),
    )


def _ticked(form: AdviceRequestForm, guidance) -> list:
    """The indicators ticked, of the version in force; one of another version (the guidance changed while
    the DSL was writing) is refused next to the checklist, and the rest of the form is kept."""
    try:
        return needs.chosen(guidance, form.need_indicators.data or [])
    except needs.IndicatorsChanged as exc:
        form.need_indicators.errors = [str(exc)]
        return []


def _school_id(form, schools) -> uuid.UUID | None:
    if len(schools) == 1:
        return schools[0].id
    wanted = as_uuid(form.school.data)
    return wanted if wanted in {s.id for s in schools} else None


def _check_school_and_pupil(form, schools, chosen, results) -> bool:
    """The child, if named, is one of the DSL's own pupils; an anonymous request says which school."""
    if form.named and chosen is None:
        if results:
            form.pupil.errors.append("Select the child")
        else:
            form.pupil_search.errors.append("Search for the child by name, then select them")
        return False
    if form.name_child.data == "no" and _school_id(form, schools) is None:
        form.school.errors.append("Select which school this is about")
        return False
    return True


# One request -----------------------------------------------------------------------------------------


def _render_detail(advice: AdviceRequest, reply_form: MessageForm | None = None):
    """The request page; the caller has audited the view, and it is committed once the page is drawn."""
    messages = (
        db.session.execute(
            visible_query(AdviceMessage).where(AdviceMessage.advice_request_id == advice.id).order_by(AdviceMessage.created_at, AdviceMessage.id)
        )
        .scalars()
        .all()
    )
    files = (
        db.session.execute(visible_query(Attachment).where(Attachment.advice_request_id == advice.id).order_by(Attachment.created_at, Attachment.id))
        .scalars()
        .all()
    )
    school = advice.organisation_id in casework_schools(current_user)
    # The referrals started from this request (each side sees those its referral policy shows it).
    referrals = (
        db.session.execute(visible_query(Referral).where(Referral.advice_request_id == advice.id).order_by(Referral.created_at)).unique().scalars().all()
    )
    page = render_template(
        "advice/detail.html",
        advice=advice,
        messages=messages,
        attachments=files,
        reply_form=reply_form or MessageForm(formdata=None),
        front_door=is_front_door(current_user),
        school=school,
        may_refer=school,
        referrals=referrals,
        Status=AdviceStatus,
        Outcome=AdviceOutcome,
    )
    db.session.commit()
    return page


def _record_view(advice: AdviceRequest) -> None:
    record(Action.RECORD_VIEWED, object_type="advice_request", object_id=advice.id, organisation_id=advice.organisation_id)


@bp.route("/advice/<uuid:advice_id>")
@login_required
def detail(advice_id):
    advice = get_or_404(AdviceRequest, advice_id)  # audits the view
    return _render_detail(advice)


@bp.route("/advice/<uuid:advice_id>/take", methods=["POST"])
@login_required
def take(advice_id):
    advice = get_or_404(AdviceRequest, advice_id, action="take")
    if advice.status == AdviceStatus.ANSWERED:
        flash("This request has already been answered. You can change the answer or reply on the thread.", "important")
        return redirect(url_for("advice.detail", advice_id=advice.id))
    previous_name = advice.taken_by.full_name if advice.taken_by and advice.taken_by_id != current_user.id else None
    with saving() as save:
        service.take(advice, actor_id=current_user.id)
    if save.stale:
        flash("Someone else changed this request at the same moment. Check who has it now, then try again.", "important")
        return redirect(url_for("advice.detail", advice_id=advice_id))
    if previous_name:
        flash(f"You have taken this request over from {previous_name}.", "success")
    else:
        flash("You have taken this request. The school can see that the front door is looking at it.", "success")
    return redirect(url_for("advice.detail", advice_id=advice.id))


@bp.route("/advice/<uuid:advice_id>/answer", methods=["GET", "POST"])
@login_required
def answer(advice_id):
    advice = get_or_404(AdviceRequest, advice_id, action="answer")
    form = AnswerForm()
    if request.method == "GET":
        form.outcome.data = advice.outcome.value if advice.outcome else None
        form.answer.data = advice.answer
        form.answer_level.data = advice.answer_level.value if advice.answer_level else None
        form.version.data = str(advice.version)
    conflict = None
    if form.validate_on_submit():
        if form.version.version != advice.version:
            conflict = advice
        else:
            with saving() as save:
                service.answer(
                    advice, actor_id=current_user.id, outcome=AdviceOutcome(form.outcome.data), text=form.answer.data, level=Level(form.answer_level.data)
                )
            if save.stale:
                conflict = db.session.execute(visible_query(AdviceRequest).where(AdviceRequest.id == advice_id)).scalar_one()
            else:
                flash("Your answer has been sent to the school.", "success")
                return redirect(url_for("advice.detail", advice_id=advice.id))
    if conflict is not None:
        # Keep what they typed; show what is saved now; the next save is made against the new version.
        form.version.data = str(conflict.version)
        advice = conflict
    _record_view(advice)
    page = render_template("advice/answer.html", form=form, advice=advice, conflict=conflict)
    db.session.commit()
    return page


@bp.route("/advice/<uuid:advice_id>/reply", methods=["POST"])
@login_required
def reply(advice_id):
    advice = get_or_404(AdviceRequest, advice_id, action="reply")
    form = MessageForm()
    if not form.validate_on_submit():
        _record_view(advice)
        return _render_detail(advice, form)
    from_front_door = is_front_door(current_user) and advice.organisation_id not in casework_schools(current_user)
    service.reply(advice, author_id=current_user.id, from_front_door=from_front_door, body=form.body.data)
    db.session.commit()
    flash("Your message has been sent.", "success")
    return redirect(url_for("advice.detail", advice_id=advice.id, _anchor="thread"))


# The front door's queue ------------------------------------------------------------------------------

QUEUES = {
    "waiting": ("Waiting", AdviceStatus.WAITING),
    "taken": ("Being looked at", AdviceStatus.TAKEN),
    "answered": ("Answered", AdviceStatus.ANSWERED),
}


@bp.route("/front-door/advice")
@login_required
@front_door_only
def queue():
    tab = request.args.get("status") if request.args.get("status") in QUEUES else "waiting"
    status = QUEUES[tab][1]
    base = visible_query(AdviceRequest).where(AdviceRequest.status == status)
    counts = dict(db.session.execute(visible_query(AdviceRequest).with_only_columns(AdviceRequest.status, func.count()).group_by(AdviceRequest.status)).all())
    # The pupils and schools of the page's rows are read by their ids once the page is chosen (selectin):
    # joined into the query, PostgreSQL hashed every pupil of the authority before sorting the queue.
    query = base.options(
        joinedload(AdviceRequest.taken_by), joinedload(AdviceRequest.answered_by), selectinload(AdviceRequest.pupil), selectinload(AdviceRequest.organisation)
    )
    if status == AdviceStatus.ANSWERED:
        # Most recently answered first.
        after = request_cursor(2, datetime, uuid.UUID)
        if after:
            moment, last_id = after
            query = query.where(or_(AdviceRequest.answered_at < moment, and_(AdviceRequest.answered_at == moment, AdviceRequest.id < last_id)))
        query = query.order_by(AdviceRequest.answered_at.desc(), AdviceRequest.id.desc())
        key = lambda a: (a.answered_at, a.id)  # noqa: E731
    else:
        # Urgent first, then the longest waiting.
        rank = case((AdviceRequest.urgency == Urgency.TODAY, 0), else_=1)
        after = request_cursor(3, str, datetime, uuid.UUID)
        if after:
            last_rank, moment, last_id = after
            last_rank = int(last_rank) if str(last_rank) in {"0", "1"} else 1
            query = query.where(
                or_(
                    rank > last_rank,
                    and_(rank == last_rank, or_(AdviceRequest.created_at > moment, and_(AdviceRequest.created_at == moment, AdviceRequest.id > last_id))),
                )
            )
        query = query.order_by(rank, AdviceRequest.created_at, AdviceRequest.id)
        key = lambda a: (0 if a.is_urgent else 1, a.created_at, a.id)  # noqa: E731
    page = fetch_page(db.session, query, PAGE_SIZE, key)
    record(Action.RECORD_VIEWED, object_type="advice_queue", details={"status": tab, "shown": len(page.items)})
    return render_audited(
        "advice/queue.html",
        page=page,
        tab=tab,
        queues=QUEUES,
        counts={name: counts.get(s, 0) for name, (_, s) in QUEUES.items()},
        first_page=after is None,
        asked_ago=service.asked_ago,
        now=utcnow(),
    )
