"""The forms of a school assessment's plan and review: adding an action (what, the domain of the triangle it
addresses, its owner, its due date), updating one (status, progress, due date; the owner for those who run
the assessment), and the review of the plan's outcomes."""

from __future__ import annotations

from datetime import date

from wtforms import RadioField, SelectField, SubmitField, TextAreaField, ValidationError

from forms import (
    BaseForm,
    DayMonthYearField,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    NotBlank,
    Required,
    VersionField,
    choices,
    text_limit,
)
from portal.assessments.models import Domain
from portal.partnership.models import ActionStatus

#: The fields of an action a stale save compares, with their labels.
ACTION_LABELS = {"owner": "Owner", "due_on": "Due date", "status": "Status", "progress_note": "Progress"}

#: The review's fields, with the labels a stale save shows (and the plan page's summary uses).
REVIEW_LABELS = {
    "review_due_on": "When the review is due",
    "reviewed_on": "When it was reviewed",
    "what_changed": "What has changed",
    "young_people_say": "What young people now say about their safety",
    "told_young_people": "How young people have been told",
    "told_parents": "How parents and carers have been told",
    "told_school_community": "How the school community has been told",
    "sustaining_safety": "How the safety will be sustained",
}

#: The review's text fields (the others are dates).
REVIEW_TEXTS = tuple(name for name in REVIEW_LABELS if not name.endswith("_on"))


def _date(label: str, subject: str, **kwargs) -> DayMonthYearField:
    return DayMonthYearField(
        label,
        subject=subject,
        example="14 3 2027",
        incomplete="{subject} must include a {missing}",
        not_real="{subject} must be a real date, like {example}",
        **kwargs,
    )


def _owner_field() -> SelectField:
    return SelectField(
        "Who owns it?",
        widget=GovSelect(),
        description="A person working on the assessment, or an organisation: the school, a partner agency working on it, or children's social care. The owner is told the action is theirs.",
        validators=[Required("Select who owns the action")],
        validate_choice=False,
    )


def _check_owner(field) -> None:
    offered = {choice.value for choice in field.choices if choice.value}  # SelectChoice, set by the view
    if field.data not in offered:
        raise ValidationError("Select an owner from the list")


class NewActionForm(BaseForm):
    description = TextAreaField(
        "What needs to be done?",
        widget=GovTextArea(),
        description="One action, in a sentence or two. Do not name young people.",
        validators=[Required("Enter what needs to be done"), NotBlank("Enter what needs to be done"), text_limit("What needs to be done", 5000)],
    )
    domain = RadioField(
        "Which domain of the triangle does it address?",
        widget=GovRadioInput(),
        choices=choices(Domain.pairs()),
        validators=[Required("Select the domain the action addresses")],
    )
    owner = _owner_field()
    due_on = _date("Due date", "The due date", description="For example, 14 3 2027.", required="Enter the due date")
    submit = SubmitField("Add the action", widget=GovSubmitInput())

    #: Set by the view (UK date), so the form and the page agree on what "today" is.
    today: date = date.min

    def validate_owner(self, field):
        _check_owner(field)

    def validate_due_on(self, field):
        if not field.errors and field.data and field.data < self.today:
            raise ValidationError("The due date must be today or in the future")


class ActionUpdateForm(BaseForm):
    """Its owner or those who run the assessment update an action; only the latter change its owner (the
    view removes the field for the others)."""

    owner = _owner_field()
    due_on = _date("Due date", "The due date", description="For example, 14 3 2027.", required="Enter the due date")
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(ActionStatus.pairs()), validators=[Required("Select the status of the action")])
    progress_note = TextAreaField(
        "Progress (optional)",
        widget=GovTextArea(),
        description="What has been done so far. Do not name young people.",
        validators=[text_limit("The progress note", 5000)],
    )
    version = VersionField()
    submit = SubmitField("Save the action", widget=GovSubmitInput())

    today: date = date.min
    #: The due date saved now: keeping a date that has passed is allowed, moving it into the past is not.
    current_due: date | None = None

    def validate_owner(self, field):
        _check_owner(field)

    def validate_due_on(self, field):
        if not field.errors and field.data and field.data != self.current_due and field.data < self.today:
            raise ValidationError("The due date must be today or in the future")


def _text(label: str, name: str, description: str) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=description, validators=[text_limit(REVIEW_LABELS[name], 10000)])


class ReviewForm(BaseForm):
    review_due_on = _date(
        "When is the review due?",
        "The review date",
        description="When the plan's outcomes will be looked at with the school. For example, 14 3 2027.",
        required="Enter when the review is due",
    )
    reviewed_on = _date(
        "When was the plan reviewed? (optional)",
        "The date of the review",
        description="For example, 4 7 2027. Leave it empty until the review has happened.",
    )
    what_changed = _text("What has changed (optional)", "what_changed", "Review the outcomes and what has been achieved.")
    young_people_say = _text(
        "What young people now say about their safety (optional)",
        "young_people_say",
        "Whether anything has changed in their experiences of safety and harm. Do not name young people.",
    )
    told_young_people = _text("How young people have been told (optional)", "told_young_people", "For example, an assembly, a poster or their form tutors.")
    told_parents = _text("How parents and carers have been told (optional)", "told_parents", "For example, a letter home or a parents' evening.")
    told_school_community = _text(
        "How the school community has been told (optional)", "told_school_community", "Staff, governors and the wider school community."
    )
    sustaining_safety = _text("How the safety will be sustained (optional)", "sustaining_safety", "Who will keep it going, and how it will be checked.")
    version = VersionField()
    submit = SubmitField("Save the review", widget=GovSubmitInput())

    today: date = date.max

    def validate_reviewed_on(self, field):
        if not field.errors and field.data and field.data > self.today:
            raise ValidationError("The date of the review must be today or in the past")
