"""Forms of the school assessment workspace: opening one directly, moving its stage, its members, its
planning checklist (edited with optimistic locking) and its notes."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Optional

from forms import (
    BaseForm,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    NotBlank,
    Required,
    VersionField,
    choices,
    text_limit,
)
from portal.assessments.models import AssessmentKind
from portal.assessments.planning import QUESTIONS


class NewAssessmentForm(BaseForm):
    school = SelectField("School", widget=GovSelect(), validators=[Required("Select the school")])
    kind = RadioField(
        "What kind of assessment is it?",
        widget=GovRadioInput(),
        choices=choices(AssessmentKind.pairs()),
        validators=[Required("Select what kind of assessment it is")],
    )
    reason = TextAreaField(
        "Why is the school being assessed?",
        widget=GovTextArea(),
        description="What has happened, and why it reaches the level of child in need or child protection. The school sees this.",
        validators=[Required("Enter why the school is being assessed"), NotBlank("Enter why the school is being assessed"), text_limit("The reason")],
    )
    lead = SelectField("Lead assessor (optional)", widget=GovSelect(), description="You can name the lead later.", validators=[Optional()])
    submit = SubmitField("Open the assessment", widget=GovSubmitInput())


class MoveForm(BaseForm):
    """Move the stage: ``to`` is the stage asked for (the next, or the previous one with a comment)."""

    to = HiddenField()
    comment = TextAreaField(
        "Why is it going back a stage?",
        widget=GovTextArea(),
        description="Everyone working on the assessment sees this.",
        validators=[Optional(), text_limit("The comment", 2000)],
    )


class MemberForm(BaseForm):
    person = SelectField("Person to add", widget=GovSelect(), validators=[Required("Select the person to add")])
    submit = SubmitField("Add to the assessment", widget=GovSubmitInput())


class NoteForm(BaseForm):
    body = TextAreaField(
        "Add a note",
        widget=GovTextArea(),
        validators=[Required("Enter the note"), NotBlank("Enter the note"), text_limit("The note")],
    )
    assessor_only = BooleanField(
        "Assessor-only: never shown to the school", widget=GovCheckboxInput(), description="Only children's social care sees this note."
    )
    submit = SubmitField("Add the note", widget=GovSubmitInput())


class PlanningForm(BaseForm):
    """The things to consider, one answer each (all optional: the checklist fills in as it is agreed)."""

    version = VersionField()
    submit = SubmitField("Save the planning", widget=GovSubmitInput())


for _key, _question in QUESTIONS:
    setattr(PlanningForm, _key, TextAreaField(_question, widget=GovTextArea(), validators=[Optional(), text_limit("The answer", 5000)]))
