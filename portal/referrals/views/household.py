"""The household, siblings and agencies of a referral, one small page each (the GOV.UK "add another"
pattern, without JavaScript): add, change, and remove after a confirmation, each returning to the draft's
form (or, while the front door has asked for more information, to the referral's page).

Each page fetches the referral with the "edit" right (the referring school's casework, while the child's
file is still there), then its row among the referral's own: another school, another authority and
every other role get the referral's answer (404, or 403 for someone who sees it but may not change it).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.extensions import db
from portal.locking import saving
from portal.model_base import as_uuid
from portal.policies import get_or_404, not_found
from portal.referrals import household
from portal.referrals.blueprint import bp
from portal.referrals.forms import AgencyForm, HouseholdPersonForm, RemoveForm, SiblingForm
from portal.referrals.models import AgencyType, PersonKind, Referral, ReferralAgency, ReferralPerson, ReferralStatus, YesNoNotKnown
from portal.referrals.views.shared import detail_redirect, stale, viewed


def _referral(referral_id) -> Referral | None:
    """The referral, if this user may change its household now; None (with a message) if not now."""
    referral = get_or_404(Referral, referral_id, action="edit")
    if household.editable(referral):
        return referral
    flash("The household, family and professionals of this referral can no longer be changed. Send the front door a message if you have something to add.")
    return None


def _back(referral: Referral):
    """Back to where the household section is: the draft's form, or the referral's page."""
    if referral.status == ReferralStatus.DRAFT:
        return redirect(url_for("referrals.edit", referral_id=referral.id, _anchor="household"))
    return detail_redirect(referral.id, "household")


def _back_url(referral: Referral) -> str:
    endpoint = "referrals.edit" if referral.status == ReferralStatus.DRAFT else "referrals.detail"
    return url_for(endpoint, referral_id=referral.id, _anchor="household")


def _row(model, referral: Referral, row_id):
    """A person or agency of this referral (404, audited, for a row of any other referral)."""
    row = db.session.execute(select(model).where(model.id == row_id, model.referral_id == referral.id)).scalar_one_or_none()
    if row is None:
        not_found(model.__tablename__, row_id)
    return row


def _page(template: str, referral: Referral, status: int = 200, **context):
    return render_template(template, referral=referral, pupil=referral.pupil, back_url=_back_url(referral), **context), status


# People ---------------------------------------------------------------------------------------------


def _person_answers(form, kind: PersonKind, linked) -> household.PersonAnswers:
    if kind == PersonKind.SIBLING:
        name = (form.name.data or "").strip() or (linked.full_name if linked else "")
        return household.PersonAnswers(
            name=name,
            relationship=form.relationship.data,
            date_of_birth=form.date_of_birth.data or (linked.date_of_birth if linked else None),
            school=form.school.data or (linked.organisation.name if linked else None),
            sibling_pupil_id=linked.id if linked else None,
        )
    return household.PersonAnswers(
        name=form.name.data,
        relationship=form.relationship.data,
        date_of_birth=form.date_of_birth.data,
        lives_in_household={"yes": True, "no": False}.get(form.lives_in_household.data),
        parental_responsibility=YesNoNotKnown(form.parental_responsibility.data) if form.parental_responsibility.data else None,
        contact_details=form.contact_details.data,
        first_language=form.first_language.data,
        interpreter_needed=bool(form.interpreter_needed.data),
    )


def _fill_person(form, person: ReferralPerson) -> None:
    form.name.data = person.name
    form.relationship.data = person.relationship
    form.date_of_birth.data = person.date_of_birth
    if person.kind == PersonKind.SIBLING:
        form.school.data = person.school
        form.pupil.data = str(person.sibling_pupil_id) if person.sibling_pupil_id else ""
    else:
        form.lives_in_household.data = None if person.lives_in_household is None else ("yes" if person.lives_in_household else "no")
        form.parental_responsibility.data = person.parental_responsibility.value if person.parental_responsibility else None
        form.contact_details.data = person.contact_details
        form.first_language.data = person.first_language
        form.interpreter_needed.data = person.interpreter_needed
    form.version.data = str(person.version)


def _sibling_choices(form: SiblingForm, referral: Referral, person: ReferralPerson | None) -> None:
    """The pupils of the school's own register the sibling may be: the child's surname, and the surname
    of the name given (typed now, or saved)."""
    surnames = [referral.pupil.legal_surname]
    for name in (form.name.data, person.name if person else None):
        if name and name.split():
            surnames.append(name.split()[-1])
    candidates = household.sibling_candidates(referral, surnames, keep=person.sibling_pupil_id if person else None)
    form.pupil.choices = [("", "No, or not linked")] + [
        (str(p.id), f"{p.full_name}, born {p.date_of_birth.strftime('%-d %B %Y')}, {p.year_group_label}") for p in candidates
    ]


def _linked_pupil(form: SiblingForm, referral: Referral):
    """The pupil chosen, if they are on the school's own register; an error next to the field if not."""
    chosen = as_uuid(form.pupil.data) if form.pupil.data else None
    if form.pupil.data and chosen is None:
        form.pupil.errors.append("Choose a pupil from the list, or that the sibling is not linked")
        return None, False
    if chosen is None:
        return None, True
    pupil = household.register_pupil(referral, chosen)
    if pupil is None:
        form.pupil.errors.append("Choose a pupil from the list, or that the sibling is not linked")
        return None, False
    return pupil, True


