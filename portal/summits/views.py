"""Pages of the summits module: Student Safety Summits.

A summit is run by the multi-agency partnership and usually hosted by a school for half a day. Its
organisers (children's social care, the host school's DSLs and head, and people named as organisers)
plan it, invite schools and partner agencies (each accepts or declines), add the practitioners
attending and the activities on the day, then record findings, an action plan with named owners and
dates, and "You said, we did". An organisation invited but not yet answered sees only the invitation;
one that declined sees only that it declined. Every object goes through ``portal.policies``; the shared
workspace operations (invitations, participants, plan actions) through ``portal.partnership.service``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from portal import locking
from portal.accounts.models import Membership, Role, User
from portal.audit.service import record
from portal.authorities.models import Organisation, OrganisationKind
from portal.casework.people import notify_all, school_casework_ids
from portal.clock import UK, uk_today, utcnow
from portal.contexts.models import ContextReferral
from portal.extensions import db
from portal.model_base import as_uuid
from portal.notifications.service import page_path
from portal.partnership import service
from portal.partnership.actions import Action as WorkspaceAction
from portal.partnership.forms import owner_choices, owner_ids, owner_value
from portal.partnership.models import ActionStatus, Invitation, InvitationStatus, ParticipantRole, PlanAction
from portal.partnership.policy import action_owner
from portal.policies import casework_organisations, get_or_404, invitable_organisations, is_social_care, not_found, policy_for, roles_required, visible_query
from portal.summits import checklist
from portal.summits.actions import Action
from portal.summits.forms import (
    YEAR_GROUPS,
    ActionForm,
    ActivityForm,
    ChecklistForm,
    FindingForm,
    InviteForm,
    NewSummitForm,
    ParticipantForm,
    PlanForm,
    RemoveParticipantForm,
    RespondForm,
    StatusForm,
    YouSaidForm,
    year_field_name,
)
from portal.summits.map_service import revoke_links_made_by
from portal.summits.models import ActivityKind, SafetyMap, SafetySummit, SummitActivity, SummitFinding, SummitStatus, YouSaidWeDid
from portal.summits.policy import summit_content_ids
from portal.text import clean_text

bp = Blueprint("summits", __name__, template_folder="templates")

S = SummitStatus

STATUS_TAG_CLASSES = {S.PLANNING: "govuk-tag--blue", S.HELD: "govuk-tag--yellow", S.CLOSED: "govuk-tag--grey"}
#: The one way a summit moves on, and the button that does it.
NEXT_STATUS = {S.PLANNING: (S.HELD, "Mark the summit as held"), S.HELD: (S.CLOSED, "Close the summit")}

_EDUCATION = [k for k in OrganisationKind if k.is_education]
#: Who may be invited: schools, colleges and settings, and partner agencies (social care runs summits).
_INVITABLE = _EDUCATION + [OrganisationKind.POLICE, OrganisationKind.HEALTH, OrganisationKind.VOLUNTARY, OrganisationKind.OTHER]
#: Roles of the practitioners who may take part (never a governor or an administrator).
_PRACTITIONER_ROLES = (Role.STAFF, Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER)

PLAN_LABELS = {
    "title": "Name of the summit",
    "when": "Date and time",
    "venue": "Venue",
    "young_people": "Young people taking part",
    "consent_arranged": "Consent arranged",
    "consent_notes": "How consent is arranged",
    "inclusion_and_safety": "How it is made inclusive and safe",
}
ACTIVITY_LABELS = {"kind": "Activity", "title": "Title", "facilitator": "Facilitator", "notes": "Notes"}
ACTION_LABELS = {"description": "What needs to be done", "owner": "Who owns it", "due_on": "Due date", "status": "Status", "progress_note": "Progress"}


# Words ---------------------------------------------------------------------------------------------


def when_text(starts_at: datetime | None, ends_at: datetime | None) -> str:
    """``Tuesday 17 March 2026, 09:00 to 12:30`` in UK time, or '' when not set."""
    if starts_at is None:
        return ""
    text = starts_at.astimezone(UK).strftime("%A %-d %B %Y, %H:%M")
    return f"{text} to {ends_at.astimezone(UK).strftime('%H:%M')}" if ends_at else text


def young_people_text(counts: dict | None) -> str:
    counts = counts or {}
    parts = [f"{year}: {counts[year]}" for year in YEAR_GROUPS if counts.get(year)]
    return ", ".join(parts)


@bp.context_processor
def _template_helpers() -> dict:
    return {
        "status_tag_classes": STATUS_TAG_CLASSES,
        "when_text": when_text,
        "young_people_text": young_people_text,
        "year_groups": YEAR_GROUPS,
        "checklist_items": checklist.ITEMS,
        "checklist_hints": [{"hint": {"text": item.hint}} for item in checklist.ITEMS],
    }


# Small helpers -------------------------------------------------------------------------------------


def _may(action: str, obj) -> bool:
    return policy_for(type(obj)).allows(current_user, action, obj)


def _path(summit) -> str:
    return page_path("summits.detail", summit_id=summit.id)


def _to_detail(summit_id, anchor: str | None = None):
    return redirect(url_for("summits.detail", summit_id=summit_id, _anchor=anchor))


def _rows(model, summit, *order):
    return db.session.execute(visible_query(model).where(model.summit_id == summit.id).order_by(*order)).unique().scalars().all()


def _audit_change(summit, what: str, **details) -> None:
    record(
        WorkspaceAction.WORKSPACE_UPDATED,
        object_type="safety_summit",
        object_id=summit.id,
        organisation_id=summit.host_organisation_id,
        details={"change": what, **details},
    )


def _after_the_summit(summit):
    """Findings, actions and "You said, we did" come after the summit: a redirect while it is planned."""
    if summit.status == S.PLANNING:
        flash("Findings, the action plan and You said, we did are recorded after the summit. Mark the summit as held first.")
        return _to_detail(summit.id)
    return None


def _accepted_organisation_ids(summit) -> list[uuid.UUID]:
    return [i.organisation_id for i in service.invitations(summit) if i.status == InvitationStatus.ACCEPTED]


def _practitioners(summit) -> dict[uuid.UUID, str]:
    """People who may be added: practitioners of children's social care, the host school and the
    organisations that accepted (never governors or administrators), as ``{user id: "Name, Organisation"}``.
    (People are not visible to one another through ``visible_query(User)``, which is for administrators;
    like ``partnership.service.organisation_contacts``, this reads memberships directly.)"""
    organisations = [summit.host_organisation_id, *_accepted_organisation_ids(summit)]
    rows = db.session.execute(
        select(User.id, User.full_name, Organisation.name)
        .join(Membership, (Membership.user_id == User.id) & (Membership.authority_id == User.authority_id))
        .join(Organisation, (Organisation.id == Membership.organisation_id) & (Organisation.authority_id == Membership.authority_id))
        .where(
            or_(Membership.organisation_id.in_(organisations), Organisation.kind == OrganisationKind.SOCIAL_CARE),
            Membership.role.in_(_PRACTITIONER_ROLES),
            User.deactivated_at.is_(None),
            User.password_hash.is_not(None),
        )
        .order_by(Organisation.name, User.full_name)
    ).all()
    found: dict[uuid.UUID, str] = {}
    for user_id, name, organisation in rows:
        found.setdefault(user_id, f"{name}, {organisation}")
    return found


def _taking_part(summit) -> list:
    """The people listed in the summit who still belong to an organisation taking part in it (children's
    social care, the host school, or one that accepted): someone who has left it, or whose organisation
    was never in the summit, is not offered as a facilitator or an action's owner."""
    practitioners = _practitioners(summit)
    return [p for p in service.participants(summit) if p.user_id in practitioners]


