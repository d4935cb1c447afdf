"""WTForms for the portal: one base form, GOV.UK widgets, shared validators.

Every form posts with a CSRF token (Flask-WTF) and is validated on the server; errors are shown next to
each field and in a GOV.UK error summary (``templates/macros/forms.html``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateField, HiddenField, MultipleFileField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, StopValidation

from portal.clock import UK, missing_uk_time, uk_date, uk_moment, uk_today, utcnow
from portal.text import normalise_email

__all__ = [
    "AttachmentsField",
    "BaseForm",
    "DayMonthYearField",
    "GovCharacterCount",
    "GovDateInput",
    "GovFileInput",
    "EmailAddress",
    "GovCheckboxInput",
    "GovCheckboxesInput",
    "GovPasswordInput",
    "GovRadioInput",
    "GovSelect",
    "GovSubmitInput",
    "GovTextArea",
    "GovTextInput",
    "IsoDateField",
    "MessageForm",
    "NotBlank",
    "Required",
    "VersionField",
    "WhenItHappenedForm",
    "when_date_field",
    "when_time_field",
    "choices",
    "typed_time",
    "text_limit",
]


def choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as the choices of a select or radio field."""
    return [SelectChoice(str(value), label) for value, label in pairs]


#: Characters nobody types into a form and a database may refuse (PostgreSQL refuses NUL in text): the C0
#: controls but tab, line feed and carriage return, DEL, and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_CHARACTER_MESSAGE = "Remove the hidden control characters (such as a NUL character) from this answer: they cannot be saved"


class BaseForm(FlaskForm):
    """The base of every portal form. Whatever its fields, text with hidden control characters is refused
    next to the field it was typed into, so it never reaches the database."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A page with two forms has two buttons: each gets an id of its own form's ("review-form-submit"),
        # not WTForms' "submit" twice.
        for field in self:
            if field.type == "SubmitField" and field.id == field.name:
                field.id = f"{re.sub(r'(?<!^)(?=[A-Z])', '-', type(self).__name__).lower()}-{field.name}"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            typed = [value for value in (field.raw_data or []) if isinstance(value, str)]
            if any(CONTROL_CHARACTERS.search(value) for value in typed):
                # (A choice field's own error may quote what was sent: that too without the characters.)
                shown = [CONTROL_CHARACTERS.sub("\ufffd", e) if isinstance(e, str) else e for e in field.errors]
                field.errors = [*shown, CONTROL_CHARACTER_MESSAGE]
                valid = False
                # What was typed is kept on the page, each hidden character shown as "\ufffd" where it
                # was: a NUL is never written into a page.
                field.raw_data = [CONTROL_CHARACTERS.sub("\ufffd", v) if isinstance(v, str) else v for v in field.raw_data]
                if isinstance(field.data, str):
                    field.data = CONTROL_CHARACTERS.sub("\ufffd", field.data)
                elif isinstance(field.data, list):
                    field.data = [CONTROL_CHARACTERS.sub("\ufffd", v) if isinstance(v, str) else v for v in field.data]
        return valid


class Required(InputRequired):
    """InputRequired with the GOV.UK-style message given per field ("Enter your email address")."""

    field_flags = {"required": False}  # no HTML5 'required': the server's message is the one shown

    def __init__(self, message: str):
        super().__init__(message=message)
        self.field_flags = {"required": False}  # InputRequired.__init__ sets it on the instance


class NotBlank:
    """Refuses text that is only spaces (which passes ``Required``, and would save an empty text)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if not (field.data or "").strip():
            raise ValidationError(self.message)


def text_limit(what: str, limit: int = 20000) -> Length:
    """At most ``limit`` characters, said as "<what> must be 20,000 characters or fewer"."""
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


class EmailAddress:
    """A real-looking email address (syntax only; deliverability is not checked)."""

    def __init__(self, message: str = "Enter an email address in the correct format, like name@example.org"):
        self.message = message

    def __call__(self, form, field):
        value = normalise_email(field.data)
        if not value:
            return
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(self.message) from exc
        field.data = value


