"""Forms of the school partnership meetings module.

The meeting's details, its minutes and the school's pre-meeting return are each edited with optimistic
locking (a ``version`` field); the agreement, invitations, attendees and actions have small forms of their
own.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from forms import (
    BaseForm,
    DayMonthYearField,
    GovCheckboxesInput,
    GovCheckboxInput,
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
from portal.clock import UK
from portal.meetings.models import MeetingFormat, MeetingStatus
from portal.partnership.forms import invite_form, respond_form
from portal.partnership.models import ActionStatus, ParticipantRole

_TIME = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")


def _date(label: str, subject: str, **kwargs) -> DayMonthYearField:
    return DayMonthYearField(
        label,
        subject=subject,
        example="14 3 2027",
        incomplete="{subject} must include a {missing}",
        not_real="{subject} must be a real date, like {example}",
        **kwargs,
    )


class _WhenAndWhere(BaseForm):
    """What every meeting has: a title, a date and time (once agreed), online or at the school, where."""

    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            Required("Enter a title for the meeting"),
            NotBlank("Enter a title for the meeting"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    meets_on = _date("Date of the meeting", "The date of the meeting", description="For example, 14 3 2027. Leave it empty if the date is not agreed yet.")
    meets_time = StringField(
        "Time",
        widget=GovTextInput(),
        description="Use the 24-hour clock, for example 15:30.",
        validators=[Optional()],
    )
    format = RadioField(
        "Where is the meeting held?",
        widget=GovRadioInput(),
        choices=choices(MeetingFormat.pairs()),
        validators=[Required("Select whether the meeting is online or at the school")],
    )
    location = StringField(
        "Room at the school, or how to join online (optional)",
        widget=GovTextInput(),
        description="For example, the library, or the link to the video call.",
        validators=[Optional(), Length(max=300, message="The room or joining details must be 300 characters or fewer")],
    )

    def validate_meets_time(self, field):
        typed = (field.data or "").strip()
        if typed and not _TIME.fullmatch(typed):
            raise ValidationError("Enter the time using the 24-hour clock, like 15:30")
        if self.meets_on.data is not None and not typed:
            raise ValidationError("Enter the time of the meeting, like 15:30")
        if typed and self.meets_on.data is None and not self.meets_on.errors:
            raise ValidationError("Enter the date of the meeting as well as the time, or leave both empty")

    @property
    def meets_at(self) -> datetime | None:
        """The date and time given, in UK time (aware), or ``None`` when not agreed yet."""
        match = _TIME.fullmatch(self.meets_time.data or "")
        if self.meets_on.data is None or match is None:
            return None
        return datetime.combine(self.meets_on.data, time(int(match.group(1)), int(match.group(2))), tzinfo=UK)

    def show_when(self, meets_at: datetime | None) -> None:
        """Fill the date and time boxes from a saved moment."""
        local = meets_at.astimezone(UK) if meets_at else None
        self.meets_on.data = local.date() if local else None
        self.meets_time.data = local.strftime("%H:%M") if local else ""


class NewMeetingForm(_WhenAndWhere):
    title = StringField(
        "Title (optional)",
        widget=GovTextInput(),
        description="If you leave it empty, the title is “School partnership meeting:” and the school's name.",
        validators=[Optional(), Length(max=200, message="The title must be 200 characters or fewer")],
    )
    school = SelectField(
        "Which school is the meeting with?",
        widget=GovSelect(),
        description="The school is an active partner: its DSL completes the pre-meeting return.",
        validators=[Required("Select the school")],
    )
    submit = SubmitField("Open the meeting", widget=GovSubmitInput())


class MeetingForm(_WhenAndWhere):
    """The lead's form: everything about the meeting except its minutes and the school's return."""

    terms_of_reference = TextAreaField(
        "Terms of reference",
        widget=GovTextArea(),
        description="The purpose of the meeting, who attends, how to prepare and what happens after it.",
        validators=[Required("Enter the terms of reference"), NotBlank("Enter the terms of reference"), text_limit("The terms of reference")],
    )
    information_sharing_agreement = TextAreaField(
        "Information-sharing agreement",
        widget=GovTextArea(),
        description="Each person accepts this before they see the meeting's papers. If you change it, everyone who accepted it is asked to accept the new version.",
        validators=[
            Required("Enter the information-sharing agreement"),
            NotBlank("Enter the information-sharing agreement"),
            text_limit("The information-sharing agreement"),
        ],
    )
    agenda = TextAreaField("Agenda (optional)", widget=GovTextArea(), validators=[text_limit("The agenda")])
    follow_up_on = _date(
        "Follow-up meeting date (optional)",
        "The follow-up meeting date",
        description="When progress on the actions is reviewed. For example, 14 3 2027.",
    )
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(MeetingStatus.pairs()), validators=[Required("Select the status of the meeting")])
    version = VersionField()
    submit = SubmitField("Save the meeting", widget=GovSubmitInput())


class MinutesForm(BaseForm):
    minutes = TextAreaField(
        "Minutes",
        widget=GovTextArea(),
        description="What was discussed and agreed. Name a young person only where it is needed to keep them safe. Record actions separately, with an owner and a due date.",
        validators=[text_limit("The minutes", 50000)],
    )
    version = VersionField()
    submit = SubmitField("Save the minutes", widget=GovSubmitInput())


class ReturnForm(BaseForm):
    """The school's pre-meeting return (its own version: the school's edits never collide with the minutes)."""

    trends_and_themes = TextAreaField(
        "Trends and themes affecting students",
        widget=GovTextArea(),
        description="What the school is seeing: for example incidents, attendance, online behaviour, exploitation or harmful attitudes.",
        validators=[text_limit("Trends and themes")],
    )
    places = TextAreaField(
        "Places",
        widget=GovTextArea(),
        description="Places in or near the school where students feel or are unsafe: for example a park, a bus stop, the toilets, a shop.",
        validators=[text_limit("Places")],
    )
    peer_groups = TextAreaField(
        "Peer groups",
        widget=GovTextArea(),
        description="Groups of young people the school is worried about, or who are at risk together. Describe the group; name a young person only where it is needed.",
        validators=[text_limit("Peer groups")],
    )
    strengths = TextAreaField(
        "Strengths",
        widget=GovTextArea(),
        description="What keeps students safe: trusted adults, friendships, activities, places that feel safe.",
        validators=[text_limit("Strengths")],
    )
    version = VersionField()
    send = SubmitField("Send to the meeting", widget=GovSubmitInput())
    save = SubmitField("Save", widget=GovSubmitInput())

    @property
    def sending(self) -> bool:
        return bool(self.send.data)


class AgreementForm(BaseForm):
    accept = BooleanField("I accept the information-sharing agreement above", widget=GovCheckboxInput())
    #: A digest of the agreement the person read: if it is missing or the agreement changed meanwhile,
    #: they read it again first.
    digest = HiddenField()
    submit = SubmitField("Accept and see the papers", widget=GovSubmitInput())

    def validate_accept(self, field):
        if not field.data:
            raise ValidationError("Confirm that you accept the information-sharing agreement")


RespondForm = respond_form(
    "Will your organisation take part in this meeting?",
    accept="Yes, accept the invitation",
    decline="No, decline the invitation",
    note_label="Note for the meeting's lead (optional)",
    note_hint="For example, who will attend, or why you cannot take part.",
)

InviteForm = invite_form(
    "Organisation to invite",
    button="Invite the organisation",
    description="A partner agency (for example local policing or a voluntary and community service), another school, or children's social care. Its contacts are told and answer for it.",
)


class AttendeeForm(BaseForm):
    user = SelectField(
        "Person",
        widget=GovSelect(),
        description="People of the school, of children's social care, and of the organisations that accepted the invitation.",
        validators=[Required("Select the person to add")],
    )
    role = RadioField(
        "Their part in the meeting",
        widget=GovRadioInput(),
        choices=choices([(r.value, r.label) for r in (ParticipantRole.ATTENDEE, ParticipantRole.ORGANISER)]),
        default=ParticipantRole.ATTENDEE.value,
        validators=[Required("Select whether they attend or organise")],
    )
    submit = SubmitField("Add the person", widget=GovSubmitInput())


class AttendanceForm(BaseForm):
    attended = SelectMultipleField("Who attended the meeting?", widget=GovCheckboxesInput())
    #: The meeting's version: attendance is part of the meeting's record.
    version = VersionField()
    submit = SubmitField("Save who attended", widget=GovSubmitInput())


class ActionForm(BaseForm):
    """An action from the meeting. The lead edits all of it; its owner only the status and progress (the
    view removes the other fields for them)."""

    description = TextAreaField(
        "What needs to be done",
        widget=GovTextArea(),
        validators=[Required("Enter what needs to be done"), NotBlank("Enter what needs to be done"), text_limit("What needs to be done", 5000)],
    )
    owner = SelectField(
        "Owner",
        widget=GovSelect(),
        description="A person who has accepted the information-sharing agreement, or an organisation (the school, or one that accepted the invitation).",
        validators=[Required("Select who owns the action")],
    )
    due_on = _date("Due date", "The due date", description="For example, 14 3 2027.", required="Enter the due date")
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(ActionStatus.pairs()), validators=[Required("Select the status of the action")])
    progress_note = TextAreaField(
        "Progress (optional)", widget=GovTextArea(), description="What has been done so far.", validators=[text_limit("The progress note", 5000)]
    )
    version = VersionField()
    submit = SubmitField("Save the action", widget=GovSubmitInput())
