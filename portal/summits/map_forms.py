"""Forms of the safety maps: uploading a map, placing a marker (signed in, and on a tablet), and making a
tablet link."""

from __future__ import annotations

import re

from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Length, NumberRange, Optional

from forms import (
    BaseForm,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    choices,
    text_limit,
)
from portal.summits.map_service import Grid, MapImageRejected, Position, clean_image, resolve_position
from portal.summits.models import MapKind, Safety


class WholeNumberField(IntegerField):
    """A whole number typed in a text box, with a message in words when it is not one."""

    widget = GovTextInput()

    def __init__(self, label, *, what: str, low: int, high: int, **kwargs):
        self.what_message = f"{what} must be a whole number from {low} to {high}"
        validators = [Required(f"Enter {what.lower()}"), NumberRange(min=low, max=high, message=self.what_message)]
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "") or ""
        raw = raw.strip()
        if not raw:
            return
        if not re.fullmatch(r"\d{1,4}", raw):
            raise ValueError(self.what_message)
        self.data = int(raw)


class MapUploadForm(BaseForm):
    title = StringField(
        "Title of the map",
        widget=GovTextInput(),
        description="For example, “Streets around Avonford High School” or “Main building, ground floor”.",
        validators=[
            Required("Enter a title for the map"),
            NotBlank("Enter a title for the map"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "What does the map show?",
        widget=GovRadioInput(),
        choices=choices(MapKind.pairs()),
        validators=[Required("Choose whether the map shows the local area or a school floor plan")],
    )
    image = FileField(
        "The map image",
        widget=GovFileInput(),
        description="A PNG or JPEG image, up to 10MB. A photo of a paper map or plan works. Details a phone camera saves in a photo, such as where it was taken, are removed.",
    )
    description = TextAreaField(
        "Describe the map for people who cannot see it",
        widget=GovTextArea(),
        description="Say what area or building it shows, the main streets, landmarks or rooms, and which way is north or where the entrance is.",
        validators=[
            Required("Describe the map for people who cannot see it"),
            NotBlank("Describe the map for people who cannot see it"),
            text_limit("The description", 5000),
        ],
    )
    grid_columns = WholeNumberField(
        "Columns across the map",
        what="The number of columns",
        low=2,
        high=26,
        default=8,
        description="From 2 to 26. Columns are lettered A, B, C… from the left.",
    )
    grid_rows = WholeNumberField(
        "Rows down the map",
        what="The number of rows",
        low=2,
        high=30,
        default=6,
        description="From 2 to 30. Rows are numbered 1, 2, 3… from the top.",
    )
    activity = SelectField("Which activity is the map for? (optional)", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Upload the map", widget=GovSubmitInput())

    def __init__(self, activities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity.choices = choices([("", "Not part of an activity")] + [(str(a.id), a.title) for a in activities])
        self._activity_ids = {str(a.id) for a in activities}
        self.cleaned_image = None

    def validate_activity(self, field):
        if field.data and field.data not in self._activity_ids:
            raise ValidationError("Choose an activity from the list")

    def validate_image(self, field):
        upload = field.data
        if not getattr(upload, "filename", None):
            raise ValidationError("Select a map image")
        try:
            self.cleaned_image = clean_image(upload)
        except MapImageRejected as exc:
            raise ValidationError(str(exc)) from None


class MarkerForm(BaseForm):
    """A marker: where (a grid square, or a point set by tapping or with the keyboard), safe or unsafe, what
    is there, why, and how to make it safer."""

    square = SelectField(
        "Grid square",
        widget=GovSelect(),
        validate_choice=False,
        description="The letter is the column, across the top of the map; the number is the row, down its side.",
    )
    safety = RadioField(
        "Does this place feel safe or unsafe?",
        widget=GovRadioInput(),
        choices=choices(Safety.pairs()),
        validators=[Required("Choose whether this place feels safe or unsafe")],
    )
    place = StringField(
        "What is there? (optional)",
        widget=GovTextInput(),
        description="In the young people’s words, for example “the alley by the chip shop” or “the back stairs”.",
        validators=[Optional(), Length(max=200, message="What is there must be 200 characters or fewer")],
    )
    note = TextAreaField("Why does it feel this way? (optional)", widget=GovTextArea(), validators=[text_limit("Why it feels this way", 2000)])
    suggestion = TextAreaField(
        "How could it be made safer? (optional)",
        widget=GovTextArea(),
        description="For example, better lighting, a member of staff on duty, or CCTV.",
        validators=[text_limit("How it could be made safer", 2000)],
    )
    group_label = StringField(
        "Group (optional)",
        widget=GovTextInput(),
        description="For example, “Group 2, Year 9”. Never write a young person’s name.",
        validators=[Optional(), Length(max=60, message="The group must be 60 characters or fewer")],
    )
    # Set by the page's script when the map is tapped or a point is chosen with the keyboard.
    x = HiddenField()
    y = HiddenField()
    method = HiddenField(default="grid")
    submit = SubmitField("Add the marker", widget=GovSubmitInput())

    def __init__(self, grid: Grid, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        self.square.choices = choices([("", "Choose a square")] + [(s, s) for s in grid.squares()])
        self.position: Position | None = None

    def validate_square(self, field):
        if field.data and self.grid.parse(field.data) is None:
            raise ValidationError("Choose a grid square from the list")
        self.position = resolve_position(self.grid, field.data, self.x.data, self.y.data, self.method.data)
        if self.position is None:
            raise ValidationError("Choose the grid square where the place is, or tap the map")


class TabletMarkerForm(MarkerForm):
    """The same form on a tablet link: the group is the link's, so it is not asked."""

    group_label = None


class LinkForm(BaseForm):
    group_label = StringField(
        "Which group is the tablet for?",
        widget=GovTextInput(),
        description="For example, “Group 2, Year 9”. Never write a young person’s name: the link collects no names.",
        validators=[
            Required("Enter which group the tablet is for, like Group 2, Year 9"),
            NotBlank("Enter which group the tablet is for, like Group 2, Year 9"),
            Length(max=60, message="The group must be 60 characters or fewer"),
        ],
    )
    lasts = RadioField("How long should the link work?", widget=GovRadioInput(), validators=[Required("Choose how long the link should work")])
    submit = SubmitField("Create a tablet link", widget=GovSubmitInput())

    def __init__(self, options: list[tuple[str, str]], default: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lasts.choices = choices(options)
        if self.lasts.data in (None, ""):
            self.lasts.data = default
