"""What the summits' pages share: rights shown on a page, the people and organisations that may be
chosen, the refusal of a stale save, and how a map's image and markers are served."""

from __future__ import annotations

import uuid

from flask import abort, flash, make_response, redirect, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from portal import locking
from portal.accounts.models import Membership, Role, User
from portal.authorities.models import Organisation, OrganisationKind
from portal.casework import files
from portal.extensions import db
from portal.partnership import service as partnership
from portal.partnership.forms import owner_choices
from portal.partnership.models import InvitationStatus, PlanAction
from portal.policies import policy_for, visible_query
from portal.summits.models import MapMarker, SafetyMap, SummitStatus

#: Roles of the practitioners who may take part (never a governor or an administrator).
PRACTITIONER_ROLES = (Role.STAFF, Role.DSL, Role.HEAD, Role.FRONT_DOOR, Role.ASSESSOR, Role.PARTNER)


def may(action: str, obj) -> bool:
    """Whether the person signed in may do ``action`` to ``obj`` (to show or hide a part of a page)."""
    return policy_for(type(obj)).allows(current_user, action, obj)


def to_detail(summit_id, anchor: str | None = None):
    return redirect(url_for("summits.detail", summit_id=summit_id, _anchor=anchor))


def rows(model, summit, *order):
    """The summit's rows of ``model`` this person may see."""
    return db.session.execute(visible_query(model).where(model.summit_id == summit.id).order_by(*order)).unique().scalars().all()


def select_from(field, options: dict[str, str], empty: str) -> None:
    field.choices = [("", empty)] + list(options.items())


def after_the_summit(summit):
    """Findings, actions and "You said, we did" come after the summit: a redirect while it is planned."""
    if summit.status == SummitStatus.PLANNING:
        flash("Findings, the action plan and You said, we did are recorded after the summit. Mark the summit as held first.")
        return to_detail(summit.id)
    return None


def conflict(object_type: str, obj, saved: dict, yours: dict, labels: dict, form) -> list[locking.Change]:
    """Refuse a stale save: audited, what they typed kept, the next save made against the version now."""
    locking.stale_refused(object_type, obj.id)
    form.version.data = str(obj.version)
    return locking.what_changed(saved, yours, labels)


# Who may be chosen ---------------------------------------------------------------------------------


def _accepted_organisation_ids(summit) -> list[uuid.UUID]:
    return [i.organisation_id for i in partnership.invitations(summit) if i.status == InvitationStatus.ACCEPTED]


def practitioners(summit) -> dict[uuid.UUID, str]:
    """People who may be added: practitioners of children's social care, the host school and the
    organisations that accepted (never governors or administrators), as ``{user id: "Name, Organisation"}``.
    (People are not visible to one another through ``visible_query(User)``, which is for administrators;
    like ``partnership.service.organisation_contacts``, this reads memberships directly.)"""
    organisations = [summit.host_organisation_id, *_accepted_organisation_ids(summit)]
    found_rows = db.session.execute(
        select(User.id, User.full_name, Organisation.name)
        .join(Membership, (Membership.user_id == User.id) & (Membership.authority_id == User.authority_id))
        .join(Organisation, (Organisation.id == Membership.organisation_id) & (Organisation.authority_id == Membership.authority_id))
        .where(
            or_(Membership.organisation_id.in_(organisations), Organisation.kind == OrganisationKind.SOCIAL_CARE),
            Membership.role.in_(PRACTITIONER_ROLES),
            User.deactivated_at.is_(None),
            User.password_hash.is_not(None),
        )
        .order_by(Organisation.name, User.full_name)
    ).all()
    found: dict[uuid.UUID, str] = {}
    for user_id, name, organisation in found_rows:
        found.setdefault(user_id, f"{name}, {organisation}")
    return found


def _taking_part(summit) -> list:
    """The people listed in the summit who still belong to an organisation taking part in it (children's
    social care, the host school, or one that accepted): someone who has left it, or whose organisation
    was never in the summit, is not offered as a facilitator or an action's owner."""
    found = practitioners(summit)
    return [p for p in partnership.participants(summit) if p.user_id in found]


def participant_choices(summit) -> dict[str, str]:
    return {str(p.user_id): f"{p.user.full_name} ({p.role.label.lower()})" for p in _taking_part(summit)}


def owner_options(summit, current: PlanAction | None = None) -> dict[str, str]:
    """Who may own an action: a person taking part, or the host or an organisation that accepted (never
    one only invited, or that declined). An action's current owner stays a choice."""
    organisation_ids = [summit.host_organisation_id, *_accepted_organisation_ids(summit)]
    organisations = db.session.execute(visible_query(Organisation).where(Organisation.id.in_(organisation_ids)).order_by(Organisation.name)).scalars()
    people = [(p.user_id, p.user.full_name) for p in _taking_part(summit)]
    return dict(owner_choices(people, [(o.id, o.name) for o in organisations], current))


# Maps ----------------------------------------------------------------------------------------------


def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def image_response(safety_map: SafetyMap):
    try:
        data = files.read(safety_map.storage_key)
    except FileNotFoundError:
        abort(404)
    response = make_response(data)
    response.mimetype = safety_map.content_type
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return no_store(response)


def markers(query) -> list[MapMarker]:
    return db.session.execute(query.order_by(MapMarker.created_at, MapMarker.id)).scalars().all()