def _participant_choices(summit) -> dict[str, str]:
    return {str(p.user_id): f"{p.user.full_name} ({p.role.label.lower()})" for p in _taking_part(summit)}


def _owner_choices(summit, current: PlanAction | None = None) -> dict[str, str]:
    """Who may own an action: a person taking part, or the host or an organisation that accepted (never
    one only invited, or that declined). An action's current owner stays a choice."""
    organisation_ids = [summit.host_organisation_id, *_accepted_organisation_ids(summit)]
    organisations = db.session.execute(visible_query(Organisation).where(Organisation.id.in_(organisation_ids)).order_by(Organisation.name)).scalars()
    people = [(p.user_id, p.user.full_name) for p in _taking_part(summit)]
    return dict(owner_choices(people, [(o.id, o.name) for o in organisations], current))


def _select(field, options: dict[str, str], empty: str) -> None:
    field.choices = [("", empty)] + list(options.items())


# The list ------------------------------------------------------------------------------------------


@bp.route("/summits")
@roles_required(*_PRACTITIONER_ROLES)
def index():
    """Summits the person may see: invitations waiting for their organisation first, then upcoming,
    being followed up and closed."""
    summits = (
        db.session.execute(visible_query(SafetySummit).order_by(SafetySummit.starts_at.is_(None), SafetySummit.starts_at, SafetySummit.created_at))
        .unique()
        .scalars()
        .all()
    )
    ids = [s.id for s in summits]
    content = set(db.session.execute(summit_content_ids(current_user).where(SafetySummit.id.in_(ids))).scalars()) if ids else set()
    mine = sorted(invitable_organisations(current_user))
    invitations = (
        db.session.execute(visible_query(Invitation).where(Invitation.summit_id.in_(ids), Invitation.organisation_id.in_(mine))).unique().scalars().all()
        if ids and mine
        else []
    )
    waiting_ids = {i.summit_id for i in invitations if i.status == InvitationStatus.INVITED}
    by_id = {s.id: s for s in summits}
    return render_template(
        "summits/index.html",
        waiting=[(by_id[i.summit_id], i) for i in invitations if i.summit_id in waiting_ids and i.summit_id not in content],
        groups=[
            ("Upcoming", [s for s in summits if s.id in content and s.status == S.PLANNING]),
            ("Being followed up", [s for s in summits if s.id in content and s.status == S.HELD]),
            ("Closed", [s for s in summits if s.id in content and s.status == S.CLOSED]),
        ],
        declined=[by_id[i.summit_id] for i in invitations if i.status == InvitationStatus.DECLINED and i.summit_id not in content | waiting_ids],
        may_create=current_user.has_role(Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR),
    )


