"""Forms of the referrals module: the DSL's referral, the front door's steps, and the message thread.

The referral form validates only what would be wrong in any draft (a file, a choice not offered, a
length). What a referral needs before it can be sent is checked at submission by
``portal.referrals.service.missing_for_submission``, so a draft can be saved half-written.
"""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from forms import (
    AttachmentsField,
    BaseForm,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    choices,
    text_limit,
)
from portal.referrals.models import ParentsAware, ReferralDecision
from portal.vocabulary import EXTRA_FAMILIAL, HarmCategory, Level

#: Harm in or around the family, then the extra-familial harms (harm outside the home), shown apart.
FAMILY_HARMS = [c for c in HarmCategory if c not in EXTRA_FAMILIAL]
EXTRA_FAMILIAL_HARMS = [c for c in HarmCategory if c in EXTRA_FAMILIAL]


class OptionalRadioField(RadioField):
    """Radios a draft may leave unanswered; an answer must still be one of the choices."""

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        super().pre_validate(form)


class StartReferralForm(BaseForm):
    """The confirmation that starts a draft (a POST, so no draft is made by following a link)."""

    submit = SubmitField("Start the referral", widget=GovSubmitInput())


class ReferralForm(BaseForm):
    """A school's referral, in the order the page asks it."""

    categories = SelectMultipleField(
        "What kind of harm is the child suffering or at risk of?",
        choices=choices((c.value, c.label) for c in FAMILY_HARMS + EXTRA_FAMILIAL_HARMS),
    )
    what_happened = TextAreaField(
        "What happened?",
        widget=GovTextArea(),
        description="What staff saw, heard or were told, and when; what the school has done so far; anything the front door should know to keep the child safe.",
        validators=[text_limit("What happened")],
    )
    child_voice = TextAreaField(
        "What has the child said? Use their words",
        widget=GovTextArea(),
        description="Write down the child's own words as exactly as you can, and what they want to happen. Leave this empty if they have not said anything.",
        validators=[text_limit("What the child said")],
    )
    immediate_danger = OptionalRadioField(
        "Is the child in immediate danger?",
        widget=GovRadioInput(),
        choices=choices([("yes", "Yes"), ("no", "No")]),
    )
    police_called = BooleanField("I have called the police", widget=GovCheckboxInput())
    police_reference = StringField(
        "Police reference (optional)",
        widget=GovTextInput(),
        description="The incident or crime number the police gave you, if you have one.",
        validators=[Optional(), Length(max=60, message="The police reference must be 60 characters or fewer")],
    )
    parents_aware = OptionalRadioField(
        "Do the child's parents or carers know about this referral?",
        widget=GovRadioInput(),
        choices=choices(ParentsAware.pairs()),
    )
    parents_not_aware_reason = TextAreaField(
        "Why not?",
        widget=GovTextArea(),
        description="For example, telling them could put the child at greater risk, or could harm a police investigation.",
        validators=[text_limit("Why the parents or carers do not know")],
    )
    school_view_level = OptionalRadioField(
        "What level of need does the school think this is?",
        widget=GovRadioInput(),
        description="The front door makes the threshold decision; this is the school's view.",
        choices=choices(Level.pairs()),
    )
    #: The levels-of-need indicators ticked (ids of the referral's guidance version, checked by the view).
    need_indicators = SelectMultipleField("Which of the authority's levels-of-need indicators apply?", validate_choice=False)
    school_view_reason = TextAreaField(
        "Why does the school's view differ from the level the indicators suggest?",
        widget=GovTextArea(),
        description="For example, what the school knows that the indicators do not show, or what has already been tried.",
        validators=[text_limit("Why the school's view differs")],
    )
    attachments = AttachmentsField()
    version = VersionField()
    submit_referral = SubmitField("Submit referral", widget=GovSubmitInput())
    save = SubmitField("Save as draft", widget=GovSubmitInput())

    @property
    def submitting(self) -> bool:
        return bool(self.submit_referral.data)


class CommentForm(BaseForm):
    """A question from the front door, or the school's answer to it (the label is set by the view)."""

    comment = TextAreaField(
        "Comment",
        widget=GovTextArea(),
        validators=[text_limit("Your text")],
    )
    submit = SubmitField("Send", widget=GovSubmitInput())


class DecisionForm(BaseForm):
    decision = RadioField(
        "What is the front door's decision?",
        widget=GovRadioInput(),
        choices=choices(ReferralDecision.pairs()),
        validators=[Required("Select a decision")],
    )
    decision_level = RadioField(
        "What level of need has the front door found?",
        widget=GovRadioInput(),
        description="Usually: no further action or universal services — universal; early help — early help; a child-in-need assessment — child in need; a strategy discussion or the police — child protection. Choose what you found.",
        choices=choices(Level.pairs()),
        validators=[Required("Select the level of need the front door has found")],
    )
    reason = TextAreaField(
        "Reason for the decision",
        widget=GovTextArea(),
        description="The school's DSL reads this. Say why, what happens next and who will do it.",
        validators=[
            Required("Enter the reason for the decision"),
            NotBlank("Enter the reason for the decision"),
            text_limit("The reason"),
        ],
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())
