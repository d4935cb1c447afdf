"""The context referrals a person may see, one referral's page, and the panel's decision on it."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from forms import choices
from portal.accounts.models import Role
from portal.audit.service import record, render_audited
from portal.clock import utcnow
from portal.contexts import service
from portal.contexts.actions import Action
from portal.contexts.blueprint import bp
from portal.contexts.forms import DecisionForm
from portal.contexts.models import (
    ContextReferral,
    ContextReferralIndicator,
    ContextReferralPupil,
    ContextReferralStatus,
    PanelDecision,
    PanelMeeting,
    ThresholdSet,
)
from portal.contexts.people import holding, people
from portal.contexts.policy import works_on_contexts
from portal.contexts.service import THRESHOLD_LEVELS
from portal.contexts.views.common import gate, one, upcoming_meetings, workspace_visible
from portal.contexts.words import meeting_label
from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.policies import casework_schools, get_or_404, is_panel_member, is_social_care, require, visible_query
from portal.summits.models import SafetySummit
from portal.vocabulary import Level

#: Decided referrals shown on the list (the newest decisions).
DECIDED_SHOWN = 50


@bp.route("/context-referrals")
@gate(works_on_contexts)
def index():
    """The context referrals this person may see: those awaiting a decision (oldest first), then the
    newest decisions."""
    awaiting = (
        db.session.execute(
            visible_query(ContextReferral)
            .where(ContextReferral.status == ContextReferralStatus.AWAITING_DECISION)
            .order_by(ContextReferral.created_at, ContextReferral.id)
        )
        .unique()
        .scalars()
        .all()
    )
    decided = (
        db.session.execute(
            visible_query(ContextReferral)
            .where(ContextReferral.status == ContextReferralStatus.DECIDED)
            .order_by(ContextReferral.decided_at.desc(), ContextReferral.id)
            .limit(DECIDED_SHOWN)
        )
        .unique()
        .scalars()
        .all()
    )
    record(Action.RECORD_VIEWED, object_type="context_referral_list", details={"shown": len(awaiting) + len(decided)})
    may_raise = bool(casework_schools(current_user)) or is_social_care(current_user)
    return render_audited("contexts/index.html", awaiting=awaiting, decided=decided, decided_shown=DECIDED_SHOWN, may_raise=may_raise, now=utcnow())


@bp.route("/context-referrals/<uuid:context_referral_id>")
@login_required
def detail(context_referral_id):
    """Everything on the referral, the indicators checked (and their version), the pupils named (only for
    those who may see them), the panel and its decision, and the workspace it opened."""
    referral = get_or_404(ContextReferral, context_referral_id)
    rows = (
        db.session.execute(visible_query(ContextReferralIndicator).where(ContextReferralIndicator.context_referral_id == referral.id)).unique().scalars().all()
    )
    indicators = sorted((r.indicator for r in rows), key=lambda i: (THRESHOLD_LEVELS.index(i.level), i.position))
    pupils = db.session.execute(visible_query(ContextReferralPupil).where(ContextReferralPupil.context_referral_id == referral.id)).unique().scalars().all()
    open_and_member = referral.is_open and is_panel_member(current_user)
    return render_audited(
        "contexts/detail.html",
        referral=referral,
        indicators=indicators,
        pupils=sorted((row.pupil for row in pupils), key=lambda p: (p.legal_surname, p.legal_forename)),
        version=one(visible_query(ThresholdSet).where(ThresholdSet.id == referral.threshold_set_id)),
        decision_version=one(visible_query(ThresholdSet).where(ThresholdSet.id == referral.decision_threshold_set_id))
        if referral.decision_threshold_set_id
        else None,
        panel_meeting=one(visible_query(PanelMeeting).where(PanelMeeting.id == referral.panel_meeting_id)) if referral.panel_meeting_id else None,
        source_summit=one(visible_query(SafetySummit).where(SafetySummit.id == referral.source_summit_id)) if referral.source_summit_id else None,
        workspace=service.workspace_link(referral),
        workspace_open=workspace_visible(referral),
        upcoming=upcoming_meetings() if open_and_member else [],
        may_decide=open_and_member,
        now=utcnow(),
    )


def _workspace_name(workspace) -> str:
    title = getattr(workspace, "title", None)
    if title:
        return title
    return f"{workspace.kind.label} of {workspace.organisation.name}"


@bp.route("/context-referrals/<uuid:context_referral_id>/decide", methods=["GET", "POST"])
@login_required
def decide(context_referral_id):
    """The panel's decision, with its reason; it opens the workspace chosen and the referrer is told."""
    referral = get_or_404(ContextReferral, context_referral_id)
    if not referral.is_open and is_panel_member(current_user):
        flash("This context referral has already been decided. A decision cannot be changed here.")
        return redirect(url_for("contexts.detail", context_referral_id=referral.id))
    require("decide", referral)
    meetings = db.session.execute(visible_query(PanelMeeting).order_by(PanelMeeting.meets_at.desc(), PanelMeeting.id).limit(30)).scalars().all()
    if referral.panel_meeting_id and referral.panel_meeting_id not in {m.id for m in meetings}:
        listed = one(visible_query(PanelMeeting).where(PanelMeeting.id == referral.panel_meeting_id))
        meetings = ([listed] if listed else []) + meetings
    assessors = people(holding(Role.ASSESSOR))
    form = DecisionForm()
    form.panel_meeting.choices = choices([("", "Choose a panel meeting")] + [(m.id, meeting_label(m)) for m in meetings])
    form.lead.choices = choices([("", "Not named yet")] + [(u.id, u.full_name) for u in assessors])
    if request.method == "GET":
        form.panel_meeting.data = str(referral.panel_meeting_id) if referral.panel_meeting_id else ""
    elif form.validate_on_submit():
        decision = form.chosen
        lead = as_uuid(form.lead.data) if decision == PanelDecision.SCHOOL_ASSESSMENT and form.lead.data in {str(u.id) for u in assessors} else None
        level_field = form.level_field
        try:
            with saving() as save:
                workspace = service.decide(
                    referral,
                    service.Decision(
                        decision=decision,
                        reason=form.reason.data,
                        level=Level(level_field.data) if level_field is not None else None,
                        advice=form.advice.data if decision == PanelDecision.BELOW_THRESHOLD else None,
                        lead_id=lead,
                    ),
                    actor_id=current_user.id,
                    panel_meeting_id=as_uuid(form.panel_meeting.data),
                )
                name = _workspace_name(workspace) if workspace is not None else None
        except service.DecisionRefused as exc:
            db.session.rollback()
            field = {"level": level_field, "advice": form.advice, "reason": form.reason}.get(exc.field)
            if field is not None:
                field.errors = list(field.errors) + [str(exc)]
            else:
                form.form_errors.append(str(exc))
        else:
            if save.stale:
                flash("Someone else recorded a decision on this context referral at the same moment. Check it below.")
                return redirect(url_for("contexts.detail", context_referral_id=context_referral_id))
            told = referral.raised_by.full_name if referral.raised_by else "The person who raised it"
            if workspace is None:
                flash(f"The panel's decision has been recorded: {referral.organisation.name} manages this internally. {told} has been told.", "success")
                return redirect(url_for("contexts.detail", context_referral_id=referral.id))
            flash(f"The panel's decision has been recorded and {name} has been opened. {told} has been told.", "success")
            if not workspace_visible(referral):
                return redirect(url_for("contexts.detail", context_referral_id=referral.id))
            return redirect(service.workspace_link(referral)[1])
    return render_audited("contexts/decide.html", form=form, referral=referral, has_meetings=bool(meetings))
