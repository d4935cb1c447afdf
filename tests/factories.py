"""Factories for casework tests: pupils, concerns, advice requests and referrals, made through the
models and services inside the authority's tenant context, as the portal would."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from portal.clock import utcnow


def _scope(app, side, user=None):
    from contextlib import ExitStack

    from tenants.context import tenant_scope

    stack = ExitStack()
    stack.enter_context(app.app_context())
    stack.enter_context(tenant_scope(side.authority_id, user.id if user is not None else None))
    return stack


def make_pupil(app, side, school: str = "school1", **fields) -> uuid.UUID:
    from portal.extensions import db
    from portal.pupils.models import Pupil

    values = {
        "legal_forename": "Jordan",
        "legal_surname": "Example",
        "date_of_birth": date(2015, 3, 14),
        "year_group": "6",
    }
    values.update(fields)
    with _scope(app, side):
        pupil = Pupil(organisation_id=getattr(side, school), **values)
        db.session.add(pupil)
        db.session.commit()
        return pupil.id


def make_concern(app, side, pupil_id, by: str = "staff1", school: str = "school1", **fields) -> uuid.UUID:
    from portal.casework import chronology
    from portal.casework.models import EntryKind
    from portal.concerns.models import Concern
    from portal.extensions import db

    author = side.people[by]
    values = {"category": "neglect", "seen_or_heard": "Came to school hungry and without a coat again.", "occurred_at": utcnow() - timedelta(hours=2)}
    values.update(fields)
    with _scope(app, side, author):
        concern = Concern(organisation_id=getattr(side, school), pupil_id=pupil_id, raised_by_id=author.id, **values)
        db.session.add(concern)
        db.session.flush()
        chronology.add(
            pupil_id=pupil_id,
            organisation_id=concern.organisation_id,
            kind=EntryKind.CONCERN,
            title="Concern logged",
            object_type="concern",
            object_id=concern.id,
            actor_id=author.id,
        )
        db.session.commit()
        return concern.id


def make_advice(app, side, pupil_id=None, by: str = "dsl1", school: str = "school1", **fields) -> uuid.UUID:
    from portal.advice.models import AdviceRequest
    from portal.extensions import db

    author = side.people[by]
    values = {"question": "Should we refer? Two concerns about neglect this week.", "categories": ["neglect"]}
    values.update(fields)
    with _scope(app, side, author):
        request = AdviceRequest(organisation_id=getattr(side, school), pupil_id=pupil_id, requested_by_id=author.id, **values)
        db.session.add(request)
        db.session.commit()
        return request.id


def make_referral(app, side, pupil_id, by: str = "dsl1", school: str = "school1", *, steps: tuple[tuple[str, str], ...] = (), **fields) -> uuid.UUID:
    """A referral drafted by ``by``; ``steps`` are (action, person key) applied through the workflow,
    e.g. ``(("submit", "dsl1"), ("acknowledge", "front_door"))``."""
    from portal.extensions import db
    from portal.referrals.models import Consent, ParentsAware, Referral, ReferralDecision
    from portal.referrals.service import transition
    from portal.vocabulary import Level

    author = side.people[by]
    values = {
        "categories": ["neglect"],
        "what_happened": "Repeated signs of neglect over three weeks; the child says there is no food at home.",
        "child_voice": "There's never anything to eat.",
        "parents_aware": ParentsAware.YES,
        "school_view_level": Level.CHILD_IN_NEED,
        "consent": Consent.SOUGHT_GIVEN,
    }
    values.update(fields)
    with _scope(app, side, author):
        referral = Referral(organisation_id=getattr(side, school), pupil_id=pupil_id, created_by_id=author.id, **values)
        db.session.add(referral)
        db.session.commit()
        referral_id = referral.id
    for action, person_key in steps:
        person = side.people[person_key]
        with _scope(app, side, person):
            referral = db.session.execute(select(Referral).where(Referral.id == referral_id)).unique().scalar_one()
            kwargs = {}
            if action in {"request_information", "provide_information"}:
                kwargs["comment"] = "Please say what the child told you, in their words."
            if action == "decide":
                kwargs["comment"] = "Threshold for a child-in-need assessment is met."
                kwargs["decision"] = ReferralDecision.CHILD_IN_NEED_ASSESSMENT
                kwargs["decision_level"] = Level.CHILD_IN_NEED
            transition(referral, action, actor_id=person.id, **kwargs)
            db.session.commit()
    return referral_id


def make_referral_person(app, side, referral_id, kind: str = "household", **fields) -> uuid.UUID:
    """A household member (or, with ``kind="sibling"``, a sibling) named on a referral."""
    from portal.extensions import db
    from portal.referrals.models import PersonKind, ReferralPerson, YesNoNotKnown

    values = {"name": "Dawn Example", "relationship": "Mother", "lives_in_household": True, "parental_responsibility": YesNoNotKnown.YES}
    if kind == "sibling":
        values = {"name": "Casey Example", "relationship": "Brother", "school": "Northfield Academy"}
    values.update(fields)
    with _scope(app, side):
        person = ReferralPerson(referral_id=referral_id, kind=PersonKind(kind), **values)
        db.session.add(person)
        db.session.commit()
        return person.id


def make_referral_agency(app, side, referral_id, **fields) -> uuid.UUID:
    """Another agency involved, named on a referral (the child's GP by default)."""
    from portal.extensions import db
    from portal.referrals.models import AgencyType, ReferralAgency

    values = {"agency_type": AgencyType.GP, "professional_name": "Dr Amir Shah", "organisation": "Example Medical Centre"}
    values.update(fields)
    with _scope(app, side):
        agency = ReferralAgency(referral_id=referral_id, **values)
        db.session.add(agency)
        db.session.commit()
        return agency.id
