"""Pages of the contexts module: context referrals, the context panel and the threshold indicators.

A school's DSL or head, a front-door officer, an assessor or a summit's organiser raises a context
referral (about a school, a peer group linked to it or a place near it) against the school threshold
indicators in force; the context panel (children's social care, the people named as panel members and
the partner organisations it invites) lists it on a meeting's agenda, records who attended and decides.
The decision opens the workspace it chose (``portal.contexts.service.decide``). The authority's
administrator keeps the indicators, as versions.
"""

from __future__ import annotations

from datetime import datetime, time
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from forms import choices
from portal import locking
from portal.accounts.models import Membership, Role, User
from portal.assessments.models import SchoolAssessment
from portal.audit.service import record, record_now, render_audited
from portal.authorities.models import AuthorityDuty, Duty, Organisation, OrganisationKind
from portal.casework.people import front_door_ids, notify_all, school_casework_ids
from portal.clock import UK, uk_date, uk_datetime, utcnow
from portal.contexts import service
from portal.contexts.actions import Action
from portal.contexts.forms import AttendanceForm, ContextReferralForm, DecisionForm, InviteForm, ListForm, PanelMeetingForm, RespondForm, ThresholdsForm
from portal.contexts.models import (
    ContextReferral,
    ContextReferralIndicator,
    ContextReferralPupil,
    ContextReferralStatus,
    ContextSubject,
    PanelDecision,
    PanelMeeting,
    ThresholdSet,
)
from portal.contexts.service import THRESHOLD_HEADINGS, THRESHOLD_LEVELS, current_thresholds, suggest_level
from portal.extensions import db
from portal.meetings.models import PartnershipMeeting
from portal.model_base import as_uuid
from portal.notifications.service import page_path
from portal.partnership import service as partnership
from portal.partnership.models import Invitation, InvitationStatus, ParticipantRole
from portal.policies import (
    casework_schools,
    deny_page,
    get_or_404,
    invitable_organisations,
    is_panel_member,
    is_social_care,
    policy_for,
    require,
    roles_required,
    visible_query,
)
from portal.pupils.models import YEAR_GROUPS, Pupil, year_group_label
from portal.pupils.search import name_contains
from portal.referrals.forms import EXTRA_FAMILIAL_HARMS, FAMILY_HARMS
from portal.summits.models import MapMarker, Safety, SafetyMap, SafetySummit, SummitFinding
from portal.vocabulary import Level, harm_labels

bp = Blueprint("contexts", __name__, template_folder="templates")

AWAITING = ContextReferralStatus.AWAITING_DECISION
STATUS_TAG_CLASSES = {AWAITING: "govuk-tag--blue", ContextReferralStatus.DECIDED: "govuk-tag--green"}
_EDUCATION = [k for k in OrganisationKind if k.is_education]
_PARTNER_KINDS = [OrganisationKind.POLICE, OrganisationKind.HEALTH, OrganisationKind.VOLUNTARY, OrganisationKind.OTHER]
#: Decided referrals shown on the list (the newest decisions).
DECIDED_SHOWN = 50

admin_only = roles_required(Role.AUTHORITY_ADMIN)


def _gate(allowed):
    """View decorator: signed in, and ``allowed(user)``; otherwise 403 (audited), like ``roles_required``
    for rights that come from a duty or an organisation rather than a role."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not allowed(current_user):
                deny_page()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def works_on_contexts(user) -> bool:
    """Who has context referrals or the panel to see: the panel, a school's DSLs and head, partners."""
    return is_panel_member(user) or bool(invitable_organisations(user))


def raised_words(moment: datetime, now: datetime) -> str:
    days = (now.astimezone(UK).date() - moment.astimezone(UK).date()).days
    if days <= 0:
        return "raised today"
    return "raised yesterday" if days == 1 else f"raised {days} days ago"


def meeting_label(meeting: PanelMeeting) -> str:
    return f"{uk_datetime(meeting.meets_at, '%A %-d %B %Y at %-I:%M%p')}, {meeting.venue}"


@bp.context_processor
def _template_helpers() -> dict:
    return {
        "status_tag_classes": STATUS_TAG_CLASSES,
        "harm_labels": harm_labels,
        "year_group_label": year_group_label,
        "raised_words": raised_words,
        "meeting_label": meeting_label,
        "threshold_headings": THRESHOLD_HEADINGS,
        "threshold_levels": THRESHOLD_LEVELS,
        "is_panel_member": is_panel_member(current_user),
    }


