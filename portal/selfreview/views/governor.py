"""The governor report, and the school's training and review dates.

The report (a page, and the same as a PDF) is built only from counts (``portal.selfreview.aggregates``):
concerns and referrals by category and level with small numbers suppressed, the training and review
dates, the self-review ratings. It is for the school's head and governors; governors see this report and
the school's self-reviews, nothing else. The dates are the head's to keep.

Another school's report, or another authority's, is a 404 (audited); anyone without a head's or a
governor's role at a school gets 403 (audited).
"""

from __future__ import annotations

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal import locking
from portal.audit.service import record, render_audited
from portal.authorities.models import Organisation
from portal.clock import uk_today, utcnow
from portal.extensions import db
from portal.pdf import filename_slug, render_pdf
from portal.policies import deny_page, not_found, policy_for, visible_query
from portal.selfreview import aggregates, service
from portal.selfreview.actions import Action
from portal.selfreview.blueprint import bp
from portal.selfreview.forms import AssuranceDatesForm
from portal.selfreview.models import SchoolAssuranceRecord
from portal.selfreview.policy import own_schools, self_review_schools

#: How many school years back the report can be asked for.
YEARS_BACK = 5


def _school_for_report(organisation_id) -> Organisation:
    """The school, if the person is its head or one of its governors: 403 (audited) for someone of the
    school in another role (its DSL, its staff); 404 (audited) for anyone else (another school's people,
    another authority's school)."""
    if organisation_id not in self_review_schools(current_user):
        if organisation_id in current_user.organisation_ids():
            deny_page()
        not_found("organisation", organisation_id)
    return db.session.execute(visible_query(Organisation).where(Organisation.id == organisation_id)).scalar_one()


def _years() -> list[int]:
    current = service.academic_year()
    return list(range(current, current - YEARS_BACK, -1))


def _year() -> int:
    years = _years()
    raw = request.args.get("year", "")
    return int(raw) if raw.isdigit() and int(raw) in years else years[0]


def _report(school: Organisation, year: int) -> dict:
    today = uk_today()
    record_row = aggregates.assurance_record(school.id)
    return {
        "school": school,
        "year": year,
        "years": _years(),
        "year_label": service.year_label,
        "casework": aggregates.casework_figures(school.id, year),
        "dates": aggregates.assurance_dates(record_row, today),
        "dates_saved": record_row,
        "reviews": aggregates.review_ratings(school.id, year, today),
        "today": today,
        "fewer_than": aggregates.FEWER_THAN,
        "not_shown": aggregates.NOT_SHOWN,
    }


@bp.route("/governor-report")
@login_required
def governor_start():
    """The report of the person's school; a list when they are head or governor of several."""
    schools = own_schools()
    if len(schools) == 1:
        return redirect(url_for("selfreview.governor_report", organisation_id=next(iter(schools))))
    organisations = db.session.execute(visible_query(Organisation).where(Organisation.id.in_(sorted(schools))).order_by(Organisation.name)).scalars().all()
    return render_template("selfreview/governor_schools.html", organisations=organisations)


@bp.route("/schools/<uuid:organisation_id>/governor-report")
@login_required
def governor_report(organisation_id):
    school = _school_for_report(organisation_id)
    year = _year()
    context = _report(school, year)
    record(Action.GOVERNOR_REPORT_VIEWED, object_type="governor_report", object_id=school.id, organisation_id=school.id, details={"year": year})
    may_edit_dates = policy_for(SchoolAssuranceRecord).allows(current_user, "edit", SchoolAssuranceRecord(organisation_id=school.id))
    return render_audited("selfreview/governor.html", may_edit_dates=may_edit_dates, **context)


@bp.route("/schools/<uuid:organisation_id>/governor-report.pdf")
@login_required
def governor_report_pdf(organisation_id):
    """The report as a PDF, built now (it is a few tables of counts, quick to draw)."""
    school = _school_for_report(organisation_id)
    year = _year()
    context = _report(school, year)
    data = render_pdf(render_template("selfreview/governor_pdf.html", generated_at=utcnow(), **context))
    record(
        Action.GOVERNOR_REPORT_DOWNLOADED,
        object_type="governor_report",
        object_id=school.id,
        organisation_id=school.id,
        details={"year": year, "bytes": len(data)},
    )
    db.session.commit()
    filename = f"governor-report-{filename_slug(school.name)}-{year}-to-{year + 1}.pdf"
    response = send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# The training and review dates ------------------------------------------------------------------------------

#: The dates' labels in the "what changed" panel.
DATE_LABELS = {key: label for key, (label, _months) in aggregates.ASSURANCE_DATES.items()}


def _values(row: SchoolAssuranceRecord | None) -> dict:
    return {key: getattr(row, key) if row is not None else None for key in DATE_LABELS}


@bp.route("/schools/<uuid:organisation_id>/training-and-review-dates", methods=["GET", "POST"])
@login_required
def assurance_dates(organisation_id):
    school = _school_for_report(organisation_id)
    row = aggregates.assurance_record(school.id)
    probe = row if row is not None else SchoolAssuranceRecord(organisation_id=school.id)
    if not policy_for(SchoolAssuranceRecord).allows(current_user, "edit", probe):
        deny_page()  # a governor reads the dates in the report; the head keeps them
    data = {**_values(row), "version": str(row.version if row is not None else 0)} if request.method == "GET" else None
    form = AssuranceDatesForm(data=data)
    form.today = uk_today()
    changes = None
    if form.validate_on_submit():
        yours = {key: getattr(form, key).data for key in DATE_LABELS}
        saved_version = row.version if row is not None else 0
        if form.version.version != saved_version:
            changes = _conflict(row, yours, form)
        elif yours == _values(row):
            flash("Nothing was changed.", "success")
            return redirect(url_for("selfreview.governor_report", organisation_id=school.id, _anchor="dates"))
        else:
            try:
                with locking.saving() as save:
                    service.save_assurance_dates(school.id, row, yours, actor_id=current_user.id)
                stale = save.stale
            except IntegrityError:  # the first save, made by someone else at the same moment
                db.session.rollback()
                stale = True
            if stale:
                row = aggregates.assurance_record(school.id)
                changes = _conflict(row, yours, form)
            else:
                flash("The training and review dates have been saved.", "success")
                return redirect(url_for("selfreview.governor_report", organisation_id=school.id, _anchor="dates"))
    return render_audited("selfreview/assurance.html", form=form, school=school, changes=changes, row=row)


def _conflict(row: SchoolAssuranceRecord | None, yours: dict, form: AssuranceDatesForm) -> list:
    locking.stale_refused("school_assurance_record", row.id if row is not None else None)
    form.version.data = str(row.version if row is not None else 0)
    return locking.what_changed(_values(row), yours, DATE_LABELS)
