"""Factories and look-ups for the contexts tests: context referrals, panel meetings, decisions, and a
safety summit with findings and markers (made through the models and services, inside the authority)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from portal.clock import utcnow
from tests.factories import _scope

#: A context referral's form with every answer (the second step included), apart from the indicators.
FORM = {
    "subject": "peer_group",
    "peer_group": "A group of Year 9 girls who leave together at lunchtime.",
    "concern": "Older men wait by the gates at lunchtime; the girls have new phones and bags.",
    "categories": ["sexual_exploitation"],
    "young_people_count": "6",
    "year_groups": ["9"],
    "agrees": "yes",
    "level_reason": "Several girls are affected and the school has seen it for weeks.",
}


def form(**changes) -> dict:
    data = dict(FORM)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def indicator_ids(app, side, level: str | None = None, version=None) -> list[str]:
    """The indicator ids of the version in force (or ``version``), optionally of one level."""
    from portal.contexts.models import ThresholdIndicator
    from portal.contexts.service import current_thresholds
    from portal.extensions import db

    with _scope(app, side):
        set_id = version or current_thresholds().id
        query = select(ThresholdIndicator).where(ThresholdIndicator.threshold_set_id == set_id).order_by(ThresholdIndicator.level, ThresholdIndicator.position)
        rows = db.session.execute(query).scalars().all()
        db.session.commit()
        return [str(r.id) for r in rows if level is None or r.level.value == level]


def make_referral(app, side, by: str = "dsl1", school: str = "school1", *, levels=("child_in_need",), pupils=(), **fields) -> uuid.UUID:
    """A context referral raised by ``by`` about ``school``, one indicator checked at each of ``levels``."""
    from portal.contexts.models import ContextReferral, ContextReferralIndicator, ContextReferralPupil, ContextSubject
    from portal.contexts.service import current_thresholds, suggest_level
    from portal.extensions import db

    person = side.people[by]
    with _scope(app, side, person):
        thresholds = current_thresholds()
        checked = [next(i for i in thresholds.indicators if i.level.value == level) for level in levels]
        suggested = suggest_level(checked)
        school_id = getattr(side, school)
        values = {
            "organisation_id": school_id,
            "subject": ContextSubject.PEER_GROUP,
            "subject_description": "A group of Year 9 girls who leave together at lunchtime.",
            "concern": "Older men wait by the gates at lunchtime.",
            "categories": ["sexual_exploitation"],
            "young_people_count": 6,
            "year_groups": ["9"],
            "threshold_set_id": thresholds.id,
            "suggested_level": suggested,
            "agrees_with_suggestion": True,
            "referrer_level": suggested,
            "level_reason": "Several girls are affected.",
            "raised_by_id": person.id,
        }
        values.update(fields)
        from portal.accounts.models import User

        user = db.session.get(User, person.id)
        orgs = sorted(user.organisation_ids())
        values.setdefault("raised_by_organisation_id", school_id if school_id in orgs else (orgs[0] if orgs else school_id))
        referral = ContextReferral(**values)
        db.session.add(referral)
        db.session.flush()
        for indicator in checked:
            db.session.add(ContextReferralIndicator(context_referral_id=referral.id, indicator_id=indicator.id))
        for pupil_id in pupils:
            db.session.add(ContextReferralPupil(context_referral_id=referral.id, pupil_id=pupil_id))
        db.session.commit()
        return referral.id


def make_meeting(app, side, *, days: int = 7, venue: str = "County Hall, room 2", invite=(), accepted=(), listed=()) -> uuid.UUID:
    """A panel meeting ``days`` from now, with partner organisations invited (and some accepted) and
    referrals listed on its agenda."""
    from portal.contexts.models import ContextReferral, PanelMeeting
    from portal.extensions import db
    from portal.partnership.models import Invitation, InvitationStatus

    with _scope(app, side, side.front_door):
        meeting = PanelMeeting(meets_at=utcnow() + timedelta(days=days), venue=venue, created_by_id=side.front_door.id)
        db.session.add(meeting)
        db.session.flush()
        for key in invite:
            status = InvitationStatus.ACCEPTED if key in accepted else InvitationStatus.INVITED
            responder = {"responded_by_id": side.partner.id, "responded_at": utcnow()} if key in accepted else {}
            db.session.add(
                Invitation(organisation_id=getattr(side, key), panel_meeting_id=meeting.id, invited_by_id=side.front_door.id, status=status, **responder)
            )
        for referral_id in listed:
            db.session.get(ContextReferral, referral_id).panel_meeting_id = meeting.id
        db.session.commit()
        return meeting.id


def invitation_id(app, side, meeting_id, organisation: str = "police") -> uuid.UUID:
    from portal.extensions import db
    from portal.partnership.models import Invitation

    with _scope(app, side):
        return db.session.execute(
            select(Invitation.id).where(Invitation.panel_meeting_id == meeting_id, Invitation.organisation_id == getattr(side, organisation))
        ).scalar_one()


def decide(app, side, referral_id, decision: str = "below_threshold", **values):
    """Record a decision through the service, as the front door."""
    from portal.contexts import service
    from portal.contexts.models import ContextReferral, PanelDecision
    from portal.extensions import db

    with _scope(app, side, side.front_door):
        referral = db.session.get(ContextReferral, referral_id)
        values.setdefault("reason", "The school can manage this with the advice given.")
        if decision == "below_threshold":
            values.setdefault("advice", "Supervise the gates at lunchtime.")
        service.decide(referral, service.Decision(decision=PanelDecision(decision), **values), actor_id=side.front_door.id)
        db.session.commit()


def make_summit(app, side, *, host: str = "school1", invited=(("school2", "accepted"),), organiser: str = "dsl1") -> uuid.UUID:
    """A safety summit hosted by ``host``, with two findings and a map: three unsafe markers in square
    C2 (one named), one in A1, and a safe one."""
    from portal.extensions import db
    from portal.partnership.models import Invitation, InvitationStatus
    from portal.summits.models import MapKind, MapMarker, MarkerMethod, Safety, SafetyMap, SafetySummit, SummitFinding

    person = side.people[organiser]
    with _scope(app, side, person):
        summit = SafetySummit(host_organisation_id=getattr(side, host), title="Summer safety summit", created_by_id=person.id)
        db.session.add(summit)
        db.session.flush()
        for key, status in invited:
            extra = {"responded_by_id": person.id, "responded_at": utcnow()} if status != "invited" else {}
            db.session.add(
                Invitation(organisation_id=getattr(side, key), summit_id=summit.id, invited_by_id=person.id, status=InvitationStatus(status), **extra)
            )
        for text in ("Girls feel unsafe at the bus station after school.", "Nobody supervises the back gate."):
            db.session.add(SummitFinding(summit_id=summit.id, text=text, created_by_id=person.id))
        safety_map = SafetyMap(
            summit_id=summit.id,
            title="The streets around the school",
            kind=MapKind.NEIGHBOURHOOD,
            description="A street map of the area around the school.",
            content_type="image/png",
            size_bytes=100,
            width=800,
            height=600,
            storage_key=uuid.uuid4().hex,
            uploaded_by_id=person.id,
        )
        db.session.add(safety_map)
        db.session.flush()
        markers = [(2, 1, "unsafe", "the bus station"), (2, 1, "unsafe", None), (2, 1, "unsafe", None), (0, 0, "unsafe", None), (5, 5, "safe", "the library")]
        for column, row, safety, place in markers:
            db.session.add(
                MapMarker(
                    map_id=safety_map.id,
                    x=0.5,
                    y=0.5,
                    grid_column=column,
                    grid_row=row,
                    safety=Safety(safety),
                    place=place,
                    method=MarkerMethod.GRID,
                    placed_by_id=person.id,
                )
            )
        db.session.commit()
        return summit.id


def row(app, side, model, object_id):
    from tests.world import load

    return load(app, model, object_id, side.authority_id)


def rows(app, side, model, **filters):
    from tests.support import detached_rows

    return detached_rows(app, model, side.authority_id, **filters)


def notifications(app, side, person, containing: str = "") -> list[str]:
    from tests.referrals.support import notifications as titles

    return titles(app, side, person, containing)


def move(app, side, key: str, *, leaves: str = "school1", joins: str = "school2") -> None:
    """``key`` leaves one school for another: their memberships at ``leaves`` are removed and the same
    roles given at ``joins``."""
    from portal.accounts.models import Membership
    from portal.extensions import db

    with _scope(app, side):
        person = side.people[key]
        old = db.session.execute(select(Membership).where(Membership.user_id == person.id, Membership.organisation_id == getattr(side, leaves))).scalars().all()
        assert old, f"{key} has no membership at {leaves}"
        for membership in old:
            db.session.add(Membership(user_id=person.id, role=membership.role, organisation_id=getattr(side, joins)))
            db.session.delete(membership)
        db.session.commit()


def name_for_duty(app, side, key: str, duty: str) -> None:
    """Name ``key`` for a duty in the authority's settings (``context_panel_member``, ``front_door_manager``)."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db

    with _scope(app, side):
        db.session.add(AuthorityDuty(user_id=side.people[key].id, duty=Duty(duty)))
        db.session.commit()
