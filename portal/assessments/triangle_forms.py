"""The form of a finding in the school assessment triangle: its domain, its rating, what was found and the
evidence behind it."""

from __future__ import annotations

from wtforms import RadioField, SubmitField, TextAreaField

from forms import BaseForm, GovRadioInput, GovSubmitInput, GovTextArea, NotBlank, Required, VersionField, choices, text_limit
from portal.assessments.models import Domain, Rating

#: What each domain of the triangle looks at, in the words of the guide to school assessments.
DOMAIN_HINTS = {
    Domain.PUPIL_DEVELOPMENT: "The dynamics of the pupils in the school, how they relate to each other and the school culture.",
    Domain.GUARDIANSHIP: (
        "The capacity, willingness and ability of guardians to keep students safe. Do staff understand their "
        "safeguarding role and do students feel safe and trust them to protect them?"
    ),
    Domain.ENVIRONMENT: (
        "Which other factors affect the safety of the young people? These may relate to the local neighbourhood "
        "context, the policies in place to safeguard them, the support of their parents or systemic factors."
    ),
}

#: The fields a stale save compares, with their labels.
FINDING_LABELS = {"domain": "Domain", "rating": "Rating", "text": "The finding", "evidence": "Evidence"}


def _text(label: str, what: str, required: str, description: str) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=description, validators=[Required(required), NotBlank(required), text_limit(what)])


class FindingForm(BaseForm):
    domain = RadioField(
        "Which domain of the triangle is it about?",
        widget=GovRadioInput(),
        choices=choices(Domain.pairs()),
        validators=[Required("Select the domain the finding is about")],
    )
    rating = RadioField(
        "Is it a strength or a concern?",
        widget=GovRadioInput(),
        choices=choices(Rating.pairs()),
        validators=[Required("Select whether it is a strength or a concern")],
    )
    text = _text("The finding", "The finding", "Enter the finding", "What you found, in a few sentences. Do not name young people.")
    evidence = _text(
        "What is this based on?",
        "The evidence",
        "Enter what the finding is based on",
        "The evidence behind it: for example a focus group with staff, the behaviour policy, records, a survey or an observation of the school.",
    )
    version = VersionField()
    submit = SubmitField("Save the finding", widget=GovSubmitInput())
