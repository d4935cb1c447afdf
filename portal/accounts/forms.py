"""Forms for signing in, two-factor authentication, passwords and invitations."""

from __future__ import annotations

from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import Length, ValidationError

from forms import BaseForm, EmailAddress, GovPasswordInput, GovSubmitInput, GovTextInput, Required


class SignInForm(BaseForm):
    email = StringField("Email address", widget=GovTextInput(), validators=[Required("Enter your email address"), EmailAddress()])
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[Required("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class TwoFactorForm(BaseForm):
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        description="The 6-digit code shown in your authenticator app",
        validators=[Required("Enter the security code from your authenticator app")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def validate_code(self, field):
        digits = "".join(ch for ch in (field.data or "") if ch.isdigit())
        if len(digits) != 6:
            raise ValidationError("Enter the 6-digit security code")


class RecoveryCodeForm(BaseForm):
    code = StringField(
        "Recovery code",
        widget=GovTextInput(),
        description="One of the recovery codes you saved when you set up two-factor authentication, like 3f9a1-c07b2",
        validators=[Required("Enter a recovery code")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class NewPasswordForm(BaseForm):
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description="Must be 12 characters or more. Three random words are easy to remember and hard to guess.",
        validators=[Required("Enter a password")],
    )
    confirm = PasswordField("Confirm your password", widget=GovPasswordInput(), validators=[Required("Confirm your password")])
    submit = SubmitField("Save password", widget=GovSubmitInput())

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError("Passwords do not match")


class AcceptInvitationForm(NewPasswordForm):
    full_name = StringField(
        "Your full name",
        widget=GovTextInput(),
        validators=[Required("Enter your full name"), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Current password", widget=GovPasswordInput(), validators=[Required("Enter your current password")])
    submit = SubmitField("Change password", widget=GovSubmitInput())


class PasswordResetRequestForm(BaseForm):
    email = StringField("Email address", widget=GovTextInput(), validators=[Required("Enter your email address"), EmailAddress()])
    submit = SubmitField("Send reset link", widget=GovSubmitInput())
