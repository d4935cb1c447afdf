"""Forms of the concerns module: logging a concern, the DSL's triage, and the authority's categories."""

from __future__ import annotations

import re

from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from forms import (
    AttachmentsField,
    BaseForm,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    WhenItHappenedForm,
    choices,
    when_date_field,
    when_time_field,
)
from portal.concerns.models import ConcernOutcome


class ConcernForm(WhenItHappenedForm):
    """What a member of staff saw or heard. Zero threshold: no minimum length, only not empty."""

    category = RadioField(
        "What is the concern about?",
        widget=GovRadioInput(),
        description="Choose the closest. If none fits, choose Other.",
        validators=[Required("Select what the concern is about")],
    )
    seen_or_heard = TextAreaField(
        "What did you see or hear?",
        widget=GovTextArea(),
        description="Write down what happened, as facts. Nothing is too small to record: the DSL may see a pattern you cannot.",
        validators=[Required("Enter what you saw or heard"), NotBlank("Enter what you saw or heard")],
    )
    child_words = TextAreaField(
        "What did the child say, in their own words? (optional)",
        widget=GovTextArea(),
        description="Write their exact words, even if they are rude or unclear. Do not interpret or summarise them.",
        validators=[Optional()],
    )
    occurred_on = when_date_field()
    occurred_time = when_time_field()
    location = StringField(
        "Where did it happen? (optional)",
        widget=GovTextInput(),
        description="For example, the playground, classroom 4 or on the way to school",
        validators=[Optional(), Length(max=200, message="Where it happened must be 200 characters or fewer")],
    )
    urgent = BooleanField(
        "This is urgent: the child may be at risk of harm now",
        widget=GovCheckboxInput(),
        description="Also tell the DSL in person straight away. Do not wait for them to read this.",
    )
    attachments = AttachmentsField()
    submit = SubmitField("Log the concern", widget=GovSubmitInput())


class TriageForm(BaseForm):
    """The DSL's triage of one concern."""

    action_taken = TextAreaField(
        "What action have you taken?",
        widget=GovTextArea(),
        description="For example, who you spoke to, what you checked, and what happens next. Only DSLs and the head see this.",
        validators=[Required("Enter what action you have taken"), NotBlank("Enter what action you have taken")],
    )
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=choices(ConcernOutcome.pairs()),
        validators=[Required("Select the outcome")],
    )
    response_to_reporter = TextAreaField(
        "Response to the person who logged it (optional)",
        widget=GovTextArea(),
        description="They will see this and the outcome, nothing else you record here. Thank them, and say what they should keep looking out for.",
        validators=[Optional()],
    )
    links = SelectMultipleField(
        "Link to other concerns about this child (optional)",
        widget=GovCheckboxesInput(),
        description="Linked concerns show a pattern. Untick one to remove its link.",
        validate_choice=False,
    )
    version = VersionField()
    submit = SubmitField("Save triage", widget=GovSubmitInput())


class CategoryForm(BaseForm):
    """A concern category an authority adds to the built-in list."""

    label = StringField(
        "Name of the category",
        widget=GovTextInput(),
        description="Schools will see it in the list when they log a concern. For example, Knife crime or Young carer.",
        validators=[Required("Enter the name of the category"), Length(max=120, message="The name must be 120 characters or fewer")],
    )
    submit = SubmitField("Add the category", widget=GovSubmitInput())

    def validate_label(self, field):
        field.data = re.sub(r"\s+", " ", field.data or "").strip()
        if not field.data:
            raise ValidationError("Enter the name of the category")
