"""Pages of the referrals module.

The school's DSL (or head) starts a referral from a pupil or from an advice request, saves it as a draft
as often as they like, and submits it; the front door works its queue (oldest deadline first),
acknowledges, asks for information, decides with a written reason and closes. Every step goes through
``portal.referrals.service.transition`` (recorded, audited, on the chronology, fed back to the school),
and every object through ``portal.policies``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from forms import MessageForm
from portal.accounts.models import Role
from portal.advice.models import AdviceRequest
from portal.audit.service import record, render_audited
from portal.authorities.models import Organisation, OrganisationKind
from portal.casework import attachments, chronology, files
from portal.casework.models import Attachment, EntryKind
from portal.casework.people import front_door_ids, notify_all
from portal.clock import UK, uk_date, utcnow
from portal.extensions import db
from portal.model_base import as_uuid
from portal.notifications.service import page_path
from portal.pagination import fetch_page, request_cursor
from portal.policies import casework_organisations, casework_schools, get_or_404, is_front_door, policy_for, require, roles_required, visible_query
from portal.pupils.models import Pupil
from portal.pupils.search import after_pupil, name_contains, pupil_cursor_key
from portal.referrals.actions import Action
from portal.referrals.forms import EXTRA_FAMILIAL_HARMS, FAMILY_HARMS, CommentForm, DecisionForm, ReferralForm, StartReferralForm
from portal.referrals.models import (
    AWAITING_DECISION,
    ParentsAware,
    Referral,
    ReferralDecision,
    ReferralMessage,
    ReferralStatus,
    ReferralTransition,
)
from portal.referrals.service import STEPS, TransitionRefused, available_steps, missing_for_submission, transition
from portal.text import clean_text
from portal.vocabulary import HarmCategory, Level, harm_labels

bp = Blueprint("referrals", __name__, template_folder="templates")

PAGE_SIZE = 50
S = ReferralStatus

school_casework = roles_required(Role.DSL, Role.HEAD)
front_door_only = roles_required(Role.FRONT_DOOR)

#: What each status tag looks like (the words carry the meaning; the colour only repeats it).
STATUS_TAG_CLASSES = {
    S.DRAFT: "govuk-tag--grey",
    S.SUBMITTED: "govuk-tag--blue",
    S.ACKNOWLEDGED: "govuk-tag--light-blue",
    S.INFORMATION_REQUESTED: "govuk-tag--yellow",
    S.INFORMATION_PROVIDED: "govuk-tag--turquoise",
    S.DECIDED: "govuk-tag--green",
    S.CLOSED: "govuk-tag--grey",
}

_EDUCATION = [k for k in OrganisationKind if k.is_education]


# Words for times and durations ---------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def duration_words(delta: timedelta) -> str:
    """``2 hours 15 minutes``, ``1 day 3 hours``, ``less than a minute`` (the two largest units)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_plural(days, "day"))
    if hours:
        parts.append(_plural(hours, "hour"))
    if mins and not days:
        parts.append(_plural(mins, "minute"))
    return " ".join(parts[:2]) if parts else "less than a minute"


def _clock_time(local: datetime) -> str:
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    return local.strftime("%-I%p" if local.minute == 0 else "%-I:%M%p").lower()


def deadline_words(due_at: datetime) -> str:
    """``3:15pm on Monday 30 November 2026`` in UK time; a deadline at midnight is ``the end of`` the day
    before (a referral made on a non-working day has the whole of the next working day)."""
    local = due_at.astimezone(UK)
    if local.time() == time(0, 0):
        return f"the end of {(local.date() - timedelta(days=1)).strftime('%A %-d %B %Y')}"
    return f"{_clock_time(local)} on {local.strftime('%A %-d %B %Y')}"


@dataclass(frozen=True)
class Clock:
    """Where an open referral stands against its one-working-day deadline."""

    due_at: datetime
    overdue: bool
    #: Not overdue, and due before midnight tonight (UK time).
    due_today: bool
    #: How long until the deadline, or since it passed, in words (``2 hours 15 minutes``).
    span: str

    @property
    def by(self) -> str:
        return deadline_words(self.due_at)

    @property
    def left(self) -> str:
        return f"{self.span} past the deadline" if self.overdue else f"{self.span} left"


