"""Forms of the referrals module: the DSL's referral, the front door's steps, and the message thread.

The referral form validates only what would be wrong in any draft (a file, a choice not offered, a
length). What a referral needs before it can be sent is checked at submission by
``portal.referrals.service.missing_for_submission``, so a draft can be saved half-written.
"""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Length, Optional

from forms import (
    AttachmentsField,
    BaseForm,
    DayMonthYearField,
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
from portal.clock import uk_today
from portal.referrals.models import AgencyType, Consent, ParentsAware, ReferralDecision, YesNoNotKnown
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

    address = TextAreaField(
        "The child's address",
        widget=GovTextArea(),
        validators=[text_limit("The child's address", 1000)],
    )
    lives_with = TextAreaField(
        "Who does the child live with?",
        widget=GovTextArea(),
        description="For example, mum and her partner, and two younger brothers. Name each of them under household and family below.",
        validators=[text_limit("Who the child lives with", 2000)],
    )
    communication_needs = TextAreaField(
        "The child's communication needs (optional)",
        widget=GovTextArea(),
        description="For example, English as an additional language, speech and language needs, or how the child communicates best.",
        validators=[text_limit("The communication needs", 2000)],
    )
    disability = TextAreaField(
        "Disability or special educational needs (optional)",
        widget=GovTextArea(),
        description="As the school records them, for example an education, health and care plan.",
        validators=[text_limit("The disability or special educational needs", 2000)],
    )
    ethnicity = StringField(
        "Ethnicity (optional)",
        widget=GovTextInput(),
        description="As the school records it.",
        validators=[Optional(), Length(max=200, message="The ethnicity must be 200 characters or fewer")],
    )
    religion = StringField(
        "Religion (optional)",
        widget=GovTextInput(),
        description="As the school records it.",
        validators=[Optional(), Length(max=200, message="The religion must be 200 characters or fewer")],
    )

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
    consent = OptionalRadioField(
        "Was consent to this referral sought from the parents or carers?",
        widget=GovRadioInput(),
        choices=choices(
            [
                (Consent.SOUGHT_GIVEN.value, "Yes, and they gave it"),
                (Consent.SOUGHT_REFUSED.value, "Yes, and they refused"),
                (Consent.NOT_SOUGHT.value, "No, consent was not sought"),
            ]
        ),
    )
    consent_not_sought_reason = TextAreaField(
        "Why was consent not sought?",
        widget=GovTextArea(),
        description="For example, asking would put the child at risk of harm, or could harm a police investigation.",
        validators=[text_limit("Why consent was not sought")],
    )
    consent_refused_note = TextAreaField(
        "What did they say? (optional)",
        widget=GovTextArea(),
        description="Who refused, and any reason they gave. A referral can still be made without consent when a child may be at risk.",
        validators=[text_limit("What they said")],
    )
    school_view_level = OptionalRadioField(
        "What level of need does the school think this is?",
        widget=GovRadioInput(),
        description="The front door makes the threshold decision; this is the school's view.",
        choices=choices(Level.pairs()),
    )
    chronology_shared = OptionalRadioField(
        "Can the front door read the child's chronology with this referral?",
        widget=GovRadioInput(),
        choices=choices([("yes", "Yes"), ("no", "No")]),
    )
    chronology_not_shared_reason = TextAreaField(
        "Why should the front door not read it?",
        widget=GovTextArea(),
        validators=[text_limit("Why the chronology is not shared")],
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


# The household, siblings and agencies (one page each, the GOV.UK "add another" pattern) ---------------


def _not_in_future(form, field):
    if field.data and field.data > uk_today():
        raise ValidationError("The date of birth must be today or in the past")


def _date_of_birth() -> DayMonthYearField:
    return DayMonthYearField(
        "Date of birth (optional)",
        subject="The date of birth",
        description="Leave this empty if you do not know it. For example, 27 3 2012",
        example="27 3 2012",
        incomplete="The date of birth must include a {missing}",
        not_numbers="Enter the date of birth as numbers, like 27 3 2012",
        validators=[_not_in_future],
    )


class HouseholdPersonForm(BaseForm):
    """A household member or significant adult."""

    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[Required("Enter their full name"), NotBlank("Enter their full name"), Length(max=200, message="The name must be 200 characters or fewer")],
    )
    relationship = StringField(
        "Relationship to the child",
        widget=GovTextInput(),
        description="For example, mother, mum's partner, grandfather, lodger.",
        validators=[
            Required("Enter their relationship to the child"),
            NotBlank("Enter their relationship to the child"),
            Length(max=200, message="The relationship must be 200 characters or fewer"),
        ],
    )
    date_of_birth = _date_of_birth()
    lives_in_household = RadioField(
        "Do they live in the child's household?",
        widget=GovRadioInput(),
        choices=choices([("yes", "Yes"), ("no", "No")]),
        validators=[Required("Select whether they live in the child's household")],
    )
    parental_responsibility = RadioField(
        "Do they have parental responsibility for the child?",
        widget=GovRadioInput(),
        choices=choices(YesNoNotKnown.pairs()),
        validators=[Required("Select whether they have parental responsibility, or that it is not known")],
    )
    contact_details = TextAreaField(
        "Contact details (optional)",
        widget=GovTextArea(),
        description="Phone number, email address, and their address if it is not the child's.",
        validators=[text_limit("The contact details", 2000)],
    )
    first_language = StringField(
        "First language (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message="The first language must be 100 characters or fewer")],
    )
    interpreter_needed = BooleanField("They need an interpreter", widget=GovCheckboxInput())
    version = VersionField()
    submit = SubmitField("Save and return to the referral", widget=GovSubmitInput())


class SiblingForm(BaseForm):
    """A brother or sister, perhaps on the school's own register."""

    pupil = SelectField(
        "Is the sibling on your school's register?",
        widget=GovSelect(),
        description="Pupils of your school with the same surname. Choose one to link the referral to their record, or leave it.",
        choices=[],
        validate_choice=False,
    )
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        description="Leave this empty if you chose them from your register.",
        validators=[Length(max=200, message="The name must be 200 characters or fewer")],
    )
    relationship = StringField(
        "Relationship to the child (optional)",
        widget=GovTextInput(),
        description="For example, brother, half-sister, step-brother.",
        validators=[Optional(), Length(max=200, message="The relationship must be 200 characters or fewer")],
    )
    date_of_birth = _date_of_birth()
    school = StringField(
        "Where do they go to school? (optional)",
        widget=GovTextInput(),
        description="The school, nursery or college, or that they are not in education.",
        validators=[Optional(), Length(max=200, message="The school must be 200 characters or fewer")],
    )
    version = VersionField()
    submit = SubmitField("Save and return to the referral", widget=GovSubmitInput())


