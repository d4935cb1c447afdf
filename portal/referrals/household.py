"""The people and agencies around a referred child: household members and significant adults, siblings,
and the other agencies and professionals involved. The school adds, changes and removes them one at a
time (the GOV.UK "add another" pattern) while the referral is a draft, or while the front door has asked
for more information: what the front door most often asks for is exactly this (who lives at home, mum's
partner's name, brothers and sisters), and the school then answers it where it belongs rather than in a
comment. Once the information is provided, or the referral decided, what the front door decided on stays
as it was.

Each change is audited; once the referral has been sent (so while information is requested), it also
goes on the child's chronology. Each function changes the current transaction (flush, never commit).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.audit.service import record
from portal.casework import chronology
from portal.casework.models import EntryKind
from portal.clock import uk_date
from portal.extensions import db
from portal.policies import visible_query
from portal.pupils.models import Pupil
from portal.referrals.actions import Action
from portal.referrals.models import (
    AgencyType,
    Consent,
    PersonKind,
    Referral,
    ReferralAgency,
    ReferralPerson,
    ReferralStatus,
    YesNoNotKnown,
)
from portal.text import clean_text

#: The statuses in which the school may change the household, siblings and agencies.
EDITABLE = (ReferralStatus.DRAFT, ReferralStatus.INFORMATION_REQUESTED)


def editable(referral: Referral) -> bool:
    """May the household be changed now (the caller has checked the user's "edit" right)?"""
    return referral.status in EDITABLE


def prefill_from_register(referral: Referral, pupil: Pupil) -> None:
    """Start a new draft's answers from what the school's register holds about the child (its flags), for
    the DSL to complete or correct."""
    if pupil.eal:
        referral.communication_needs = "English is an additional language (school register)."
    if pupil.sen:
        referral.disability = "Special educational needs (school register)."


# What is written ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonAnswers:
    """A household member, significant adult or sibling, as typed."""

    name: str
    relationship: str | None = None
    date_of_birth: date | None = None
    lives_in_household: bool | None = None
    parental_responsibility: YesNoNotKnown | None = None
    contact_details: str | None = None
    first_language: str | None = None
    interpreter_needed: bool = False
    school: str | None = None
    sibling_pupil_id: uuid.UUID | None = None


@dataclass(frozen=True)
class AgencyAnswers:
    agency_type: AgencyType
    other_type: str | None = None
    professional_name: str | None = None
    organisation: str | None = None
    contact_details: str | None = None


def _apply_person(person: ReferralPerson, answers: PersonAnswers) -> None:
    person.name = answers.name.strip()
    person.relationship = clean_text(answers.relationship)
    person.date_of_birth = answers.date_of_birth
    if person.kind == PersonKind.HOUSEHOLD:
        person.lives_in_household = answers.lives_in_household
        person.parental_responsibility = answers.parental_responsibility
        person.contact_details = clean_text(answers.contact_details)
        person.first_language = clean_text(answers.first_language)
        person.interpreter_needed = bool(answers.interpreter_needed)
        person.school = None
        person.sibling_pupil_id = None
    else:
        person.school = clean_text(answers.school)
        person.sibling_pupil_id = answers.sibling_pupil_id


def _apply_agency(agency: ReferralAgency, answers: AgencyAnswers) -> None:
    agency.agency_type = answers.agency_type
    agency.other_type = clean_text(answers.other_type) if answers.agency_type == AgencyType.OTHER else None
    agency.professional_name = clean_text(answers.professional_name)
    agency.organisation = clean_text(answers.organisation)
    agency.contact_details = clean_text(answers.contact_details)


def _noted(referral: Referral, action: str, what: str, object_id: uuid.UUID, title: str, line: str, *, actor_id) -> None:
    """Audit the change; once the referral has been sent, put it on the child's chronology too."""
    record(action, object_type="referral", object_id=referral.id, organisation_id=referral.organisation_id, details={what: str(object_id)})
    if referral.status != ReferralStatus.DRAFT:
        chronology.add(
            pupil_id=referral.pupil_id,
            organisation_id=referral.organisation_id,
            kind=EntryKind.REFERRAL,
            title=title,
            substance=chronology.lines(("Details", line)),
            object_type="referral",
            object_id=referral.id,
            actor_id=actor_id,
        )


_PERSON_WORDS = {PersonKind.HOUSEHOLD: "household member or significant adult", PersonKind.SIBLING: "sibling"}


def add_person(referral: Referral, kind: PersonKind, answers: PersonAnswers, *, actor_id) -> ReferralPerson:
    person = ReferralPerson(referral_id=referral.id, kind=kind, name="")
    _apply_person(person, answers)
    db.session.add(person)
    db.session.flush()
    _noted(referral, Action.REFERRAL_PERSON_ADDED, "person_id", person.id, f"Referral: {_PERSON_WORDS[kind]} added", person_line(person), actor_id=actor_id)
    return person


def change_person(referral: Referral, person: ReferralPerson, answers: PersonAnswers, *, actor_id) -> None:
    _apply_person(person, answers)
    db.session.flush()
    _noted(
        referral,
        Action.REFERRAL_PERSON_CHANGED,
        "person_id",
        person.id,
        f"Referral: {_PERSON_WORDS[person.kind]} changed",
        person_line(person),
        actor_id=actor_id,
    )


def remove_person(referral: Referral, person: ReferralPerson, *, actor_id) -> None:
    line = person_line(person)
    _noted(referral, Action.REFERRAL_PERSON_REMOVED, "person_id", person.id, f"Referral: {_PERSON_WORDS[person.kind]} removed", line, actor_id=actor_id)
    db.session.delete(person)
    db.session.flush()


def add_agency(referral: Referral, answers: AgencyAnswers, *, actor_id) -> ReferralAgency:
    agency = ReferralAgency(referral_id=referral.id, agency_type=answers.agency_type)
    _apply_agency(agency, answers)
    db.session.add(agency)
    db.session.flush()
    _noted(referral, Action.REFERRAL_AGENCY_ADDED, "agency_id", agency.id, "Referral: agency or professional added", agency_line(agency), actor_id=actor_id)
    return agency


def change_agency(referral: Referral, agency: ReferralAgency, answers: AgencyAnswers, *, actor_id) -> None:
    _apply_agency(agency, answers)
    db.session.flush()
    _noted(referral, Action.REFERRAL_AGENCY_CHANGED, "agency_id", agency.id, "Referral: agency or professional changed", agency_line(agency), actor_id=actor_id)


def remove_agency(referral: Referral, agency: ReferralAgency, *, actor_id) -> None:
    line = agency_line(agency)
    _noted(referral, Action.REFERRAL_AGENCY_REMOVED, "agency_id", agency.id, "Referral: agency or professional removed", line, actor_id=actor_id)
    db.session.delete(agency)
    db.session.flush()


# Reading ------------------------------------------------------------------------------------------


def entries(referral: Referral) -> tuple[list[ReferralPerson], list[ReferralAgency]]:
    """The people and agencies of a referral, in the order they were added (two queries). The caller has
    fetched the referral through its policy (its children are seen with it)."""
    people = (
        db.session.execute(select(ReferralPerson).where(ReferralPerson.referral_id == referral.id).order_by(ReferralPerson.created_at, ReferralPerson.id))
        .scalars()
        .all()
    )
    agencies = (
        db.session.execute(select(ReferralAgency).where(ReferralAgency.referral_id == referral.id).order_by(ReferralAgency.created_at, ReferralAgency.id))
        .scalars()
        .all()
    )
    return list(people), list(agencies)


def sibling_candidates(referral: Referral, surnames: list[str], keep: uuid.UUID | None = None) -> list[Pupil]:
    """Pupils on the referring school's own register (never another school's) whose surname is one of
    ``surnames``, not the child themself and not those who have left; and ``keep``, the pupil already
    linked, if still on that register."""
    names = sorted({s.strip().lower() for s in surnames if s and s.strip()})
    if not names and keep is None:
        return []
    query = visible_query(Pupil).where(Pupil.organisation_id == referral.organisation_id, Pupil.id != referral.pupil_id)
    matches = func.lower(Pupil.legal_surname).in_(names) & Pupil.left_at.is_(None)
    query = query.where(matches | (Pupil.id == keep)) if keep is not None else query.where(matches)
    return list(db.session.execute(query.order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id).limit(50)).scalars().all())


