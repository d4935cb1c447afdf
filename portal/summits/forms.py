"""Forms of the safety summits module: the plan, the checklist, invitations and their answers, the people
taking part, the activities on the day, and what comes after (findings, actions, "You said, we did")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

from wtforms import HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from forms import (
    BaseForm,
    DayMonthYearField,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    choices,
    text_limit,
)
from portal.clock import UK, uk_today
from portal.partnership.forms import invite_form, respond_form
from portal.partnership.models import ActionStatus, ParticipantRole
from portal.summits import checklist
from portal.summits.models import ActivityKind
from portal.summits.words import YEAR_GROUPS

_TIME = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")


def year_field_name(year_group: str) -> str:
    return "year_" + year_group.split()[-1]


def _date_field(label: str, required: str | None = None, **kwargs) -> DayMonthYearField:
    return DayMonthYearField(
        label,
        description=kwargs.pop("description", "For example, 27 3 2026"),
        required=required,
        incomplete="The date must include a day, month and year",
        not_numbers="Enter the date as numbers, like 27 3 2026",
        not_real="The date must be a real date",
        **kwargs,
    )


def _text(label: str, what: str, *, required: str | None = None, description: str | None = None, limit: int = 20000) -> TextAreaField:
    checks = [Required(required), NotBlank(required)] if required else [Optional()]
    return TextAreaField(label, widget=GovTextArea(), description=description, validators=checks + [text_limit(what, limit)])


class CountField(IntegerField):
    """A number of young people: empty means none; otherwise a whole number, 0 or more."""

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = 0
            return
        if not raw.isdigit():
            raise ValueError(f"{self.label.text}: enter a whole number of young people, like 30, or leave it empty")
        self.data = int(raw)
        if self.data > 10000:
            raise ValueError(f"{self.label.text}: enter a number of young people of 10,000 or fewer")


class NewSummitForm(BaseForm):
    host = SelectField(
        "Which school is hosting the summit?", widget=GovSelect(), validators=[Required("Select the school hosting the summit")], validate_choice=False
    )
    title = StringField(
        "Name of the summit (optional)",
        widget=GovTextInput(),
        description="If you leave this empty it is called Student Safety Summit at the host school.",
        validators=[Optional(), Length(max=200, message="The name must be 200 characters or fewer")],
    )
    submit = SubmitField("Create the summit", widget=GovSubmitInput())


class _PlanWhenAndWhere(BaseForm):
    title = StringField(
        "Name of the summit",
        widget=GovTextInput(),
        validators=[
            Required("Enter the name of the summit"),
            NotBlank("Enter the name of the summit"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    day = _date_field("Date of the summit (optional until you know it)", subject="The date of the summit")
    start_time = StringField("Start time", widget=GovTextInput(), description="Use the 24-hour clock, for example 09:00")
    end_time = StringField("End time", widget=GovTextInput(), description="For example 12:30. A summit usually lasts half a day.")
    venue = StringField(
        "Venue (optional)",
        widget=GovTextInput(),
        description="Where in the host school, or another place, for example the sports hall.",
        validators=[Optional(), Length(max=300, message="The venue must be 300 characters or fewer")],
    )


#: Young people taking part, by year group (made here so the form asks them after the venue).
_YEAR_FIELDS = {year_field_name(y): CountField(y, widget=GovTextInput()) for y in YEAR_GROUPS}


class PlanForm(_PlanWhenAndWhere):
    """The summit's plan. The date and times are typed in UK time and kept in UTC."""

    consent_arranged = RadioField(
        "Has consent for the young people to take part been arranged?",
        widget=GovRadioInput(),
        choices=choices([("yes", "Yes"), ("no", "No")]),
        validators=[Required("Select whether consent has been arranged")],
    )
    consent_notes = _text(
        "How consent is arranged (optional)",
        "How consent is arranged",
        description="For example, letters to parents and carers, and how young people agree themselves.",
    )
    inclusion_and_safety = _text(
        "How is taking part made inclusive and safe for the young people? (optional)",
        "How it is made inclusive and safe",
        description="Access needs, who they can talk to if something upsets them, and how they stay anonymous.",
    )
    version = VersionField()
    submit = SubmitField("Save the plan", widget=GovSubmitInput())

    def _time(self, field) -> time | None:
        match = _TIME.fullmatch(field.data or "")
        return time(int(match.group(1)), int(match.group(2))) if match else None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.start_time, self.end_time):
            if (field.data or "").strip() and self._time(field) is None:
                field.errors.append(f"Enter the {field.label.text.lower()} using the 24-hour clock, like 09:30")
                valid = False
        if not valid:
            return False
        start, end = self._time(self.start_time), self._time(self.end_time)
        if self.day.data is None and (start or end):
            self.day.errors.append("Enter the date of the summit, or leave the times empty")
            return False
        if self.day.data is not None and start is None:
            self.start_time.errors.append("Enter the start time, like 09:00")
            return False
        if end is not None and end <= start:
            self.end_time.errors.append("The end time must be after the start time")
            return False
        return True

    def _moment(self, field) -> datetime | None:
        t = self._time(field)
        if self.day.data is None or t is None:
            return None
        return datetime.combine(self.day.data, t, tzinfo=UK).astimezone(UTC)

    @property
    def starts_at(self) -> datetime | None:
        return self._moment(self.start_time)

    @property
    def ends_at(self) -> datetime | None:
        return self._moment(self.end_time)

    @property
    def young_people(self) -> dict[str, int]:
        return {y: self[year_field_name(y)].data for y in YEAR_GROUPS if self[year_field_name(y)].data}

    def year_fields(self):
        return [self[year_field_name(y)] for y in YEAR_GROUPS]


