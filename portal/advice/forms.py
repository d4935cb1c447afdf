"""Forms of the advice module: asking the front door, answering, and replying on the thread."""

from __future__ import annotations

from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from forms import (
    AttachmentsField,
    BaseForm,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    choices,
    text_limit,
)
from portal.advice.models import AdviceOutcome
from portal.vocabulary import EXTRA_FAMILIAL, HarmCategory, Level, Urgency

#: Abuse and neglect first, then the extra-familial harms together, then "Other".
CATEGORY_ORDER = (
    [c for c in HarmCategory if c not in EXTRA_FAMILIAL and c is not HarmCategory.OTHER]
    + [c for c in HarmCategory if c in EXTRA_FAMILIAL]
    + [HarmCategory.OTHER]
)

EXTRA_FAMILIAL_HINT = "Extra-familial: harm outside the family home"

#: The DSL's answer when they have no view of the level: asking is how they find out.
NOT_SURE = "not_sure"


class OptionalRadioField(RadioField):
    """Radios that may be left unanswered; an answer must still be one of the choices."""

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        super().pre_validate(form)


class AdviceRequestForm(BaseForm):
    """A DSL's request for advice. The school and the pupil are checked by the view, against the DSL's
    own schools."""

    school = RadioField("Which school is this about?", widget=GovRadioInput(), validate_choice=False)
    name_child = RadioField(
        "Do you want to name the child?",
        widget=GovRadioInput(),
        choices=choices([("yes", "Yes"), ("no", "No, ask without naming the child (an anonymous consultation)")]),
        validators=[Required("Select whether you want to name the child")],
    )
    pupil_search = StringField("Search your school's pupils by name", widget=GovTextInput(), validators=[Length(max=100)])
    pupil = RadioField("Which child is it?", widget=GovRadioInput(), validate_choice=False)
    question = TextAreaField(
        "What do you want to ask the front door?",
        widget=GovTextArea(),
        description="Say what has happened, what the school has done so far and what you are unsure about.",
        validators=[
            Required("Enter your question for the front door"),
            NotBlank("Enter your question for the front door"),
            text_limit("Your question"),
        ],
    )
    categories = SelectMultipleField(
        "What kind of harm are you worried about?",
        widget=GovCheckboxesInput(),
        description="Select all that apply.",
        choices=choices((c.value, c.label) for c in CATEGORY_ORDER),
        validators=[Required("Select at least one kind of harm")],
    )
    urgency = RadioField(
        "How soon do you need an answer?",
        widget=GovRadioInput(),
        choices=choices(Urgency.pairs()),
        validators=[Required("Select how soon you need an answer")],
    )
    #: The ids of the levels-of-need indicators ticked (checked by the view against the version in force).
    need_indicators = SelectMultipleField("Which of the authority's levels-of-need indicators apply?", validate_choice=False)
    dsl_view_level = OptionalRadioField(
        "What level of need do you think this is? (optional)",
        widget=GovRadioInput(),
        choices=choices([*Level.pairs(), (NOT_SURE, "Not sure")]),
    )
    dsl_view_reason = TextAreaField(
        "Why does your view differ from the level the indicators suggest?",
        widget=GovTextArea(),
        description="For example, what you know that the indicators do not show, or what the school has already tried.",
        validators=[text_limit("Why your view differs")],
    )
    attachments = AttachmentsField()
    search = SubmitField("Search", widget=GovSubmitInput())
    suggest = SubmitField("Show the level these suggest", widget=GovSubmitInput())
    submit = SubmitField("Send to the front door", widget=GovSubmitInput())

    @property
    def suggesting(self) -> bool:
        return bool(self.suggest.data)

    @property
    def view_level(self) -> Level | None:
        """The DSL's view of the level; ``None`` when they are not sure or did not say."""
        return Level(self.dsl_view_level.data) if self.dsl_view_level.data in {level.value for level in Level} else None

    @property
    def searching(self) -> bool:
        return bool(self.search.data)

    @property
    def named(self) -> bool:
        return self.name_child.data == "yes"


class AnswerForm(BaseForm):
    outcome = RadioField(
        "What is your advice?",
        widget=GovRadioInput(),
        choices=choices(AdviceOutcome.pairs()),
        validators=[Required("Select the outcome of your advice")],
    )
    answer_level = RadioField(
        "What level of need does the front door think this is?",
        widget=GovRadioInput(),
        description="On what the school has told you. The school sees it with your answer.",
        choices=choices(Level.pairs()),
        validators=[Required("Select the level of need the front door thinks this is")],
    )
    answer = TextAreaField(
        "Your answer to the school",
        widget=GovTextArea(),
        description="The school's DSL reads this. Say what you advise and why; if a referral is needed, say what it should include.",
        validators=[
            Required("Enter your answer to the school"),
            NotBlank("Enter your answer to the school"),
            text_limit("Your answer"),
        ],
    )
    version = VersionField()
    submit = SubmitField("Send the answer", widget=GovSubmitInput())