def register_pupil(referral: Referral, pupil_id: uuid.UUID) -> Pupil | None:
    """The pupil of that id if they are on the referring school's own register (and the user may see them)."""
    query = visible_query(Pupil).where(Pupil.id == pupil_id, Pupil.organisation_id == referral.organisation_id, Pupil.id != referral.pupil_id)
    return db.session.execute(query).scalar_one_or_none()


# In words (the referral's page, the chronology) -----------------------------------------------------


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def person_line(person: ReferralPerson) -> str:
    """One person in a line of the chronology: "Dawn Ingram (mother), born 3 May 1990; lives with the child: yes; ..."."""
    head = person.name + (f" ({person.relationship})" if person.relationship else "")
    parts = [head + (f", born {uk_date(person.date_of_birth)}" if person.date_of_birth else "")]
    if person.kind == PersonKind.HOUSEHOLD:
        lives = _yes_no(person.lives_in_household)
        if lives:
            parts.append(f"lives with the child: {lives}")
        if person.parental_responsibility:
            parts.append(f"parental responsibility: {person.parental_responsibility.label.lower()}")
        if person.first_language:
            parts.append(f"first language: {person.first_language}")
        if person.interpreter_needed:
            parts.append("needs an interpreter")
        if person.contact_details:
            parts.append(f"contact: {' '.join(person.contact_details.split())}")
    else:
        if person.school:
            parts.append(f"school: {person.school}")
        if person.sibling_pupil_id:
            parts.append("on the referring school's register")
    return "; ".join(parts)


def agency_line(agency: ReferralAgency) -> str:
    who = ", ".join(x for x in (agency.professional_name, agency.organisation) if x)
    line = agency.type_label + (f": {who}" if who else "")
    if agency.contact_details:
        line += f"; contact: {' '.join(agency.contact_details.split())}"
    return line


def consent_line(referral: Referral) -> str | None:
    if referral.consent is None:
        return None
    if referral.consent == Consent.NOT_SOUGHT and referral.consent_not_sought_reason:
        return f"Not sought: {referral.consent_not_sought_reason}"
    if referral.consent == Consent.SOUGHT_REFUSED and referral.consent_refused_note:
        return f"Sought and refused: {referral.consent_refused_note}"
    return referral.consent.label
