"""WTForms for the portal: one base form, GOV.UK widgets, shared validators.

Every form posts with a CSRF token (Flask-WTF) and is validated on the server; errors are shown next to
each field and in a GOV.UK error summary (``templates/macros/forms.html``).
"""

from __future__ import annotations

import re

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
from wtforms import DateField, HiddenField, MultipleFileField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

__all__ = [
    "AttachmentsField",
    "BaseForm",
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
    "Required",
    "VersionField",
    "choices",
    "normalise_email",
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


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


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
        from portal.casework.attachments import check_upload

        for upload in self.files:
            message = check_upload(upload)
            if message:
                self.errors.append(f"{upload.filename}: {message}" if upload.filename else message)
