"""Forms of the pupil register: a pupil's details, and the CSV import; and the identifiable-child
confirmation any feature's form adds where people write about their work (``ChildCheckFields``)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from forms import (
    BaseForm,
    DayMonthYearField,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
    Required,
    VersionField,
    choices,
)
from portal.clock import uk_today
from portal.pupils import childcheck
from portal.pupils.importer import date_of_birth_problem, normalise_upn, upn_problem
from portal.pupils.models import YEAR_GROUPS, year_group_label

#: The pupil's flags: model attribute -> label.
FLAGS = {
    "child_protection_plan": "Child protection plan",
    "looked_after": "Looked after (in care)",
    "sen": "Special educational needs (SEN)",
    "eal": "English as an additional language (EAL)",
}


def _clean_name(field, message: str) -> None:
    field.data = (field.data or "").strip()
    if not field.data:  # spaces pass Required, and would save a nameless pupil
        raise ValidationError(message)


class PupilForm(BaseForm):
    legal_forename = StringField(
        "Legal first name",
        widget=GovTextInput(),
        validators=[Required("Enter the pupil's legal first name"), Length(max=100, message="Legal first name must be 100 characters or fewer")],
    )
    legal_surname = StringField(
        "Legal surname",
        widget=GovTextInput(),
        validators=[Required("Enter the pupil's legal surname"), Length(max=100, message="Legal surname must be 100 characters or fewer")],
    )
    preferred_name = StringField(
        "Preferred first name (optional)",
        widget=GovTextInput(),
        description="The name they are known by at school, if it is not their legal first name",
        validators=[Optional(), Length(max=100, message="Preferred first name must be 100 characters or fewer")],
    )
    date_of_birth = DayMonthYearField(
        "Date of birth",
        description="For example, 14 3 2015",
        required="Enter the pupil's date of birth",
        example="14 3 2015",
        missing_joiner=" and a ",
        accept_iso=True,
    )
    year_group = SelectField(
        "Year group",
        widget=GovSelect(),
        choices=choices([("", "Not recorded")] + [(value, year_group_label(value)) for value in YEAR_GROUPS]),
        validators=[Optional()],
    )
    upn = StringField(
        "Unique pupil number (UPN) (optional)",
        widget=GovTextInput(),
        description="13 characters: a letter then 12 digits, like A123456789012. It is on the pupil's record in your school's MIS.",
        validators=[Optional()],
    )
    flags = SelectMultipleField(
        "Does any of these apply to the pupil?",
        widget=GovCheckboxesInput(),
        description="Select all that apply",
        choices=choices(FLAGS.items()),
        validators=[Optional()],
    )
    submit = SubmitField("Save pupil", widget=GovSubmitInput())

    def validate_legal_forename(self, field):
        _clean_name(field, "Enter the pupil's legal first name")

    def validate_legal_surname(self, field):
        _clean_name(field, "Enter the pupil's legal surname")

    def validate_preferred_name(self, field):
        field.data = (field.data or "").strip() or None

    def validate_date_of_birth(self, field):
        if field.errors:  # already told what is wrong with what they typed
            return
        problem = date_of_birth_problem(field.data, uk_today())
        if problem:
            raise ValidationError(f"Date of birth {problem}")

    def validate_upn(self, field):
        field.data = normalise_upn(field.data) or None
        if field.data:
            problem = upn_problem(field.data)
            if problem:
                raise ValidationError(problem)

    def values(self) -> dict:
        """What the form says, by the pupil's attribute names."""
        values = {
            "legal_forename": self.legal_forename.data,
            "legal_surname": self.legal_surname.data,
            "preferred_name": (self.preferred_name.data or "").strip() or None,
            "date_of_birth": self.date_of_birth.data,
            "year_group": self.year_group.data or None,
            "upn": normalise_upn(self.upn.data) or None,
        }
        values.update({name: name in (self.flags.data or []) for name in FLAGS})
        return values

    def load(self, pupil) -> None:
        """Fill the form from ``pupil`` (for a GET)."""
        for name in ("legal_forename", "legal_surname", "preferred_name", "date_of_birth", "upn"):
            getattr(self, name).data = getattr(pupil, name)
        self.year_group.data = pupil.year_group or ""
        self.flags.data = [name for name in FLAGS if getattr(pupil, name)]


class EditPupilForm(PupilForm):
    left = BooleanField(
        "This pupil has left the school",
        widget=GovCheckboxInput(),
        description="They stay on the register, with their chronology, but are not listed unless you ask",
    )
    version = VersionField()


class ImportForm(BaseForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A CSV file exported from your school's MIS, saved as UTF-8, smaller than 2MB",
    )
    submit = SubmitField("Check and import", widget=GovSubmitInput())

    def validate_file(self, field):
        if not getattr(field.data, "filename", None):
            raise ValidationError("Select a CSV file to import")


CONFIRM_LABEL = "I confirm this is not about a real child and no child can be identified from it"
CONFIRM_ERROR = "Change what you wrote so no child can be identified from it, or confirm it is not about a real child"


class ChildCheckFields(BaseForm):
    """The identifiable-child confirmation: the tick, and (shown with the matches) a signature of the matches
    the person was shown, so a tick confirms only those (:meth:`check_child`)."""

    confirm = BooleanField(CONFIRM_LABEL, widget=GovCheckboxInput())
    child_check = HiddenField()

    def check_child(self, text: str, user) -> tuple[list, bool]:
        """Run the identifiable-child check on ``text`` (a post, or a shared resource's details): the matches,
        and whether it may be saved: no match, or the person ticked the confirmation on the page that showed
        them exactly these matches (the signature the page carried). Otherwise the matches are shown (again),
        with the confirmation unticked and its error, and the signature of what is shown now."""
        matches = childcheck.child_matches(text, user)
        if not matches:
            return matches, True
        if self.confirm.data and childcheck.signature_matches(matches, user, self.child_check.data):
            return matches, True
        self.confirm.data = False
        self.confirm.errors = [CONFIRM_ERROR]
        self.child_check.data = childcheck.matches_signature(matches, user)
        return matches, False
