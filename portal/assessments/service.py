"""School assessments: opening one (by a panel decision or directly), its members, its stages and notes.

* :func:`open_assessment` makes the assessment with its lead as an assessor member and the school's DSLs
  and head as collaborating members ("not an inspection"), records the opening as the first transition
  and audits it. The context panel's decision (``portal.contexts.service``) and the direct request both
  use it.
* Stages run planning → fieldwork → analysis → plan agreed → review → closed; :func:`move` goes one step
  on, or one step back with a comment, records who and when, audits it and tells the members.
* The workspace's records: the planning checklist, findings of the triangle, methods and their survey
  results, the plan's actions and its review, the PDF report. Each change is audited (and the people who
  need to hear are told) in the request's transaction; the page commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.orm.attributes import flag_modified

from portal.accounts.models import Membership, Role, User
from portal.assessments import planning, survey_import
from portal.assessments.actions import Action
from portal.assessments.models import (
    AssessmentFinding,
    AssessmentKind,
    AssessmentMember,
    AssessmentMemberRole,
    AssessmentMethod,
    AssessmentNote,
    AssessmentReview,
    AssessmentStage,
    AssessmentTransition,
    AssessmentTrigger,
    MethodFinding,
    SchoolAssessment,
    SurveyAnswer,
    SurveyImport,
    SurveyQuestion,
)
from portal.assessments.policy import assessment_assessor
from portal.audit.service import record
from portal.authorities.models import Organisation
from portal.casework.people import notify_all, school_casework_ids
from portal.extensions import db
from portal.notifications.service import page_path
from portal.partnership import service as partnership
from portal.partnership.actions import Action as WorkspaceAction
from portal.partnership.models import ActionStatus, PlanAction
from portal.policies import policy_for

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


def plan_link(assessment_id) -> str:
    """The assessment's plan, for a notification (built without a request)."""
    return page_path("assessments.plan", assessment_id=assessment_id)


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


def add_action(assessment: SchoolAssessment, *, description: str, due_on, domain, actor_id, link: str, **owner) -> PlanAction:
    """Add an action to the assessment's plan, in one domain of the triangle; its owner is told only while
    they may open the assessment (``audience``)."""
    return partnership.add_action(
        assessment,
        description=description,
        due_on=due_on,
        domain=domain,
        actor_id=actor_id,
        link=link,
        told=lambda owners: audience(assessment.id, owners),
        **owner,
    )


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


# The planning checklist --------------------------------------------------------------------------------


def save_planning(assessment: SchoolAssessment, typed: dict[str, str]) -> None:
    """Keep the checklist's answers as typed (an empty one is left out), audited with the questions whose
    answer changed; the page commits and handles a stale save."""
    changed = [key for key in planning.KEYS if planning.answers(assessment.planning)[key] != typed[key]]
    assessment.planning = {key: value for key, value in typed.items() if value}
    record(
        WorkspaceAction.WORKSPACE_UPDATED,
        object_type="school_assessment",
        object_id=assessment.id,
        organisation_id=assessment.organisation_id,
        details={"planning": changed},
    )


# Findings of the triangle ------------------------------------------------------------------------------


def _assessor_ids(assessment: SchoolAssessment) -> list:
    """The lead and the assessor members (who run the assessment)."""
    members = select(AssessmentMember.user_id).where(AssessmentMember.assessment_id == assessment.id, AssessmentMember.role == AssessmentMemberRole.ASSESSOR)
    return [user_id for user_id in (assessment.lead_id, *db.session.execute(members).scalars()) if user_id]


def add_finding(assessment: SchoolAssessment, values: dict, *, author) -> AssessmentFinding:
    """A finding (domain, rating, text, evidence), audited; the assessors are told when ``author`` does not
    run the assessment."""
    finding = AssessmentFinding(assessment_id=assessment.id, author_id=author.id, **values)
    db.session.add(finding)
    db.session.flush()
    record(
        Action.ASSESSMENT_FINDING_ADDED,
        object_type="assessment_finding",
        object_id=finding.id,
        organisation_id=assessment.organisation_id,
        details={"assessment": str(assessment.id), "domain": finding.domain.value, "rating": finding.rating.value},
    )
    if not assessment_assessor(author, assessment):
        notify_all(
            _assessor_ids(assessment),
            f"{author.full_name} added a finding to the school assessment of {assessment.organisation.name}",
            link=page_path("assessments.triangle", assessment_id=assessment.id),
            exclude=(author.id,),
        )
    return finding


def update_finding(finding: AssessmentFinding, assessment: SchoolAssessment, values: dict, fields: list[str]) -> None:
    """Change the ``fields`` of a finding to ``values`` (audited when any changed); the page commits and
    handles a stale save."""
    for name in fields:
        setattr(finding, name, values[name])
    if fields:
        record(
            Action.ASSESSMENT_FINDING_UPDATED,
            object_type="assessment_finding",
            object_id=finding.id,
            organisation_id=assessment.organisation_id,
            details={"assessment": str(assessment.id), "fields": fields},
        )


# Methods and their survey results ----------------------------------------------------------------------


def _method_audit(action: str, method: AssessmentMethod, assessment: SchoolAssessment, **details) -> None:
    record(
        action,
        object_type="assessment_method",
        object_id=method.id,
        organisation_id=assessment.organisation_id,
        details={"assessment": str(assessment.id), **details},
    )


