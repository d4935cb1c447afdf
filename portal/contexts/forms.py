"""Forms of the contexts module: raising a context referral, the panel's decision, panel meetings and
their attendance, invitations, and the authority's threshold indicators.

Choices that depend on who is asking (the schools, the indicators in force, the panel meetings, the
people) are set by the views.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
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
from portal.clock import UK
from portal.contexts.models import ContextSubject, PanelDecision
from portal.partnership.forms import invite_form, respond_form
from portal.pupils.models import YEAR_GROUPS, year_group_label
from portal.referrals.forms import EXTRA_FAMILIAL_HARMS, FAMILY_HARMS, OptionalRadioField
from portal.vocabulary import Level

YES_NO = choices([("yes", "Yes"), ("no", "No")])
#: The levels a panel can give an assessment decision.
ASSESSMENT_LEVELS = choices([(Level.CHILD_IN_NEED.value, Level.CHILD_IN_NEED.label), (Level.CHILD_PROTECTION.value, Level.CHILD_PROTECTION.label)])
_TIME = re.compile(r"\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*")
#: At most this many young people on one referral (a whole school is a few thousand).
MAX_YOUNG_PEOPLE = 10000


def _text(what: str, limit: int = 20000):
    return [Required(f"Enter {what}"), NotBlank(f"Enter {what}"), text_limit(what[0].upper() + what[1:], limit)]


class ContextReferralForm(BaseForm):
    """A context referral, asked in two steps on one page: first the concern and the indicators, then
    (once the page has said which level the indicators suggest) whether the referrer agrees and why."""

    summit_evidence = TextAreaField(
        "Evidence from the summit",
        widget=GovTextArea(),
        description="What the young people said at the summit, and the places they marked unsafe on the safety maps. Change it if you need to.",
        validators=[text_limit("The evidence from the summit")],
    )
    organisation = SelectField(
        "Which school is it about?", widget=GovSelect(), validators=[Required("Select the school the referral is about")], validate_choice=False
    )
    subject = RadioField(
        "What are you referring?",
        widget=GovRadioInput(),
        choices=choices(ContextSubject.pairs()),
        validators=[Required("Select what you are referring: the school, a peer group or a place")],
    )
    peer_group = TextAreaField(
        "Describe the peer group",
        widget=GovTextArea(),
        description="Who they are and how they are linked to the school, without naming them. For example, a group of Year 9 girls who spend lunchtimes together.",
        validators=[text_limit("The description of the peer group", 2000)],
    )
    place = TextAreaField(
        "Describe the place",
        widget=GovTextArea(),
        description="Where it is and how young people from the school use it. For example, the alley between the school and the bus station.",
        validators=[text_limit("The description of the place", 2000)],
    )
    concern = TextAreaField(
        "What is the concern?",
        widget=GovTextArea(),
        description="What has happened or is happening, how young people are affected, and what the school has done so far. Do not name the young people here.",
        validators=_text("the concern"),
    )
    categories = SelectMultipleField(
        "What kinds of harm are the young people at risk of?",
        choices=choices((c.value, c.label) for c in FAMILY_HARMS + EXTRA_FAMILIAL_HARMS),
    )
    young_people_count = StringField(
        "How many young people are affected? (optional)",
        widget=GovTextInput(),
        description="A number: your best estimate. Leave it empty if you do not know.",
    )
    year_groups = SelectMultipleField(
        "Which year groups are they in? (optional)",
        widget=GovCheckboxesInput(),
        choices=choices((value, year_group_label(value)) for value in YEAR_GROUPS),
    )
    pupil_search = StringField("Search the school register", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    pupils = SelectMultipleField("Pupils named on this referral", validate_choice=False)
    indicators = SelectMultipleField("School threshold indicators", validate_choice=False)
    #: The level the page suggested (so a change of the indicators after it is noticed).
    suggested = HiddenField()
    agrees = OptionalRadioField("Do you agree with this level?", widget=GovRadioInput(), choices=YES_NO)
    level = OptionalRadioField("What level do you think it is?", widget=GovRadioInput(), choices=choices(Level.pairs()))
    level_reason = TextAreaField(
        "Why do you think this is the right level?",
        widget=GovTextArea(),
        description="The panel reads this with the indicators you checked.",
        validators=[text_limit("Why this is the right level", 5000)],
    )
    check = SubmitField("Continue", widget=GovSubmitInput())
    find = SubmitField("Find pupils", widget=GovSubmitInput())
    send = SubmitField("Send the context referral", widget=GovSubmitInput())

    @property
    def subject_description(self) -> str | None:
        field = {ContextSubject.PEER_GROUP.value: self.peer_group, ContextSubject.LOCATION.value: self.place}.get(self.subject.data)
        return (field.data or "").strip() or None if field is not None else None

    @property
    def count(self) -> int | None:
        text = (self.young_people_count.data or "").strip().replace(",", "")
        return int(text) if text.isdigit() else None

    def validate(self, extra_validators=None, *, final: bool = False) -> bool:
        valid = super().validate(extra_validators)
        problems = {}
        if self.subject.data == ContextSubject.PEER_GROUP.value and not (self.peer_group.data or "").strip():
            problems[self.peer_group] = "Describe the peer group, without naming the young people"
        if self.subject.data == ContextSubject.LOCATION.value and not (self.place.data or "").strip():
            problems[self.place] = "Describe the place"
        if not self.categories.data:
            problems[self.categories] = "Select at least one kind of harm"
        text = (self.young_people_count.data or "").strip().replace(",", "")
        if text and (not text.isdigit() or int(text) > MAX_YOUNG_PEOPLE):
            problems[self.young_people_count] = f"Enter the number of young people as a whole number between 0 and {MAX_YOUNG_PEOPLE:,}, like 6"
        if final:
            if self.agrees.data not in ("yes", "no"):
                problems[self.agrees] = "Select whether you agree with the suggested level"
            elif self.agrees.data == "no" and not self.level.data:
                problems[self.level] = "Select the level you think it is"
            if not (self.level_reason.data or "").strip():
                problems[self.level_reason] = "Enter why you think this is the right level"
        for field, message in problems.items():
            field.errors = list(field.errors) + [message]
        return valid and not problems


class DecisionForm(BaseForm):
    """The panel's decision on a context referral (the conditional questions are checked in ``validate``)."""

    panel_meeting = SelectField(
        "At which panel meeting was this decided?", widget=GovSelect(), validators=[Required("Select the panel meeting where this was decided")]
    )
    decision = RadioField(
        "What is the panel's decision?",
        widget=GovRadioInput(),
        choices=choices(PanelDecision.pairs()),
        validators=[Required("Select the panel's decision")],
    )
    advice = TextAreaField(
        "What advice did the panel give the school?",
        widget=GovTextArea(),
        description="The school's DSL reads this: what to do, and when to come back to the panel.",
        validators=[text_limit("The advice", 10000)],
    )
    self_assessment_level = OptionalRadioField("At which level?", widget=GovRadioInput(), choices=ASSESSMENT_LEVELS)
    school_assessment_level = OptionalRadioField("At which level?", widget=GovRadioInput(), choices=ASSESSMENT_LEVELS)
    lead = SelectField("Lead assessor (optional)", widget=GovSelect(), description="You can name the lead later.", validate_choice=False)
    reason = TextAreaField(
        "Reason for the decision",
        widget=GovTextArea(),
        description="The person who raised the referral and the school read this.",
        validators=_text("the reason for the decision", 10000),
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())

    @property
    def chosen(self) -> PanelDecision | None:
        return PanelDecision(self.decision.data) if self.decision.data in {d.value for d in PanelDecision} else None

    @property
    def level_field(self):
        return {PanelDecision.SELF_ASSESSMENT: self.self_assessment_level, PanelDecision.SCHOOL_ASSESSMENT: self.school_assessment_level}.get(self.chosen)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.chosen == PanelDecision.BELOW_THRESHOLD and not (self.advice.data or "").strip():
            self.advice.errors = list(self.advice.errors) + ["Enter the advice the panel gave the school"]
            valid = False
        if self.level_field is not None and not self.level_field.data:
            self.level_field.errors = list(self.level_field.errors) + ["Select child in need or child protection"]
            valid = False
        return valid