def _person_page(referral: Referral, kind: PersonKind, person: ReferralPerson | None):
    form = HouseholdPersonForm() if kind == PersonKind.HOUSEHOLD else SiblingForm()
    if request.method == "GET" and person is not None:
        _fill_person(form, person)
    if kind == PersonKind.SIBLING:
        _sibling_choices(form, referral, person)
    if request.method == "GET":
        viewed(referral, "household")
    conflict = False
    if form.validate_on_submit():
        linked, ok = (None, True)
        if kind == PersonKind.SIBLING:
            linked, ok = _linked_pupil(form, referral)
            if ok and linked is None and not (form.name.data or "").strip():
                form.name.errors.append("Enter the sibling's full name, or choose them from your register")
                ok = False
        if ok:
            if person is not None and form.version.version != person.version:
                conflict = True
            else:
                with saving() as save:
                    answers = _person_answers(form, kind, linked)
                    if person is None:
                        household.add_person(referral, kind, answers, actor_id=current_user.id)
                    else:
                        household.change_person(referral, person, answers, actor_id=current_user.id)
                if save.stale:
                    conflict = True
                else:
                    flash(f"{answers.name} has been {'added to' if person is None else 'changed on'} the referral.", "success")
                    return _back(referral)
    if conflict:
        db.session.rollback()
        flash("Someone else changed this person at the same moment. Check what the referral says now, then try again.")
        return _back(referral)
    words = "household member or significant adult" if kind == PersonKind.HOUSEHOLD else "sibling"
    title = f"{'Add a' if person is None else 'Change the'} {words}"
    return _page("referrals/person.html", referral, 400 if form.errors else 200, form=form, kind=kind.value, title=title)


@bp.route("/referrals/<uuid:referral_id>/household/new", methods=["GET", "POST"])
@login_required
def household_new(referral_id):
    """Add a household member or significant adult."""
    referral = _referral(referral_id)
    if referral is None:
        return detail_redirect(referral_id)
    return _person_page(referral, PersonKind.HOUSEHOLD, None)


@bp.route("/referrals/<uuid:referral_id>/siblings/new", methods=["GET", "POST"])
@login_required
def sibling_new(referral_id):
    """Add a sibling (perhaps linked to their record on the school's register)."""
    referral = _referral(referral_id)
    if referral is None:
        return detail_redirect(referral_id)
    return _person_page(referral, PersonKind.SIBLING, None)