# People ---------------------------------------------------------------------------------------------


def _people(*conditions) -> list[User]:
    """Active accounts of the authority matching any of ``conditions`` (for choosing and listing people:
    names are not sensitive to those who work with them)."""
    return (
        db.session.execute(
            select(User).where(or_(*conditions), User.deactivated_at.is_(None), User.password_hash.is_not(None)).order_by(User.full_name, User.id)
        )
        .scalars()
        .all()
    )


def _holding(*roles: Role):
    return User.id.in_(select(Membership.user_id).where(Membership.role.in_(roles)))


def _panel_duty():
    return User.id.in_(select(AuthorityDuty.user_id).where(AuthorityDuty.duty == Duty.CONTEXT_PANEL_MEMBER))


def panel_people() -> list[User]:
    """Children's social care and the people named as context panel members."""
    return _people(_holding(Role.FRONT_DOOR, Role.ASSESSOR), _panel_duty())


# Raising a context referral -------------------------------------------------------------------------


def _organisations(*conditions) -> list[Organisation]:
    return db.session.execute(visible_query(Organisation).where(*conditions).order_by(Organisation.name)).scalars().all()


def schools_for(user, summit: SafetySummit | None = None) -> list[Organisation]:
    """The schools ``user`` may raise a context referral about: from a summit, its host and the schools
    that accepted its invitation; otherwise their own schools (DSL, head), or any school (social care)."""
    if summit is not None:
        accepted = select(Invitation.organisation_id).where(
            policy_for(Invitation).visible(user), Invitation.summit_id == summit.id, Invitation.status == InvitationStatus.ACCEPTED
        )
        return _organisations(Organisation.kind.in_(_EDUCATION), or_(Organisation.id == summit.host_organisation_id, Organisation.id.in_(accepted)))
    active_schools = (Organisation.kind.in_(_EDUCATION), Organisation.archived_at.is_(None))
    if is_social_care(user):
        return _organisations(*active_schools)
    own = casework_schools(user)
    return _organisations(Organisation.id.in_(sorted(own)), *active_schools) if own else []


def referrer_organisation(user, school_id):
    """The organisation the referral is raised from: the school itself (its DSL or head), else the
    referrer's social care organisation, school or partner agency."""
    if school_id in casework_schools(user):
        return school_id
    for ids in (user.organisation_ids(Role.FRONT_DOOR, Role.ASSESSOR), casework_schools(user), user.organisation_ids(Role.PARTNER), user.organisation_ids()):
        if ids:
            return sorted(ids)[0]
    return school_id


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
    referral = ContextReferral(
        organisation_id=school.id,
        subject=ContextSubject(form.subject.data),
        subject_description=form.subject_description,
        concern=form.concern.data.strip(),
        categories=list(dict.fromkeys(form.categories.data)),
        young_people_count=form.count,
        year_groups=[y for y in YEAR_GROUPS if y in (form.year_groups.data or [])],
        threshold_set_id=thresholds.id,
        suggested_level=suggestion,
        agrees_with_suggestion=agrees,
        referrer_level=suggestion if agrees else Level(form.level.data),
        level_reason=form.level_reason.data.strip(),
        raised_by_id=current_user.id,
        raised_by_organisation_id=referrer_organisation(current_user, school.id),
        source_summit_id=summit.id if summit else None,
        summit_evidence=((form.summit_evidence.data or "").strip() or None) if summit else None,
    )
    db.session.add(referral)
    db.session.flush()
    for indicator in checked:
        db.session.add(ContextReferralIndicator(context_referral_id=referral.id, indicator_id=indicator.id))
    for pupil in pupils:
        db.session.add(ContextReferralPupil(context_referral_id=referral.id, pupil_id=pupil.id))
    details = {"threshold_version": thresholds.number, "indicators": len(checked), "pupils": len(pupils)}
    if summit is not None:
        details["summit_id"] = str(summit.id)
    record(Action.CONTEXT_REFERRAL_RAISED, object_type="context_referral", object_id=referral.id, organisation_id=school.id, details=details)
    link = page_path("contexts.detail", context_referral_id=referral.id)
    panel = front_door_ids() + [u.id for u in _people(_panel_duty())]
    notify_all(panel, f"New context referral about {school.name}", link=link, exclude={current_user.id})
    if referral.raised_by_organisation_id != school.id:
        notify_all(school_casework_ids(school.id), f"A context referral has been raised about {school.name}", link=link, exclude={current_user.id, *panel})
    db.session.commit()
    flash(f"Your context referral about {school.name} has been sent to the context panel.", "success")
    return redirect(url_for("contexts.detail", context_referral_id=referral.id))


