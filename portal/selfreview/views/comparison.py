"""Self-review year on year, and across the authority's schools.

A school's head and governors compare its ratings of each question over the last three academic years;
the authority administrator sees, for each question, how many schools rated it red, amber or green, and
nothing else: counts only, never a school's notes or evidence, never which school.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import login_required

from portal.accounts.models import Role
from portal.audit.actions import Action
from portal.audit.service import record, render_audited
from portal.authorities.models import Organisation
from portal.extensions import db
from portal.model_base import as_uuid
from portal.policies import not_found, roles_required, visible_query
from portal.selfreview import frameworks, service
from portal.selfreview.blueprint import bp
from portal.selfreview.policy import own_schools


@bp.route("/self-review/compare")
@login_required
def compare():
    schools = own_schools()
    raw = request.args.get("school")
    if raw:
        organisation_id = as_uuid(raw)
        if organisation_id is None or organisation_id not in schools:
            not_found("organisation", raw)
    elif len(schools) == 1:
        organisation_id = next(iter(schools))
    else:
        return redirect(url_for("selfreview.index"))
    framework = frameworks.get(request.args.get("framework") or frameworks.latest()[0].key)
    if framework is None:
        abort(404)
    years, rows = service.comparison(organisation_id, framework.key)
    school = db.session.execute(visible_query(Organisation).where(Organisation.id == organisation_id)).scalar_one()
    record(
        Action.RECORD_VIEWED,
        object_type="self_review_comparison",
        object_id=organisation_id,
        organisation_id=organisation_id,
        details={"framework": framework.key},
    )
    return render_audited(
        "selfreview/compare.html",
        school=school,
        framework=framework,
        frameworks=frameworks.latest(),
        years=years,
        rows=rows,
        year_label=service.year_label,
        several_schools=len(schools) > 1,
    )


# Across the authority's schools (counts only) ---------------------------------------------------------


@bp.route("/self-review/across-schools")
@roles_required(Role.AUTHORITY_ADMIN)
def distribution():
    framework = frameworks.get(request.args.get("framework") or frameworks.latest()[0].key)
    if framework is None:
        abort(404)
    current = service.academic_year()
    years = sorted(set(service.distribution_years(framework.key)) | {current}, reverse=True)
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else current
    schools, completed, rows = service.distribution(framework, year)
    themes: list[tuple[str, list]] = []
    for row in rows:
        if not themes or themes[-1][0] != row.theme:
            themes.append((row.theme, []))
        themes[-1][1].append(row)
    record(Action.RECORD_VIEWED, object_type="self_review_distribution", object_id=None, details={"framework": framework.key, "year": year})
    return render_audited(
        "selfreview/distribution.html",
        framework=framework,
        frameworks=frameworks.latest(),
        years=years,
        year=year,
        year_label=service.year_label,
        schools=schools,
        completed=completed,
        themes=themes,
    )