class PanelMeetingForm(BaseForm):
    meets_on = DayMonthYearField(
        "Date",
        description="For example, 27 3 2026",
        required="Enter the date of the panel meeting",
        incomplete="The date must include a day, month and year",
        not_numbers="Enter the date as numbers, like 27 3 2026",
        not_real="The date must be a real date",
    )
    meets_time = StringField(
        "Time",
        widget=GovTextInput(),
        description="Use the 24-hour clock, for example 14:30.",
        validators=[Required("Enter the time of the panel meeting, like 14:30")],
    )
    venue = StringField(
        "Where is it?",
        widget=GovTextInput(),
        description="A room and building, or say it is online.",
        validators=[
            Required("Enter where the panel meets"),
            NotBlank("Enter where the panel meets"),
            Length(max=200, message="Where the panel meets must be 200 characters or fewer"),
        ],
    )
    chair = SelectField("Chair (optional)", widget=GovSelect(), validate_choice=False)
    notes = TextAreaField("Notes (optional)", widget=GovTextArea(), description="For example, how to join online.", validators=[text_limit("The notes", 5000)])
    version = VersionField()
    submit = SubmitField("Save the panel meeting", widget=GovSubmitInput())

    def validate_meets_time(self, field):
        if not _TIME.fullmatch(field.data or ""):
            raise ValidationError("Enter the time using the 24-hour clock, like 14:30")

    @property
    def meets_at(self) -> datetime | None:
        match = _TIME.fullmatch(self.meets_time.data or "")
        if self.meets_on.data is None or match is None:
            return None
        return datetime.combine(self.meets_on.data, time(int(match.group(1)), int(match.group(2))), tzinfo=UK)


