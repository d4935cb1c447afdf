"""The administrator's form for a new version of the levels-of-need guidance."""

from __future__ import annotations

from wtforms import SubmitField, TextAreaField

from forms import BaseForm, GovSubmitInput, GovTextArea, NotBlank, Required, VersionField, text_limit
from portal.vocabulary import Level

LEVEL_FIELDS = (Level.UNIVERSAL, Level.EARLY_HELP, Level.CHILD_IN_NEED, Level.CHILD_PROTECTION)


def _text(what: str, limit: int = 20000):
    return [Required(f"Enter {what}"), NotBlank(f"Enter {what}"), text_limit(what[0].upper() + what[1:], limit)]


class GuidanceForm(BaseForm):
    """The continuum of need, one indicator a line per level."""

    universal = TextAreaField("Universal", widget=GovTextArea(), description="One indicator a line.", validators=_text("at least one universal indicator"))
    early_help = TextAreaField("Early help", widget=GovTextArea(), description="One indicator a line.", validators=_text("at least one early help indicator"))
    child_in_need = TextAreaField(
        "Child in need", widget=GovTextArea(), description="One indicator a line.", validators=_text("at least one child in need indicator")
    )
    child_protection = TextAreaField(
        "Child protection", widget=GovTextArea(), description="One indicator a line.", validators=_text("at least one child protection indicator")
    )
    note = TextAreaField(
        "What changed and why",
        widget=GovTextArea(),
        description="Shown in the list of versions. Referrals and advice requests already made keep the version they were made under.",
        validators=_text("what changed and why", 2000),
    )
    #: The number of the version the form was drawn from.
    version = VersionField()
    submit = SubmitField("Save as a new version", widget=GovSubmitInput())

    def indicators(self) -> dict[Level, list[str]]:
        return {level: [line.strip() for line in (self[level.value].data or "").splitlines() if line.strip()] for level in LEVEL_FIELDS}
