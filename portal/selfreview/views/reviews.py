"""The self-reviews of the person's schools: the list (this academic year's review of each framework, and
the earlier years') and starting one.

Who: the school's head and governors see its reviews; the roles the framework names start and complete
them (the twelve questions and the head teachers' questions: the head; the governors' questions: governors
and the head). Nobody else at the school, and no other school, sees them.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal.audit.service import render_audited
from portal.authorities.models import Organisation
from portal.extensions import db
from portal.model_base import as_uuid
from portal.policies import deny_page, not_found, policy_for, visible_query
from portal.selfreview import frameworks, service
from portal.selfreview.blueprint import bp
from portal.selfreview.models import SelfReview
from portal.selfreview.policy import own_schools


@bp.route("/self-review")
@login_required
def index():
    schools = own_schools()
    year = service.academic_year()
    organisations = db.session.execute(visible_query(Organisation).where(Organisation.id.in_(sorted(schools))).order_by(Organisation.name)).scalars().all()
    reviews = db.session.execute(visible_query(SelfReview).order_by(SelfReview.academic_year.desc(), SelfReview.framework)).scalars().all()
    progress = service.progress_of(reviews)
    changed = service.last_changed([r.id for r in reviews])
    allows = policy_for(SelfReview).allows
    blocks = []
    for organisation in organisations:
        own = [r for r in reviews if r.organisation_id == organisation.id]
        current = []
        for framework in frameworks.latest():
            review = next((r for r in own if r.framework == framework.key and r.academic_year == year), None)
            # Who may start one: the roles the framework names (asked of a review not yet saved).
            probe = review or SelfReview(organisation_id=organisation.id, framework=framework.key, framework_version=framework.version)
            current.append(
                {
                    "framework": framework,
                    "review": review,
                    "may_edit": allows(current_user, "edit", probe),
                    "compare": any(r.framework == framework.key for r in own),
                }
            )
        earlier = [r for r in own if r.academic_year != year]
        blocks.append({"school": organisation, "current": current, "earlier": earlier})
    return render_audited(
        "selfreview/index.html",
        blocks=blocks,
        year=year,
        year_label=service.year_label,
        progress=progress,
        changed=changed,
        titles={(r.framework, r.framework_version): service.framework_of(r).title for r in reviews},
    )


@bp.route("/self-review/start", methods=["POST"])
@login_required
def review_new():
    schools = own_schools()
    framework = frameworks.get(request.form.get("framework", ""))
    if framework is None:
        abort(400)
    raw = request.form.get("school")
    organisation_id = as_uuid(raw) if raw else (next(iter(schools)) if len(schools) == 1 else None)
    if organisation_id is None:
        abort(400)
    if organisation_id not in schools:
        not_found("organisation", organisation_id)
    year = service.academic_year()
    review = service.existing(organisation_id, framework.key, year)
    if review is None:
        probe = SelfReview(organisation_id=organisation_id, framework=framework.key, framework_version=framework.version)
        if not policy_for(SelfReview).allows(current_user, "edit", probe):
            deny_page()
        try:
            review = service.start(organisation_id, framework, actor_id=current_user.id, year=year)
            db.session.commit()
        except IntegrityError:  # started at the same moment by someone else: open theirs
            db.session.rollback()
            review = service.existing(organisation_id, framework.key, year)
            if review is None:
                raise
        else:
            flash(f"The {framework.title} for {service.year_label(year)} has been started.", "success")
    return redirect(url_for("selfreview.review", review_id=review.id))