def clock(referral: Referral, now: datetime) -> Clock | None:
    if not referral.is_open or referral.due_at is None:
        return None
    due = referral.due_at
    if due <= now:
        return Clock(due, True, False, duration_words(now - due))
    midnight = datetime.combine(now.astimezone(UK).date() + timedelta(days=1), time(0, 0), tzinfo=UK)
    return Clock(due, False, due <= midnight, duration_words(due - now))


def ago_words(moment: datetime | None, now: datetime) -> str:
    return "Not yet" if moment is None else f"{duration_words(now - moment)} ago"


@bp.context_processor
def _template_helpers() -> dict:
    """Helpers for this module's pages (and only its pages)."""
    return {
        "status_tag_classes": STATUS_TAG_CLASSES,
        "harm_labels": harm_labels,
        "clock": clock,
        "ago_words": ago_words,
        "deadline_words": deadline_words,
    }


# Small helpers -------------------------------------------------------------------------------------


def _is_school_side(referral: Referral) -> bool:
    return referral.organisation_id in casework_schools(current_user)


def _detail_redirect(referral_id, anchor: str | None = None):
    return redirect(url_for("referrals.detail", referral_id=referral_id, _anchor=anchor))


def _add_errors(form, problems: dict[str, str]) -> None:
    """Put each problem next to its field (or at the top of the form when it has none)."""
    for name, message in problems.items():
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


def _viewed(referral: Referral, page: str) -> None:
    """Audit a page that shows the referral (fetched for an action, so ``get_or_404`` did not)."""
    record(Action.RECORD_VIEWED, object_type="referral", object_id=referral.id, organisation_id=referral.organisation_id, details={"page": page})
    db.session.commit()


def _stale(referral_id):
    db.session.rollback()
    flash("Someone else changed this referral at the same moment. Check what it says now, then try again.")
    return _detail_redirect(referral_id)


# The school's list ---------------------------------------------------------------------------------


@bp.route("/referrals")
@school_casework
def index():
    """A school's referrals, newest first (a school chooser first if the user holds several)."""
    schools = casework_organisations()
    chosen = as_uuid(request.args.get("school")) if request.args.get("school") else None
    school = next((s for s in schools if s.id == chosen), None)
    if school is None and len(schools) == 1:
        school = schools[0]
    if school is None:
        return render_template("referrals/choose_school.html", schools=schools)
    query = visible_query(Referral).where(Referral.organisation_id == school.id)
    after = request_cursor(2, datetime, uuid.UUID)
    if after:
        query = query.where(or_(Referral.created_at < after[0], and_(Referral.created_at == after[0], Referral.id < after[1])))
    page = fetch_page(db.session, query.order_by(Referral.created_at.desc(), Referral.id.desc()), PAGE_SIZE, lambda r: (r.created_at, r.id))
    # The list names children: the read is audited (what was shown, not who).
    record(Action.RECORD_VIEWED, object_type="referral_list", object_id=school.id, organisation_id=school.id, details={"shown": len(page.items)})
    return render_audited(
        "referrals/index.html",
        school=school,
        several=len(schools) > 1,
        page=page,
        first_page=after is None,
        now=utcnow(),
    )


# Starting a referral -------------------------------------------------------------------------------


def _from_advice(advice: AdviceRequest) -> str:
    text = f"Our question to the front door ({uk_date(advice.created_at)}):\n{advice.question.strip()}"
    if advice.answer:
        when = f" ({uk_date(advice.answered_at)})" if advice.answered_at else ""
        outcome = f" Outcome: {advice.outcome.label}." if advice.outcome else ""
        text += f"\n\nThe front door's advice{when}:{outcome}\n{advice.answer.strip()}"
    return text


