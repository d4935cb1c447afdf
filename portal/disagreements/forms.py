"""Forms of disagreements: raising one, a stage's response, the school's escalation, the timescales."""

from __future__ import annotations

from wtforms import IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from forms import BaseForm, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput, NotBlank, Required, VersionField, choices, text_limit
from portal.disagreements.models import StageOutcome
from portal.vocabulary import Level


class RaiseForm(BaseForm):
    reason = TextAreaField(
        "Why do you disagree with the decision?",
        widget=GovTextArea(),
        description="Say what the school knows that the decision does not reflect: the risks, what the child has said, what has happened since.",
        validators=[Required("Enter why you disagree with the decision"), NotBlank("Enter why you disagree with the decision"), text_limit("Your reason")],
    )
    wanted = TextAreaField(
        "What do you want to happen? (optional)",
        widget=GovTextArea(),
        description="For example, a strategy discussion, a child-in-need assessment or a meeting with the front door.",
        validators=[Optional(), text_limit("What you want to happen")],
    )
    submit = SubmitField("Raise the disagreement", widget=GovSubmitInput())


class OptionalRadioField(RadioField):
    """Radios that may be left unanswered (the service says when an answer is needed)."""

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        super().pre_validate(form)


class RespondForm(BaseForm):
    outcome = RadioField(
        "What is the outcome of this stage?",
        widget=GovRadioInput(),
        choices=choices(StageOutcome.pairs()),
        validators=[Required("Select the outcome of this stage")],
    )
    new_decision = OptionalRadioField("If you change the decision: the new decision", widget=GovRadioInput())
    new_level = OptionalRadioField(
        "If you change a referral's decision: the level of need the front door now finds", widget=GovRadioInput(), choices=choices(Level.pairs())
    )
    response = TextAreaField(
        "Your response to the school",
        widget=GovTextArea(),
        description="The school's DSL reads this. Say what you looked at and why the decision stands or changes; if it changes, this is the reason for the new decision.",
        validators=[Required("Enter your response to the school"), NotBlank("Enter your response to the school"), text_limit("Your response")],
    )
    version = VersionField()
    submit = SubmitField("Send the response", widget=GovSubmitInput())


class EscalateForm(BaseForm):
    why = TextAreaField(
        "Why does the response not resolve your disagreement?",
        widget=GovTextArea(),
        validators=[
            Required("Enter why the response does not resolve your disagreement"),
            NotBlank("Enter why the response does not resolve your disagreement"),
            text_limit("Your reason"),
        ],
    )
    version = VersionField()
    submit = SubmitField("Escalate to the next stage", widget=GovSubmitInput())


class AcceptForm(BaseForm):
    version = VersionField()
    submit = SubmitField("Accept the response", widget=GovSubmitInput())


class DaysField(IntegerField):
    """A number of working days typed in a text box, with a message in words when it is not one."""

    widget = GovTextInput()

    def __init__(self, label, *, what: str, **kwargs):
        message = f"{what} must be a whole number of working days from 1 to 60"
        self.not_a_number = message
        super().__init__(label, [Required(f"Enter {what.lower()}"), NumberRange(min=1, max=60, message=message)], **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        raw = ((valuelist[0] if valuelist else "") or "").strip()
        if not raw:
            return
        if not raw.isdigit() or len(raw) > 4:
            raise ValueError(self.not_a_number)
        self.data = int(raw)


class TimescalesForm(BaseForm):
    stage1_days = DaysField("Stage 1: the front door", what="The time for stage 1", description="Working days for a front-door officer's response.")
    stage2_days = DaysField("Stage 2: the head of service", what="The time for stage 2", description="Working days for a second senior officer's response.")
    stage3_days = DaysField("Stage 3: the safeguarding partnership", what="The time for stage 3", description="Working days for the partnership's response.")
    escalate_days = DaysField(
        "Time the school has to escalate an upheld response",
        what="The time to escalate",
        description="Working days after a stage 1 or 2 response upholds the decision. After that the decision stands.",
    )
    version = VersionField()
    submit = SubmitField("Save the timescales", widget=GovSubmitInput())
