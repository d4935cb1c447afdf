"""WTForms for the portal: one base form, GOV.UK widgets, shared validators.

Every form posts with a CSRF token (Flask-WTF) and is validated on the server; errors are shown next to
each field and in a GOV.UK error summary (``templates/macros/forms.html``).
"""

from __future__ import annotations

import re
from datetime import date

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
from wtforms import DateField, HiddenField, MultipleFileField, SubmitField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, StopValidation

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
    "choices",
    "text_limit",
]


def choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as the choices of a select or radio field."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class BaseForm(FlaskForm):
    """The base of every portal form."""


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
