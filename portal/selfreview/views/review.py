"""One self-review: its page, answering its questions (each question's RAG rating, evidence, notes and
actions into the development plan), marking it complete, and its development plan.

Who: the school's head and governors see it; the roles its framework names complete it. Every page that
shows a review's notes or evidence is audited (``RECORD_VIEWED``).
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forms import choices
from portal import locking
from portal.accounts.models import User
from portal.audit.service import record, render_audited
from portal.clock import uk_today
from portal.extensions import db
from portal.model_base import as_uuid
from portal.partnership.models import ActionStatus
from portal.policies import get_or_404, not_found, policy_for
from portal.pupils.childcheck import match_summary
from portal.selfreview import service
from portal.selfreview.actions import Action
from portal.selfreview.blueprint import bp
from portal.selfreview.forms import ACTION_LABELS, ANSWER_LABELS, RAG_HINTS, SOMEONE_ELSE, ActionForm, AnswerForm
from portal.selfreview.models import DevelopmentAction, Rag, ReviewStatus, SelfReview
from portal.text import clean_text


def _may(action: str, review: SelfReview) -> bool:
    return policy_for(SelfReview).allows(current_user, action, review)


def _viewed(review: SelfReview, page: str) -> None:
    record(Action.RECORD_VIEWED, object_type="self_review", object_id=review.id, organisation_id=review.organisation_id, details={"page": page})


@bp.route("/self-review/<uuid:review_id>")
@login_required
def review(review_id):
    review = get_or_404(SelfReview, review_id)
    framework = service.framework_of(review)
    by_key = service.answers(review)
    by_question: dict[str, list] = {}
    for action in service.actions(review):
        by_question.setdefault(action.question_key, []).append(action)
    people = _names({review.started_by_id, review.completed_by_id})
    _viewed(review, "review")
    return render_audited(
        "selfreview/review.html",
        review=review,
        framework=framework,
        answers=by_key,
        actions=by_question,
        progress=service.progress(review, by_key),
        may_edit=_may("edit", review),
        may_complete=_may("complete", review),
        changed_since=service.changed_since_completion(review),
        people=people,
        year_label=service.year_label(review.academic_year),
        today=uk_today(),
        is_overdue=service.is_overdue,
    )


def _names(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(sorted(ids)))).all())


@bp.route("/self-review/<uuid:review_id>/complete", methods=["POST"])
@login_required
def review_complete(review_id):
    review = get_or_404(SelfReview, review_id, action="complete")
    if review.status == ReviewStatus.COMPLETED:
        flash("The review was already marked as complete.", "success")
        return redirect(url_for("selfreview.review", review_id=review.id))
    left = service.progress(review).left
    if left:
        flash(f"The review cannot be marked as complete yet: {left} {'question is' if left == 1 else 'questions are'} not rated.", "error")
        return redirect(url_for("selfreview.review", review_id=review.id, _anchor="complete"))
    with locking.saving() as save:
        service.complete(review, actor_id=current_user.id)
    if save.stale:
        flash("Someone else changed the review at the same time. Check it, then mark it as complete again.", "error")
    else:
        flash("The review has been marked as complete.", "success")
    return redirect(url_for("selfreview.review", review_id=review_id))


# Answering one question -----------------------------------------------------------------------------


def _owner_options(review: SelfReview) -> dict[str, str]:
    people = {f"user:{uid}": name for uid, name in service.school_people(review.organisation_id)}
    return {"": "Choose an owner", **people, SOMEONE_ELSE: "Someone else (write in who)"}


def _saved_answer(row) -> dict:
    if row is None:
        return {"rating": None, "evidence": None, "notes": None}
    return {"rating": row.rating, "evidence": row.evidence, "notes": row.notes}


def _typed_answer(form: AnswerForm) -> dict:
    return {"rating": Rag(form.rating.data), "evidence": clean_text(form.evidence.data), "notes": clean_text(form.notes.data)}


@bp.route("/self-review/<uuid:review_id>/questions/<question_key>", methods=["GET", "POST"])
@login_required
def answer(review_id, question_key):
    review = get_or_404(SelfReview, review_id, action="edit")
    framework = service.framework_of(review)
    question = framework.question(question_key)
    if question is None:
        not_found("self_review_question", question_key)
    row = service.answer(review, question.key)
    data = None
    if request.method == "GET":
        data = {"version": str(row.version) if row else "0"}
        if row is not None:
            data |= {"rating": row.rating.value if row.rating else None, "evidence": row.evidence, "notes": row.notes}
    form = AnswerForm(data=data)
    form.today = uk_today()
    options = _owner_options(review)
    form.action_owner.choices = choices(options.items())
    changes, matches, may_save = None, [], False
    if form.validate_on_submit():
        written = (form.evidence.data, form.notes.data, form.action_description.data, form.action_owner_name.data)
        matches, may_save = form.check_child("\n".join(clean_text(t) or "" for t in written), current_user)
    if may_save:
        _child_check_confirmed(review, matches)
        yours = _typed_answer(form)
        expected = form.version.version or 0
        if expected != (row.version if row else 0):
            changes = _answer_conflict(review, question.key, yours, form)
        else:
            try:
                with locking.saving() as save:
                    saved = service.save_answer(review, row, question.key, actor_id=current_user.id, **yours)
                    added = None
                    if form.wants_action:
                        owner = form.action_owner.data
                        added = service.add_action(
                            review,
                            question.key,
                            description=clean_text(form.action_description.data),
                            owner_user_id=as_uuid(owner.removeprefix("user:")) if owner.startswith("user:") else None,
                            owner_name=clean_text(form.action_owner_name.data),
                            due_on=form.action_due_on.data,
                            actor_id=current_user.id,
                        )
                stale = save.stale
            except IntegrityError:  # first answered by someone else at the same moment
                db.session.rollback()
                stale = True
            if stale:  # changed, or first answered, by someone else meanwhile
                review = get_or_404(SelfReview, review_id, action="edit")
                changes = _answer_conflict(review, question.key, yours, form)
            else:
                said = [f"Question {question.number} has been saved." if saved else f"Question {question.number} was not changed."]
                if added is not None:
                    said.append("The action has been added to the development plan.")
                flash(" ".join(said), "success")
                following = _neighbour(framework, question, +1)
                if following is None:
                    return redirect(url_for("selfreview.review", review_id=review.id, _anchor=f"question-{question.key}"))
                return redirect(url_for("selfreview.answer", review_id=review.id, question_key=following.key))
    if request.method == "GET":
        _viewed(review, "question")
    return render_audited(
        "selfreview/answer.html",
        form=form,
        review=review,
        framework=framework,
        question=question,
        previous=_neighbour(framework, question, -1),
        following=_neighbour(framework, question, +1),
        actions=service.actions(review, question.key),
        changes=changes,
        matches=matches,
        rag_hints=RAG_HINTS,
        year_label=service.year_label(review.academic_year),
        today=uk_today(),
        is_overdue=service.is_overdue,
    )


def _neighbour(framework, question, step: int):
    index = question.number - 1 + step
    return framework.questions[index] if 0 <= index < len(framework.questions) else None


def _answer_conflict(review: SelfReview, question_key: str, yours: dict, form: AnswerForm) -> list:
    """Refuse a stale save: audited, what they typed kept, the next save made against what is saved now."""
    row = service.answer(review, question_key)
    locking.stale_refused("self_review_answer", row.id if row else review.id)
    form.version.data = str(row.version if row else 0)
    return locking.what_changed(_saved_answer(row), yours, ANSWER_LABELS)


# The development plan ---------------------------------------------------------------------------------


@bp.route("/self-review/<uuid:review_id>/plan")
@login_required
def plan(review_id):
    review = get_or_404(SelfReview, review_id)
    framework = service.framework_of(review)
    rows = service.actions(review)
    allows = policy_for(DevelopmentAction).allows
    groups = []
    for question in framework.questions:
        of_question = [a for a in rows if a.question_key == question.key]
        if of_question:
            groups.append((question, of_question))
    may_edit = _may("edit", review)
    _viewed(review, "plan")
    return render_audited(
        "selfreview/plan.html",
        review=review,
        framework=framework,
        groups=groups,
        count=len(rows),
        may_update={a.id for a in rows if may_edit and allows(current_user, "update", a)},
        may_edit=may_edit,
        year_label=service.year_label(review.academic_year),
        today=uk_today(),
        is_overdue=service.is_overdue,
    )


def _action_values(row: DevelopmentAction) -> dict:
    return {"status": row.status, "progress_note": row.progress_note, "due_on": row.due_on}


@bp.route("/self-review/actions/<uuid:action_id>", methods=["GET", "POST"])
@login_required
def action_edit(action_id):
    row = get_or_404(DevelopmentAction, action_id, action="update")
    review = get_or_404(SelfReview, row.review_id)
    framework = service.framework_of(review)
    question = framework.question(row.question_key)
    data = (
        {"status": row.status.value, "progress_note": row.progress_note, "due_on": row.due_on, "version": str(row.version)} if request.method == "GET" else None
    )
    form = ActionForm(data=data)
    form.today, form.current_due = uk_today(), row.due_on
    if request.method == "GET":
        record(Action.RECORD_VIEWED, object_type="development_action", object_id=row.id, organisation_id=review.organisation_id, details={"page": "action"})
    changes, matches, may_save = None, [], False
    if form.validate_on_submit():
        matches, may_save = form.check_child(clean_text(form.progress_note.data) or "", current_user)
    if may_save:
        _child_check_confirmed(review, matches)
        yours = {"status": ActionStatus(form.status.data), "progress_note": clean_text(form.progress_note.data), "due_on": form.due_on.data}
        if form.version.version != row.version:
            changes = _action_conflict(row, yours, form)
        elif yours == _action_values(row):
            flash("Nothing was changed.", "success")
            return redirect(url_for("selfreview.plan", review_id=review.id, _anchor=f"action-{row.id}"))
        else:
            with locking.saving() as save:
                service.update_action(row, review, **yours)
            if save.stale:
                row = get_or_404(DevelopmentAction, action_id, action="update")
                changes = _action_conflict(row, yours, form)
            else:
                flash("The action has been saved.", "success")
                return redirect(url_for("selfreview.plan", review_id=review.id, _anchor=f"action-{row.id}"))
    return render_audited(
        "selfreview/action.html",
        form=form,
        row=row,
        review=review,
        framework=framework,
        question=question,
        changes=changes,
        matches=matches,
        year_label=service.year_label(review.academic_year),
        today=uk_today(),
        is_overdue=service.is_overdue,
    )


def _child_check_confirmed(review: SelfReview, matches) -> None:
    """The identifiable-child check found something and the person confirmed it is not about a real child:
    audited (the kinds and how many, never the words)."""
    if matches:
        record(
            Action.SELF_REVIEW_CHILD_CHECK_CONFIRMED,
            object_type="self_review",
            object_id=review.id,
            organisation_id=review.organisation_id,
            details=match_summary(matches),
        )


def _action_conflict(row: DevelopmentAction, yours: dict, form: ActionForm) -> list:
    locking.stale_refused("development_action", row.id)
    form.version.data = str(row.version)
    return locking.what_changed(_action_values(row), yours, ACTION_LABELS)
