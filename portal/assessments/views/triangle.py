"""The school assessment triangle: the three domains, each with its findings (strengths and risks, each
rated, with the evidence behind it), drawn with each domain's balance at a glance. Everyone working on the
assessment adds findings, the school included ("not an inspection"); the assessors are told when someone
who does not run the assessment adds one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal import locking
from portal.assessments import service
from portal.assessments.blueprint import bp
from portal.assessments.evidence import balances, supported_by
from portal.assessments.models import AssessmentFinding, Domain, Rating, SchoolAssessment
from portal.assessments.triangle_forms import DOMAIN_HINTS, FINDING_LABELS, FindingForm
from portal.audit.service import render_audited
from portal.extensions import db
from portal.policies import get_or_404, policy_for, visible_query


def _triangle_url(assessment_id, domain: Domain | None = None) -> str:
    return url_for("assessments.triangle", assessment_id=assessment_id, _anchor=f"domain-{domain.value}" if domain else None)


@bp.route("/school-assessments/<uuid:assessment_id>/triangle")
@login_required
def triangle(assessment_id):
    assessment = get_or_404(SchoolAssessment, assessment_id)
    findings = db.session.execute(visible_query(AssessmentFinding).where(AssessmentFinding.assessment_id == assessment.id)).unique().scalars().all()
    allows = policy_for(AssessmentFinding).allows
    editable = {f.id for f in findings if allows(current_user, "edit", f)}
    can_add = policy_for(SchoolAssessment).allows(current_user, "add_finding", assessment)
    return render_audited(
        "assessments/triangle.html",
        assessment=assessment,
        balances=balances(findings),
        editable=editable,
        can_add=can_add,
        supported_by=supported_by(assessment.id),
    )


def _saved(finding: AssessmentFinding) -> dict:
    return {"domain": finding.domain, "rating": finding.rating, "text": finding.text, "evidence": finding.evidence}


def _typed(form: FindingForm) -> dict:
    return {"domain": Domain(form.domain.data), "rating": Rating(form.rating.data), "text": form.text.data.strip(), "evidence": form.evidence.data.strip()}


@bp.route("/school-assessments/<uuid:assessment_id>/findings/new", methods=["GET", "POST"])
@login_required
def finding_new(assessment_id):
    assessment = get_or_404(SchoolAssessment, assessment_id, action="add_finding")
    form = FindingForm()
    if form.validate_on_submit():
        finding = service.add_finding(assessment, _typed(form), author=current_user)
        db.session.commit()
        flash(f"The finding has been added to {finding.domain.label.lower()}.", "success")
        return redirect(_triangle_url(assessment.id, finding.domain))
    return _form_page(form, assessment)


@bp.route("/school-assessments/findings/<uuid:finding_id>/edit", methods=["GET", "POST"])
@login_required
def finding_edit(finding_id):
    finding = get_or_404(AssessmentFinding, finding_id, action="edit")
    assessment = get_or_404(SchoolAssessment, finding.assessment_id)
    form = FindingForm(
        data={**{k: getattr(v, "value", v) for k, v in _saved(finding).items()}, "version": str(finding.version)} if request.method == "GET" else None
    )
    changes = None
    if form.validate_on_submit():
        yours = _typed(form)
        if form.version.version != finding.version:
            changes = _conflict(finding, yours, form)
        else:
            before = _saved(finding)
            fields = [name for name in FINDING_LABELS if before[name] != yours[name]]
            with locking.saving() as save:
                service.update_finding(finding, assessment, yours, fields)
            if save.stale:
                finding = get_or_404(AssessmentFinding, finding_id, action="edit")
                changes = _conflict(finding, yours, form)
            else:
                flash("The finding has been saved." if fields else "Nothing was changed.", "success")
                return redirect(_triangle_url(assessment.id, finding.domain))
    return _form_page(form, assessment, finding, changes)


def _form_page(form: FindingForm, assessment, finding=None, changes=None) -> str:
    hints = [{"hint": {"text": DOMAIN_HINTS[domain]}} for domain in Domain]
    return render_template("assessments/finding.html", form=form, assessment=assessment, finding=finding, changes=changes, hints=hints)


def _conflict(finding: AssessmentFinding, yours: dict, form: FindingForm) -> list[locking.Change]:
    """Refuse a stale save: audited, what they typed kept, the next save made against the version now."""
    locking.stale_refused("assessment_finding", finding.id)
    form.version.data = str(finding.version)
    return locking.what_changed(_saved(finding), yours, FINDING_LABELS)
