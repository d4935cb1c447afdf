"""Forms of the concerns module: logging a concern, the DSL's triage, and the authority's categories."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from forms import (
    AttachmentsField,
    BaseForm,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    Required,
    VersionField,
    choices,
)
from portal.concerns.models import ConcernOutcome
from portal.model_base import utcnow
from portal.templating import UK

_TIME = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")


class DayMonthYearField(StringField):
    """A date typed in the GOV.UK date input (day, month and year boxes), with GOV.UK messages."""

    widget = GovDateInput()

    def process_formdata(self, valuelist):
        self.raw_data = list(valuelist[:3]) + [""] * (3 - len(valuelist[:3])) if valuelist else None
        self.data = None
        if not valuelist:
            return
        day, month, year = (part.strip() for part in self.raw_data)
        if not (day or month or year):
            return  # Required says what is missing
        if not (day and month and year):
            raise ValueError("The date must include a day, month and year")
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            raise ValueError("Enter the date as numbers, like 27 3 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError("The date must be a real date") from None

    def _value(self):
        return self.data.strftime("%d %m %Y") if self.data else ""


class DateRequired(Required):
    """Required for the date input: all three boxes empty."""

    def __init__(self, message: str):
        super().__init__(message)
        self.field_flags = {}  # no 'required' attribute on the date input's wrapper

    def __call__(self, form, field):
        if field.process_errors:
            return
        if not field.raw_data or not any(part.strip() for part in field.raw_data):
            field.errors[:] = []
            raise StopValidation(self.message)


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
        validators=[Required("Enter what you saw or heard")],
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
        validators=[DateRequired("Enter the date it happened")],
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

    def validate_seen_or_heard(self, field):
        if not (field.data or "").strip():
            raise ValidationError("Enter what you saw or heard")

    def validate_occurred_time(self, field):
        if not (field.data or "").strip():
            raise ValidationError("Enter the time it happened, like 14:30")
        if not _TIME.fullmatch(field.data):
            raise ValidationError("Enter the time using the 24-hour clock, like 14:30")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.occurred_on.errors or self.occurred_time.errors):
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
        return datetime.combine(self.occurred_on.data, time(int(match.group(1)), int(match.group(2))), tzinfo=UK)


class TriageForm(BaseForm):
    """The DSL's triage of one concern."""

    action_taken = TextAreaField(
        "What action have you taken?",
        widget=GovTextArea(),
        description="For example, who you spoke to, what you checked, and what happens next. Only DSLs and the head see this.",
        validators=[Required("Enter what action you have taken")],
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

    def validate_action_taken(self, field):
        if not (field.data or "").strip():
            raise ValidationError("Enter what action you have taken")


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
