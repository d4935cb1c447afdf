"""Forms for the authority administration screens."""

from __future__ import annotations

import re

from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from forms import (
    BaseForm,
    EmailAddress,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
    IsoDateField,
    Required,
    VersionField,
    choices,
)
from portal.accounts.models import Role
from portal.authorities.models import Duty, OrganisationKind, SchoolPhase

AUTHORITY_LEVEL = "authority"


class OrganisationForm(BaseForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[Required("Enter the organisation's name"), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    kind = RadioField(
        "What kind of organisation is it?",
        widget=GovRadioInput(),
        choices=choices((k.value, k.label) for k in OrganisationKind),
        validators=[Required("Select what kind of organisation it is")],
    )
    urn = StringField(
        "Unique reference number (URN)",
        widget=GovTextInput(),
        description="Schools, early years settings and colleges only. The 6-digit number from Get Information about Schools.",
        validators=[Optional()],
    )
    phase = SelectField(
        "Phase of education",
        widget=GovSelect(),
        description="Schools, early years settings and colleges only",
        choices=choices([("", "Not applicable")] + [(p.value, p.label) for p in SchoolPhase]),
        validators=[Optional()],
    )
    contact_email = StringField(
        "Contact email address (optional)",
        widget=GovTextInput(),
        description="A shared mailbox, for example the safeguarding team's",
        validators=[Optional(), EmailAddress()],
    )
    version = VersionField()
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def validate_name(self, field):
        if not field.data.strip():  # spaces pass Required, and would save a nameless organisation
            raise ValidationError("Enter the organisation's name")

    def validate_urn(self, field):
        value = (field.data or "").strip()
        field.data = value or None
        if not value:
            return
        if self.kind.data not in {k.value for k in OrganisationKind if k.is_education}:
            raise ValidationError("Only schools, early years settings and colleges have a URN")
        if not re.fullmatch(r"\d{6}", value):
            raise ValidationError("URN must be 6 digits, like 100234")

    def validate_phase(self, field):
        if field.data and self.kind.data not in {k.value for k in OrganisationKind if k.is_education}:
            raise ValidationError("Only schools, early years settings and colleges have a phase of education")


def _role_choices():
    return choices((r.value, r.label) for r in Role)


def _either(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


class MembershipFields:
    """Organisation and role, checked against each other in the same round as every other field.

    The view sets ``organisations_by_id`` (the organisations offered) before validating.
    """

    organisations_by_id: dict = {}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.organisation.errors or self.role.errors):
            self._check_role_fits_organisation()
        return valid and not (self.organisation.errors or self.role.errors)

    def _check_role_fits_organisation(self) -> None:
        role = Role(self.role.data) if self.role.data in {r.value for r in Role} else None
        if role is None:
            return
        chosen = self.organisation.data
        if role is Role.AUTHORITY_ADMIN:
            if chosen not in ("", AUTHORITY_LEVEL, None):
                self.organisation.errors.append("An authority administrator belongs to the authority, not to an organisation. Select 'The authority itself'")
            return
        organisation = self.organisations_by_id.get(chosen)
        if organisation is None:
            self.organisation.errors.append("Select the organisation this role is in")
            return
        if organisation.kind not in role.organisation_kinds:
            kinds = _either([k.label.lower() for k in role.organisation_kinds])
            self.organisation.errors.append(f"{organisation.name} is not a {kinds}. Choose a {kinds} for a {role.label.lower()}")


class InviteUserForm(MembershipFields, BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="Their work email address. The invitation is sent here.",
        validators=[Required("Enter their email address"), EmailAddress()],
    )
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[Required("Enter their full name"), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    job_title = StringField(
        "Job title (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200, message="Job title must be 200 characters or fewer")]
    )
    organisation = SelectField("Organisation", widget=GovSelect(), validators=[Required("Select the organisation this role is in")], validate_choice=False)
    role = RadioField("Role", widget=GovRadioInput(), choices=_role_choices(), validators=[Required("Select their role")])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def validate_full_name(self, field):
        if not field.data.strip():  # spaces pass Required, and would save a nameless user
            raise ValidationError("Enter their full name")


class AddMembershipForm(MembershipFields, BaseForm):
    organisation = SelectField("Organisation", widget=GovSelect(), validators=[Required("Select the organisation this role is in")], validate_choice=False)
    role = RadioField("Role", widget=GovRadioInput(), choices=_role_choices(), validators=[Required("Select the role")])
    submit = SubmitField("Add role", widget=GovSubmitInput())


class SettingsForm(BaseForm):
    require_two_factor = BooleanField(
        "Everyone must use two-factor authentication",
        widget=GovCheckboxInput(),
        description="People who have not set it up are asked to do so the next time they sign in, before they can do anything else.",
    )
    version = VersionField()
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class DutyForm(BaseForm):
    user = SelectField("Person", widget=GovSelect(), validators=[Required("Select a person")], validate_choice=False)
    duty = RadioField("Duty", widget=GovRadioInput(), choices=choices((d.value, d.label) for d in Duty), validators=[Required("Select a duty")])
    submit = SubmitField("Name for this duty", widget=GovSubmitInput())


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter: nothing changes

    actor = SelectField("Done by", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    object_type = StringField(
        "Type of record", widget=GovTextInput(), description="For example user, organisation, membership", validators=[Optional(), Length(max=64)]
    )
    object_id = StringField("Record id", widget=GovTextInput(), validators=[Optional(), Length(max=64)])
    date_from = IsoDateField("From (date)", widget=GovTextInput(), description="For example 2026-11-01", validators=[Optional()], format="%Y-%m-%d")
    date_to = IsoDateField("To (date)", widget=GovTextInput(), description="For example 2026-11-30", validators=[Optional()], format="%Y-%m-%d")
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The 'to' date must be the same as or after the 'from' date")
