"""Raising a context referral: in two steps on one form (the indicators' suggestion, then the referrer's
view of the level), naming pupils from the school's register (its DSLs and head only), and from a safety
summit with the summit's evidence."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from forms import choices
from portal.audit.service import record, render_audited
from portal.authorities.models import Organisation, OrganisationKind
from portal.clock import uk_date
from portal.contexts import service
from portal.contexts.actions import Action
from portal.contexts.blueprint import bp
from portal.contexts.forms import ContextReferralForm
from portal.contexts.models import ContextSubject, ThresholdSet
from portal.contexts.service import THRESHOLD_HEADINGS, current_thresholds, suggest_level
from portal.contexts.views.common import organisations
from portal.extensions import db
from portal.model_base import as_uuid
from portal.partnership.models import Invitation, InvitationStatus
from portal.policies import casework_schools, deny_page, get_or_404, is_social_care, policy_for, visible_query
from portal.pupils.models import Pupil
from portal.pupils.search import name_contains
from portal.referrals.forms import EXTRA_FAMILIAL_HARMS, FAMILY_HARMS
from portal.summits.models import MapMarker, Safety, SafetyMap, SafetySummit, SummitFinding
from portal.vocabulary import Level

_EDUCATION = [k for k in OrganisationKind if k.is_education]


def schools_for(user, summit: SafetySummit | None = None) -> list[Organisation]:
    """The schools ``user`` may raise a context referral about: from a summit, its host and the schools
    that accepted its invitation; otherwise their own schools (DSL, head), or any school (social care)."""
    if summit is not None:
        accepted = select(Invitation.organisation_id).where(
            policy_for(Invitation).visible(user), Invitation.summit_id == summit.id, Invitation.status == InvitationStatus.ACCEPTED
        )
        return organisations(Organisation.kind.in_(_EDUCATION), or_(Organisation.id == summit.host_organisation_id, Organisation.id.in_(accepted)))
    active_schools = (Organisation.kind.in_(_EDUCATION), Organisation.archived_at.is_(None))
    if is_social_care(user):
        return organisations(*active_schools)
    own = casework_schools(user)
    return organisations(Organisation.id.in_(sorted(own)), *active_schools) if own else []


def square_label(column: int, row: int) -> str:
    """A map's grid square as the maps name it: columns lettered, rows numbered (``C4``)."""
    return f"{chr(ord('A') + column)}{row + 1}"


def summit_evidence(summit: SafetySummit) -> str:
    """The summit's findings and, for each of its safety maps, the squares marked unsafe (most first)."""
    lines = [f'From the safety summit "{summit.title}"' + (f" on {uk_date(summit.starts_at)}" if summit.starts_at else "") + "."]
    findings = (
        db.session.execute(visible_query(SummitFinding).where(SummitFinding.summit_id == summit.id).order_by(SummitFinding.created_at, SummitFinding.id))
        .scalars()
        .all()
    )
    if findings:
        lines += ["", "Findings:"] + [f"- {' '.join(f.text.split())}" for f in findings]
    maps = db.session.execute(visible_query(SafetyMap).where(SafetyMap.summit_id == summit.id).order_by(SafetyMap.created_at, SafetyMap.id)).scalars().all()
    unsafe = (MapMarker.map_id.in_([m.id for m in maps]), MapMarker.safety == Safety.UNSAFE, policy_for(MapMarker).visible(current_user))
    counts = (
        db.session.execute(
            select(MapMarker.map_id, MapMarker.grid_column, MapMarker.grid_row, func.count(MapMarker.id))
            .where(*unsafe)
            .group_by(MapMarker.map_id, MapMarker.grid_column, MapMarker.grid_row)
            .order_by(func.count(MapMarker.id).desc(), MapMarker.grid_column, MapMarker.grid_row)
        ).all()
        if maps
        else []
    )
    places: dict[tuple, list[str]] = {}
    for map_id, column, row, place in (
        db.session.execute(
            select(MapMarker.map_id, MapMarker.grid_column, MapMarker.grid_row, MapMarker.place)
            .where(*unsafe, MapMarker.place.is_not(None))
            .order_by(MapMarker.created_at)
        ).all()
        if counts
        else []
    ):
        names = places.setdefault((map_id, column, row), [])
        if place.strip() and place.strip() not in names:
            names.append(place.strip())
    for safety_map in maps:
        squares = [(c, r, n) for map_id, c, r, n in counts if map_id == safety_map.id]
        if squares:
            lines += ["", f'Unsafe markers per grid square on the map "{safety_map.title}":']
            for column, row, n in squares:
                named = places.get((safety_map.id, column, row))
                lines.append(
                    f"- Square {square_label(column, row)}: {n} unsafe {'marker' if n == 1 else 'markers'}" + (f" ({'; '.join(named)})" if named else "")
                )
    if len(lines) == 1:
        lines += ["", "No findings or unsafe places have been recorded for this summit yet."]
    return "\n".join(lines)


def _checked_indicators(form: ContextReferralForm, thresholds: ThresholdSet) -> list:
    by_id = {str(i.id): i for i in thresholds.indicators}
    posted = list(dict.fromkeys(form.indicators.data or []))
    if any(value not in by_id for value in posted):
        form.indicators.data = [value for value in posted if value in by_id]
        form.indicators.errors = list(form.indicators.errors) + [
            "The school threshold indicators were changed while you were writing. Check the indicators again."
        ]
    return [by_id[value] for value in form.indicators.data or [] if value in by_id]


