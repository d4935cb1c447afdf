"""Factories for the summit tests: summits, invitations, people taking part, activities, actions, maps,
made through the models and the shared workspace services inside the authority's tenant context."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from portal.clock import uk_today
from tests.factories import _scope


def make_summit(app, side, *, host: str = "school1", by: str = "front_door", status: str = "planning", **fields) -> uuid.UUID:
    """A summit hosted by ``host``, created by ``by`` (its organiser), on 17 March 2026, 9am to 12:30pm UK time."""
    from portal.extensions import db
    from portal.partnership.models import Participant, ParticipantRole
    from portal.summits.models import SafetySummit, SummitStatus

    author = side.people[by]
    values = {
        "title": "Student Safety Summit",
        "starts_at": datetime(2026, 3, 17, 9, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 3, 17, 12, 30, tzinfo=UTC),
        "venue": "The sports hall",
        "young_people": {"Year 9": 30},
        "status": SummitStatus(status),
    }
    values.update(fields)
    with _scope(app, side, author):
        summit = SafetySummit(host_organisation_id=getattr(side, host), created_by_id=author.id, **values)
        db.session.add(summit)
        db.session.flush()
        db.session.add(Participant(summit_id=summit.id, user_id=author.id, role=ParticipantRole.ORGANISER, added_by_id=author.id))
        db.session.commit()
        return summit.id


def invite(app, side, summit_id, organisation: str, answer: str | None = None, by: str = "front_door") -> uuid.UUID:
    """Invite ``organisation`` (a side attribute: school2, police, health); ``answer`` accepted/declined."""
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.partnership.models import Invitation, InvitationStatus

    answerer = {"school2": "dsl2", "police": "partner", "health": "partner2", "school1": "dsl1"}[organisation]
    with _scope(app, side, side.people[by]):
        invitation = Invitation(summit_id=summit_id, organisation_id=getattr(side, organisation), invited_by_id=side.people[by].id)
        if answer:
            invitation.status = InvitationStatus(answer)
            invitation.responded_at = utcnow()
            invitation.responded_by_id = side.people[answerer].id
        db.session.add(invitation)
        db.session.commit()
        return invitation.id


def add_person(app, side, summit_id, person: str, role: str = "attendee") -> uuid.UUID:
    from portal.extensions import db
    from portal.partnership.models import Participant, ParticipantRole

    with _scope(app, side):
        row = Participant(summit_id=summit_id, user_id=side.people[person].id, role=ParticipantRole(role), added_by_id=side.front_door.id)
        db.session.add(row)
        db.session.commit()
        return row.id


def make_activity(app, side, summit_id, *, facilitator: str | None = None, **fields) -> uuid.UUID:
    from portal.extensions import db
    from portal.summits.models import ActivityKind, SummitActivity

    values = {"kind": ActivityKind.NEIGHBOURHOOD, "title": "Mapping our neighbourhood", "notes": "Groups of six with a large map each."}
    values.update(fields)
    with _scope(app, side):
        activity = SummitActivity(summit_id=summit_id, facilitator_id=side.people[facilitator].id if facilitator else None, **values)
        db.session.add(activity)
        db.session.commit()
        return activity.id


def make_action(
    app, side, summit_id, *, owner: str | None = None, organisation: str | None = None, due_on: date | None = None, by: str = "front_door"
) -> uuid.UUID:
    """A plan action owned by a person (``owner``, a person key) or an organisation (a side attribute)."""
    from portal.extensions import db
    from portal.partnership.models import PlanAction

    with _scope(app, side, side.people[by]):
        row = PlanAction(
            summit_id=summit_id,
            description="Ask the council to light the alley by the chip shop.",
            owner_user_id=side.people[owner].id if owner else None,
            owner_organisation_id=getattr(side, organisation) if organisation else None,
            due_on=due_on or uk_today() + timedelta(days=30),
            created_by_id=side.people[by].id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def make_finding(app, side, summit_id, text: str = "Year 9 feel unsafe at the bus station after 4pm.") -> uuid.UUID:
    from portal.extensions import db
    from portal.summits.models import SummitFinding

    with _scope(app, side):
        row = SummitFinding(summit_id=summit_id, text=text, created_by_id=side.front_door.id)
        db.session.add(row)
        db.session.commit()
        return row.id


def make_map(app, side, summit_id, title: str = "Map of the town centre") -> uuid.UUID:
    """A safety map row (no image is needed for the summit's page, which only lists maps)."""
    from portal.extensions import db
    from portal.summits.models import MapKind, SafetyMap

    with _scope(app, side):
        row = SafetyMap(
            summit_id=summit_id,
            title=title,
            kind=MapKind.NEIGHBOURHOOD,
            description="The town centre and the bus station.",
            content_type="image/png",
            size_bytes=1000,
            width=800,
            height=600,
            storage_key=secrets.token_hex(16),
            uploaded_by_id=side.front_door.id,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def rows(app, side, model, **filters) -> list:
    from tests.support import detached_rows

    return detached_rows(app, model, side.authority_id, **filters)


def one(app, side, model, object_id):
    from tests.world import load

    return load(app, model, object_id, side.authority_id)


def notification_titles(app, side, person) -> list[str]:
    from portal.extensions import db
    from portal.notifications.models import Notification
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        return (
            db.session.execute(select(Notification.title).where(Notification.user_id == side.people[person].id).order_by(Notification.created_at))
            .scalars()
            .all()
        )


def notifications(app, side, person) -> list[tuple[str, str | None]]:
    """``(title, body)`` of every notification ``person`` was sent, oldest first."""
    from portal.extensions import db
    from portal.notifications.models import Notification
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        query = select(Notification.title, Notification.body).where(Notification.user_id == side.people[person].id).order_by(Notification.created_at)
        return [tuple(row) for row in db.session.execute(query).all()]


def summit_from_panel(app, side, *, school: str = "school1", by: str = "front_door") -> tuple[uuid.UUID, uuid.UUID]:
    """A context referral about ``school`` decided by the panel as "early help: a safety summit" through
    ``portal.contexts.service.decide``: returns (context referral id, the summit it opened)."""
    from portal.contexts.models import ContextReferral, ContextSubject, PanelDecision
    from portal.contexts.service import Decision, current_thresholds, decide
    from portal.extensions import db
    from portal.vocabulary import Level

    person = side.people[by]
    with _scope(app, side, person):
        referral = ContextReferral(
            organisation_id=getattr(side, school),
            subject=ContextSubject.LOCATION,
            subject_description="The alley between the school and the bus station.",
            concern="Several Year 9 pupils say older young people wait for them in the alley after school.",
            threshold_set_id=current_thresholds().id,
            suggested_level=Level.UNIVERSAL,
            agrees_with_suggestion=True,
            referrer_level=Level.UNIVERSAL,
            level_reason="No single child is at risk of significant harm.",
            raised_by_id=person.id,
            raised_by_organisation_id=side.social_care,
        )
        db.session.add(referral)
        db.session.flush()
        summit = decide(referral, Decision(PanelDecision.SAFETY_SUMMIT, reason="A summit will tell us how young people feel."), actor_id=person.id)
        db.session.commit()
        return referral.id, summit.id