# Lists and the referral's page ----------------------------------------------------------------------


@bp.route("/context-referrals")
@_gate(works_on_contexts)
def index():
    """The context referrals this person may see: those awaiting a decision (oldest first), then the
    newest decisions."""
    awaiting = (
        db.session.execute(visible_query(ContextReferral).where(ContextReferral.status == AWAITING).order_by(ContextReferral.created_at, ContextReferral.id))
        .unique()
        .scalars()
        .all()
    )
    decided = (
        db.session.execute(
            visible_query(ContextReferral)
            .where(ContextReferral.status == ContextReferralStatus.DECIDED)
            .order_by(ContextReferral.decided_at.desc(), ContextReferral.id)
            .limit(DECIDED_SHOWN)
        )
        .unique()
        .scalars()
        .all()
    )
    record(Action.RECORD_VIEWED, object_type="context_referral_list", details={"shown": len(awaiting) + len(decided)})
    may_raise = bool(casework_schools(current_user)) or is_social_care(current_user)
    return render_audited("contexts/index.html", awaiting=awaiting, decided=decided, decided_shown=DECIDED_SHOWN, may_raise=may_raise, now=utcnow())


def _one(query):
    return db.session.execute(query).unique().scalar_one_or_none()


def workspace_visible(referral: ContextReferral) -> bool:
    """Whether the current user may open the workspace the decision opened (a school assessment, say,
    is for the people working on it, not everyone who sees the referral)."""
    for model, workspace_id in ((SafetySummit, referral.summit_id), (PartnershipMeeting, referral.meeting_id), (SchoolAssessment, referral.assessment_id)):
        if workspace_id is not None:
            return _one(visible_query(model).where(model.id == workspace_id)) is not None
    return False


@bp.route("/context-referrals/<uuid:context_referral_id>")
@login_required
def detail(context_referral_id):
    """Everything on the referral, the indicators checked (and their version), the pupils named (only for
    those who may see them), the panel and its decision, and the workspace it opened."""
    referral = get_or_404(ContextReferral, context_referral_id)
    rows = (
        db.session.execute(visible_query(ContextReferralIndicator).where(ContextReferralIndicator.context_referral_id == referral.id)).unique().scalars().all()
    )
    indicators = sorted((r.indicator for r in rows), key=lambda i: (THRESHOLD_LEVELS.index(i.level), i.position))
    pupils = db.session.execute(visible_query(ContextReferralPupil).where(ContextReferralPupil.context_referral_id == referral.id)).unique().scalars().all()
    open_and_member = referral.is_open and is_panel_member(current_user)
    return render_audited(
        "contexts/detail.html",
        referral=referral,
        indicators=indicators,
        pupils=sorted((row.pupil for row in pupils), key=lambda p: (p.legal_surname, p.legal_forename)),
        version=_one(visible_query(ThresholdSet).where(ThresholdSet.id == referral.threshold_set_id)),
        decision_version=_one(visible_query(ThresholdSet).where(ThresholdSet.id == referral.decision_threshold_set_id))
        if referral.decision_threshold_set_id
        else None,
        panel_meeting=_one(visible_query(PanelMeeting).where(PanelMeeting.id == referral.panel_meeting_id)) if referral.panel_meeting_id else None,
        source_summit=_one(visible_query(SafetySummit).where(SafetySummit.id == referral.source_summit_id)) if referral.source_summit_id else None,
        workspace=service.workspace_link(referral),
        workspace_open=workspace_visible(referral),
        upcoming=_upcoming_meetings() if open_and_member else [],
        may_decide=open_and_member,
        now=utcnow(),
    )


# The context panel ----------------------------------------------------------------------------------


def _start_of_today():
    return datetime.combine(utcnow().astimezone(UK).date(), time(0, 0), tzinfo=UK)