# A new summit --------------------------------------------------------------------------------------


def _hosts() -> list[Organisation]:
    """Schools the person may plan a summit for: any (children's social care), or their own."""
    query = visible_query(Organisation).where(Organisation.kind.in_(_EDUCATION), Organisation.archived_at.is_(None))
    if not is_social_care(current_user):
        own = [o.id for o in casework_organisations()]
        if not own:
            return []
        query = query.where(Organisation.id.in_(own))
    return db.session.execute(query.order_by(Organisation.name)).scalars().all()


@bp.route("/summits/new", methods=["GET", "POST"])
@roles_required(Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR)
def new():
    hosts = _hosts()
    form = NewSummitForm()
    _select(form.host, {str(h.id): h.name for h in hosts}, "Choose a school")
    if request.method == "GET" and len(hosts) == 1:
        form.host.data = str(hosts[0].id)
    if form.validate_on_submit():
        host = next((h for h in hosts if str(h.id) == form.host.data), None)
        if host is None:
            form.host.errors.append("Select a school from the list")
        else:
            summit = SafetySummit(
                host_organisation_id=host.id,
                title=clean_text(form.title.data) or f"Student Safety Summit at {host.name}",
                created_by_id=current_user.id,
            )
            db.session.add(summit)
            db.session.flush()
            record(WorkspaceAction.WORKSPACE_OPENED, object_type="safety_summit", object_id=summit.id, organisation_id=host.id)
            service.add_participant(summit, current_user.id, ParticipantRole.ORGANISER, actor_id=current_user.id)
            notify_all(school_casework_ids(host.id), f"A safety summit is being planned at {host.name}", link=_path(summit), exclude={current_user.id})
            db.session.commit()
            flash("The summit has been created. You are its organiser: plan it below.", "success")
            return redirect(url_for("summits.edit", summit_id=summit.id))
    return render_template("summits/new.html", form=form, hosts=hosts)


# The summit's page ---------------------------------------------------------------------------------


