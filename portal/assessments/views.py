"""Pages of the assessments module: a school assessment as it was opened (by a context panel decision,
or directly), with the link back to the context referral that triggered it."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from portal.assessments.models import AssessmentMember, AssessmentMemberRole, SchoolAssessment
from portal.audit.service import render_audited
from portal.contexts.models import ContextReferral
from portal.extensions import db
from portal.policies import get_or_404, visible_query

bp = Blueprint("assessments", __name__)

#: Members in the order the page lists them: social care, the school, partners.
_ROLE_ORDER = list(AssessmentMemberRole)


@bp.route("/school-assessments/<uuid:assessment_id>")
@login_required
def detail(assessment_id):
    assessment = get_or_404(SchoolAssessment, assessment_id)
    referral = db.session.execute(visible_query(ContextReferral).where(ContextReferral.assessment_id == assessment.id)).unique().scalar_one_or_none()
    members = db.session.execute(visible_query(AssessmentMember).where(AssessmentMember.assessment_id == assessment.id)).unique().scalars().all()
    members = sorted(members, key=lambda m: (_ROLE_ORDER.index(m.role), m.user.full_name if m.user else ""))
    return render_audited("assessments/detail.html", assessment=assessment, referral=referral, members=members)
