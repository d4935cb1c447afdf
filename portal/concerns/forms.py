"""Forms of the concerns module: logging a concern, the DSL's triage, and the authority's categories."""

from __future__ import annotations

import re
from datetime import datetime, time

from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from forms import (
    AttachmentsField,
    BaseForm,
    DayMonthYearField,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    choices,
)
from portal.clock import UK, missing_uk_time, uk_date, uk_moment, utcnow
from portal.concerns.models import ConcernOutcome

_TIME = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")


class ConcernForm(BaseForm):
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
    occurred_on = DayMonthYearField(
        "Date it happened",
        description="For example, 27 3 2026",
        required="Enter the date it happened",
        incomplete="The date must include a day, month and year",
        not_numbers="Enter the date as numbers, like 27 3 2026",
        not_real="The date must be a real date",
    )
    occurred_time = StringField(
        "Time it happened",
        widget=GovTextInput(),
        description="Use the 24-hour clock, for example 14:30. If you do not know exactly, give your best estimate.",
        validators=[Required("Enter the time it happened, like 14:30")],
    )
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

    def validate_occurred_time(self, field):
        if not (field.data or "").strip():
            raise ValidationError("Enter the time it happened, like 14:30")
        if not _TIME.fullmatch(field.data):
            raise ValidationError("Enter the time using the 24-hour clock, like 14:30")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.occurred_on.errors or self.occurred_time.errors):
            match = _TIME.fullmatch(self.occurred_time.data or "")
            if self.occurred_on.data is not None and match and missing_uk_time(self.occurred_on.data, time(int(match.group(1)), int(match.group(2)))):
                self.occurred_time.errors.append(
                    f"The clocks went forward an hour at 1am on {uk_date(self.occurred_on.data)}, so {self.occurred_time.data} was never shown: "
                    "enter the time as the clock showed it"
                )
                return False
            moment = self.occurred_at
            now = utcnow()
            if moment is not None and moment > now:
                if self.occurred_on.data > now.astimezone(UK).date():
                    self.occurred_on.errors.append("The date it happened must be today or in the past")
                else:
                    self.occurred_time.errors.append("The time it happened must be now or in the past")
                valid = False
        return valid

    @property
    def occurred_at(self) -> datetime | None:
        """The date and time given, in UK time, as an aware datetime."""
        match = _TIME.fullmatch(self.occurred_time.data or "")
        if self.occurred_on.data is None or match is None:
            return None
        return uk_moment(self.occurred_on.data, time(int(match.group(1)), int(match.group(2))))


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
