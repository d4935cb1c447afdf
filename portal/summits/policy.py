"""Safety summits: who sees one (an organisation invited sees the invitation; the plan, activities, maps
and findings need it accepted), who organises and facilitates it, and the safety maps' links."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, Select, false, or_, select, true

from portal.accounts.models import User
from portal.extensions import db
from portal.partnership.audiences import holds_role_in, participations
from portal.partnership.models import Invitation, InvitationStatus, Participant, ParticipantRole
from portal.policies import Policy, casework_schools, invitable_organisations, is_social_care, never, within
from portal.summits.models import MapLink, MapMarker, SafetyMap, SafetySummit, SummitActivity, SummitFinding, YouSaidWeDid


def summit_visible(user) -> ColumnElement[bool]:
    if is_social_care(user):
        return true()
    return or_(
        within(SafetySummit.host_organisation_id, casework_schools(user)),
        SafetySummit.id.in_(_summit_ids_invited(user, accepted=False)),
        SafetySummit.id.in_(_summit_ids_participating(user)),
    )


def summit_content(user) -> ColumnElement[bool]:
    if is_social_care(user):
        return true()
    return or_(
        within(SafetySummit.host_organisation_id, casework_schools(user)),
        SafetySummit.id.in_(_summit_ids_invited(user, accepted=True)),
        SafetySummit.id.in_(_summit_ids_participating(user)),
    )


def _summit_ids_invited(user, *, accepted: bool) -> Select:
    orgs = invitable_organisations(user)
    query = select(Invitation.summit_id).where(within(Invitation.organisation_id, orgs), Invitation.summit_id.is_not(None))
    return query.where(Invitation.status == InvitationStatus.ACCEPTED) if accepted else query


def _summit_ids_participating(user, *roles) -> Select:
    return participations(user, Participant.summit_id, *roles)


def summit_organiser(user, summit) -> bool:
    """Plans the summit: children's social care, the host school's DSLs and head, named organisers."""
    if is_social_care(user) or summit.host_organisation_id in casework_schools(user):
        return True
    return holds_role_in(user, Participant.summit_id, summit.id, ParticipantRole.ORGANISER)


def summit_facilitator(user, summit) -> bool:
    return summit_organiser(user, summit) or holds_role_in(user, Participant.summit_id, summit.id, ParticipantRole.FACILITATOR)


def summit_content_ids(user) -> Select:
    return select(SafetySummit.id).where(summit_content(user))


def _summit_allows(user, action, obj) -> bool:
    if action in {"plan", "invite", "add_finding", "add_action", "record_you_said", "upload_map", "raise_referral", "set_status"}:
        return summit_organiser(user, obj)
    if action in {"open", "view_content"}:
        return db.session.execute(select(SafetySummit.id).where(SafetySummit.id == obj.id, summit_content(user))).first() is not None
    if action == "respond":
        return bool(invitable_organisations(user))
    return False


def _summit_child_allows(user, action, obj) -> bool:
    summit = db.session.get(SafetySummit, obj.summit_id) if hasattr(obj, "summit_id") else None
    if summit is None:
        return False
    if action in {"edit_notes"} and isinstance(obj, SummitActivity):
        return obj.facilitator_id == user.id or summit_organiser(user, summit)
    if action in {"place_marker", "create_link"}:
        return summit_facilitator(user, summit)
    if action in {"edit", "delete"}:
        return summit_organiser(user, summit)
    return False


def _summit_child(model) -> Callable[[User], ColumnElement[bool]]:
    def visible(user) -> ColumnElement[bool]:
        return model.summit_id.in_(summit_content_ids(user))

    return visible


def _map_child(model) -> Callable[[User], ColumnElement[bool]]:
    def visible(user) -> ColumnElement[bool]:
        return model.map_id.in_(select(SafetyMap.id).where(SafetyMap.summit_id.in_(summit_content_ids(user))))

    return visible


def _map_link_visible(user) -> ColumnElement[bool]:
    # Links are the facilitators' tools: the person who made one, and the summit's organisers.
    if not user.is_authenticated:
        return false()
    organised = select(SafetySummit.id).where(
        or_(
            true() if is_social_care(user) else false(),
            within(SafetySummit.host_organisation_id, casework_schools(user)),
            SafetySummit.id.in_(_summit_ids_participating(user, ParticipantRole.ORGANISER)),
        )
    )
    return or_(
        MapLink.created_by_id == user.id,
        MapLink.map_id.in_(select(SafetyMap.id).where(SafetyMap.summit_id.in_(organised))),
    )


POLICIES: dict[type, Policy] = {
    SafetySummit: Policy(visible=summit_visible, allows=_summit_allows),
    SummitActivity: Policy(visible=_summit_child(SummitActivity), allows=_summit_child_allows),
    SummitFinding: Policy(visible=_summit_child(SummitFinding), allows=_summit_child_allows),
    YouSaidWeDid: Policy(visible=_summit_child(YouSaidWeDid), allows=_summit_child_allows),
    SafetyMap: Policy(visible=_summit_child(SafetyMap), allows=_summit_child_allows),
    MapMarker: Policy(visible=_map_child(MapMarker), allows=never),
    MapLink: Policy(visible=_map_link_visible, allows=lambda user, action, obj: action == "revoke"),
}
