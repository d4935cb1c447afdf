"""Methods and evidence of a school assessment: focus groups (staff, students, parents), reviews of policies
and records, surveys and observations, each with its date, who took part (counts and groups, never names),
what was found, and the findings of the triangle it supports. Everyone working on the assessment adds
methods, the school included; the author or an assessor edits one."""

from __future__ import annotations

from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import locking
from portal.accounts.models import User
from portal.assessments import service
from portal.assessments.blueprint import bp
from portal.assessments.evidence import assessment_findings, finding_links
from portal.assessments.method_forms import METHOD_LABELS, MethodForm
from portal.assessments.models import AssessmentMethod, MethodFinding, MethodKind, SchoolAssessment
from portal.audit.service import render_audited
from portal.clock import uk_date, uk_today
from portal.extensions import db
from portal.policies import get_or_404, policy_for, visible_query


@bp.route("/school-assessments/<uuid:assessment_id>/methods")
@login_required
def methods(assessment_id):
    assessment = get_or_404(SchoolAssessment, assessment_id)
    query = visible_query(AssessmentMethod).where(AssessmentMethod.assessment_id == assessment.id)
    rows = db.session.execute(query.order_by(AssessmentMethod.held_on.desc(), AssessmentMethod.created_at.desc())).scalars().all()
    findings = {f.id: f for f in assessment_findings(assessment.id)}
    supports = defaultdict(list)
    for link, _method in finding_links(assessment.id):
        if link.finding_id in findings:
            supports[link.method_id].append(findings[link.finding_id])
    authors = {u.id: u.full_name for u in db.session.execute(select(User).where(User.id.in_({m.author_id for m in rows}))).scalars()} if rows else {}
    allows = policy_for(AssessmentMethod).allows
    editable = {m.id for m in rows if allows(current_user, "edit", m)}
    can_add = policy_for(SchoolAssessment).allows(current_user, "add_finding", assessment)
    return render_audited(
        "assessments/methods.html", assessment=assessment, methods=rows, supports=supports, authors=authors, editable=editable, can_add=can_add
    )


def _saved(method: AssessmentMethod, finding_ids) -> dict:
    return {
        "kind": method.kind,
        "held_on": method.held_on,
        "participants": method.participants,
        "who_took_part": method.who_took_part,
        "found": method.found,
        "findings": sorted(str(i) for i in finding_ids),
    }


def _typed(form: MethodForm) -> dict:
    return {
        "kind": MethodKind(form.kind.data),
        "held_on": form.held_on.data,
        "participants": form.participants.data,
        "who_took_part": (form.who_took_part.data or "").strip() or None,
        "found": form.found.data.strip(),
        "findings": sorted(set(form.findings.data or [])),
    }


def _linked(method_id) -> list:
    return db.session.execute(visible_query(MethodFinding).where(MethodFinding.method_id == method_id)).scalars().all()


def _form(assessment, findings, data=None) -> MethodForm:
    form = MethodForm(data=data)
    form.today = uk_today()
    form.findings.choices = [(str(f.id), f"{f.domain.label}: {f.text}") for f in findings]
    return form


def _shown(values: dict, findings) -> dict:
    """What a stale save compares, with the findings named rather than by id."""
    chosen = set(values["findings"])
    return {**values, "findings": "; ".join(f"{f.domain.label}: {f.text}" for f in findings if str(f.id) in chosen)}


@bp.route("/school-assessments/<uuid:assessment_id>/methods/new", methods=["GET", "POST"])
@login_required
def method_new(assessment_id):
    assessment = get_or_404(SchoolAssessment, assessment_id, action="add_finding")
    findings = assessment_findings(assessment.id)
    form = _form(assessment, findings)
    if form.validate_on_submit():
        method = service.add_method(assessment, _typed(form), findings, author_id=current_user.id)
        db.session.commit()
        flash(f"{method.kind.label} on {uk_date(method.held_on)} has been added.", "success")
        return redirect(url_for("assessments.methods", assessment_id=assessment.id))
    return _page(form, assessment, findings)


@bp.route("/school-assessments/methods/<uuid:method_id>/edit", methods=["GET", "POST"])
@login_required
def method_edit(method_id):
    method = get_or_404(AssessmentMethod, method_id, action="edit")
    assessment = get_or_404(SchoolAssessment, method.assessment_id)
    findings = assessment_findings(assessment.id)
    links = _linked(method.id)
    saved = _saved(method, [link.finding_id for link in links])
    data = {**saved, "kind": method.kind.value, "version": str(method.version)} if request.method == "GET" else None
    form = _form(assessment, findings, data)
    changes = None
    if form.validate_on_submit():
        yours = _typed(form)
        if form.version.version != method.version:
            changes = _conflict(method, saved, yours, form, findings)
        else:
            fields = [name for name in METHOD_LABELS if saved[name] != yours[name]]
            with locking.saving() as save:
                service.update_method(method, assessment, yours, fields, findings)
            if save.stale:
                method = get_or_404(AssessmentMethod, method_id, action="edit")
                changes = _conflict(method, _saved(method, [link.finding_id for link in _linked(method.id)]), yours, form, findings)
            else:
                flash("The method has been saved." if fields else "Nothing was changed.", "success")
                return redirect(url_for("assessments.methods", assessment_id=assessment.id, _anchor=f"method-{method.id}"))
    return _page(form, assessment, findings, method, changes)


def _page(form: MethodForm, assessment, findings, method=None, changes=None) -> str:
    return render_template(
        "assessments/method.html",
        form=form,
        assessment=assessment,
        findings=findings,
        method=method,
        changes=changes,
        finding_hints=[{"hint": {"text": f.rating.label}} for f in findings],
    )


def _conflict(method: AssessmentMethod, saved: dict, yours: dict, form: MethodForm, findings) -> list[locking.Change]:
    """Refuse a stale save: audited, what they typed kept, the next save made against the version now."""
    locking.stale_refused("assessment_method", method.id)
    form.version.data = str(method.version)
    return locking.what_changed(_shown(saved, findings), _shown(yours, findings), METHOD_LABELS)