def _pupil_search():
    """Without a pupil: find one among the pupils of the user's casework schools (not those who left)."""
    schools = casework_organisations()
    q = " ".join((request.args.get("q") or "").split())[:100]
    in_schools = Pupil.organisation_id.in_([s.id for s in schools]) if schools else false()
    query = visible_query(Pupil).where(in_schools, Pupil.left_at.is_(None))
    for word in q.lower().split(" ") if q else []:
        query = query.where(name_contains(word))
    after = after_pupil(request.args.get("after"))
    if after is not None:
        query = query.where(after)
    order = query.order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
    page = fetch_page(db.session, order, PAGE_SIZE, pupil_cursor_key)
    return render_template(
        "referrals/choose_pupil.html",
        q=q,
        page=page,
        first_page=after is None,
        school_names={s.id: s.name for s in schools},
        several=len(schools) > 1,
    )


@bp.route("/referrals/new", methods=["GET", "POST"])
@school_casework
def new():
    """Start a referral for a pupil, or from an advice request; a GET only asks, the POST makes the draft."""
    advice = None
    if request.args.get("advice_request_id"):
        advice = get_or_404(AdviceRequest, request.args["advice_request_id"], action="refer")
        pupil = advice.pupil
        require("refer", pupil)
    elif request.args.get("pupil_id"):
        pupil = get_or_404(Pupil, request.args["pupil_id"], action="refer")
    else:
        return _pupil_search()
    form = StartReferralForm()
    if form.validate_on_submit():
        referral = Referral(
            organisation_id=pupil.organisation_id,
            pupil_id=pupil.id,
            created_by_id=current_user.id,
            advice_request_id=advice.id if advice else None,
        )
        if advice is not None:
            known = {c.value for c in HarmCategory}
            referral.categories = [c for c in (advice.categories or []) if c in known]
            referral.what_happened = _from_advice(advice)
        db.session.add(referral)
        db.session.flush()
        details = {"pupil_id": str(pupil.id)}
        if advice is not None:
            details["advice_request_id"] = str(advice.id)
        record(Action.REFERRAL_CREATED, object_type="referral", object_id=referral.id, organisation_id=referral.organisation_id, details=details)
        chronology.add(
            pupil_id=pupil.id,
            organisation_id=referral.organisation_id,
            kind=EntryKind.REFERRAL,
            title="Referral started (draft)",
            object_type="referral",
            object_id=referral.id,
        )
        db.session.commit()
        return redirect(url_for("referrals.edit", referral_id=referral.id))
    drafts = (
        db.session.execute(visible_query(Referral).where(Referral.pupil_id == pupil.id, Referral.status == S.DRAFT).order_by(Referral.created_at.desc()))
        .unique()
        .scalars()
        .all()
    )
    record(Action.RECORD_VIEWED, object_type="pupil", object_id=pupil.id, organisation_id=pupil.organisation_id, details={"page": "referrals.new"})
    db.session.commit()
    return render_template("referrals/start.html", form=form, pupil=pupil, advice=advice, drafts=drafts)


# The referral form (drafts) ------------------------------------------------------------------------


def _fill(form: ReferralForm, referral: Referral) -> None:
    form.categories.data = list(referral.categories or [])
    form.what_happened.data = referral.what_happened
    form.child_voice.data = referral.child_voice
    # Asked afresh each time the draft is opened (things change, and the column cannot tell "no" from
    # "not answered yet"): only a "yes" is shown again, with the police details.
    form.immediate_danger.data = "yes" if referral.immediate_danger else None
    form.police_called.data = referral.police_called
    form.police_reference.data = referral.police_reference
    form.parents_aware.data = referral.parents_aware.value if referral.parents_aware else None
    form.parents_not_aware_reason.data = referral.parents_not_aware_reason
    form.school_view_level.data = referral.school_view_level.value if referral.school_view_level else None
    form.version.data = str(referral.version)


def _apply(form: ReferralForm, referral: Referral) -> None:
    """Write what the form says onto the draft: everything typed, complete or not."""
    referral.categories = list(dict.fromkeys(form.categories.data or []))
    referral.what_happened = (form.what_happened.data or "").strip()
    referral.child_voice = clean_text(form.child_voice.data)
    danger = form.immediate_danger.data == "yes"
    referral.immediate_danger = danger
    referral.police_called = danger and bool(form.police_called.data)
    referral.police_reference = clean_text(form.police_reference.data)
    referral.parents_aware = ParentsAware(form.parents_aware.data) if form.parents_aware.data else None
    referral.parents_not_aware_reason = clean_text(form.parents_not_aware_reason.data) if referral.parents_aware is ParentsAware.NO else None
    referral.school_view_level = Level(form.school_view_level.data) if form.school_view_level.data else None


