"""Forms of the casework pages: the chronology filter, the authority's working-day calendar and its school
holidays."""

from __future__ import annotations

from datetime import date, timedelta

from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from forms import (
    BaseForm,
    DayMonthYearField,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    WhenItHappenedForm,
    choices,
    text_limit,
    when_date_field,
    when_time_field,
)
from portal.casework.models import EntryKind, ManualKind
from portal.casework.record import ManualDetails
from portal.text import clean_text


def entry_kinds(values) -> list[EntryKind]:
    """Entry kinds from form values, in the chronology's own order; anything unknown is ignored."""
    chosen = set(values or [])
    return [kind for kind in EntryKind if kind.value in chosen]


class ChronologyFilterForm(BaseForm):
    """Which kinds of entry to show (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    kind = SelectMultipleField(
        "Show",
        widget=GovCheckboxesInput(),
        description="Leave all unticked to show everything.",
        choices=choices(EntryKind.pairs()),
        validate_choice=False,
    )

    significant = BooleanField("Significant events only", widget=GovCheckboxInput())

    def selected(self) -> list[EntryKind]:
        return entry_kinds(self.kind.data)


class ManualEntryForm(WhenItHappenedForm):
    """Something that happened outside the portal, as the DSL records it on the chronology."""

    kind = RadioField(
        "What was it?",
        widget=GovRadioInput(),
        choices=choices(ManualKind.pairs()),
        validators=[Required("Select what it was")],
    )
    occurred_on = when_date_field()
    occurred_time = when_time_field()
    involved = TextAreaField(
        "Who was involved?",
        widget=GovTextArea(),
        description="Their agencies and roles, for example 'Sam Patel, social worker (children's social care); mum'.",
        validators=[Required("Enter who was involved"), NotBlank("Enter who was involved"), text_limit("Who was involved", 2000)],
    )
    summary = TextAreaField(
        "What was said or decided?",
        widget=GovTextArea(),
        description="As facts: what each person said, what was agreed. Write the child's own words as they said them.",
        validators=[Required("Enter what was said or decided"), NotBlank("Enter what was said or decided"), text_limit("What was said or decided")],
    )
    actions = TextAreaField(
        "Actions (optional)",
        widget=GovTextArea(),
        description="What happens next, who does it and by when.",
        validators=[text_limit("The actions", 5000)],
    )
    version = VersionField()
    submit = SubmitField("Save the entry", widget=GovSubmitInput())

    def details(self) -> ManualDetails:
        return ManualDetails(
            kind=ManualKind(self.kind.data),
            occurred_at=self.occurred_at,
            involved=clean_text(self.involved.data) or "",
            summary=clean_text(self.summary.data) or "",
            actions=clean_text(self.actions.data),
        )

    def show(self, details: ManualDetails) -> None:
        """Fill the form from a saved entry."""
        self.kind.data = details.kind.value
        self.show_when(details.occurred_at)
        self.involved.data, self.summary.data, self.actions.data = details.involved, details.summary, details.actions or ""


class CalendarDayForm(BaseForm):
    day = DayMonthYearField(
        "Date",
        description="For example, 24 12 2026",
        required="Enter the date",
        subject="The date",
        example="25 12 2026",
        short_year="The year must include 4 numbers, like 2026",
    )
    working = RadioField(
        "Is the front door working on this day?",
        widget=GovRadioInput(),
        choices=choices([("closed", "No, it is closed"), ("working", "Yes, it is a working day")]),
        validators=[Required("Select whether the front door is working on this day")],
    )
    label = StringField(
        "Description",
        widget=GovTextInput(),
        description="Shown on this page, for example 'Council closure day' or 'Front door open on Boxing Day'",
        validators=[Required("Enter a description of the day"), Length(max=120, message="Description must be 120 characters or fewer")],
    )
    submit = SubmitField("Add this day", widget=GovSubmitInput())

    def validate_day(self, field):
        if field.errors:
            return
        if field.data < self.today:
            raise ValidationError("The date must be today or in the future")

    def validate_label(self, field):
        field.data = (field.data or "").strip()
        if not field.data:
            raise ValidationError("Enter a description of the day")

    #: Set by the view (UK date), so the form and the page agree on what "today" is.
    today: date = date.min

    @property
    def is_working_day(self) -> bool:
        return self.working.data == "working"


#: The longest a school holiday can be (the summer holidays are about 6 weeks).
LONGEST_SCHOOL_HOLIDAY = timedelta(weeks=8)


def _holiday_day(label: str, subject: str, example: str, description: str) -> DayMonthYearField:
    return DayMonthYearField(
        label,
        description=description,
        required=f"Enter the {label.lower()}",
        subject=subject,
        example=example,
        short_year="The year must include 4 numbers, like 2027",
    )


class SchoolHolidayForm(BaseForm):
    """A holiday of all the authority's schools: its name, its first and last days (both included)."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="For example, 'February half term', 'Christmas holidays' or 'An extra closure day for all schools'",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Required("Enter the name of the holiday"), NotBlank("Enter the name of the holiday"), text_limit("The name", 120)],
    )
    first_day = _holiday_day("First day", "The first day", "15 2 2027", "The first weekday pupils are not in school, for example 15 2 2027")
    last_day = _holiday_day("Last day", "The last day", "19 2 2027", "The last weekday before pupils are back, for example 19 2 2027")
    submit = SubmitField("Add this holiday", widget=GovSubmitInput())

    #: Set by the view (UK date), so the form and the page agree on what "today" is.
    today: date = date.min

    def validate_last_day(self, field):
        first, last = self.first_day.data, field.data
        if field.errors or self.first_day.errors or first is None or last is None:
            return
        if last < first:
            raise ValidationError("The last day must be the same as or after the first day")
        if last - first >= LONGEST_SCHOOL_HOLIDAY:
            raise ValidationError("A school holiday can be at most 8 weeks long")
        if last < self.today:
            raise ValidationError("The last day must be today or in the future")