def _upcoming_meetings() -> list[PanelMeeting]:
    query = visible_query(PanelMeeting).where(PanelMeeting.meets_at >= _start_of_today()).options(selectinload(PanelMeeting.chair))
    return db.session.execute(query.order_by(PanelMeeting.meets_at, PanelMeeting.id)).scalars().all()


@bp.route("/context-panel")
@_gate(works_on_contexts)
def panel():
    """The panel meetings this person may see: upcoming (soonest first), then past (newest first)."""
    today = _start_of_today()
    upcoming = _upcoming_meetings()
    past = (
        db.session.execute(
            visible_query(PanelMeeting)
            .where(PanelMeeting.meets_at < today)
            .options(selectinload(PanelMeeting.chair))
            .order_by(PanelMeeting.meets_at.desc(), PanelMeeting.id)
            .limit(50)
        )
        .scalars()
        .all()
    )
    on_agenda = dict(
        db.session.execute(
            select(ContextReferral.panel_meeting_id, func.count(ContextReferral.id))
            .where(policy_for(ContextReferral).visible(current_user), ContextReferral.panel_meeting_id.is_not(None))
            .group_by(ContextReferral.panel_meeting_id)
        ).all()
    )
    waiting = None
    if is_panel_member(current_user):
        waiting = db.session.execute(
            select(func.count(ContextReferral.id)).where(ContextReferral.status == AWAITING, ContextReferral.panel_meeting_id.is_(None))
        ).scalar()
    return render_template("contexts/panel.html", upcoming=upcoming, past=past, on_agenda=on_agenda, waiting=waiting)


def _meeting_values(meets_at, venue, chair_name, notes) -> dict:
    return {"meets_at": uk_datetime(meets_at) if meets_at else None, "venue": venue, "chair": chair_name, "notes": notes}


MEETING_LABELS = {"meets_at": "Date and time", "venue": "Where", "chair": "Chair", "notes": "Notes"}


def _panel_form(meeting: PanelMeeting | None):
    form = PanelMeetingForm()
    people = panel_people()
    names = {str(u.id): u.full_name for u in people}
    form.chair.choices = choices([("", "Not chosen yet")] + list(names.items()))
    if request.method == "GET" and meeting is not None:
        form.meets_on.data = meeting.meets_at.astimezone(UK).date()
        form.meets_time.data = meeting.meets_at.astimezone(UK).strftime("%H:%M")
        form.venue.data = meeting.venue
        form.chair.data = str(meeting.chair_id) if meeting.chair_id else ""
        form.notes.data = meeting.notes
        form.version.data = str(meeting.version)
    changes = None
    if form.validate_on_submit():
        chair = form.chair.data if form.chair.data in names else None
        if meeting is not None and form.version.version != meeting.version:
            changes = _meeting_conflict(meeting, form, names.get(chair))
        else:
            creating = meeting is None
            if creating:
                meeting = PanelMeeting(created_by_id=current_user.id)
                db.session.add(meeting)
            meeting.meets_at = form.meets_at
            meeting.venue = form.venue.data.strip()
            meeting.chair_id = as_uuid(chair) if chair else None
            meeting.notes = (form.notes.data or "").strip() or None
            try:
                db.session.flush()
                record(Action.PANEL_MEETING_SAVED, object_type="panel_meeting", object_id=meeting.id, details={"created": creating})
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                changes = _meeting_conflict(meeting, form, names.get(chair))
            else:
                flash(f"The panel meeting on {uk_datetime(meeting.meets_at)} has been {'scheduled' if creating else 'saved'}.", "success")
                return redirect(url_for("contexts.panel_detail", panel_meeting_id=meeting.id))
    return render_template("contexts/panel_form.html", form=form, meeting=meeting, changes=changes)


def _meeting_conflict(meeting: PanelMeeting, form: PanelMeetingForm, chair_name):
    """Someone saved the meeting since this form was drawn: refuse, and say what changed."""
    meeting_id = meeting.id
    locking.stale_refused("panel_meeting", meeting_id)
    meeting = db.session.get(PanelMeeting, meeting_id)
    form.version.data = str(meeting.version)
    saved = _meeting_values(meeting.meets_at, meeting.venue, meeting.chair.full_name if meeting.chair else None, meeting.notes)
    yours = _meeting_values(form.meets_at, form.venue.data.strip(), chair_name, (form.notes.data or "").strip() or None)
    return locking.what_changed(saved, yours, MEETING_LABELS)