def add_method(assessment: SchoolAssessment, values: dict, findings, *, author_id) -> AssessmentMethod:
    """A method of the assessment, linked to the findings it supports (of ``findings``, those whose ids are
    in ``values["findings"]``), audited."""
    values = dict(values)
    finding_ids = values.pop("findings")
    method = AssessmentMethod(assessment_id=assessment.id, author_id=author_id, **values)
    db.session.add(method)
    db.session.flush()
    db.session.add_all(MethodFinding(method_id=method.id, finding_id=f.id) for f in findings if str(f.id) in finding_ids)
    _method_audit(Action.ASSESSMENT_METHOD_ADDED, method, assessment, kind=method.kind.value, findings=finding_ids)
    return method


def update_method(method: AssessmentMethod, assessment: SchoolAssessment, values: dict, fields: list[str], findings) -> None:
    """Change the ``fields`` of a method to ``values`` (its links to ``findings`` too), audited when any
    changed; the page commits and handles a stale save."""
    for name in fields:
        if name != "findings":
            setattr(method, name, values[name])
    if fields:
        if "findings" in fields:
            db.session.execute(delete(MethodFinding).where(MethodFinding.method_id == method.id))
            db.session.add_all(MethodFinding(method_id=method.id, finding_id=f.id) for f in findings if str(f.id) in values["findings"])
            flag_modified(method, "found")  # the links are part of the method: its version moves with them
        _method_audit(Action.ASSESSMENT_METHOD_UPDATED, method, assessment, fields=fields)


def import_survey(method: AssessmentMethod, assessment: SchoolAssessment, result: survey_import.Result, *, importer) -> SurveyImport:
    """Replace the method's survey results with ``result`` (the old rows go by cascade), audited with the
    counts only. A second import at the same moment fails on the unique method (the page says so)."""
    db.session.execute(delete(SurveyImport).where(SurveyImport.method_id == method.id, policy_for(SurveyImport).visible(importer)))
    imported = SurveyImport(method_id=method.id, respondents=result.respondents, filename=result.filename, imported_by_id=importer.id)
    db.session.add(imported)
    db.session.flush()
    for q in result.questions:
        question = SurveyQuestion(import_id=imported.id, position=q.position, text=q.text, answered=q.answered, free_text=q.free_text)
        db.session.add(question)
        db.session.flush()
        db.session.add_all(SurveyAnswer(question_id=question.id, answer=answer, count=count) for answer, count in q.answers)
    db.session.flush()
    record(
        Action.ASSESSMENT_SURVEY_IMPORTED,
        object_type="assessment_method",
        object_id=method.id,
        organisation_id=assessment.organisation_id,
        details={
            "assessment": str(assessment.id),
            "respondents": result.respondents,
            "questions": len(result.questions),
            "free_text_questions": result.free_text_questions,
        },
    )
    return imported


# The plan and its review -------------------------------------------------------------------------------


def _owners_told(row: PlanAction) -> list:
    return [row.owner_user_id] if row.owner_user_id else partnership.organisation_contacts(row.owner_organisation_id)


def update_plan_action(
    assessment: SchoolAssessment, row: PlanAction, *, owner: dict | None, status: ActionStatus, progress_note: str | None, due_on, actor_id
) -> None:
    """Change an action of the plan (and its owner, when ``owner`` names a new one), then tell, by title only
    (the action's text stays behind the assessment's own access rules): a new owner that it is theirs; the
    owners and the lead that its status changed. The page commits and handles a stale save."""
    status_changed = status != row.status
    if owner is not None:
        row.owner_user_id, row.owner_organisation_id = owner["owner_user_id"], owner["owner_organisation_id"]
    partnership.update_action(row, status=status, progress_note=progress_note, due_on=due_on)
    db.session.flush()
    link = plan_link(assessment.id)
    if owner is not None:
        notify_all(audience(assessment.id, _owners_told(row)), f"An action is yours, due {row.due_on.strftime('%-d %B %Y')}", link=link, exclude={actor_id})
    if status_changed:
        told = ([] if owner is not None else _owners_told(row)) + ([assessment.lead_id] if assessment.lead_id else [])
        title = f"An action of the school assessment of {assessment.organisation.name} is now {row.status.label.lower()}"
        notify_all(audience(assessment.id, told), title, link=link, exclude={actor_id})


def save_review(assessment: SchoolAssessment, row: AssessmentReview | None, values: dict, fields: list[str], *, actor_id) -> AssessmentReview:
    """Record the review (the first save creates it with ``values``; later ones change ``fields``), audited,
    and tell everyone working on the assessment. A stale save, or a first one made at the same moment as
    someone else's (the unique assessment), fails: the page commits and handles both."""
    if row is None:
        row = AssessmentReview(assessment_id=assessment.id, updated_by_id=actor_id, **values)
        db.session.add(row)
    else:
        for name in fields:
            setattr(row, name, values[name])
        row.updated_by_id = actor_id
    db.session.flush()
    record(
        Action.ASSESSMENT_REVIEW_SAVED,
        object_type="assessment_review",
        object_id=row.id,
        organisation_id=assessment.organisation_id,
        details={"assessment": str(assessment.id), "fields": fields},
    )
    told = [m.user_id for m in members(assessment)] + ([assessment.lead_id] if assessment.lead_id else [])
    notify_all(
        audience(assessment.id, told),
        f"The review of the school assessment of {assessment.organisation.name} has been updated",
        link=plan_link(assessment.id),
        exclude={actor_id},
    )
    return row
