"""The pupil register: a school's pupils for its DSLs and head, each pupil's page, adding and correcting
pupils, and importing the register from a school MIS export (CSV).

Staff see the register only to choose the pupil a concern is about (in the concerns module); these pages
are for the school's casework roles. Every page is scoped to one school the user holds casework at.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from jobs.outbox import enqueue
from portal.accounts.models import Role
from portal.audit.service import record
from portal.authorities.models import Organisation
from portal.concerns.models import Concern, ConcernStatus
from portal.extensions import db
from portal.locking import saving
from portal.pagination import fetch_page
from portal.policies import casework_organisations, get_or_404, policy_for, roles_required, visible_query
from portal.pupils import importer, service
from portal.pupils import jobs as import_jobs
from portal.pupils.actions import Action
from portal.pupils.blueprint import bp
from portal.pupils.forms import FLAGS, EditPupilForm, ImportForm, PupilForm
from portal.pupils.models import Pupil, PupilImport
from portal.pupils.search import after_pupil, name_contains, pupil_cursor_key
from portal.referrals.models import Referral, ReferralStatus

casework_only = roles_required(Role.DSL, Role.HEAD)
PAGE_SIZE = 50
#: Referrals still in progress: drafts, and those the front door has not decided.
OPEN_REFERRALS = (
    ReferralStatus.DRAFT,
    ReferralStatus.SUBMITTED,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.INFORMATION_REQUESTED,
    ReferralStatus.INFORMATION_PROVIDED,
)
UPN_TAKEN = "Another pupil at this school already has this UPN"


def _schools() -> tuple[Organisation, list[Organisation]]:
    """The school the page is about (``?school=``, else the first) and every school the user holds
    casework at."""
    schools = casework_organisations()
    if not schools:
        abort(403)
    chosen = request.args.get("school", "")
    return next((s for s in schools if str(s.id) == chosen), schools[0]), schools


# The register ---------------------------------------------------------------------------------------


def _search(text: str):
    """Pupils whose UPN is ``text``, or whose names contain every word of it."""
    conditions = []
    for word in text.split()[:6]:
        conditions.append(name_contains(word))
    return or_(Pupil.upn == importer.normalise_upn(text), and_(*conditions))


@bp.route("/pupils")
@casework_only
def index():
    school, schools = _schools()
    search = (request.args.get("q") or "").strip()[:100]
    include_left = request.args.get("left") == "1"
    query = visible_query(Pupil).where(Pupil.organisation_id == school.id)
    if not include_left:
        query = query.where(Pupil.left_at.is_(None))
    if search:
        query = query.where(_search(search))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    after = after_pupil(request.args.get("after"))
    if after is not None:
        query = query.where(after)
    query = query.order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
    page = fetch_page(db.session, query, PAGE_SIZE, pupil_cursor_key)
    args = {"school": school.id if len(schools) > 1 else None, "q": search or None, "left": "1" if include_left else None}
    args = {key: value for key, value in args.items() if value}
    page_html = render_template(
        "pupils/index.html",
        school=school,
        schools=schools,
        pupils=page.items,
        next_cursor=page.next_cursor,
        first_page=after is None,
        total=total,
        search=search,
        include_left=include_left,
        args=args,
    )
    # Committed after rendering: a commit expires the rows, and reloading them would cost a query each.
    record(Action.RECORD_VIEWED, object_type="pupil_register", object_id=school.id, organisation_id=school.id, details={"searched": bool(search)})
    db.session.commit()
    return page_html


# One pupil ---------------------------------------------------------------------------------------------


@bp.route("/pupils/<uuid:pupil_id>")
@login_required
def detail(pupil_id):
    pupil = get_or_404(Pupil, pupil_id, action="open")
    open_concerns = (
        select(func.count(Concern.id))
        .where(Concern.pupil_id == pupil.id, Concern.status == ConcernStatus.NEW, policy_for(Concern).visible(current_user))
        .scalar_subquery()
    )
    open_referrals = (
        select(func.count(Referral.id))
        .where(Referral.pupil_id == pupil.id, Referral.status.in_(OPEN_REFERRALS), policy_for(Referral).visible(current_user))
        .scalar_subquery()
    )
    counts = db.session.execute(select(open_concerns.label("concerns"), open_referrals.label("referrals"))).one()
    record(Action.RECORD_VIEWED, object_type="pupil", object_id=pupil.id, organisation_id=pupil.organisation_id)
    db.session.commit()
    return render_template("pupils/detail.html", pupil=pupil, counts=counts, flag_labels=FLAGS)


def _upn_taken(form: PupilForm, school_id, pupil_id=None) -> bool:
    """Is the form's UPN another pupil's at the school? If so, say so next to it."""
    if service.upn_taken(school_id, form.upn.data, pupil_id):
        form.upn.errors.append(UPN_TAKEN)
        return True
    return False


@bp.route("/pupils/new", methods=["GET", "POST"])
@casework_only
def new():
    school, schools = _schools()
    form = PupilForm()
    if form.validate_on_submit() and not _upn_taken(form, school.id):
        try:
            pupil = service.add(school.id, form.values())
        except IntegrityError:  # the same UPN saved by someone else a moment ago
            db.session.rollback()
            form.upn.errors.append(UPN_TAKEN)
        else:
            db.session.commit()
            flash("The pupil has been added to the register.", "success")  # no child's name: flashes travel in the cookie
            return redirect(url_for("pupils.detail", pupil_id=pupil.id))
    return render_template("pupils/form.html", form=form, pupil=None, school=school, several_schools=len(schools) > 1)


@bp.route("/pupils/<uuid:pupil_id>/edit", methods=["GET", "POST"])
@login_required
def edit(pupil_id):
    pupil = get_or_404(Pupil, pupil_id, action="edit")
    form = EditPupilForm()
    if request.method == "GET":
        form.load(pupil)
        form.left.data = pupil.left_at is not None
        form.version.data = str(pupil.version)
        record(Action.RECORD_VIEWED, object_type="pupil", object_id=pupil.id, organisation_id=pupil.organisation_id, details={"page": "edit"})
        db.session.commit()
    conflict = None
    if form.validate_on_submit() and not _upn_taken(form, pupil.organisation_id, pupil.id):
        if form.version.version != pupil.version:
            conflict = pupil
        else:
            try:
                with saving() as save:
                    changed = service.correct(pupil, form.values(), left=form.left.data)
            except IntegrityError:
                db.session.rollback()
                form.upn.errors.append(UPN_TAKEN)
            else:
                if save.stale:
                    conflict = db.session.get(Pupil, pupil_id)
                elif not changed:
                    flash("No changes were made.")
                    return redirect(url_for("pupils.detail", pupil_id=pupil.id))
                else:
                    flash("The pupil's details have been updated.", "success")
                    return redirect(url_for("pupils.detail", pupil_id=pupil.id))
    if conflict is not None:
        # Keep what they typed; show what is saved now; the next save is made against the new version.
        form.version.data = str(conflict.version)
        form.form_errors.append("conflict")
    return render_template("pupils/form.html", form=form, pupil=pupil, conflict=conflict, flag_labels=FLAGS)


# Import from a school MIS ---------------------------------------------------------------------------------


def _read_upload(upload) -> bytes:
    """At most one byte more than the limit (enough to know the file is too large)."""
    return upload.stream.read(importer.MAX_BYTES + 1)


def _counts(row: PupilImport) -> str:
    added = row.added or 0
    return f"{added:,} pupil{'' if added == 1 else 's'} added, {row.updated or 0:,} updated, {row.unchanged or 0:,} unchanged"


@bp.route("/pupils/import", methods=["GET", "POST"])
@casework_only
def import_csv():
    """Upload a register file. Whether it can be read at all is said here, next to the field; its rows are
    checked and imported by a job (``portal.pupils.jobs``), and the DSL waits on the import's page."""
    school, schools = _schools()
    form = ImportForm()
    if form.validate_on_submit():
        data = _read_upload(form.file.data)
        try:
            lines = importer.check_file(data)
        except importer.FileProblem as problem:
            form.file.errors.append(str(problem))
        else:
            upload = PupilImport(organisation_id=school.id, requested_by_id=current_user.id, content=data, rows=lines)
            db.session.add(upload)
            db.session.flush()
            enqueue(import_jobs.JOB_NAME, dedupe_key=import_jobs.dedupe_key(upload.id), import_id=upload.id)
            record(Action.PUPILS_IMPORT_UPLOADED, object_type="pupil_import", object_id=upload.id, organisation_id=school.id, details={"lines": lines})
            db.session.commit()
            return redirect(url_for("pupils.import_detail", import_id=upload.id))
    return render_template("pupils/import.html", form=form, school=school, several_schools=len(schools) > 1)


@bp.route("/pupils/imports/<uuid:import_id>")
@login_required
def import_detail(import_id):
    """Where the DSL who uploaded a file waits while it is checked and imported (the page refreshes itself
    until it is done): then what was added and updated, or every problem and that nothing was imported."""
    row = get_or_404(PupilImport, import_id)
    several = len(casework_organisations()) > 1
    page = render_template(
        "pupils/import_detail.html",
        upload=row,
        counts=_counts(row),
        problems=[importer.RowError(*p) for p in row.problems],
        more_problems=max(0, row.problem_count - len(row.problems)),
        register_link=url_for("pupils.index", **({"school": row.organisation_id} if several else {})),
    )
    db.session.commit()
    return page


@bp.route("/pupils/import/example.csv")
@casework_only
def import_example():
    response = Response("\ufeff" + importer.EXAMPLE_CSV, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="pupil-register-example.csv"'
    return response