@bp.route("/context-panel/new", methods=["GET", "POST"])
@_gate(is_panel_member)
def panel_new():
    return _panel_form(None)


@bp.route("/context-panel/<uuid:panel_meeting_id>/edit", methods=["GET", "POST"])
@login_required
def panel_edit(panel_meeting_id):
    return _panel_form(get_or_404(PanelMeeting, panel_meeting_id, action="edit"))


def _invitable_partners(meeting: PanelMeeting, invitations) -> list[Organisation]:
    invited = {i.organisation_id for i in invitations}
    return [o for o in _organisations(Organisation.kind.in_(_PARTNER_KINDS), Organisation.archived_at.is_(None)) if o.id not in invited]


def _render_panel(meeting: PanelMeeting, invite_form: InviteForm | None = None):
    member = is_panel_member(current_user)
    agenda = (
        db.session.execute(
            visible_query(ContextReferral).where(ContextReferral.panel_meeting_id == meeting.id).order_by(ContextReferral.created_at, ContextReferral.id)
        )
        .unique()
        .scalars()
        .all()
    )
    waiting = []
    if member:
        waiting = (
            db.session.execute(
                visible_query(ContextReferral)
                .where(ContextReferral.status == AWAITING, or_(ContextReferral.panel_meeting_id.is_(None), ContextReferral.panel_meeting_id != meeting.id))
                .order_by(ContextReferral.created_at, ContextReferral.id)
            )
            .unique()
            .scalars()
            .all()
        )
    invitations = partnership.invitations(meeting)
    if member and invite_form is None:
        invite_form = InviteForm(formdata=None)
    if invite_form is not None:
        invite_form.organisation.choices = choices([("", "Choose an organisation")] + [(o.id, o.name) for o in _invitable_partners(meeting, invitations)])
    mine = invitable_organisations(current_user)
    others_listed = {r.panel_meeting_id for r in waiting if r.panel_meeting_id}
    listed_at = (
        {m.id: m for m in db.session.execute(visible_query(PanelMeeting).where(PanelMeeting.id.in_(sorted(others_listed)))).scalars()} if others_listed else {}
    )
    return render_template(
        "contexts/panel_detail.html",
        meeting=meeting,
        member=member,
        agenda=agenda,
        waiting=waiting,
        listed_at=listed_at,
        invitations=invitations,
        my_invitations=[i for i in invitations if i.organisation_id in mine],
        attended=[p for p in partnership.participants(meeting) if p.attended],
        invite_form=invite_form,
    )


@bp.route("/context-panel/<uuid:panel_meeting_id>")
@login_required
def panel_detail(panel_meeting_id):
    """A panel meeting: its agenda, the referrals waiting to be listed (panel members), the partner
    organisations invited and their answers, and who attended."""
    return _render_panel(get_or_404(PanelMeeting, panel_meeting_id))


@bp.route("/context-referrals/<uuid:context_referral_id>/list", methods=["POST"])
@login_required
def panel_list(context_referral_id):
    """List a referral awaiting a decision on a panel meeting's agenda (the meeting chosen in the form).
    A page drawn before someone else listed (or otherwise changed) the referral is refused."""
    referral = get_or_404(ContextReferral, context_referral_id, action="list_on_panel")
    form = ListForm()
    meeting = get_or_404(PanelMeeting, form.panel_meeting_id.data, action="list")
    if form.back.data == "panel":
        back = url_for("contexts.panel_detail", panel_meeting_id=meeting.id, _anchor="agenda")
    else:
        back = url_for("contexts.detail", context_referral_id=context_referral_id)
    if form.version.version != referral.version:
        _list_refused(referral.id)
        return redirect(back)
    referral.panel_meeting_id = meeting.id
    record(
        Action.CONTEXT_REFERRAL_LISTED,
        object_type="context_referral",
        object_id=referral.id,
        organisation_id=referral.organisation_id,
        details={"panel_meeting_id": str(meeting.id)},
    )
    when = uk_datetime(meeting.meets_at)
    notify_all(
        [referral.raised_by_id],
        f"Your context referral about {referral.organisation.name} is on the agenda of the context panel on {when}",
        link=page_path("contexts.detail", context_referral_id=referral.id),
        exclude={current_user.id},
    )
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        _list_refused(context_referral_id)
    else:
        flash(f"The context referral about {referral.organisation.name} is on the agenda for {when}.", "success")
    return redirect(back)


