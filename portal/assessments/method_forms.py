"""The form of a method of a school assessment (a focus group, a review, a survey, an observation): when,
who took part (counts and groups, never names), what was found, and which findings of the triangle it
supports."""

from __future__ import annotations

from datetime import date

from wtforms import IntegerField, RadioField, SelectMultipleField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Optional

from forms import (
    BaseForm,
    DayMonthYearField,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    choices,
    text_limit,
)
from portal.assessments.models import MethodKind

#: The fields a stale save compares, with their labels.
METHOD_LABELS = {
    "kind": "Method",
    "held_on": "Date",
    "participants": "How many took part",
    "who_took_part": "Who took part",
    "found": "What was found",
    "findings": "Findings it supports",
}


class ParticipantsField(IntegerField):
    """How many took part: empty means not recorded; otherwise a whole number, 0 or more."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if raw and not raw.isdigit():
            raise ValueError("Enter how many took part as a whole number, like 12, or leave it empty")
        self.data = int(raw) if raw else None
        if self.data is not None and self.data > 100000:
            raise ValueError("Enter how many took part as a number of 100,000 or fewer")


class MethodForm(BaseForm):
    kind = RadioField(
        "Which method was it?",
        widget=GovRadioInput(),
        choices=choices(MethodKind.pairs()),
        validators=[Required("Select the method")],
    )
    held_on = DayMonthYearField(
        "When was it?",
        description="For example, 4 3 2026. For a review or a survey, the day it was finished.",
        required="Enter the date of the method",
        subject="The date",
        example="4 3 2026",
        short_year="The year must include 4 numbers, like 2026",
    )
    participants = ParticipantsField("How many took part? (optional)", widget=GovTextInput(), validators=[Optional()])
    who_took_part = TextAreaField(
        "Who took part? (optional)",
        widget=GovTextArea(),
        description="Groups and year groups, for example 'Year 10 students, girls and boys' or 'teaching and support staff'. Never write names.",
        validators=[Optional(), text_limit("Who took part", 2000)],
    )
    found = TextAreaField(
        "What was found?",
        widget=GovTextArea(),
        description="What the method showed, in a few sentences. Do not name young people.",
        validators=[Required("Enter what was found"), NotBlank("Enter what was found"), text_limit("What was found")],
    )
    findings = SelectMultipleField("Which findings does it support?", widget=GovCheckboxesInput(), choices=[], validate_choice=False)
    version = VersionField()
    submit = SubmitField("Save the method", widget=GovSubmitInput())

    #: Set by the view (UK date), so the form and the page agree on what "today" is.
    today: date = date.max

    def validate_held_on(self, field):
        if not field.errors and field.data and field.data > self.today:
            raise ValidationError("The date must be today or in the past")

    def validate_findings(self, field):
        allowed = {choice[0] for choice in field.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError("Select only findings of this assessment")
