"""The forms of a self-review: one question's answer (its RAG rating, evidence, notes, and optionally an
action for the development plan, in one save), and updating an action."""

from __future__ import annotations

from datetime import date

from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Optional

from forms import BaseForm, DayMonthYearField, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput, Required, VersionField, choices, text_limit
from portal.partnership.models import ActionStatus
from portal.pupils.forms import ChildCheckFields
from portal.selfreview.models import Rag
from portal.text import clean_text

#: The answer's fields a stale save compares, with their labels.
ANSWER_LABELS = {"rating": "Rating", "evidence": "Evidence", "notes": "Notes"}

#: An action's fields a stale save compares.
ACTION_LABELS = {"status": "Status", "progress_note": "Progress", "due_on": "Due date"}

#: The owner select's value for an owner without an account (written in).
SOMEONE_ELSE = "someone_else"

#: The radios' words: the colour, then what it means (the colour is never the only cue).
RAG_CHOICES = [(rag.value, rag.value.capitalize()) for rag in Rag]
RAG_HINTS = [{"hint": {"text": rag.label.split(": ", 1)[1].capitalize()}} for rag in Rag]


def _date(label: str, **kwargs) -> DayMonthYearField:
    return DayMonthYearField(
        label,
        subject="The due date",
        example="14 3 2027",
        incomplete="{subject} must include a {missing}",
        not_real="{subject} must be a real date, like {example}",
        description="For example, 14 3 2027.",
        **kwargs,
    )


class AnswerForm(ChildCheckFields):
    rating = RadioField(
        "How would you rate this?",
        widget=GovRadioInput(),
        choices=choices(RAG_CHOICES),
        validators=[Required("Select a rating: red, amber or green")],
    )
    evidence = TextAreaField(
        "Evidence (optional)",
        widget=GovTextArea(),
        description="What shows it: policies, records, training, what staff, pupils and parents say. Do not name children.",
        validators=[text_limit("The evidence", 10000)],
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        description="Your school's own notes: never shown to other schools or the authority.",
        validators=[text_limit("The notes", 10000)],
    )
    action_description = TextAreaField(
        "What needs to be done?",
        widget=GovTextArea(),
        description="One action, in a sentence or two. Do not name children.",
        validators=[text_limit("What needs to be done", 5000)],
    )
    action_owner = SelectField("Who owns it?", widget=GovSelect(), validate_choice=False)
    action_owner_name = StringField(
        "If someone else, who?",
        widget=GovTextInput(),
        description="A role or a name, for example 'Office manager'. Only if you chose 'Someone else'.",
        validators=[text_limit("Who owns it", 120)],
    )
    action_due_on = _date("Due date")
    version = VersionField()
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    #: Set by the view (UK date).
    today: date = date.min

    @property
    def wants_action(self) -> bool:
        """Did the person fill in any of the action's fields?"""
        return bool(
            clean_text(self.action_description.data)
            or self.action_owner.data
            or clean_text(self.action_owner_name.data)
            or self.action_due_on.data
            or any(self.action_due_on.raw_data or [])
        )

    def validate_action_description(self, field):
        if self.wants_action and not clean_text(field.data):
            raise ValidationError("Enter what needs to be done, or leave every part of the action empty")

    def validate_action_owner(self, field):
        if not self.wants_action:
            return
        offered = {choice.value for choice in field.choices if choice.value}
        if not field.data:
            raise ValidationError("Select who owns the action")
        if field.data not in offered:
            raise ValidationError("Select an owner from the list")

    def validate_action_owner_name(self, field):
        if self.wants_action and self.action_owner.data == SOMEONE_ELSE and not clean_text(field.data):
            raise ValidationError("Enter who owns the action")

    def validate_action_due_on(self, field):
        if not self.wants_action or field.errors:
            return
        if field.data is None:
            raise ValidationError("Enter the due date")
        if field.data < self.today:
            raise ValidationError("The due date must be today or in the future")


class ActionForm(ChildCheckFields):
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(ActionStatus.pairs()), validators=[Required("Select the status of the action")])
    progress_note = TextAreaField(
        "Progress (optional)",
        widget=GovTextArea(),
        description="What has been done so far. Do not name children.",
        validators=[Optional(), text_limit("The progress note", 5000)],
    )
    due_on = _date("Due date", required="Enter the due date")
    version = VersionField()
    submit = SubmitField("Save the action", widget=GovSubmitInput())

    today: date = date.min
    #: The due date saved now: keeping a date that has passed is allowed, moving it into the past is not.
    current_due: date | None = None

    def validate_due_on(self, field):
        if not field.errors and field.data and field.data != self.current_due and field.data < self.today:
            raise ValidationError("The due date must be today or in the future")


# The school's training and review dates (the governor report shows them) ---------------------------------


def _past_date(label: str, subject: str) -> DayMonthYearField:
    return DayMonthYearField(
        label,
        subject=subject,
        example="14 3 2026",
        incomplete="{subject} must include a {missing}",
        not_real="{subject} must be a real date, like {example}",
        description="For example, 14 3 2026. Leave it empty if it has not been done.",
    )


class AssuranceDatesForm(BaseForm):
    dsl_training_on = _past_date("When did the designated safeguarding lead last complete safeguarding training? (optional)", "The date of the DSL's training")
    staff_training_on = _past_date("When did all staff last have safeguarding training? (optional)", "The date of the staff training")
    governor_training_on = _past_date("When did governors last have safeguarding training? (optional)", "The date of the governors' training")
    policy_reviewed_on = _past_date("When was the child protection policy last reviewed? (optional)", "The date of the policy review")
    single_central_record_checked_on = _past_date("When was the single central record last checked? (optional)", "The date of the single central record check")
    version = VersionField()
    submit = SubmitField("Save the dates", widget=GovSubmitInput())

    #: Set by the view (UK date).
    today: date = date.max

    #: The dates' fields, in order.
    DATE_FIELDS = ("dsl_training_on", "staff_training_on", "governor_training_on", "policy_reviewed_on", "single_central_record_checked_on")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name in self.DATE_FIELDS:
            field = getattr(self, name)
            if not field.errors and field.data is not None:
                if field.data > self.today:
                    field.errors.append(f"{field.subject} must be today or in the past")
                    valid = False
                elif field.data.year < 1990:
                    field.errors.append(f"{field.subject} must be after 1990")
                    valid = False
        return valid