def _list_refused(referral_id) -> None:
    """Someone changed the referral since the page was drawn: nothing is listed; say where it is now."""
    locking.stale_refused("context_referral", referral_id)
    referral = db.session.get(ContextReferral, referral_id)
    listed = _one(visible_query(PanelMeeting).where(PanelMeeting.id == referral.panel_meeting_id)) if referral.panel_meeting_id else None
    now = f"It is now listed for the panel meeting on {uk_datetime(listed.meets_at)}." if listed else "It is not listed for a panel meeting now."
    if not referral.is_open:
        now = "It has been decided."
    flash(
        f"Someone else changed this context referral after you opened the page, so it has not been listed. {now} Check it, then list it again if you need to."
    )


@bp.route("/context-panel/<uuid:panel_meeting_id>/invite", methods=["POST"])
@login_required
def panel_invite(panel_meeting_id):
    meeting = get_or_404(PanelMeeting, panel_meeting_id, action="invite")
    form = InviteForm()
    partners = {str(o.id) for o in _invitable_partners(meeting, partnership.invitations(meeting))}
    if not form.validate_on_submit() or form.organisation.data not in partners:
        if form.organisation.data and not form.organisation.errors:
            form.organisation.errors = ["Select a partner organisation that has not been invited yet"]
        return _render_panel(meeting, form)
    invitation = partnership.invite(
        meeting,
        as_uuid(form.organisation.data),
        actor_id=current_user.id,
        title=f"context panel meeting on {uk_datetime(meeting.meets_at)}",
        link=page_path("contexts.panel_detail", panel_meeting_id=meeting.id),
    )
    db.session.commit()
    flash(f"{invitation.organisation.name} has been invited. Its people have been told.", "success")
    return redirect(url_for("contexts.panel_detail", panel_meeting_id=meeting.id, _anchor="invited"))


@bp.route("/context-panel/invitations/<uuid:invitation_id>", methods=["GET", "POST"])
@login_required
def panel_respond(invitation_id):
    """A partner organisation invited to a panel meeting says whether it will attend."""
    invitation = get_or_404(Invitation, invitation_id, action="respond")
    if invitation.panel_meeting_id is None:  # an invitation to another kind of workspace
        record_now(Action.NOT_FOUND, object_type="invitation", object_id=invitation.id, details={"action": "respond"})
        abort(404)
    meeting = get_or_404(PanelMeeting, invitation.panel_meeting_id)
    form = RespondForm()
    if request.method == "GET" and invitation.status != InvitationStatus.INVITED:
        form.answer.data = "accept" if invitation.status == InvitationStatus.ACCEPTED else "decline"
        form.note.data = invitation.response_note
    if form.validate_on_submit():
        accept = form.answer.data == "accept"
        partnership.respond(
            invitation,
            accept=accept,
            actor_id=current_user.id,
            note=form.note.data,
            inviter_title=f"context panel meeting on {uk_datetime(meeting.meets_at)}",
            link=page_path("contexts.panel_detail", panel_meeting_id=meeting.id),
        )
        db.session.commit()
        if accept:
            flash("Thank you: the panel knows your organisation will attend.", "success")
            return redirect(url_for("contexts.panel_detail", panel_meeting_id=meeting.id))
        flash("Thank you: the panel knows your organisation cannot attend.", "success")
        return redirect(url_for("contexts.panel"))
    return render_template("contexts/panel_respond.html", form=form, invitation=invitation, meeting=meeting)


def _attendance_groups(meeting: PanelMeeting, invitations) -> list[tuple[str, list[User]]]:
    """Who may be ticked as present: the panel (social care and named members), then each invited
    organisation's people, then anyone else already taking part."""
    groups = [("Children's social care and panel members", panel_people())]
    seen = {u.id for u in groups[0][1]}
    for invitation in invitations:
        if invitation.status == InvitationStatus.DECLINED:
            continue
        ids = [i for i in partnership.organisation_contacts(invitation.organisation_id) if i not in seen]
        people = _people(User.id.in_(ids)) if ids else []
        seen.update(u.id for u in people)
        groups.append((invitation.organisation.name, people))
    others = [p.user for p in partnership.participants(meeting) if p.user_id not in seen and p.user is not None]
    if others:
        groups.append(("Also taking part", others))
    return [(heading, people) for heading, people in groups if people]


