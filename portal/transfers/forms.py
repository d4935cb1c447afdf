"""Forms of the transfer pages: the pupil is leaving; sending the file; accepting, rejecting and reviewing
a file received."""

from __future__ import annotations

import re

from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField, ValidationError

from forms import (
    BaseForm,
    DayMonthYearField,
    EmailAddress,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    choices,
    text_limit,
)

#: The destination's choice for a school or college not on the portal.
OUTSIDE = "outside"


def _urn(form, field):
    if field.data and not re.fullmatch(r"\d{6}", field.data.strip()):
        raise ValidationError("Enter the URN as 6 digits, like 123456, or leave it empty")


class LeavingForm(BaseForm):
    """The pupil is leaving: when, for which school, and whether that school has confirmed."""

    leaving_on = DayMonthYearField(
        "When does the pupil leave?",
        description="Their last day at your school, for example 19 12 2026",
        required="Enter the date the pupil leaves",
        subject="The leaving date",
        example="19 12 2026",
    )
    destination = SelectField(
        "Which school are they going to?",
        widget=GovSelect(),
        description="Schools of this authority, then those of other authorities on the portal, by name and URN. For a school or college not on the portal, choose the last option and give its details below.",
        validators=[Required("Select the school the pupil is going to")],
        validate_choice=False,
    )
    outside_name = StringField("Name of the school or college", widget=GovTextInput(), validators=[text_limit("The name of the school or college", 200)])
    outside_urn = StringField("URN (optional)", widget=GovTextInput(), description="Its unique reference number: 6 digits", validators=[_urn])
    outside_dsl = StringField(
        "Name of its designated safeguarding lead", widget=GovTextInput(), validators=[text_limit("The designated safeguarding lead's name", 200)]
    )
    outside_email = StringField(
        "Their email address",
        widget=GovTextInput(),
        description="The portal emails them a link to the file. You will give them its access code by phone.",
        validators=[EmailAddress(), text_limit("The email address", 254)],
    )
    confirmed = RadioField(
        "Has the new school confirmed the place?",
        widget=GovRadioInput(),
        description="The 5 school days to send the file start when it is confirmed.",
        choices=choices([("yes", "Yes, it is confirmed"), ("no", "Not yet")]),
        validators=[Required("Select whether the new school has confirmed the place")],
    )
    submit = SubmitField("Record the leaving", widget=GovSubmitInput())


class SendForm(BaseForm):
    """Sending the whole file, with the DSL's note for the new school."""

    note = TextAreaField(
        "What should the new school know now? (optional)",
        widget=GovTextArea(),
        description="For example, the support in place, who the social worker is, and anything the new DSL should do in the first days.",
        validators=[text_limit("The note", 5000)],
    )
    submit = SubmitField("Send the file", widget=GovSubmitInput())


class AcceptForm(BaseForm):
    """Which pupil of the register the file is for (or add them)."""

    pupil = RadioField(
        "Which pupil is this file for?", widget=GovRadioInput(), validate_choice=False, validators=[Required("Choose the pupil this file is for")]
    )
    submit = SubmitField("Accept the file", widget=GovSubmitInput())


class RejectForm(BaseForm):
    reason = TextAreaField(
        "Why is this file not for your school?",
        widget=GovTextArea(),
        description="The sending school is told, so that it can send the file to the right school.",
        validators=[
            Required("Enter why this file is not for your school"),
            NotBlank("Enter why this file is not for your school"),
            text_limit("The reason", 2000),
        ],
    )
    submit = SubmitField("Reject the file", widget=GovSubmitInput())


class ReviewForm(BaseForm):
    actions = TextAreaField(
        "What will you do?",
        widget=GovTextArea(),
        description="For example, meet the child in their first week, contact the social worker, or that nothing more is needed.",
        validators=[
            Required("Enter what you will do, or that nothing more is needed"),
            NotBlank("Enter what you will do, or that nothing more is needed"),
            text_limit("What you will do", 5000),
        ],
    )
    submit = SubmitField("Record the review", widget=GovSubmitInput())


class AccessCodeForm(BaseForm):
    """The code the sending school's DSL gives by phone."""

    code = StringField(
        "Access code",
        widget=GovTextInput(),
        description="8 letters and numbers, for example ABCD-2345. The designated safeguarding lead who sent the file gives it to you by phone.",
        validators=[Required("Enter the access code"), NotBlank("Enter the access code")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ReceiptForm(BaseForm):
    """The new school's confirmation that the file has arrived."""

    name = StringField(
        "Your full name", widget=GovTextInput(), validators=[Required("Enter your full name"), NotBlank("Enter your full name"), text_limit("Your name", 200)]
    )
    role = StringField(
        "Your role",
        widget=GovTextInput(),
        description="For example, designated safeguarding lead",
        validators=[Required("Enter your role"), NotBlank("Enter your role"), text_limit("Your role", 200)],
    )
    school = StringField(
        "Your school or college",
        widget=GovTextInput(),
        validators=[Required("Enter the name of your school or college"), NotBlank("Enter the name of your school or college"), text_limit("The name", 200)],
    )
    received_on = DayMonthYearField(
        "Date received",
        description="For example, 19 12 2026",
        required="Enter the date you received the file",
        subject="The date received",
        example="19 12 2026",
    )
    submit = SubmitField("Confirm receipt", widget=GovSubmitInput())


class SentCopyForm(BaseForm):
    """The authority's setting: what a school keeps of a file it sent, once the new school has it."""

    keep = RadioField(
        "What does a school keep once the new school has received a child-protection file it sent?",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("record", "Only the record of the transfer and its receipt (recommended)"),
                ("copy", "A read-only copy of the file it sent as well, for a number of days"),
            ]
        ),
        validators=[Required("Select what a school keeps")],
    )
    days = StringField(
        "For how many days after the receipt? (if a copy is kept)",
        widget=GovTextInput(),
        description="Between 1 and 3650 (ten years). The copy is then removed; the record of the transfer and its receipt stay.",
    )

    def kept_days(self) -> int | None:
        """The days a copy is kept (``None``: no copy), or an error next to the field."""
        if self.keep.data != "copy":
            return None
        typed = (self.days.data or "").strip()
        if not typed:
            self.days.errors.append("Enter for how many days a copy is kept, like 365")
        elif not typed.isdigit():
            self.days.errors.append("Enter the number of days as a whole number, like 365")
        elif not 1 <= int(typed) <= 3650:
            self.days.errors.append("The number of days must be between 1 and 3650")
        else:
            return int(typed)
        return None

    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())
