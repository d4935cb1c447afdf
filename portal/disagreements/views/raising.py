"""Raising a disagreement: from a decided referral's page, or an answered request for advice, the school's
DSL or head says why they disagree and what they want to happen."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.advice.models import AdviceRequest
from portal.audit.actions import Action
from portal.audit.service import commit_read, record_now
from portal.disagreements import service
from portal.disagreements.blueprint import bp
from portal.disagreements.forms import RaiseForm
from portal.disagreements.policy import may_raise
from portal.disagreements.views.shared import add_error
from portal.extensions import db
from portal.locking import saving
from portal.policies import get_or_404
from portal.referrals.models import Referral


def _subject_url(subject) -> str:
    if isinstance(subject, Referral):
        return url_for("referrals.detail", referral_id=subject.id)
    return url_for("advice.detail", advice_id=subject.id)


def _fetch(model, subject_id):
    subject = get_or_404(model, subject_id)  # audits the view
    if not may_raise(current_user, subject):
        record_now(
            Action.ACCESS_DENIED, object_type="referral" if model is Referral else "advice_request", object_id=subject.id, details={"action": "disagree"}
        )
        abort(403)
    return subject


def _raise(model, subject_id):
    subject = _fetch(model, subject_id)
    existing = service.in_progress_for(subject)
    if existing is not None:
        db.session.commit()
        flash("There is already a disagreement about this decision in progress. You can follow it here.", "important")
        return redirect(url_for("disagreements.detail", disagreement_id=existing.id))
    if not service.decided(subject):
        db.session.commit()
        flash("You can disagree with the front door's decision once it has been made.", "important")
        return redirect(_subject_url(subject))
    form = RaiseForm()
    if form.validate_on_submit():
        try:
            with saving() as save:
                disagreement = service.raise_disagreement(subject, actor_id=current_user.id, reason=form.reason.data, wanted=form.wanted.data)
                disagreement_id = disagreement.id
        except service.Refused as refused:
            db.session.rollback()
            add_error(form, refused)
            subject = _fetch(model, subject_id)
        else:
            if save.stale:
                flash("Someone else changed this decision at the same moment. Check what it says now, then try again.", "important")
                return redirect(_subject_url(subject))
            flash("Your disagreement has been sent. The front door has been asked for a stage 1 response.", "success")
            return redirect(url_for("disagreements.detail", disagreement_id=disagreement_id))
    page = render_template(
        "disagreements/raise.html",
        form=form,
        subject=subject,
        referral=subject if isinstance(subject, Referral) else None,
        advice=subject if isinstance(subject, AdviceRequest) else None,
        subject_url=_subject_url(subject),
        decision=service.decision_label(subject),
        days=service.timescales().stage_days[1],
        posted=request.method == "POST",
    )
    commit_read()
    return page


@bp.route("/referrals/<uuid:referral_id>/disagree", methods=["GET", "POST"])
@login_required
def raise_for_referral(referral_id):
    return _raise(Referral, referral_id)


@bp.route("/advice/<uuid:advice_id>/disagree", methods=["GET", "POST"])
@login_required
def raise_for_advice(advice_id):
    return _raise(AdviceRequest, advice_id)