class AttendanceForm(BaseForm):
    attended = SelectMultipleField("Who attended?", validate_choice=False)
    others = TextAreaField(
        "Others present (optional)",
        widget=GovTextArea(),
        description="People without an account on the portal: their name, role and organisation, one a line.",
        validators=[text_limit("Others present", 5000)],
    )
    version = VersionField()
    submit = SubmitField("Save attendance", widget=GovSubmitInput())


#: Inviting a partner organisation to a panel meeting, and its answer (the shared forms, in the panel's words).
InviteForm = invite_form(
    "Invite a partner organisation",
    description="Its people are told and can accept or decline. Once it accepts, it sees the referrals on the agenda of this meeting, never the names of pupils.",
)
RespondForm = respond_form(
    "Will your organisation attend this panel meeting?",
    accept="Yes, we will attend",
    decline="No, we cannot attend",
    note_label="Note (optional)",
    note_hint="For example, who will come, or why you cannot.",
)


class ListForm(BaseForm):
    """Listing a context referral on a panel meeting's agenda: the meeting (a select on the referral's
    page, a button per meeting on the panel's), where the button was, and the referral's version."""

    panel_meeting_id = HiddenField()
    back = HiddenField()
    version = VersionField()


class ThresholdsForm(BaseForm):
    """The authority's school threshold indicators, one indicator a line per level."""

    universal = TextAreaField("Universal", widget=GovTextArea(), description="One indicator a line.", validators=_text("at least one universal indicator"))
    child_in_need = TextAreaField(
        "Child in need", widget=GovTextArea(), description="One indicator a line.", validators=_text("at least one child in need indicator")
    )
    child_protection = TextAreaField(
        "Child protection", widget=GovTextArea(), description="One indicator a line.", validators=_text("at least one child protection indicator")
    )
    note = TextAreaField(
        "What changed and why",
        widget=GovTextArea(),
        description="Shown in the list of versions. Referrals and decisions already made keep the version they were made under.",
        validators=_text("what changed and why", 2000),
    )
    #: The number of the version the form was drawn from.
    version = VersionField()
    submit = SubmitField("Save as a new version", widget=GovSubmitInput())

    def indicators(self) -> dict[Level, list[str]]:
        return {
            level: [line.strip() for line in (self[level.value].data or "").splitlines() if line.strip()]
            for level in (Level.UNIVERSAL, Level.CHILD_IN_NEED, Level.CHILD_PROTECTION)
        }