@bp.route("/context-panel/<uuid:panel_meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def panel_attendance(panel_meeting_id):
    meeting = get_or_404(PanelMeeting, panel_meeting_id, action="record_attendance")
    groups = _attendance_groups(meeting, partnership.invitations(meeting))
    people = {str(u.id): u for _, members in groups for u in members}
    rows = {str(p.user_id): p for p in partnership.participants(meeting)}
    form = AttendanceForm()
    if request.method == "GET":
        form.attended.data = [uid for uid, row in rows.items() if row.attended]
        form.others.data = meeting.other_attendees
        form.version.data = str(meeting.version)
    changes = None
    if form.validate_on_submit():
        chosen = [uid for uid in people if uid in set(form.attended.data or [])]
        others = (form.others.data or "").strip() or None
        if form.version.version != meeting.version:
            changes = _attendance_conflict(meeting, chosen, others, people)
        else:
            for uid, user in people.items():
                row = rows.get(uid)
                if uid in chosen:
                    row = row or partnership.add_participant(meeting, user.id, ParticipantRole.ATTENDEE, actor_id=current_user.id)
                    row.attended = True
                elif row is not None:
                    row.attended = False
            meeting.other_attendees = others
            flag_modified(meeting, "other_attendees")  # a new version, even when only the ticks changed
            try:
                db.session.flush()
                record(
                    Action.PANEL_ATTENDANCE_RECORDED,
                    object_type="panel_meeting",
                    object_id=meeting.id,
                    details={"attended": len(chosen), "others": bool(others)},
                )
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                changes = _attendance_conflict(meeting, chosen, others, people)
            else:
                flash("The attendance has been saved.", "success")
                return redirect(url_for("contexts.panel_detail", panel_meeting_id=meeting.id, _anchor="attendance"))
    form.attended.data = [uid for uid in people if uid in set(form.attended.data or [])]
    return render_template("contexts/panel_attendance.html", form=form, meeting=meeting, groups=groups, changes=changes)


def _attendance_conflict(meeting, chosen, others, people):
    meeting_id = meeting.id
    locking.stale_refused("panel_meeting", meeting_id)
    meeting = db.session.get(PanelMeeting, meeting_id)
    saved_names = sorted(p.user.full_name for p in partnership.participants(meeting) if p.attended and p.user is not None)
    yours = sorted(people[uid].full_name for uid in chosen)
    return locking.what_changed(
        {"attended": ", ".join(saved_names), "others": meeting.other_attendees},
        {"attended": ", ".join(yours), "others": others},
        {"attended": "Who attended", "others": "Others present"},
    )


# The panel's decision -------------------------------------------------------------------------------


def _workspace_name(workspace) -> str:
    title = getattr(workspace, "title", None)
    if title:
        return title
    return f"{workspace.kind.label} of {workspace.organisation.name}"


@bp.route("/context-referrals/<uuid:context_referral_id>/decide", methods=["GET", "POST"])
@login_required
def decide(context_referral_id):
    """The panel's decision, with its reason; it opens the workspace chosen and the referrer is told."""
    referral = get_or_404(ContextReferral, context_referral_id)
    if not referral.is_open and is_panel_member(current_user):
        flash("This context referral has already been decided. A decision cannot be changed here.")
        return redirect(url_for("contexts.detail", context_referral_id=referral.id))
    require("decide", referral)
    meetings = db.session.execute(visible_query(PanelMeeting).order_by(PanelMeeting.meets_at.desc(), PanelMeeting.id).limit(30)).scalars().all()
    if referral.panel_meeting_id and referral.panel_meeting_id not in {m.id for m in meetings}:
        listed = _one(visible_query(PanelMeeting).where(PanelMeeting.id == referral.panel_meeting_id))
        meetings = ([listed] if listed else []) + meetings
    assessors = _people(_holding(Role.ASSESSOR))
    form = DecisionForm()
    form.panel_meeting.choices = choices([("", "Choose a panel meeting")] + [(m.id, meeting_label(m)) for m in meetings])
    form.lead.choices = choices([("", "Not named yet")] + [(u.id, u.full_name) for u in assessors])
    if request.method == "GET":
        form.panel_meeting.data = str(referral.panel_meeting_id) if referral.panel_meeting_id else ""
    elif form.validate_on_submit():
        decision = form.chosen
        lead = as_uuid(form.lead.data) if decision == PanelDecision.SCHOOL_ASSESSMENT and form.lead.data in {str(u.id) for u in assessors} else None
        level_field = form.level_field
        try:
            workspace = service.decide(
                referral,
                service.Decision(
                    decision=decision,
                    reason=form.reason.data,
                    level=Level(level_field.data) if level_field is not None else None,
                    advice=form.advice.data if decision == PanelDecision.BELOW_THRESHOLD else None,
                    lead_id=lead,
                ),
                actor_id=current_user.id,
                panel_meeting_id=as_uuid(form.panel_meeting.data),
            )
            name = _workspace_name(workspace) if workspace is not None else None
            db.session.commit()
        except service.DecisionRefused as exc:
            db.session.rollback()
            field = {"level": level_field, "advice": form.advice, "reason": form.reason}.get(exc.field)
            if field is not None:
                field.errors = list(field.errors) + [str(exc)]
            else:
                form.form_errors.append(str(exc))
        except StaleDataError:
            db.session.rollback()
            flash("Someone else recorded a decision on this context referral at the same moment. Check it below.")
            return redirect(url_for("contexts.detail", context_referral_id=context_referral_id))
        else:
            told = referral.raised_by.full_name if referral.raised_by else "The person who raised it"
            if workspace is None:
                flash(f"The panel's decision has been recorded: {referral.organisation.name} manages this internally. {told} has been told.", "success")
                return redirect(url_for("contexts.detail", context_referral_id=referral.id))
            flash(f"The panel's decision has been recorded and {name} has been opened. {told} has been told.", "success")
            if not workspace_visible(referral):
                return redirect(url_for("contexts.detail", context_referral_id=referral.id))
            return redirect(service.workspace_link(referral)[1])
    return render_audited("contexts/decide.html", form=form, referral=referral, has_meetings=bool(meetings))


# Threshold indicators (the authority's settings) ----------------------------------------------------


@bp.route("/admin/settings/threshold-indicators")
@admin_only
def thresholds():
    current = current_thresholds()
    versions = db.session.execute(visible_query(ThresholdSet).order_by(ThresholdSet.number.desc())).scalars().all()
    page = render_template("contexts/thresholds.html", current=current, versions=versions)
    db.session.commit()  # the first version, if this authority had none
    return page


def _indicator_text(indicators, level: Level) -> str:
    return "\n".join(i.text for i in indicators if i.level == level)


@bp.route("/admin/settings/threshold-indicators/edit", methods=["GET", "POST"])
@admin_only
def thresholds_edit():
    """Change the indicators: the change is saved as a new version (earlier ones are kept as they were)."""
    current = current_thresholds()
    form = ThresholdsForm()
    if request.method == "GET":
        for level in THRESHOLD_LEVELS:
            form[level.value].data = _indicator_text(current.indicators, level)
        form.version.data = str(current.number)
    changes = None
    if request.method == "POST" and form.validate():
        if form.version.version != current.number:
            changes = _thresholds_conflict(form)
        else:
            try:
                saved = service.new_version(form.indicators(), note=form.note.data, created_by_id=current_user.id)
                number = saved.number
                db.session.commit()
            except IntegrityError:  # someone saved a version at the same moment
                db.session.rollback()
                changes = _thresholds_conflict(form)
            else:
                flash(f"Version {number} of the school threshold indicators has been saved. New context referrals use it from now on.", "success")
                return redirect(url_for("contexts.thresholds"))
    return render_audited("contexts/thresholds_edit.html", form=form, current=current_thresholds(), changes=changes)


def _thresholds_conflict(form: ThresholdsForm):
    locking.stale_refused("threshold_set", current_thresholds().id)
    current = current_thresholds()
    form.version.data = str(current.number)
    labels = {level.value: THRESHOLD_HEADINGS[level] for level in THRESHOLD_LEVELS}
    saved = {level.value: _indicator_text(current.indicators, level) for level in THRESHOLD_LEVELS}
    yours = {level.value: "\n".join(lines) for level, lines in form.indicators().items()}
    return locking.what_changed(saved, yours, labels)


@bp.route("/admin/settings/threshold-indicators/<uuid:threshold_set_id>")
@admin_only
def threshold_version(threshold_set_id):
    version = get_or_404(ThresholdSet, threshold_set_id)
    return render_template("contexts/threshold_version.html", version=version, latest=current_thresholds())