class AgencyForm(BaseForm):
    """Another agency or professional involved with the child."""

    agency_type = RadioField(
        "Which agency or professional?",
        widget=GovRadioInput(),
        choices=choices(AgencyType.pairs()),
        validators=[Required("Select the agency or professional")],
    )
    other_type = StringField(
        "Which agency?",
        widget=GovTextInput(),
        validators=[Length(max=200, message="The agency must be 200 characters or fewer")],
    )
    professional_name = StringField(
        "Name of the professional",
        widget=GovTextInput(),
        description="For example, Dr Amir Shah. Give their name, their organisation, or both.",
        validators=[Length(max=200, message="The name must be 200 characters or fewer")],
    )
    organisation = StringField(
        "Organisation",
        widget=GovTextInput(),
        description="For example, Oakfield Medical Centre.",
        validators=[Length(max=200, message="The organisation must be 200 characters or fewer")],
    )
    contact_details = TextAreaField(
        "Contact details (optional)",
        widget=GovTextArea(),
        description="Phone number, email address or postal address.",
        validators=[text_limit("The contact details", 2000)],
    )
    version = VersionField()
    submit = SubmitField("Save and return to the referral", widget=GovSubmitInput())

    def validate_other_type(self, field):
        if self.agency_type.data == AgencyType.OTHER.value and not (field.data or "").strip():
            raise ValidationError("Enter which agency it is")

    def validate_professional_name(self, field):
        if not (field.data or "").strip() and not (self.organisation.data or "").strip():
            raise ValidationError("Enter the professional's name or their organisation")


class RemoveForm(BaseForm):
    """The confirmation that removes a person or agency from a referral."""

    submit = SubmitField("Yes, remove", widget=GovSubmitInput())