class VersionField(HiddenField):
    """The version of the record the form was drawn from (optimistic locking)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not re.fullmatch(r"\d{1,9}", str(self.data)):
            self.data = None

    @property
    def version(self) -> int | None:
        return int(self.data) if self.data else None


class IsoDateField(DateField):
    """A date typed as YYYY-MM-DD, with a message that says so."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = None
            raise ValueError(f"Enter {self.label.text.lower()} as a real date, like 2026-11-01") from exc


class DayMonthYearField(DateField):
    """A date typed in the GOV.UK date input (day, month and year boxes), with a GOV.UK-style message for
    each way it can be wrong. What was typed is shown again when it is wrong.

    The messages are templates: ``{subject}`` is how they name the date (the label, unless ``subject``
    is given, e.g. "The date"), ``{example}`` a real date like "14 3 2015", and ``{missing}`` the boxes
    left empty, joined by ``missing_joiner`` ("day and month", or with " and a ", "day and a month").

    required: the message when all three boxes are empty; None leaves an empty date as None.
    not_numbers: a box that is not a number; also a year that is not 4 digits unless ``short_year`` is given.
    accept_iso: also take one YYYY-MM-DD value (posted by a script rather than the form).
    """

    widget = GovDateInput()

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        required: str | None = None,
        subject: str | None = None,
        example: str = "",
        incomplete: str = "{subject} must include a {missing}",
        missing_joiner: str = " and ",
        not_numbers: str | None = None,
        short_year: str | None = None,
        not_real: str = "{subject} must be a real date, like {example}",
        accept_iso: bool = False,
        **kwargs,
    ):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.required_message = required
        self.subject = subject
        self.example = example
        self.messages = {
            "incomplete": incomplete,
            "not_numbers": not_numbers or not_real,
            "short_year": short_year or not_numbers or not_real,
            "not_real": not_real,
        }
        self.missing_joiner = missing_joiner
        self.accept_iso = accept_iso

    def _message(self, key: str, missing: tuple[str, ...] | list[str] = ()) -> str:
        return self.messages[key].format(
            subject=self.subject or self.label.text,
            example=self.example,
            missing=self.missing_joiner.join(missing),
        )

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            self.raw_data = None  # the widget unpacks day, month and year from it
            return
        parts = [(value or "").strip() for value in valuelist]
        if self.accept_iso and len(parts) == 1 and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", parts[0]):
            parts = list(reversed(parts[0].split("-")))
        day, month, year = self.raw_data = (parts + ["", "", ""])[:3]
        if not (day or month or year):
            return  # ``required`` says so, if it must be given
        missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
        if missing:
            raise ValueError(self._message("incomplete", missing))
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValueError(self._message("not_numbers"))
        if len(year) != 4:
            raise ValueError(self._message("short_year"))
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(self._message("not_real")) from None

    def pre_validate(self, form):
        if self.required_message and not self.process_errors and self.data is None:
            raise StopValidation(self.required_message)


class AttachmentsField(MultipleFileField):
    """Files to attach (optional). Each is checked as the attachments module will keep it (size, and the
    type read from its bytes), so a refused file is named next to this field and nothing is saved."""

    widget = GovFileInput(multiple=True)

    def __init__(self, label="Attachments (optional)", validators=None, **kwargs):
        kwargs.setdefault(
            "description",
            "For example a body map, a photo of a note or a letter. PDF, JPEG, PNG, Word, Excel or OpenDocument, up to 10MB each.",
        )
        super().__init__(label, validators, **kwargs)

    @property
    def files(self):
        """The files actually chosen (browsers send an empty part when none is)."""
        return [f for f in (self.data or []) if getattr(f, "filename", None)]

    def post_validate(self, form, validation_stopped):
        from portal.uploads import check_upload

        for upload in self.files:
            message = check_upload(upload)
            if message:
                self.errors.append(f"{upload.filename}: {message}" if upload.filename else message)


