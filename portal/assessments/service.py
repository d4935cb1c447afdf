"""School assessments: opening one (by a panel decision or directly), its members, its stages and notes.

* :func:`open_assessment` makes the assessment with its lead as an assessor member and the school's DSLs
  and head as collaborating members ("not an inspection"), records the opening as the first transition
  and audits it. The context panel's decision (``portal.contexts.service``) and the direct request both
  use it.
* Stages run planning → fieldwork → analysis → plan agreed → review → closed; :func:`move` goes one step
  on, or one step back with a comment, records who and when, audits it and tells the members.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from portal.accounts.models import Membership, Role, User
from portal.assessments.actions import Action
from portal.assessments.models import (
    AssessmentKind,
    AssessmentMember,
    AssessmentMemberRole,
    AssessmentNote,
    AssessmentStage,
    AssessmentTransition,
    AssessmentTrigger,
    SchoolAssessment,
)
from portal.audit.service import record
from portal.authorities.models import Organisation
from portal.casework.people import notify_all, school_casework_ids
from portal.extensions import db
from portal.notifications.service import page_path
from portal.partnership.actions import Action as WorkspaceAction

STAGES: tuple[AssessmentStage, ...] = tuple(AssessmentStage)

#: Who may be added, by role held: social care as assessors, partner agencies as partners (the school's
#: own DSLs and head are added as collaborating members; see :func:`candidates`).
_SOCIAL_CARE = (Role.ASSESSOR, Role.FRONT_DOOR)


class Refused(ValueError):
    """A change the workspace does not allow (the message is shown to the person)."""


def next_stage(stage: AssessmentStage) -> AssessmentStage | None:
    position = STAGES.index(stage)
    return STAGES[position + 1] if position + 1 < len(STAGES) else None


def previous_stage(stage: AssessmentStage) -> AssessmentStage | None:
    position = STAGES.index(stage)
    return STAGES[position - 1] if position > 0 else None


def link(assessment: SchoolAssessment) -> str:
    return page_path("assessments.detail", assessment_id=assessment.id)


# Opening ---------------------------------------------------------------------------------------------


def open_assessment(
    school: Organisation,
    *,
    kind: AssessmentKind,
    trigger: AssessmentTrigger,
    reason: str,
    lead_id,
    actor_id,
    details: dict | None = None,
) -> SchoolAssessment:
    """Open an assessment of ``school`` (the caller checked the actor's right, and tells people)."""
    assessment = SchoolAssessment(organisation_id=school.id, kind=kind, trigger=trigger, reason=reason, lead_id=lead_id, opened_by_id=actor_id, planning={})
    db.session.add(assessment)
    db.session.flush()
    if lead_id is not None:
        db.session.add(AssessmentMember(assessment_id=assessment.id, user_id=lead_id, role=AssessmentMemberRole.ASSESSOR))
    # "Not an inspection": the school's DSLs and head are collaborating members from the start.
    for user_id in school_casework_ids(school.id):
        if user_id != lead_id:
            db.session.add(AssessmentMember(assessment_id=assessment.id, user_id=user_id, role=AssessmentMemberRole.SCHOOL))
    db.session.add(AssessmentTransition(assessment_id=assessment.id, actor_id=actor_id, from_stage=None, to_stage=AssessmentStage.PLANNING, comment=None))
    db.session.flush()
    record(
        WorkspaceAction.WORKSPACE_OPENED,
        object_type="school_assessment",
        object_id=assessment.id,
        organisation_id=school.id,
        details={"trigger": trigger.value, "kind": kind.value, **(details or {})},
    )
    return assessment


# Members ---------------------------------------------------------------------------------------------


def members(assessment: SchoolAssessment) -> list[AssessmentMember]:
    rows = db.session.execute(select(AssessmentMember).where(AssessmentMember.assessment_id == assessment.id)).unique().scalars().all()
    order = list(AssessmentMemberRole)
    return sorted(rows, key=lambda m: (order.index(m.role), m.user.full_name if m.user else ""))


@dataclass(frozen=True)
class Candidate:
    user_id: object
    label: str
    role: AssessmentMemberRole


def candidates(assessment: SchoolAssessment) -> list[Candidate]:
    """People who may be added: social care, the assessed school's DSLs and head, partner agencies'
    people (active accounts, not members already)."""
    roles = {Role.DSL: AssessmentMemberRole.SCHOOL, Role.HEAD: AssessmentMemberRole.SCHOOL, Role.PARTNER: AssessmentMemberRole.PARTNER}
    roles.update({role: AssessmentMemberRole.ASSESSOR for role in _SOCIAL_CARE})
    already = {m.user_id for m in members(assessment)}
    query = (
        select(User, Membership.role, Organisation.name)
        .join(Membership, (Membership.user_id == User.id) & (Membership.authority_id == User.authority_id))
        .join(Organisation, (Organisation.id == Membership.organisation_id) & (Organisation.authority_id == Membership.authority_id))
        .where(
            User.deactivated_at.is_(None),
            User.password_hash.is_not(None),
            or_(
                Membership.role.in_([*_SOCIAL_CARE, Role.PARTNER]),
                Membership.role.in_([Role.DSL, Role.HEAD]) & (Membership.organisation_id == assessment.organisation_id),
            ),
        )
        .order_by(User.full_name, User.id)
    )
    out: dict = {}
    for user, role, organisation in db.session.execute(query).all():
        if user.id not in already and user.id not in out:
            out[user.id] = Candidate(user.id, f"{user.full_name} ({role.label}, {organisation})", roles[role])
    return list(out.values())


def add_member(assessment: SchoolAssessment, candidate: Candidate, *, actor_id) -> AssessmentMember:
    row = AssessmentMember(assessment_id=assessment.id, user_id=candidate.user_id, role=candidate.role)
    db.session.add(row)
    db.session.flush()
    record(
        WorkspaceAction.PARTICIPANT_ADDED,
        object_type="school_assessment",
        object_id=assessment.id,
        organisation_id=assessment.organisation_id,
        details={"user": str(candidate.user_id), "role": candidate.role.value},
    )
    notify_all(
        [candidate.user_id], f"You have been added to the school assessment of {assessment.organisation.name}", link=link(assessment), exclude={actor_id}
    )
    return row


def remove_member(assessment: SchoolAssessment, row: AssessmentMember, *, actor_id) -> None:
    if row.role == AssessmentMemberRole.ASSESSOR and sum(1 for m in members(assessment) if m.role == AssessmentMemberRole.ASSESSOR) == 1:
        raise Refused("The assessment needs at least one assessor: add another assessor before removing this one")
    record(
        WorkspaceAction.PARTICIPANT_REMOVED,
        object_type="school_assessment",
        object_id=assessment.id,
        organisation_id=assessment.organisation_id,
        details={"user": str(row.user_id), "role": row.role.value},
    )
    db.session.delete(row)
    db.session.flush()


# Stages and notes ------------------------------------------------------------------------------------


def move(assessment: SchoolAssessment, to_stage: AssessmentStage, *, actor_id, comment: str | None) -> AssessmentTransition:
    """One step on, or one step back (which needs a comment); recorded, audited, the members told."""
    comment = (comment or "").strip() or None
    back = to_stage == previous_stage(assessment.stage)
    if to_stage != next_stage(assessment.stage) and not back:
        raise Refused("The assessment can only move to the next stage or back one stage")
    if back and comment is None:
        raise Refused("Enter why the assessment is going back a stage")
    from_stage = assessment.stage
    assessment.stage = to_stage
    row = AssessmentTransition(assessment_id=assessment.id, actor_id=actor_id, from_stage=from_stage, to_stage=to_stage, comment=comment)
    db.session.add(row)
    db.session.flush()
    record(
        Action.ASSESSMENT_STAGE_CHANGED,
        object_type="school_assessment",
        object_id=assessment.id,
        organisation_id=assessment.organisation_id,
        details={"from": from_stage.value, "to": to_stage.value},
    )
    title = f"School assessment of {assessment.organisation.name}: {'back to' if back else 'now at'} {to_stage.label.lower()}"
    notify_all([m.user_id for m in members(assessment)], title, link=link(assessment), exclude={actor_id})
    return row


def transitions(assessment: SchoolAssessment) -> list[AssessmentTransition]:
    query = (
        select(AssessmentTransition)
        .where(AssessmentTransition.assessment_id == assessment.id)
        .order_by(AssessmentTransition.created_at, AssessmentTransition.id)
    )
    return db.session.execute(query).unique().scalars().all()


def add_note(assessment: SchoolAssessment, *, body: str, assessor_only: bool, author_id) -> AssessmentNote:
    note = AssessmentNote(assessment_id=assessment.id, author_id=author_id, body=body.strip(), assessor_only=assessor_only)
    db.session.add(note)
    db.session.flush()
    record(
        Action.ASSESSMENT_NOTE_ADDED,
        object_type="school_assessment",
        object_id=assessment.id,
        organisation_id=assessment.organisation_id,
        details={"note": str(note.id), "assessor_only": assessor_only},
    )
    return note


def tell_opened(assessment: SchoolAssessment, *, actor_id) -> None:
    """The school (its DSLs and head) and the lead hear that the assessment was opened."""
    school = assessment.organisation
    notify_all(
        school_casework_ids(school.id), f"A school assessment of {school.name} has been opened, to work on with you", link=link(assessment), exclude={actor_id}
    )
    if assessment.lead_id is not None:
        notify_all([assessment.lead_id], f"You are the lead assessor of the school assessment of {school.name}", link=link(assessment), exclude={actor_id})


def audience(assessment_id, user_ids) -> list:
    """Of ``user_ids``, those who may see the assessment now: whoever is told about it (an action's owners,
    an organisation's contacts, its members) hears only while they may open it. Someone removed from it,
    moved to another school, or an organisation's contact who is not on it, is not told — a title naming
    the school would tell them the school is being assessed."""
    from portal.assessments.policy import assessment_visible

    ids = sorted({u for u in user_ids if u is not None})
    if not ids:
        return []
    users = db.session.execute(select(User).where(User.id.in_(ids), User.deactivated_at.is_(None))).unique().scalars().all()
    query = select(SchoolAssessment.id).where(SchoolAssessment.id == assessment_id)
    return [u.id for u in users if db.session.execute(query.where(assessment_visible(u))).first() is not None]
