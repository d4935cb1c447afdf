"""Forms of the casework pages: the chronology filter and the authority's working-day calendar."""

from __future__ import annotations

from datetime import date

from wtforms import DateField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, StopValidation, ValidationError

from forms import BaseForm, GovCheckboxesInput, GovDateInput, GovRadioInput, GovSubmitInput, GovTextInput, Required, choices
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


class DayField(DateField):
    """A date typed as day, month and year (the GOV.UK date input), with GOV.UK messages."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = None  # the widget unpacks day, month and year from it
            return
        parts = [(value or "").strip() for value in valuelist] + ["", "", ""]
        day, month, year = self.raw_data = parts[:3]
        self.data = None
        if not (day or month or year):
            return
        missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
        if missing:
            raise ValueError(f"The date must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValueError("The date must be a real date, like 25 12 2026")
        if len(year) != 4:
            raise ValueError("The year must include 4 numbers, like 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValueError("The date must be a real date, like 25 12 2026") from exc


class CalendarDayForm(BaseForm):
    day = DayField("Date", description="For example, 24 12 2026")
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
        if field.data is None:
            raise StopValidation("Enter the date")
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