class MessageForm(BaseForm):
    """A message on a case's thread (an advice request's or a referral's)."""

    body = TextAreaField(
        "Your message",
        widget=GovTextArea(),
        validators=[
            Required("Enter your message"),
            NotBlank("Enter your message"),
            text_limit("Your message", 10000),
        ],
    )
    submit = SubmitField("Send message", widget=GovSubmitInput())


_TIME = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")


def typed_time(text: str | None) -> time | None:
    """``14:30`` (or ``14.30``, or ``9:05``) as a time; ``None`` if it is not a time on the 24-hour clock."""
    match = _TIME.fullmatch(text or "")
    return time(int(match.group(1)), int(match.group(2))) if match else None


def when_date_field() -> DayMonthYearField:
    """The date something happened (UK), for :class:`WhenItHappenedForm`."""
    return DayMonthYearField(
        "Date it happened",
        description="For example, 27 3 2026",
        required="Enter the date it happened",
        incomplete="The date must include a day, month and year",
        not_numbers="Enter the date as numbers, like 27 3 2026",
        not_real="The date must be a real date",
    )


def when_time_field() -> StringField:
    """The time something happened, on the 24-hour clock, for :class:`WhenItHappenedForm`."""
    return StringField(
        "Time it happened",
        widget=GovTextInput(),
        description="Use the 24-hour clock, for example 14:30. If you do not know exactly, give your best estimate.",
        validators=[Required("Enter the time it happened, like 14:30")],
    )


class WhenItHappenedForm(BaseForm):
    """A form with the date and the time something happened (UK time), which must be now or in the past.
    A time in the hour the clocks skip in March is explained next to the time; one in the hour they
    repeat in October is taken the first time round (BST)."""

    # Declared again by each form where they belong on its page (a field's place follows its creation).
    occurred_on = when_date_field()
    occurred_time = when_time_field()

    def validate_occurred_time(self, field):
        if not (field.data or "").strip():
            raise ValidationError("Enter the time it happened, like 14:30")
        if typed_time(field.data) is None:
            raise ValidationError("Enter the time using the 24-hour clock, like 14:30")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A page with two forms has two buttons: each gets an id of its own form's ("review-form-submit"),
        # not WTForms' "submit" twice.
        for field in self:
            if field.type == "SubmitField" and field.id == field.name:
                field.id = f"{re.sub(r'(?<!^)(?=[A-Z])', '-', type(self).__name__).lower()}-{field.name}"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.occurred_on.errors or self.occurred_time.errors):
            at = typed_time(self.occurred_time.data)
            if self.occurred_on.data is not None and at is not None and missing_uk_time(self.occurred_on.data, at):
                self.occurred_time.errors.append(
                    f"The clocks went forward an hour at 1am on {uk_date(self.occurred_on.data)}, so {self.occurred_time.data} was never shown: "
                    "enter the time as the clock showed it"
                )
                return False
            moment = self.occurred_at
            now = utcnow()
            if moment is not None and moment > now:
                if self.occurred_on.data > uk_today(now):
                    self.occurred_on.errors.append("The date it happened must be today or in the past")
                else:
                    self.occurred_time.errors.append("The time it happened must be now or in the past")
                valid = False
        return valid

    @property
    def occurred_at(self) -> datetime | None:
        """The date and time given, in UK time, as an aware UTC datetime."""
        at = typed_time(self.occurred_time.data)
        if self.occurred_on.data is None or at is None:
            return None
        return uk_moment(self.occurred_on.data, at)

    def show_when(self, moment: datetime) -> None:
        """Fill the date and time boxes from a saved moment (UK time)."""
        local = moment.astimezone(UK)
        self.occurred_on.data = local.date()
        self.occurred_time.data = local.strftime("%H:%M")