def _submission_problems(form: ReferralForm, referral: Referral) -> dict[str, str]:
    """Everything that stops the draft being sent, by field, in the order of the page."""
    problems = dict(missing_for_submission(referral))
    if form.immediate_danger.data not in ("yes", "no"):
        problems["immediate_danger"] = "Select whether the child is in immediate danger"
    order = list(form._fields)
    return dict(sorted(problems.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def _referral_attachments(referral_id) -> list[Attachment]:
    return (
        db.session.execute(visible_query(Attachment).where(Attachment.referral_id == referral_id).order_by(Attachment.created_at, Attachment.id))
        .scalars()
        .all()
    )


@bp.route("/referrals/<uuid:referral_id>/edit", methods=["GET", "POST"])
@login_required
def edit(referral_id):
    """The referral form. "Save as draft" keeps whatever is there; "Submit referral" keeps it too, then
    sends it if it is complete, or shows what is missing next to each answer."""
    referral = get_or_404(Referral, referral_id, action="edit")
    if referral.status != S.DRAFT:
        flash("This referral has been sent to the front door, so it can no longer be changed. Send the front door a message if you have something to add.")
        return _detail_redirect(referral.id)
    form = ReferralForm()
    if request.method == "GET":
        _viewed(referral, "edit")
        _fill(form, referral)
    conflict = None
    saved_with_problems = False
    if form.validate_on_submit():
        if form.version.version != referral.version:
            conflict = referral
        else:
            stored = []
            try:
                _apply(form, referral)
                for upload in form.attachments.files:
                    stored.append(
                        attachments.save(upload, organisation_id=referral.organisation_id, referral_id=referral.id, uploaded_by_id=current_user.id).storage_key
                    )
                record(
                    Action.REFERRAL_UPDATED,
                    object_type="referral",
                    object_id=referral.id,
                    organisation_id=referral.organisation_id,
                    details={"files_added": len(stored)},
                )
                problems = _submission_problems(form, referral) if form.submitting else {}
                if form.submitting and not problems:
                    try:
                        transition(referral, "submit", actor_id=current_user.id)
                    except TransitionRefused as exc:
                        problems = {exc.field or "": str(exc)}
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                for key in stored:
                    files.remove(key)
                conflict = db.session.execute(visible_query(Referral).where(Referral.id == referral_id)).unique().scalar_one_or_none()
                if conflict is None:  # deleted meanwhile
                    flash("This draft referral has been deleted by someone else, so your changes could not be saved.")
                    return redirect(url_for("referrals.index"))
            else:
                if not form.submitting:
                    flash("Your draft has been saved. It has not been sent to the front door yet.", "success")
                    return redirect(url_for("referrals.edit", referral_id=referral.id))
                if not problems:
                    return redirect(url_for("referrals.submitted", referral_id=referral.id))
                _add_errors(form, problems)
                form.version.data = str(referral.version)
                saved_with_problems = True
    if conflict is not None:
        # Keep what they typed; the next save is made against the version saved now.
        form.version.data = str(conflict.version)
    return render_template(
        "referrals/form.html",
        form=form,
        referral=referral if conflict is None else conflict,
        conflict=conflict,
        saved_with_problems=saved_with_problems,
        attachments=_referral_attachments(referral.id),
        family_harms=FAMILY_HARMS,
        extra_familial_harms=EXTRA_FAMILIAL_HARMS,
    )


@bp.route("/referrals/<uuid:referral_id>/submitted")
@login_required
def submitted(referral_id):
    """The confirmation after a referral is sent, with the front door's deadline."""
    referral = get_or_404(Referral, referral_id, action="submit")
    if referral.status == S.DRAFT:
        return redirect(url_for("referrals.edit", referral_id=referral.id))
    return render_template("referrals/submitted.html", referral=referral)


@bp.route("/referrals/<uuid:referral_id>/delete", methods=["GET", "POST"])
@login_required
def delete(referral_id):
    """Delete a draft (never a referral the front door has had), with its attachments."""
    referral = get_or_404(Referral, referral_id, action="delete_draft")
    if referral.status != S.DRAFT:
        flash("Only a draft can be deleted. This referral has been sent to the front door.")
        return _detail_redirect(referral.id)
    if request.method == "GET":
        return render_template("referrals/delete.html", referral=referral)
    school_id = referral.organisation_id
    files_to_remove = []
    for attachment in _referral_attachments(referral.id):
        files_to_remove.append(attachment.storage_key)
        db.session.delete(attachment)
    chronology.add(
        pupil_id=referral.pupil_id,
        organisation_id=school_id,
        kind=EntryKind.REFERRAL,
        title="Draft referral deleted (not sent)",
        object_type="referral",
        object_id=referral.id,
    )
    record(
        Action.REFERRAL_DELETED,
        object_type="referral",
        object_id=referral.id,
        organisation_id=school_id,
        details={"pupil_id": str(referral.pupil_id), "attachments": len(files_to_remove)},
    )
    db.session.delete(referral)
    try:
        db.session.commit()
    except StaleDataError:
        return _stale(referral_id)
    for key in files_to_remove:
        files.remove(key)
    flash("The draft referral has been deleted.", "success")
    return redirect(url_for("referrals.index", school=school_id))


# The referral page ---------------------------------------------------------------------------------


def _front_door_name() -> str:
    """The front door's name for the time line (the authority's social care organisation, if it has one)."""
    names = [
        o.name
        for o in db.session.execute(
            visible_query(Organisation).where(Organisation.kind == OrganisationKind.SOCIAL_CARE, Organisation.archived_at.is_(None))
        ).scalars()
    ]
    return names[0] if len(names) == 1 else "Children's social care"


def _last_question(transitions: list[ReferralTransition]) -> ReferralTransition | None:
    asked = [t for t in transitions if t.to_status == S.INFORMATION_REQUESTED]
    return asked[-1] if asked else None


def _actions(referral: Referral) -> list[str]:
    """The workflow steps this user may take now (the service's steps, filtered by the policy)."""
    allows = policy_for(Referral).allows
    return [
        step
        for step in available_steps(referral, front_door=is_front_door(current_user) and not _is_school_side(referral))
        if allows(current_user, step, referral)
    ]


def _render_detail(referral: Referral, *, message_form: MessageForm | None = None, status: int = 200):
    transitions = list(referral.transitions)
    decided = next((t for t in reversed(transitions) if t.to_status == S.DECIDED), None)
    page = render_template(
        "referrals/detail.html",
        referral=referral,
        pupil=referral.pupil,
        transitions=transitions,
        decided=decided,
        question=_last_question(transitions),
        messages=list(referral.messages),
        attachments=_referral_attachments(referral.id),
        actions=_actions(referral),
        school_side=_is_school_side(referral),
        may_message=policy_for(Referral).allows(current_user, "message", referral),
        may_delete=referral.status == S.DRAFT and policy_for(Referral).allows(current_user, "delete_draft", referral),
        front_door_name=_front_door_name(),
        message_form=message_form or MessageForm(formdata=None),
        now=utcnow(),
    )
    return page, status


@bp.route("/referrals/<uuid:referral_id>")
@login_required
def detail(referral_id):
    """Everything the referral says, its time line (the school's feedback), the clock, the thread."""
    referral = get_or_404(Referral, referral_id)
    response = _render_detail(referral)
    db.session.commit()  # the audited view
    return response


# The workflow's steps ------------------------------------------------------------------------------


def _button_step(referral_id, action: str, success: str):
    referral = get_or_404(Referral, referral_id, action=action)
    try:
        transition(referral, action, actor_id=current_user.id)
        db.session.commit()
    except TransitionRefused as exc:
        db.session.rollback()
        flash(str(exc))
        return _detail_redirect(referral_id)
    except StaleDataError:
        return _stale(referral_id)
    flash(success, "success")
    return _detail_redirect(referral_id)


@bp.route("/referrals/<uuid:referral_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(referral_id):
    return _button_step(referral_id, "acknowledge", "The referral has been acknowledged. The school has been told.")


@bp.route("/referrals/<uuid:referral_id>/close", methods=["POST"])
@login_required
def close(referral_id):
    return _button_step(referral_id, "close", "The referral has been closed. The school has been told.")


def _step_page(referral: Referral, action: str) -> bool:
    """Is the step possible now? If not, say why (on the referral's page)."""
    if referral.status in STEPS[action].sources:
        return True
    flash(f"This referral is {referral.status.label.lower()}: that step is not possible now.")
    return False


COMMENT_STEPS = {
    "request_information": {
        "title": "Ask the school for more information",
        "label": "What do you need to know?",
        "hint": "The school's DSL reads this and answers on the portal. The clock keeps running while you wait.",
        "button": "Send the request",
        "success": "Your request has been sent to the school.",
    },
    "provide_information": {
        "title": "Give the front door the information it asked for",
        "label": "Your answer",
        "hint": "Answer what the front door asked. Use the child's own words where you have them.",
        "button": "Send the information",
        "success": "The information has been sent to the front door.",
    },
}


def _comment_step(referral_id, action: str):
    referral = get_or_404(Referral, referral_id, action=action)
    if not _step_page(referral, action):
        return _detail_redirect(referral.id)
    words = COMMENT_STEPS[action]
    form = CommentForm()
    form.comment.label.text = words["label"]
    form.comment.description = words["hint"]
    form.submit.label.text = words["button"]
    if form.validate_on_submit():
        try:
            transition(referral, action, actor_id=current_user.id, comment=form.comment.data)
            db.session.commit()
        except TransitionRefused as exc:
            db.session.rollback()
            _add_errors(form, {exc.field or "": str(exc)})
        except StaleDataError:
            return _stale(referral_id)
        else:
            flash(words["success"], "success")
            return _detail_redirect(referral_id)
        referral = get_or_404(Referral, referral_id, action=action)
    elif request.method == "GET":
        _viewed(referral, action)
    return render_template(
        "referrals/step.html",
        form=form,
        referral=referral,
        words=words,
        question=_last_question(list(referral.transitions)),
        now=utcnow(),
    )


@bp.route("/referrals/<uuid:referral_id>/request-information", methods=["GET", "POST"])
@login_required
def request_information(referral_id):
    return _comment_step(referral_id, "request_information")


@bp.route("/referrals/<uuid:referral_id>/provide-information", methods=["GET", "POST"])
@login_required
def provide_information(referral_id):
    return _comment_step(referral_id, "provide_information")


@bp.route("/referrals/<uuid:referral_id>/decide", methods=["GET", "POST"])
@login_required
def decide(referral_id):
    """The threshold decision, with the reason the school will read."""
    referral = get_or_404(Referral, referral_id, action="decide")
    if not _step_page(referral, "decide"):
        return _detail_redirect(referral.id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            transition(referral, "decide", actor_id=current_user.id, comment=form.reason.data, decision=ReferralDecision(form.decision.data))
            db.session.commit()
        except TransitionRefused as exc:
            db.session.rollback()
            _add_errors(form, {exc.field or "": str(exc)})
        except StaleDataError:
            return _stale(referral_id)
        else:
            flash("Your decision has been recorded and sent to the school.", "success")
            return _detail_redirect(referral_id)
        referral = get_or_404(Referral, referral_id, action="decide")
    elif request.method == "GET":
        _viewed(referral, "decide")
    return render_template(
        "referrals/decide.html",
        form=form,
        referral=referral,
        question=_last_question(list(referral.transitions)),
        now=utcnow(),
    )


@bp.route("/referrals/<uuid:referral_id>/messages", methods=["POST"])
@login_required
def message(referral_id):
    """A message on the referral's thread; the other side is told."""
    referral = get_or_404(Referral, referral_id, action="message")
    form = MessageForm()
    if not form.validate_on_submit():
        record(Action.RECORD_VIEWED, object_type="referral", object_id=referral.id, organisation_id=referral.organisation_id)
        response = _render_detail(referral, message_form=form)
        db.session.commit()
        return response
    from_front_door = is_front_door(current_user) and not _is_school_side(referral)
    entry = ReferralMessage(referral_id=referral.id, author_id=current_user.id, from_front_door=from_front_door, body=form.body.data.strip())
    db.session.add(entry)
    db.session.flush()
    now = utcnow()
    if from_front_door:
        referral.last_feedback_at = now
        recipients = [referral.created_by_id]
        title = "The front door has sent you a message about your referral"
    else:
        recipients = [referral.acknowledged_by_id] if referral.acknowledged_by_id else front_door_ids()
        title = f"{referral.organisation.name} has sent a message about a referral"
    record(
        Action.REFERRAL_MESSAGE,
        object_type="referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={"message_id": str(entry.id), "from": "front_door" if from_front_door else "school"},
    )
    chronology.add(
        pupil_id=referral.pupil_id,
        organisation_id=referral.organisation_id,
        kind=EntryKind.REFERRAL,
        title="Message from the front door about the referral" if from_front_door else "Message from the school to the front door about the referral",
        object_type="referral",
        object_id=referral.id,
        occurred_at=now,
    )
    notify_all(recipients, title, link=page_path("referrals.detail", referral_id=referral.id), exclude={current_user.id})
    try:
        db.session.commit()
    except StaleDataError:
        return _stale(referral_id)
    flash("Your message has been sent.", "success")
    return _detail_redirect(referral_id, "messages")


# The front door's queue ----------------------------------------------------------------------------


@bp.route("/front-door/referrals")
@front_door_only
def queue():
    """Open referrals, the nearest deadline first (so the overdue ones lead); or the decided ones."""
    view = "decided" if request.args.get("view") == "decided" else "open"
    now = utcnow()
    schools = db.session.execute(visible_query(Organisation).where(Organisation.kind.in_(_EDUCATION)).order_by(Organisation.name)).scalars().all()
    school_id = as_uuid(request.args.get("school")) if request.args.get("school") else None
    if school_id not in {s.id for s in schools}:
        school_id = None
    statuses = AWAITING_DECISION if view == "open" else (S.DECIDED, S.CLOSED)
    status = request.args.get("status") or ""
    status = ReferralStatus(status) if status in {s.value for s in statuses} else None

    conditions = [Referral.status.in_(statuses)]
    if school_id:
        conditions.append(Referral.organisation_id == school_id)
    if status:
        conditions.append(Referral.status == status)
    query = visible_query(Referral).where(*conditions)

    summary = None
    if view == "open":
        end_of_today = datetime.combine(now.astimezone(UK).date() + timedelta(days=1), time(0, 0), tzinfo=UK).astimezone(UTC)
        total, overdue, due_today = db.session.execute(
            select(
                func.count(Referral.id),
                func.coalesce(func.sum(case((Referral.due_at <= now, 1), else_=0)), 0),
                func.coalesce(func.sum(case((and_(Referral.due_at > now, Referral.due_at <= end_of_today), 1), else_=0)), 0),
            ).where(policy_for(Referral).visible(current_user), *conditions)
        ).one()
        summary = {"open": total, "overdue": overdue, "due_today": due_today}
        after = request_cursor(2, datetime, uuid.UUID)
        if after:
            query = query.where(or_(Referral.due_at > after[0], and_(Referral.due_at == after[0], Referral.id > after[1])))
        page = fetch_page(db.session, query.order_by(Referral.due_at, Referral.id), PAGE_SIZE, lambda r: (r.due_at, r.id))
    else:
        after = request_cursor(2, datetime, uuid.UUID)
        if after:
            query = query.where(or_(Referral.decided_at < after[0], and_(Referral.decided_at == after[0], Referral.id < after[1])))
        page = fetch_page(db.session, query.order_by(Referral.decided_at.desc(), Referral.id.desc()), PAGE_SIZE, lambda r: (r.decided_at, r.id))
    record(Action.RECORD_VIEWED, object_type="referral_queue", details={"view": view, "shown": len(page.items)})
    return render_audited(
        "referrals/queue.html",
        view=view,
        page=page,
        first_page=after is None,
        summary=summary,
        schools=schools,
        school_id=school_id,
        statuses=statuses,
        status=status,
        now=now,
    )
