"""Forms of the casework pages: the chronology filter and the authority's working-day calendar."""

from __future__ import annotations

from datetime import date

from wtforms import RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, ValidationError

from forms import BaseForm, DayMonthYearField, GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextInput, Required, choices
from portal.casework.models import EntryKind


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

    def selected(self) -> list[EntryKind]:
        return entry_kinds(self.kind.data)


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
