"""The workflow's steps as pages: the front door acknowledges, asks for information, decides and closes;
the school provides the information asked for. Each step is ``portal.referrals.service.transition``."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user, login_required

from portal.clock import utcnow
from portal.extensions import db
from portal.locking import saving
from portal.policies import get_or_404
from portal.referrals.blueprint import bp
from portal.referrals.forms import CommentForm, DecisionForm
from portal.referrals.models import Referral, ReferralDecision
from portal.referrals.service import STEPS, TransitionRefused, transition
from portal.referrals.views.shared import add_errors, detail_redirect, last_question, stale, viewed
from portal.vocabulary import Level


def _button_step(referral_id, action: str, success: str):
    referral = get_or_404(Referral, referral_id, action=action)
    try:
        with saving() as save:
            transition(referral, action, actor_id=current_user.id)
    except TransitionRefused as exc:
        db.session.rollback()
        flash(str(exc))
        return detail_redirect(referral_id)
    if save.stale:
        return stale(referral_id)
    flash(success, "success")
    return detail_redirect(referral_id)


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
        return detail_redirect(referral.id)
    words = COMMENT_STEPS[action]
    form = CommentForm()
    form.comment.label.text = words["label"]
    form.comment.description = words["hint"]
    form.submit.label.text = words["button"]
    if form.validate_on_submit():
        try:
            with saving() as save:
                transition(referral, action, actor_id=current_user.id, comment=form.comment.data)
        except TransitionRefused as exc:
            db.session.rollback()
            add_errors(form, {exc.field or "": str(exc)})
        else:
            if save.stale:
                return stale(referral_id)
            flash(words["success"], "success")
            return detail_redirect(referral_id)
        referral = get_or_404(Referral, referral_id, action=action)
    elif request.method == "GET":
        viewed(referral, action)
    return render_template(
        "referrals/step.html",
        form=form,
        referral=referral,
        words=words,
        question=last_question(list(referral.transitions)),
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
        return detail_redirect(referral.id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            with saving() as save:
                transition(
                    referral,
                    "decide",
                    actor_id=current_user.id,
                    comment=form.reason.data,
                    decision=ReferralDecision(form.decision.data),
                    decision_level=Level(form.decision_level.data),
                )
        except TransitionRefused as exc:
            db.session.rollback()
            add_errors(form, {exc.field or "": str(exc)})
        else:
            if save.stale:
                return stale(referral_id)
            flash("Your decision has been recorded and sent to the school.", "success")
            return detail_redirect(referral_id)
        referral = get_or_404(Referral, referral_id, action="decide")
    elif request.method == "GET":
        viewed(referral, "decide")
    return render_template(
        "referrals/decide.html",
        form=form,
        referral=referral,
        question=last_question(list(referral.transitions)),
        now=utcnow(),
    )