def _invitable(summit) -> list[Organisation]:
    return (
        db.session.execute(
            visible_query(Organisation)
            .where(Organisation.kind.in_(_INVITABLE), Organisation.archived_at.is_(None), Organisation.id != summit.host_organisation_id)
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )


def _invite_form(summit, invitations, form: InviteForm | None = None) -> InviteForm:
    form = form or InviteForm(formdata=None)
    invited = {i.organisation_id for i in invitations}
    _select(form.organisation, {str(o.id): f"{o.name} ({o.kind.label})" for o in _invitable(summit) if o.id not in invited}, "Choose who to invite")
    return form


def _my_invitations(summit) -> list[Invitation]:
    mine = sorted(invitable_organisations(current_user))
    if not mine:
        return []
    return (
        db.session.execute(
            visible_query(Invitation).where(Invitation.summit_id == summit.id, Invitation.organisation_id.in_(mine)).order_by(Invitation.created_at)
        )
        .unique()
        .scalars()
        .all()
    )


def _render_invitation(summit, form: RespondForm | None = None, status: int = 200):
    """The page of an organisation invited but not in the summit: the invitation, or that it declined."""
    invitations = _my_invitations(summit)
    if not invitations:  # visible only through an invitation: cannot happen, but never show more
        abort(404)
    waiting = [i for i in invitations if i.status == InvitationStatus.INVITED]
    page = render_template(
        "summits/invitation.html",
        summit=summit,
        waiting=waiting,
        declined=[i for i in invitations if i.status == InvitationStatus.DECLINED],
        form=form or RespondForm(formdata=None),
    )
    return page, status


def _render_detail(summit, *, invite_form=None, checklist_form=None, checklist_changes=None, status: int = 200):
    if not _may("view_content", summit):
        return _render_invitation(summit)
    organiser = _may("plan", summit)
    invitations = service.invitations(summit)
    activities = _rows(SummitActivity, summit, SummitActivity.created_at)
    if checklist_form is None:
        checklist_form = ChecklistForm(formdata=None, items=list(summit.checklist or []), version=str(summit.version))
    actions = service.actions(summit)
    page = render_template(
        "summits/detail.html",
        summit=summit,
        organiser=organiser,
        invitations=invitations,
        participants=service.participants(summit),
        activities=activities,
        activity_titles={a.id: a.title for a in activities},
        maps=_rows(SafetyMap, summit, SafetyMap.created_at),
        findings=_rows(SummitFinding, summit, SummitFinding.created_at),
        actions=actions,
        may_update={a.id for a in actions if organiser or action_owner(current_user, a)},
        you_said=_rows(YouSaidWeDid, summit, YouSaidWeDid.told_on, YouSaidWeDid.created_at),
        context_referrals=db.session.execute(
            visible_query(ContextReferral).where(or_(ContextReferral.summit_id == summit.id, ContextReferral.source_summit_id == summit.id))
        )
        .unique()
        .scalars()
        .all(),
        invite_form=_invite_form(summit, invitations, invite_form) if organiser else None,
        checklist_form=checklist_form,
        checklist_changes=checklist_changes,
        ticked={item.key for item in checklist.ticked(summit.checklist)},
        next_status=NEXT_STATUS.get(summit.status),
        status_form=StatusForm(formdata=None),
        today=uk_today(),
    )
    return page, status


@bp.route("/summits/<uuid:summit_id>")
@login_required
def detail(summit_id):
    """The summit: its plan, the people and organisations in it, the activities, the safety maps, and
    what came after. An organisation only invited sees the invitation; one that declined, only that."""
    return _render_detail(get_or_404(SafetySummit, summit_id))


# Invitations and answers ---------------------------------------------------------------------------


@bp.route("/summits/<uuid:summit_id>/invite", methods=["POST"])
@login_required
def invite(summit_id):
    """Invite a school or a partner agency of the authority (once; never the host)."""
    summit = get_or_404(SafetySummit, summit_id, action="invite")
    form = InviteForm()
    invitations = service.invitations(summit)
    _invite_form(summit, invitations, form)
    if form.validate_on_submit():
        chosen = as_uuid(form.organisation.data)
        organisation = next((o for o in _invitable(summit) if o.id == chosen), None)
        if chosen == summit.host_organisation_id:
            form.organisation.errors.append("The host school is already taking part: it does not need an invitation")
        elif organisation is None:
            form.organisation.errors.append("Select a school or partner agency from the list")
        elif service.invite(summit, organisation.id, actor_id=current_user.id, title=summit.title, link=_path(summit)) is None:
            form.organisation.errors.append(f"{organisation.name} has already been invited")
        else:
            db.session.commit()
            flash(f"{organisation.name} has been invited. Their safeguarding contacts have been told.", "success")
            return _to_detail(summit.id, "invitations")
    return _render_detail(summit, invite_form=form)


@bp.route("/summits/invitations/<uuid:invitation_id>/respond", methods=["POST"])
@login_required
def respond(invitation_id):
    """An invited organisation accepts or declines."""
    invitation = get_or_404(Invitation, invitation_id, action="respond")
    if invitation.summit_id is None:
        not_found("invitation", invitation_id)
    summit = get_or_404(SafetySummit, invitation.summit_id)
    if invitation.status != InvitationStatus.INVITED:
        flash(f"{invitation.organisation.name} has already answered this invitation: {invitation.status.label.lower()}.")
        return _to_detail(summit.id)
    form = RespondForm()
    if not form.validate_on_submit():
        return _render_invitation(summit, form)
    accept = form.answer.data == "accept"
    service.respond(invitation, accept=accept, actor_id=current_user.id, note=form.note.data, inviter_title=summit.title, link=_path(summit))
    db.session.commit()
    if accept:
        flash(f"{invitation.organisation.name} has accepted the invitation. The organisers have been told.", "success")
    else:
        flash(f"{invitation.organisation.name} has declined the invitation. The organisers have been told.", "success")
    return _to_detail(summit.id)


# The plan ------------------------------------------------------------------------------------------


def _plan_values(summit) -> dict:
    return {
        "title": summit.title,
        "when": when_text(summit.starts_at, summit.ends_at),
        "venue": summit.venue,
        "young_people": young_people_text(summit.young_people),
        "consent_arranged": summit.consent_arranged,
        "consent_notes": summit.consent_notes,
        "inclusion_and_safety": summit.inclusion_and_safety,
    }


def _typed_plan(form: PlanForm) -> dict:
    return {
        "title": (form.title.data or "").strip(),
        "when": when_text(form.starts_at, form.ends_at),
        "venue": clean_text(form.venue.data),
        "young_people": young_people_text(form.young_people),
        "consent_arranged": form.consent_arranged.data == "yes",
        "consent_notes": clean_text(form.consent_notes.data),
        "inclusion_and_safety": clean_text(form.inclusion_and_safety.data),
    }


def _fill_plan(form: PlanForm, summit) -> None:
    form.title.data = summit.title
    if summit.starts_at:
        start = summit.starts_at.astimezone(UK)
        form.day.data = start.date()
        form.start_time.data = start.strftime("%H:%M")
    if summit.ends_at:
        form.end_time.data = summit.ends_at.astimezone(UK).strftime("%H:%M")
    form.venue.data = summit.venue
    for year in YEAR_GROUPS:
        form[year_field_name(year)].data = (summit.young_people or {}).get(year) or None
    form.consent_arranged.data = "yes" if summit.consent_arranged else "no"
    form.consent_notes.data = summit.consent_notes
    form.inclusion_and_safety.data = summit.inclusion_and_safety
    form.version.data = str(summit.version)


def _conflict(object_type: str, obj, saved: dict, yours: dict, labels: dict, form) -> list[locking.Change]:
    """Refuse a stale save: audited, what they typed kept, the next save made against the version now."""
    locking.stale_refused(object_type, obj.id)
    form.version.data = str(obj.version)
    return locking.what_changed(saved, yours, labels)


@bp.route("/summits/<uuid:summit_id>/edit", methods=["GET", "POST"])
@login_required
def edit(summit_id):
    """Organisers edit the plan: name, date and times (UK time), venue, young people by year group,
    consent, and how it is made inclusive and safe."""
    summit = get_or_404(SafetySummit, summit_id, action="plan")
    form = PlanForm()
    if request.method == "GET":
        _fill_plan(form, summit)
    changes = None
    if form.validate_on_submit():
        if form.version.version != summit.version:
            changes = _conflict("safety_summit", summit, _plan_values(summit), _typed_plan(form), PLAN_LABELS, form)
        else:
            before = _plan_values(summit)
            try:
                summit.title = form.title.data.strip()
                summit.starts_at, summit.ends_at = form.starts_at, form.ends_at
                summit.venue = clean_text(form.venue.data)
                summit.young_people = form.young_people
                summit.consent_arranged = form.consent_arranged.data == "yes"
                summit.consent_notes = clean_text(form.consent_notes.data)
                summit.inclusion_and_safety = clean_text(form.inclusion_and_safety.data)
                after = _plan_values(summit)
                _audit_change(summit, "plan", fields=[k for k in PLAN_LABELS if before[k] != after[k]])
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                summit = get_or_404(SafetySummit, summit_id, action="plan")
                changes = _conflict("safety_summit", summit, _plan_values(summit), _typed_plan(form), PLAN_LABELS, form)
            else:
                flash("The plan has been saved.", "success")
                return _to_detail(summit.id)
    return render_template("summits/plan.html", form=form, summit=summit, changes=changes)


@bp.route("/summits/<uuid:summit_id>/checklist", methods=["POST"], endpoint="checklist")
@login_required
def save_checklist(summit_id):
    """Tick the planning checklist (a stale save is refused, like the plan's)."""
    summit = get_or_404(SafetySummit, summit_id, action="plan")
    form = ChecklistForm()
    if not form.validate_on_submit():
        return _render_detail(summit, checklist_form=form)
    chosen = checklist.clean(form.items.data)
    if form.version.version == summit.version:
        try:
            summit.checklist = chosen
            _audit_change(summit, "checklist", ticked=chosen)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            summit = get_or_404(SafetySummit, summit_id, action="plan")
        else:
            flash("The planning checklist has been saved.", "success")
            return _to_detail(summit.id, "checklist")
    labels = {"checklist": "Planning checklist"}
    saved = {"checklist": "; ".join(i.label for i in checklist.ticked(summit.checklist))}
    yours = {"checklist": "; ".join(i.label for i in checklist.ticked(chosen))}
    changes = _conflict("safety_summit", summit, saved, yours, labels, form)
    return _render_detail(summit, checklist_form=form, checklist_changes=changes)


@bp.route("/summits/<uuid:summit_id>/status", methods=["POST"])
@login_required
def status(summit_id):
    """Planning → held → closed, by the organisers."""
    summit = get_or_404(SafetySummit, summit_id, action="set_status")
    form = StatusForm()
    step = NEXT_STATUS.get(summit.status)
    if not (form.validate_on_submit() and step and form.status.data == step[0].value):
        flash(f"This summit is {summit.status.label.lower()}: that change is not possible now.")
        return _to_detail(summit.id)
    try:
        summit.status = step[0]
        _audit_change(summit, "status", status=step[0].value)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash("Someone else changed this summit at the same moment. Check it, then try again.")
        return _to_detail(summit_id)
    flash(f"The summit is now: {step[0].label}.", "success")
    return _to_detail(summit.id)


# The people taking part ----------------------------------------------------------------------------


@bp.route("/summits/<uuid:summit_id>/participants", methods=["GET", "POST"])
@login_required
def participants(summit_id):
    """Add practitioners attending (from social care, the host and the organisations that accepted) as
    organiser, facilitator or attendee; or remove them."""
    summit = get_or_404(SafetySummit, summit_id, action="plan")
    people = service.participants(summit)
    candidates = _practitioners(summit)
    form = ParticipantForm()
    _select(form.user, {str(k): v for k, v in candidates.items()}, "Choose a practitioner")
    if request.method == "POST" and "remove" in request.form:
        remove = RemoveParticipantForm()
        row = next((p for p in people if str(p.id) == remove.remove.data), None)
        if remove.validate_on_submit() and row is not None:
            name, user_id = row.user.full_name, row.user_id
            service.remove_participant(summit, row, actor_id=current_user.id)
            revoked = revoke_links_made_by(summit.id, user_id, utcnow())
            db.session.commit()
            turned_off = {0: "", 1: " The tablet link they made has been turned off."}.get(
                revoked, f" The {revoked} tablet links they made have been turned off."
            )
            flash(f"{name} is no longer taking part.{turned_off}", "success")
        else:
            flash("That person is not taking part in this summit.")
        return redirect(url_for("summits.participants", summit_id=summit.id))
    if form.validate_on_submit():
        user_id = as_uuid(form.user.data)
        if user_id not in candidates:
            form.user.errors.append("Select a practitioner from the list")
        else:
            role = ParticipantRole(form.role.data)
            service.add_participant(summit, user_id, role, actor_id=current_user.id)
            notify_all([user_id], f"You are taking part in {summit.title} as {role.label.lower()}", link=_path(summit), exclude={current_user.id})
            db.session.commit()
            flash(f"{candidates[user_id].split(',')[0]} is taking part as {role.label.lower()}.", "success")
            return redirect(url_for("summits.participants", summit_id=summit.id))
    return render_template("summits/participants.html", summit=summit, people=people, form=form, remove_form=RemoveParticipantForm(formdata=None))


# Activities on the day -----------------------------------------------------------------------------


def _facilitator(form: ActivityForm, choices: dict[str, str]):
    """The facilitator chosen (a participant), or ``...`` when the choice is not one of them."""
    if not form.facilitator.data:
        return None
    if form.facilitator.data not in choices:
        form.facilitator.errors.append("Select a facilitator from the people taking part")
        return ...
    return as_uuid(form.facilitator.data)


def _facilitating(summit, activity, user_id) -> None:
    """A person given an activity facilitates (an attendee becomes a facilitator) and is told."""
    if user_id is None:
        return
    row = service.participant(summit, user_id)
    if row is not None and row.role == ParticipantRole.ATTENDEE:
        service.add_participant(summit, user_id, ParticipantRole.FACILITATOR, actor_id=current_user.id)
    notify_all([user_id], f"You are facilitating {activity.title} at {summit.title}", link=_path(summit), exclude={current_user.id})


@bp.route("/summits/<uuid:summit_id>/activities/new", methods=["GET", "POST"])
@login_required
def activity_new(summit_id):
    summit = get_or_404(SafetySummit, summit_id, action="plan")
    form = ActivityForm()
    options = _participant_choices(summit)
    _select(form.facilitator, options, "No facilitator yet")
    if form.validate_on_submit():
        facilitator_id = _facilitator(form, options)
        if facilitator_id is not ...:
            kind = ActivityKind(form.kind.data)
            activity = SummitActivity(
                summit_id=summit.id,
                kind=kind,
                title=clean_text(form.title.data) or kind.label,
                facilitator_id=facilitator_id,
                notes=clean_text(form.notes.data),
            )
            db.session.add(activity)
            db.session.flush()
            _audit_change(summit, "activity_added", activity=str(activity.id))
            _facilitating(summit, activity, facilitator_id)
            db.session.commit()
            flash(f"The activity {activity.title} has been added.", "success")
            return _to_detail(summit.id, "activities")
    return render_template("summits/activity.html", form=form, summit=summit, activity=None, changes=None)


def _activity_values(activity) -> dict:
    return {
        "kind": activity.kind,
        "title": activity.title,
        "facilitator": activity.facilitator.full_name if activity.facilitator else None,
        "notes": activity.notes,
    }


@bp.route("/summits/activities/<uuid:activity_id>/edit", methods=["GET", "POST"])
@login_required
def activity_edit(activity_id):
    """Organisers edit an activity; its facilitator edits its notes."""
    activity = get_or_404(SummitActivity, activity_id, action="edit_notes")
    summit = get_or_404(SafetySummit, activity.summit_id)
    organiser = _may("plan", summit)
    form = ActivityForm()
    options = _participant_choices(summit) if organiser else {}
    if organiser:
        _select(form.facilitator, options, "No facilitator yet")
    else:
        for name in ("kind", "title", "facilitator"):
            del form[name]
    if request.method == "GET":
        form.notes.data = activity.notes
        form.version.data = str(activity.version)
        if organiser:
            form.kind.data, form.title.data = activity.kind.value, activity.title
            form.facilitator.data = str(activity.facilitator_id) if activity.facilitator_id else ""
    changes = None
    if form.validate_on_submit():
        facilitator_id = _facilitator(form, options) if organiser else activity.facilitator_id
        if facilitator_id is not ...:
            labels = {k: v for k, v in ACTIVITY_LABELS.items() if k in form}
            yours = {"notes": clean_text(form.notes.data)}
            if organiser:
                kind = ActivityKind(form.kind.data)
                yours |= {
                    "kind": kind,
                    "title": clean_text(form.title.data) or kind.label,
                    "facilitator": options.get(form.facilitator.data, "").split(" (")[0] or None,
                }
            if form.version.version != activity.version:
                changes = _conflict("summit_activity", activity, _activity_values(activity), yours, labels, form)
            else:
                new_facilitator = organiser and facilitator_id != activity.facilitator_id
                try:
                    activity.notes = yours["notes"]
                    if organiser:
                        activity.kind, activity.title, activity.facilitator_id = yours["kind"], yours["title"], facilitator_id
                    db.session.flush()
                    _audit_change(summit, "activity_edited", activity=str(activity.id))
                    if new_facilitator:
                        _facilitating(summit, activity, facilitator_id)
                    db.session.commit()
                except StaleDataError:
                    db.session.rollback()
                    activity = get_or_404(SummitActivity, activity_id, action="edit_notes")
                    changes = _conflict("summit_activity", activity, _activity_values(activity), yours, labels, form)
                else:
                    flash(f"The activity {activity.title} has been saved.", "success")
                    return _to_detail(summit.id, "activities")
    return render_template("summits/activity.html", form=form, summit=summit, activity=activity, changes=changes)


# After the summit ----------------------------------------------------------------------------------


@bp.route("/summits/<uuid:summit_id>/findings/new", methods=["GET", "POST"])
@login_required
def finding_new(summit_id):
    summit = get_or_404(SafetySummit, summit_id, action="add_finding")
    early = _after_the_summit(summit)
    if early:
        return early
    activities = _rows(SummitActivity, summit, SummitActivity.created_at)
    form = FindingForm()
    _select(form.activity, {str(a.id): a.title for a in activities}, "Not from one activity")
    if form.validate_on_submit():
        activity_id = as_uuid(form.activity.data) if form.activity.data else None
        if activity_id is not None and activity_id not in {a.id for a in activities}:
            form.activity.errors.append("Select an activity of this summit")
        else:
            finding = SummitFinding(summit_id=summit.id, activity_id=activity_id, text=form.text.data.strip(), created_by_id=current_user.id)
            db.session.add(finding)
            db.session.flush()
            record(
                Action.SUMMIT_FINDING_ADDED,
                object_type="summit_finding",
                object_id=finding.id,
                organisation_id=summit.host_organisation_id,
                details={"summit": str(summit.id)},
            )
            db.session.commit()
            flash("The finding has been saved.", "success")
            return _to_detail(summit.id, "findings")
    return render_template("summits/finding.html", form=form, summit=summit)


def _owner(form: ActionForm, options: dict[str, str]) -> dict | None:
    owner = owner_ids(form.owner.data) if form.owner.data in options else None
    if owner is None:
        form.owner.errors.append("Select who owns the action from the list")
    return owner


@bp.route("/summits/<uuid:summit_id>/actions/new", methods=["GET", "POST"])
@login_required
def action_new(summit_id):
    """An action of the plan: what, a named owner (a person or an organisation), a due date."""
    summit = get_or_404(SafetySummit, summit_id, action="add_action")
    early = _after_the_summit(summit)
    if early:
        return early
    form = ActionForm()
    for name in ("status", "progress_note", "version"):
        del form[name]
    options = _owner_choices(summit)
    _select(form.owner, options, "Choose an owner")
    if form.validate_on_submit():
        owner = _owner(form, options)
        if form.due_on.data < uk_today():
            form.due_on.errors.append("The due date must be today or in the future")
        elif owner is not None:
            service.add_action(summit, description=form.description.data, due_on=form.due_on.data, actor_id=current_user.id, link=_path(summit), **owner)
            db.session.commit()
            flash("The action has been added. Its owner has been told.", "success")
            return _to_detail(summit.id, "actions")
    return render_template("summits/action.html", form=form, summit=summit, row=None, changes=None, today=uk_today())


def _action_values(row: PlanAction) -> dict:
    return {
        "description": row.description,
        "owner": row.owner_name,
        "due_on": row.due_on,
        "status": row.status,
        "progress_note": row.progress_note,
    }


@bp.route("/summits/actions/<uuid:action_id>/edit", methods=["GET", "POST"])
@login_required
def action_edit(action_id):
    """Organisers change an action; its owner updates the status and progress."""
    row = get_or_404(PlanAction, action_id, action="update")
    if row.summit_id is None:
        not_found("plan_action", action_id)
    summit = get_or_404(SafetySummit, row.summit_id)
    organiser = _may("add_action", summit)
    form = ActionForm()
    options = _owner_choices(summit, row) if organiser else {}
    if organiser:
        _select(form.owner, options, "Choose an owner")
    else:
        for name in ("description", "owner", "due_on"):
            del form[name]
    if request.method == "GET":
        form.status.data, form.progress_note.data, form.version.data = row.status.value, row.progress_note, str(row.version)
        if organiser:
            form.description.data, form.due_on.data = row.description, row.due_on
            form.owner.data = owner_value(row)
    changes = None
    if form.validate_on_submit():
        owner = _owner(form, options) if organiser else {}
        if owner is not None:
            labels = {k: v for k, v in ACTION_LABELS.items() if k in form}
            yours = {"status": ActionStatus(form.status.data), "progress_note": clean_text(form.progress_note.data)}
            if organiser:
                yours |= {
                    "description": form.description.data.strip(),
                    "owner": options[form.owner.data].removesuffix(" (organisation)"),
                    "due_on": form.due_on.data,
                }
            if form.version.version != row.version:
                changes = _conflict("plan_action", row, _action_values(row), yours, labels, form)
            else:
                new_owner = organiser and owner != {"owner_user_id": row.owner_user_id, "owner_organisation_id": row.owner_organisation_id}
                try:
                    if organiser:
                        row.description = yours["description"]
                        row.owner_user_id, row.owner_organisation_id = owner["owner_user_id"], owner["owner_organisation_id"]
                    service.update_action(row, status=yours["status"], progress_note=yours["progress_note"], due_on=form.due_on.data if organiser else None)
                    db.session.flush()
                    if new_owner:
                        owners = [row.owner_user_id] if row.owner_user_id else service.organisation_contacts(row.owner_organisation_id)
                        notify_all(owners, f"An action is yours, due {row.due_on.strftime('%-d %B %Y')}", link=_path(summit), exclude={current_user.id})
                    if not organiser:
                        notify_all(
                            [row.created_by_id], f"Action updated ({row.status.label.lower()}): {summit.title}", link=_path(summit), exclude={current_user.id}
                        )
                    db.session.commit()
                except StaleDataError:
                    db.session.rollback()
                    row = get_or_404(PlanAction, action_id, action="update")
                    changes = _conflict("plan_action", row, _action_values(row), yours, labels, form)
                else:
                    flash("The action has been saved.", "success")
                    return _to_detail(summit.id, "actions")
    return render_template("summits/action.html", form=form, summit=summit, row=row, changes=changes, today=uk_today())


@bp.route("/summits/<uuid:summit_id>/you-said-we-did/new", methods=["GET", "POST"])
@login_required
def you_said_new(summit_id):
    """ "You said, we did": what young people said, what was done, and when and how they were told."""
    summit = get_or_404(SafetySummit, summit_id, action="record_you_said")
    early = _after_the_summit(summit)
    if early:
        return early
    form = YouSaidForm()
    if form.validate_on_submit():
        row = YouSaidWeDid(
            summit_id=summit.id,
            you_said=form.you_said.data.strip(),
            we_did=form.we_did.data.strip(),
            told_on=form.told_on.data,
            told_how=form.told_how.data.strip(),
            created_by_id=current_user.id,
        )
        db.session.add(row)
        db.session.flush()
        record(
            Action.YOU_SAID_WE_DID_ADDED,
            object_type="you_said_we_did",
            object_id=row.id,
            organisation_id=summit.host_organisation_id,
            details={"summit": str(summit.id)},
        )
        db.session.commit()
        flash("You said, we did has been saved.", "success")
        return _to_detail(summit.id, "you-said-we-did")
    return render_template("summits/you_said.html", form=form, summit=summit)