@bp.route("/referrals/<uuid:referral_id>/people/<uuid:person_id>", methods=["GET", "POST"])
@login_required
def person_change(referral_id, person_id):
    """Change a household member, significant adult or sibling."""
    referral = _referral(referral_id)
    if referral is None:
        return detail_redirect(referral_id)
    person = _row(ReferralPerson, referral, person_id)
    return _person_page(referral, person.kind, person)


@bp.route("/referrals/<uuid:referral_id>/people/<uuid:person_id>/remove", methods=["GET", "POST"])
@login_required
def person_remove(referral_id, person_id):
    """Remove a person from the referral, after asking."""
    referral = _referral(referral_id)
    if referral is None:
        return detail_redirect(referral_id)
    person = _row(ReferralPerson, referral, person_id)
    return _remove(referral, person.name, lambda: household.remove_person(referral, person, actor_id=current_user.id))


# Agencies -------------------------------------------------------------------------------------------


def _agency_page(referral: Referral, agency: ReferralAgency | None):
    form = AgencyForm()
    if request.method == "GET":
        viewed(referral, "household")
        if agency is not None:
            form.agency_type.data = agency.agency_type.value
            form.other_type.data = agency.other_type
            form.professional_name.data = agency.professional_name
            form.organisation.data = agency.organisation
            form.contact_details.data = agency.contact_details
            form.version.data = str(agency.version)
    if form.validate_on_submit():
        answers = household.AgencyAnswers(
            agency_type=AgencyType(form.agency_type.data),
            other_type=form.other_type.data,
            professional_name=form.professional_name.data,
            organisation=form.organisation.data,
            contact_details=form.contact_details.data,
        )
        stale_save = agency is not None and form.version.version != agency.version
        if not stale_save:
            with saving() as save:
                if agency is None:
                    household.add_agency(referral, answers, actor_id=current_user.id)
                else:
                    household.change_agency(referral, agency, answers, actor_id=current_user.id)
            stale_save = save.stale
        if stale_save:
            db.session.rollback()
            flash("Someone else changed this agency at the same moment. Check what the referral says now, then try again.")
            return _back(referral)
        flash("The agency or professional has been saved on the referral.", "success")
        return _back(referral)
    title = "Add an agency or professional" if agency is None else "Change the agency or professional"
    return _page("referrals/agency.html", referral, 400 if form.errors else 200, form=form, title=title, other=AgencyType.OTHER.value)


@bp.route("/referrals/<uuid:referral_id>/agencies/new", methods=["GET", "POST"])
@login_required
def agency_new(referral_id):
    """Add another agency or professional involved with the child."""
    referral = _referral(referral_id)
    if referral is None:
        return detail_redirect(referral_id)
    return _agency_page(referral, None)


@bp.route("/referrals/<uuid:referral_id>/agencies/<uuid:agency_id>", methods=["GET", "POST"])
@login_required
def agency_change(referral_id, agency_id):
    referral = _referral(referral_id)
    if referral is None:
        return detail_redirect(referral_id)
    return _agency_page(referral, _row(ReferralAgency, referral, agency_id))


@bp.route("/referrals/<uuid:referral_id>/agencies/<uuid:agency_id>/remove", methods=["GET", "POST"])
@login_required
def agency_remove(referral_id, agency_id):
    """Remove an agency or professional from the referral, after asking."""
    referral = _referral(referral_id)
    if referral is None:
        return detail_redirect(referral_id)
    agency = _row(ReferralAgency, referral, agency_id)
    who = agency.professional_name or agency.organisation or agency.type_label
    return _remove(referral, who, lambda: household.remove_agency(referral, agency, actor_id=current_user.id))


def _remove(referral: Referral, name: str, remove):
    form = RemoveForm()
    if form.validate_on_submit():
        with saving() as save:
            remove()
        if save.stale:
            return stale(referral.id)
        flash(f"{name} has been removed from the referral.", "success")
        return _back(referral)
    viewed(referral, "household")
    return _page("referrals/remove.html", referral, form=form, name=name)