def _chosen_pupils(form: ContextReferralForm, school: Organisation | None, may_name: bool) -> list[Pupil]:
    """The pupils named: only from the school's own register, and only by its DSLs and head."""
    ids = list(dict.fromkeys(form.pupils.data or []))
    if not ids:
        return []
    if not may_name or school is None:
        form.pupils.data = []
        form.pupils.errors = list(form.pupils.errors) + [
            "Only the school's DSL or head can name pupils on a context referral. Give the number of young people and their year groups instead."
        ]
        return []
    uuids = [u for u in (as_uuid(i) for i in ids) if u is not None]
    found = (
        db.session.execute(
            visible_query(Pupil)
            .where(Pupil.id.in_(uuids), Pupil.organisation_id == school.id, Pupil.left_at.is_(None))
            .order_by(Pupil.legal_surname, Pupil.legal_forename)
        )
        .scalars()
        .all()
        if uuids
        else []
    )
    if len(found) != len(ids):
        form.pupils.errors = list(form.pupils.errors) + [
            f"Only pupils on the register of {school.name} can be named. Remove the others, or describe them without names."
        ]
    form.pupils.data = [str(p.id) for p in found]
    return found


def _pupil_matches(school: Organisation, words: str | None) -> list[Pupil]:
    words = " ".join((words or "").split())[:100]
    if not words:
        return []
    query = visible_query(Pupil).where(Pupil.organisation_id == school.id, Pupil.left_at.is_(None))
    for word in words.lower().split(" "):
        query = query.where(name_contains(word))
    return db.session.execute(query.order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id).limit(20)).scalars().all()


@bp.route("/context-referrals/new", methods=["GET", "POST"])
@login_required
def new():
    """Raise a context referral, in two steps on one form (the indicators' suggestion, then the referrer's
    view of the level). From a safety summit (``?summit_id=``), with the summit's evidence."""
    summit = get_or_404(SafetySummit, request.args["summit_id"], action="raise_referral") if request.args.get("summit_id") else None
    schools = schools_for(current_user, summit)
    if not schools:
        deny_page()
    thresholds = current_thresholds()
    form = ContextReferralForm()
    form.organisation.choices = choices(([] if len(schools) == 1 else [("", "Choose a school")]) + [(s.id, s.name) for s in schools])
    if request.method == "GET":
        form.organisation.data = str(schools[0].id) if len(schools) == 1 else ""
        if summit is not None:
            form.summit_evidence.data = summit_evidence(summit)
    school = next((s for s in schools if str(s.id) == form.organisation.data), None)
    may_name = school is not None and school.id in casework_schools(current_user)
    checked, pupils, matches, suggestion = [], [], [], None
    if request.method == "POST":
        searching, final = bool(form.find.data), bool(form.send.data)
        valid = searching or form.validate(final=final)  # (validating first: it clears the errors below)
        if school is None and not searching and not form.organisation.errors:
            form.organisation.errors = ["Select the school the referral is about"]
            valid = False
        checked = _checked_indicators(form, thresholds)
        pupils = _chosen_pupils(form, school, may_name)
        if searching:
            matches = _pupil_matches(school, form.pupil_search.data) if may_name else []
            if may_name and not matches and (form.pupil_search.data or "").strip():
                form.pupil_search.errors = list(form.pupil_search.errors) + ["No pupil on the register matches that name"]
            suggestion = suggest_level(checked) if form.suggested.data else None
        else:
            valid = valid and not form.indicators.errors and not form.pupils.errors
            suggestion = suggest_level(checked)
            if final and valid:
                if form.suggested.data != suggestion.value:
                    form.agrees.errors = list(form.agrees.errors) + [
                        f"The indicators you checked now suggest: {THRESHOLD_HEADINGS[suggestion]}. Say again whether you agree"
                    ]
                else:
                    return _raise(form, school, summit, thresholds, checked, pupils, suggestion)
        if suggestion is not None:
            form.suggested.data = suggestion.value
    if matches or pupils:
        # Pupils' names from the register are on the page: a read of child-level data.
        record(
            Action.RECORD_VIEWED,
            object_type="pupil_search",
            object_id=school.id,
            organisation_id=school.id,
            details={"page": "contexts.new", "shown": len(matches), "named": len(pupils)},
        )
    # (rendered before the commit: the first version of the indicators, if the authority had none)
    return render_audited(
        "contexts/new.html",
        form=form,
        summit=summit,
        schools=schools,
        school=school,
        may_name=may_name,
        thresholds=thresholds,
        checked={str(i.id) for i in checked},
        pupils=pupils,
        matches=[p for p in matches if p not in pupils],
        suggestion=suggestion,
        family_harms=FAMILY_HARMS,
        extra_familial_harms=EXTRA_FAMILIAL_HARMS,
    )


def _raise(form, school, summit, thresholds, checked, pupils, suggestion):
    agrees = form.agrees.data == "yes"
    referral = service.raise_referral(
        school,
        thresholds,
        subject=ContextSubject(form.subject.data),
        subject_description=form.subject_description,
        concern=form.concern.data,
        categories=form.categories.data,
        young_people_count=form.count,
        year_groups=form.year_groups.data,
        indicators=checked,
        pupils=pupils,
        suggestion=suggestion,
        agrees=agrees,
        level=None if agrees else Level(form.level.data),
        level_reason=form.level_reason.data,
        raised_by=current_user,
        summit=summit,
        summit_evidence=form.summit_evidence.data,
    )
    db.session.commit()
    flash(f"Your context referral about {school.name} has been sent to the context panel.", "success")
    return redirect(url_for("contexts.detail", context_referral_id=referral.id))
