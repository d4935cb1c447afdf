"""School assessments: children's social care assessing a school as a context, with the school.

The assessment is opened by a context panel decision (child in need or child protection) or directly;
the workspace itself (stages, the triangle's findings, methods and evidence, plan, review, report) grows
on these rows. ``kind`` says who leads it: social care (a school assessment) or the school itself (a
Beyond Referrals self-assessment, with social care supporting).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.casework.models import ExportStatus
from portal.extensions import db
from portal.file_imports import FileImport
from portal.model_base import HasCreatedAt, HasUUID, UTCDateTime, enum_column
from portal.vocabulary import LabelledEnum
from tenants.orm import TenantOwned, parent_key, tenant_relationship, tenant_table_args


class AssessmentKind(LabelledEnum):
    SCHOOL_ASSESSMENT = "school_assessment"
    SELF_ASSESSMENT = "self_assessment"


AssessmentKind.LABELS = {
    "school_assessment": "School assessment by children's social care",
    "self_assessment": "Beyond Referrals self-assessment by the school",
}


class AssessmentTrigger(LabelledEnum):
    PANEL_DECISION = "panel_decision"
    DIRECT_REQUEST = "direct_request"


AssessmentTrigger.LABELS = {"panel_decision": "A context panel decision", "direct_request": "A direct request"}


class AssessmentStage(LabelledEnum):
    PLANNING = "planning"
    FIELDWORK = "fieldwork"
    ANALYSIS = "analysis"
    PLAN_AGREED = "plan_agreed"
    REVIEW = "review"
    CLOSED = "closed"


AssessmentStage.LABELS = {
    "planning": "Planning",
    "fieldwork": "Fieldwork",
    "analysis": "Analysis",
    "plan_agreed": "Plan agreed",
    "review": "Review",
    "closed": "Closed",
}


class SchoolAssessment(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    __tablename__ = "school_assessments"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("lead_id", "users"),
        parent_key("opened_by_id", "users"),
        Index("ix_school_assessments_school", "authority_id", "organisation_id"),
        Index("ix_school_assessments_stage", "authority_id", "stage"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    kind: Mapped[AssessmentKind] = mapped_column(enum_column(AssessmentKind), nullable=False)
    trigger: Mapped[AssessmentTrigger] = mapped_column(enum_column(AssessmentTrigger), nullable=False)
    #: Why it was opened (the panel's reason, or the direct request).
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    stage: Mapped[AssessmentStage] = mapped_column(enum_column(AssessmentStage), nullable=False, default=AssessmentStage.PLANNING)
    opened_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    #: The planning checklist: the seed's things-to-consider questions, by key, and the answers agreed.
    planning: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation = tenant_relationship("Organisation", "SchoolAssessment.organisation_id", lazy="joined")
    lead = tenant_relationship("User", "SchoolAssessment.lead_id")


class AssessmentMemberRole(LabelledEnum):
    ASSESSOR = "assessor"
    SCHOOL = "school"
    PARTNER = "partner"


AssessmentMemberRole.LABELS = {
    "assessor": "Assessor (children's social care)",
    "school": "Collaborating member from the school",
    "partner": "Partner agency member",
}


class AssessmentMember(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    __tablename__ = "assessment_members"
    __table_args__ = tenant_table_args(
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("user_id", "users"),
        UniqueConstraint("authority_id", "assessment_id", "user_id"),
        Index("ix_assessment_members_user", "authority_id", "user_id"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    role: Mapped[AssessmentMemberRole] = mapped_column(enum_column(AssessmentMemberRole), nullable=False)

    user = tenant_relationship("User", "AssessmentMember.user_id", lazy="joined")


class AssessmentTransition(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One move of an assessment from stage to stage: who, when, and their comment. Never edited."""

    __tablename__ = "assessment_transitions"
    __table_args__ = tenant_table_args(
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("actor_id", "users"),
        Index("ix_assessment_transitions_assessment", "authority_id", "assessment_id", "created_at"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    from_stage: Mapped[AssessmentStage | None] = mapped_column(enum_column(AssessmentStage, name="from_stage"))
    to_stage: Mapped[AssessmentStage] = mapped_column(enum_column(AssessmentStage, name="to_stage"), nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)

    actor = tenant_relationship("User", "AssessmentTransition.actor_id", lazy="joined")


class AssessmentNote(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A note on the workspace. ``assessor_only`` notes are social care's own: never shown to the school
    (pages, reports, exports) — the policy filters them out of every query a school member makes."""

    __tablename__ = "assessment_notes"
    __table_args__ = tenant_table_args(
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("author_id", "users"),
        Index("ix_assessment_notes_assessment", "authority_id", "assessment_id", "created_at"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    assessor_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    author = tenant_relationship("User", "AssessmentNote.author_id", lazy="joined")


class Domain(LabelledEnum):
    PUPIL_DEVELOPMENT = "pupil_development"
    GUARDIANSHIP = "guardianship"
    ENVIRONMENT = "environment"


Domain.LABELS = {
    "pupil_development": "Pupil development needs",
    "guardianship": "Guardianship capacity",
    "environment": "Environmental and family factors",
}


class Rating(LabelledEnum):
    SIGNIFICANT_STRENGTH = "significant_strength"
    STRENGTH = "strength"
    CONCERN = "concern"
    SIGNIFICANT_CONCERN = "significant_concern"


Rating.LABELS = {
    "significant_strength": "Significant strength",
    "strength": "Strength",
    "concern": "Concern",
    "significant_concern": "Significant concern",
}

#: Ratings that make a finding a strength (the others make it a risk).
STRENGTHS = (Rating.SIGNIFICANT_STRENGTH, Rating.STRENGTH)


class AssessmentFinding(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A finding in one domain of the triangle: a strength or a risk, its rating, and the evidence."""

    __tablename__ = "assessment_findings"
    __table_args__ = tenant_table_args(
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("author_id", "users"),
        Index("ix_assessment_findings_assessment", "authority_id", "assessment_id", "domain"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    domain: Mapped[Domain] = mapped_column(enum_column(Domain), nullable=False)
    rating: Mapped[Rating] = mapped_column(enum_column(Rating), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    author = tenant_relationship("User", "AssessmentFinding.author_id", lazy="joined")

    @property
    def is_strength(self) -> bool:
        return self.rating in STRENGTHS


class MethodKind(LabelledEnum):
    FOCUS_GROUP_STAFF = "focus_group_staff"
    FOCUS_GROUP_STUDENTS = "focus_group_students"
    FOCUS_GROUP_PARENTS = "focus_group_parents"
    POLICY_REVIEW = "policy_review"
    RECORDS_REVIEW = "records_review"
    SURVEY = "survey"
    OBSERVATION = "observation"


MethodKind.LABELS = {
    "focus_group_staff": "Focus group with staff",
    "focus_group_students": "Focus group with students",
    "focus_group_parents": "Focus group with parents and carers",
    "policy_review": "Review of safeguarding and behaviour policies",
    "records_review": "Review of safeguarding and behaviour records",
    "survey": "Survey",
    "observation": "Observation of the school environment",
}


class AssessmentMethod(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A method of the assessment (a focus group, a review, a survey, an observation): when, who took part
    (counts and groups, never pupils' names), what was found; linked to the findings it supports."""

    __tablename__ = "assessment_methods"
    __table_args__ = tenant_table_args(
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("author_id", "users"),
        Index("ix_assessment_methods_assessment", "authority_id", "assessment_id", "held_on"),
        CheckConstraint("participants IS NULL OR participants >= 0", name="participants_not_negative"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    kind: Mapped[MethodKind] = mapped_column(enum_column(MethodKind), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    #: How many took part, and who (for example "Year 10 students, girls and boys"): no names.
    participants: Mapped[int | None] = mapped_column(Integer)
    who_took_part: Mapped[str | None] = mapped_column(Text)
    found: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class MethodFinding(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A method supports a finding (the evidence behind it)."""

    __tablename__ = "method_findings"
    __table_args__ = tenant_table_args(
        parent_key("method_id", "assessment_methods", ondelete="CASCADE"),
        parent_key("finding_id", "assessment_findings", ondelete="CASCADE"),
        UniqueConstraint("authority_id", "method_id", "finding_id"),
        Index("ix_method_findings_finding", "authority_id", "finding_id"),
    )

    method_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    finding_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)


# Surveys -----------------------------------------------------------------------------------------------


class SurveyImport(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The results of a survey method, imported from a CSV export (one row per response). Only the tallies
    are kept: how many answered each question and how many gave each answer. Free-text answers are not
    stored (they may name a child); the assessor summarises them in what was found. Importing again
    replaces the whole import."""

    __tablename__ = "survey_imports"
    __table_args__ = tenant_table_args(
        parent_key("method_id", "assessment_methods", ondelete="CASCADE"),
        parent_key("imported_by_id", "users"),
        UniqueConstraint("authority_id", "method_id"),
        CheckConstraint("respondents >= 0", name="respondents_not_negative"),
    )

    method_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    respondents: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    imported_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    imported_by = tenant_relationship("User", "SurveyImport.imported_by_id", lazy="joined")


class SurveyQuestion(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """One question (a column of the file): how many answered it; ``free_text`` when its answers were not
    tallied."""

    __tablename__ = "survey_questions"
    __table_args__ = tenant_table_args(
        parent_key("import_id", "survey_imports", ondelete="CASCADE"),
        UniqueConstraint("authority_id", "import_id", "position"),
        CheckConstraint("answered >= 0", name="answered_not_negative"),
    )

    import_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    answered: Mapped[int] = mapped_column(Integer, nullable=False)
    free_text: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class SurveyAnswer(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """How many respondents gave one answer to one question."""

    __tablename__ = "survey_answers"
    __table_args__ = tenant_table_args(
        parent_key("question_id", "survey_questions", ondelete="CASCADE"),
        UniqueConstraint("authority_id", "question_id", "answer"),
        CheckConstraint("count > 0", name="count_positive"),
    )

    question_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)


class SurveyUpload(FileImport, TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A survey's CSV file someone uploaded: a job checks it and imports it whole, or not at all
    (``portal.assessments.jobs``), with the same steps and columns as a pupil register import (``portal.file_imports``). The
    file is kept only until it has been checked; what stays is who, when, the counts and the problems
    found (never an answer: a problem names a line and a column)."""

    __tablename__ = "survey_uploads"
    __table_args__ = tenant_table_args(
        parent_key("organisation_id", "organisations"),
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("method_id", "assessment_methods", ondelete="CASCADE"),
        parent_key("requested_by_id", "users"),
        Index("ix_survey_uploads_method", "authority_id", "method_id", "created_at"),
    )

    #: The assessed school, the assessment and its survey method.
    organisation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    method_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    #: Responses in the file (known when it was uploaded) and its questions (known once it has been read).
    respondents: Mapped[int | None] = mapped_column(Integer)
    questions: Mapped[int | None] = mapped_column(Integer)
    #: The import of the method's results the uploader's page showed (``None``: there were none). The job
    #: imports the file only if that is still the method's import, so an import someone else made after
    #: the page was opened is not silently replaced. No foreign key: importing again removes it.
    replaces: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    #: The import the file became (no foreign key: importing again removes it).
    survey_import_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    requested_by = tenant_relationship("User", "SurveyUpload.requested_by_id")


# Review ------------------------------------------------------------------------------------------------


class AssessmentReview(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """The review of the plan (one per assessment): when it is due, what changed, what young people now
    say about safety, how young people, parents and the school community are told, and how the safety is
    sustained. Its own version, so editing it never conflicts with a stage move."""

    __tablename__ = "assessment_reviews"
    __table_args__ = tenant_table_args(
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("updated_by_id", "users"),
        UniqueConstraint("authority_id", "assessment_id"),
        Index("ix_assessment_reviews_due", "authority_id", "review_due_on"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    review_due_on: Mapped[date | None] = mapped_column(Date)
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    what_changed: Mapped[str | None] = mapped_column(Text)
    young_people_say: Mapped[str | None] = mapped_column(Text)
    told_young_people: Mapped[str | None] = mapped_column(Text)
    told_parents: Mapped[str | None] = mapped_column(Text)
    told_school_community: Mapped[str | None] = mapped_column(Text)
    sustaining_safety: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


# Report ------------------------------------------------------------------------------------------------


class AssessmentReport(TenantOwned, HasUUID, HasCreatedAt, db.Model):
    """A PDF of the assessment, built by a job for the person who asked; only they download it. Built from
    what the whole workspace shares: never an assessor-only note (no note is in the report)."""

    __tablename__ = "assessment_reports"
    __table_args__ = tenant_table_args(
        parent_key("assessment_id", "school_assessments", ondelete="CASCADE"),
        parent_key("requested_by_id", "users"),
        UniqueConstraint("storage_key"),
        Index("ix_assessment_reports_requester", "authority_id", "requested_by_id", "created_at"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus), nullable=False, default=ExportStatus.PENDING)
    storage_key: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
