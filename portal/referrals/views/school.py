"""The school's pages of referrals: its list, starting a referral (from a pupil or an advice request),
the referral form for a draft, the confirmation once it is sent, and deleting a draft."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, false, or_

from portal.accounts.models import Role
from portal.advice.models import AdviceRequest
from portal.audit.service import record, render_audited
from portal.clock import utcnow
from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.needs import service as needs
from portal.pagination import fetch_page, request_cursor
from portal.policies import casework_organisations, get_or_404, not_found, require, roles_required, visible_query
from portal.pupils.models import Pupil
from portal.pupils.search import after_pupil, name_contains, pupil_cursor_key
from portal.referrals import service
from portal.referrals.actions import Action
from portal.referrals.blueprint import bp
from portal.referrals.forms import EXTRA_FAMILIAL_HARMS, FAMILY_HARMS, ReferralForm, StartReferralForm
from portal.referrals.models import Consent, ParentsAware, Referral, ReferralStatus
from portal.referrals.policy import CHRONOLOGY_SHARED_DAYS
from portal.referrals.views.shared import PAGE_SIZE, add_errors, detail_redirect, fetch_rows, household_section, household_target, stale, viewed
from portal.vocabulary import Level

S = ReferralStatus

school_casework = roles_required(Role.DSL, Role.HEAD)


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
    page = fetch_rows(query.order_by(Referral.created_at.desc(), Referral.id.desc()), lambda r: (r.created_at, r.id))
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


def _pupil_search(advice: AdviceRequest | None = None):
    """Without a pupil: find one among the pupils of the user's casework schools (not those who left); for
    an anonymous advice request, among the pupils of the school that asked."""
    schools = casework_organisations()
    if advice is not None:
        schools = [s for s in schools if s.id == advice.organisation_id]
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
        advice=advice,
    )


@bp.route("/referrals/new", methods=["GET", "POST"])
@school_casework
def new():
    """Start a referral for a pupil, or from an advice request; a GET only asks, the POST makes the draft."""
    advice = None
    if request.args.get("advice_request_id"):
        advice = get_or_404(AdviceRequest, request.args["advice_request_id"], action="refer")
        if advice.pupil_id is not None:
            pupil = advice.pupil
            require("refer", pupil)
        elif request.args.get("pupil_id"):
            # Asked anonymously: the DSL names the child, who must be on the register of the school that asked.
            pupil = get_or_404(Pupil, request.args["pupil_id"], action="refer")
            if pupil.organisation_id != advice.organisation_id:
                not_found("pupil", pupil.id)
        else:
            return _pupil_search(advice)
    elif request.args.get("pupil_id"):
        pupil = get_or_404(Pupil, request.args["pupil_id"], action="refer")
    else:
        return _pupil_search()
    form = StartReferralForm()
    if form.validate_on_submit():
        referral = service.start(pupil, created_by_id=current_user.id, advice=advice)
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
    form.chronology_shared.data = "yes" if referral.chronology_shared else "no"
    form.chronology_not_shared_reason.data = referral.chronology_not_shared_reason
    for name in ("address", "lives_with", "communication_needs", "disability", "ethnicity", "religion", "consent_not_sought_reason", "consent_refused_note"):
        getattr(form, name).data = getattr(referral, name)
    form.consent.data = referral.consent.value if referral.consent else None
    form.school_view_reason.data = referral.school_view_reason
    form.need_indicators.data = [str(i.id) for i in needs.referral_indicators(referral.id)]
    form.version.data = str(referral.version)


def _answers(form: ReferralForm, indicators=()) -> service.DraftAnswers:
    """What the form says, complete or not."""
    return service.DraftAnswers(
        categories=list(form.categories.data or []),
        what_happened=form.what_happened.data or "",
        child_voice=form.child_voice.data,
        immediate_danger={"yes": True, "no": False}.get(form.immediate_danger.data),
        police_called=bool(form.police_called.data),
        police_reference=form.police_reference.data,
        parents_aware=ParentsAware(form.parents_aware.data) if form.parents_aware.data else None,
        parents_not_aware_reason=form.parents_not_aware_reason.data,
        school_view_level=Level(form.school_view_level.data) if form.school_view_level.data else None,
        chronology_shared={"yes": True, "no": False}.get(form.chronology_shared.data),
        chronology_not_shared_reason=form.chronology_not_shared_reason.data,
        address=form.address.data,
        lives_with=form.lives_with.data,
        communication_needs=form.communication_needs.data,
        disability=form.disability.data,
        ethnicity=form.ethnicity.data,
        religion=form.religion.data,
        consent=Consent(form.consent.data) if form.consent.data else None,
        consent_not_sought_reason=form.consent_not_sought_reason.data,
        consent_refused_note=form.consent_refused_note.data,
        school_view_reason=form.school_view_reason.data,
        indicators=tuple(indicators),
    )


def _in_page_order(form: ReferralForm, problems: dict[str, str]) -> dict[str, str]:
    order = list(form._fields)
    return dict(sorted(problems.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


@bp.route("/referrals/<uuid:referral_id>/edit", methods=["GET", "POST"])
@login_required
def edit(referral_id):
    """The referral form. "Save as draft" keeps whatever is there; "Submit referral" keeps it too, then
    sends it if it is complete, or shows what is missing next to each answer."""
    referral = get_or_404(Referral, referral_id, action="edit")
    if referral.status != S.DRAFT:
        flash("This referral has been sent to the front door, so it can no longer be changed. Send the front door a message if you have something to add.")
        return detail_redirect(referral.id)
    form = ReferralForm()
    guidance = service.guidance_for(referral)  # (the first version, if none yet, is committed with the view's audit)
    if request.method == "GET":
        viewed(referral, "edit")
        _fill(form, referral)
    conflict = None
    saved_with_problems = False
    indicators = ()
    if form.validate_on_submit():
        try:
            indicators = needs.chosen(guidance, form.need_indicators.data or [])
        except needs.IndicatorsChanged as exc:
            form.need_indicators.errors = [str(exc)]
        if form.need_indicators.errors:
            pass  # nothing saved: the page shows the guidance in force and keeps what they typed
        elif form.version.version != referral.version:
            conflict = referral
        else:
            kept: list[str] = []
            with saving() as save:
                problems = service.save_draft(
                    referral, _answers(form, indicators), uploads=form.attachments.files, actor_id=current_user.id, submit=form.submitting, kept=kept
                )
            if save.stale:
                service.remove_files(kept)
                conflict = db.session.execute(visible_query(Referral).where(Referral.id == referral_id)).unique().scalar_one_or_none()
                if conflict is None:  # deleted meanwhile
                    flash("This draft referral has been deleted by someone else, so your changes could not be saved.")
                    return redirect(url_for("referrals.index"))
            else:
                then = household_target(referral.id, request.form.get("then"))
                if then is not None:
                    # A button of the household section: the draft is saved first, so nothing typed is lost.
                    return redirect(then)
                if not form.submitting:
                    flash("Your draft has been saved. It has not been sent to the front door yet.", "success")
                    return redirect(url_for("referrals.edit", referral_id=referral.id))
                if not problems:
                    return redirect(url_for("referrals.submitted", referral_id=referral.id))
                add_errors(form, _in_page_order(form, problems))
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
        attachments=service.referral_attachments(referral.id),
        household=household_section(referral, editable=True, in_form=True),
        family_harms=FAMILY_HARMS,
        extra_familial_harms=EXTRA_FAMILIAL_HARMS,
        shared_days=CHRONOLOGY_SHARED_DAYS,
        need_checklist=needs.checklist(guidance, form.need_indicators.data, needs.suggest_level(needs.referral_indicators(referral.id))),
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
        return detail_redirect(referral.id)
    if request.method == "GET":
        return render_template("referrals/delete.html", referral=referral)
    school_id = referral.organisation_id
    with saving() as save:
        files_to_remove = service.delete_draft(referral)
    if save.stale:
        return stale(referral_id)
    service.remove_files(files_to_remove)
    flash("The draft referral has been deleted.", "success")
    return redirect(url_for("referrals.index", school=school_id))