for _name, _field in _YEAR_FIELDS.items():
    setattr(PlanForm, _name, _field)


class ChecklistForm(BaseForm):
    items = SelectMultipleField(
        "Planning checklist",
        widget=GovCheckboxesInput(),
        choices=choices((item.key, item.label) for item in checklist.ITEMS),
    )
    version = VersionField()
    submit = SubmitField("Save the checklist", widget=GovSubmitInput())


InviteForm = invite_form("School, college or partner agency")

RespondForm = respond_form(
    "Will your organisation take part?",
    accept="Yes, we accept the invitation",
    decline="No, we decline",
    note_label="A note for the organisers (optional)",
    note_hint="For example, who will come, or why you cannot.",
)


class ParticipantForm(BaseForm):
    user = SelectField("Practitioner", widget=GovSelect(), validators=[Required("Select a practitioner")], validate_choice=False)
    role = RadioField(
        "Their part in the summit",
        widget=GovRadioInput(),
        choices=choices(ParticipantRole.pairs()),
        validators=[Required("Select their part in the summit")],
    )
    submit = SubmitField("Add them", widget=GovSubmitInput())


class RemoveParticipantForm(BaseForm):
    remove = HiddenField()


class StatusForm(BaseForm):
    status = HiddenField()


class ActivityForm(BaseForm):
    kind = RadioField(
        "Which activity?",
        widget=GovRadioInput(),
        choices=choices(ActivityKind.pairs()),
        validators=[Required("Select the activity")],
    )
    title = StringField(
        "Title (optional)",
        widget=GovTextInput(),
        description="For example, Where we feel safe online. If empty, the activity's name is used.",
        validators=[Optional(), Length(max=200, message="The title must be 200 characters or fewer")],
    )
    facilitator = SelectField(
        "Facilitator",
        widget=GovSelect(),
        description="Someone taking part in the summit. Add people on the page of the people taking part first.",
        validate_choice=False,
    )
    notes = _text(
        "Notes (optional)",
        "The notes",
        description="How the activity runs, and what the young people said. Do not name young people.",
    )
    version = VersionField()
    submit = SubmitField("Save the activity", widget=GovSubmitInput())


class FindingForm(BaseForm):
    text = _text(
        "What did the summit find?",
        "The finding",
        required="Enter the finding",
        description="What young people said about where and when they feel safe or unsafe. Do not name young people.",
    )
    activity = SelectField("From which activity? (optional)", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Save the finding", widget=GovSubmitInput())


class ActionForm(BaseForm):
    description = _text("What needs to be done?", "The action", required="Enter what needs to be done", limit=5000)
    owner = SelectField(
        "Who owns it?",
        widget=GovSelect(),
        description="A named person taking part, or an organisation in the summit.",
        validators=[Required("Select who owns the action")],
        validate_choice=False,
    )
    due_on = _date_field("Due date", required="Enter the due date", subject="The due date")
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(ActionStatus.pairs()), validators=[Required("Select the status")])
    progress_note = _text("Progress (optional)", "The progress note", description="What has been done so far.", limit=5000)
    version = VersionField()
    submit = SubmitField("Save the action", widget=GovSubmitInput())


class YouSaidForm(BaseForm):
    you_said = _text(
        "You said",
        "What young people said",
        required="Enter what young people said",
        description="What young people told the summit, in their words where you can.",
    )
    we_did = _text("We did", "What was done", required="Enter what was done", description="What changed because of it.")
    told_on = _date_field("When were young people told?", required="Enter the date young people were told", subject="The date young people were told")
    told_how = _text(
        "How were they told?",
        "How they were told",
        required="Enter how young people were told",
        description="For example, an assembly, a poster, or a message from their form tutor.",
        limit=2000,
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_told_on(self, field):
        if field.data is not None and field.data > uk_today():
            raise ValidationError("The date young people were told must be today or in the past")
