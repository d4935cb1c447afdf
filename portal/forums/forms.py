"""The forms of the DSL network: a new thread, a reply, an edit (each with Preview and Post, and the
identifiable-child confirmation when the check found something), a reason (report, hide, lock), resolving a
report, a category, inviting a partner, and a shared resource (adding one, its details, a new version,
archiving it)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Optional

from forms import (
    BaseForm,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    text_limit,
)
from portal.pupils.forms import ChildCheckFields
from portal.uploads import check_upload

#: The longest post (Markdown source).
POST_LIMIT = 20000


class _PostForm(ChildCheckFields):
    """What every post form has: the text, the confirmation of the child check, Post and Preview."""

    body = TextAreaField(
        "Your post",
        widget=GovTextArea(),
        validators=[Required("Enter your post"), NotBlank("Enter your post"), text_limit("Your post", POST_LIMIT)],
    )
    post = SubmitField("Post", widget=GovSubmitInput())
    preview = SubmitField("Preview", widget=GovSubmitInput())

    @property
    def previewing(self) -> bool:
        return bool(self.preview.data) and not self.post.data

    @property
    def text(self) -> str:
        """The post as saved: line endings as LF, trimmed."""
        return (self.body.data or "").replace("\r\n", "\n").strip()


class ThreadForm(_PostForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="What the thread is about, in a few words. Do not name a child.",
        validators=[Required("Enter a title"), NotBlank("Enter a title"), text_limit("The title", 200)],
    )

    @property
    def title_text(self) -> str:
        return " ".join((self.title.data or "").split())


class ReplyForm(_PostForm):
    #: The post of the thread this reply quotes (checked by the view: same thread, quotable).
    quoted_post_id = HiddenField()


class EditForm(_PostForm):
    version = VersionField()
    post = SubmitField("Save changes", widget=GovSubmitInput())


def _reason(label: str, message: str, hint: str | None = None) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=hint or "", validators=[Required(message), NotBlank(message), text_limit("The reason", 2000)])


class _ReasonForm(BaseForm):
    @property
    def text(self) -> str:
        return (self.reason.data or "").replace("\r\n", "\n").strip()


class ReportForm(_ReasonForm):
    reason = _reason(
        "Why are you reporting this post?",
        "Enter why you are reporting this post",
        "For example, it may identify a child, or it is unkind or off topic. The network lead will see your reason, not the post's author.",
    )
    submit = SubmitField("Report the post", widget=GovSubmitInput())


class HideForm(_ReasonForm):
    reason = _reason(
        "Why are you hiding this post?",
        "Enter why you are hiding this post",
        "Only moderators see the reason. The author is told their post was hidden.",
    )
    submit = SubmitField("Hide the post", widget=GovSubmitInput())


class LockForm(_ReasonForm):
    reason = _reason(
        "Why are you locking this thread?", "Enter why you are locking this thread", "Only moderators see the reason. No one can reply to a locked thread."
    )
    submit = SubmitField("Lock the thread", widget=GovSubmitInput())


class ResolveForm(BaseForm):
    outcome = HiddenField(default="no action")
    submit = SubmitField("No action needed", widget=GovSubmitInput())


class CategoryForm(BaseForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[Required("Enter the category's name"), NotBlank("Enter the category's name"), text_limit("The name", 120)],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="One or two sentences on what belongs in it.",
        validators=[Optional(), text_limit("The description", 2000)],
    )
    position = StringField(
        "Position in the list",
        widget=GovTextInput(),
        description="A number: categories are listed from the lowest to the highest, then by name.",
        default="0",
    )
    version = VersionField()
    submit = SubmitField("Save the category", widget=GovSubmitInput())
    archive = SubmitField("Archive the category", widget=GovSubmitInput())
    restore = SubmitField("Restore the category", widget=GovSubmitInput())

    def validate_position(self, field):
        raw = (field.data or "").strip() or "0"
        if not raw.lstrip("-").isdigit() or len(raw) > 6:
            raise ValidationError("Enter the position as a whole number, like 3")
        field.data = raw

    @property
    def values(self) -> dict:
        return {
            "name": " ".join((self.name.data or "").split()),
            "description": (self.description.data or "").replace("\r\n", "\n").strip() or None,
            "position": int(self.position.data or 0),
        }


CATEGORY_LABELS = {"name": "Name", "description": "Description", "position": "Position in the list", "archived": "Archived"}


class GuestForm(BaseForm):
    person = SelectField("Person to invite", widget=GovSelect(), validators=[Required("Select the person to invite")], choices=[], validate_choice=False)
    submit = SubmitField("Invite to the network", widget=GovSubmitInput())


# Shared resources -----------------------------------------------------------------------------------------


class UploadField(FileField):
    """One file, checked as attachments are (type from its bytes, size), the message next to the field."""

    widget = GovFileInput()

    def __init__(self, label, *, missing: str, **kwargs):
        super().__init__(label, **kwargs)
        self.missing = missing

    def pre_validate(self, form):
        if not getattr(self.data, "filename", None):
            raise ValidationError(self.missing)
        message = check_upload(self.data)
        if message:
            raise ValidationError(message)


class DetailsFields(ChildCheckFields):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[Required("Enter a title"), NotBlank("Enter a title"), text_limit("The title", 200)],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        description="What it is and who it is for. Do not name or describe a child.",
        validators=[text_limit("The description", 5000)],
    )
    category = SelectField("Category (optional)", widget=GovSelect(), choices=[], validate_choice=False)

    def validate_category(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Select a category from the list")


class ResourceForm(DetailsFields):
    file = UploadField("The file", missing="Select the file to upload")
    note = TextAreaField(
        "Note about this version (optional)",
        widget=GovTextArea(),
        description="For example where it came from, or when it was last checked.",
        validators=[text_limit("The note", 2000)],
    )
    submit = SubmitField("Add the resource", widget=GovSubmitInput())


class DetailsForm(DetailsFields):
    version = VersionField()
    submit = SubmitField("Save the details", widget=GovSubmitInput())


class VersionForm(ChildCheckFields):
    file = UploadField("The new version", missing="Select the file of the new version")
    note = TextAreaField(
        "What changed in this version? (optional)",
        widget=GovTextArea(),
        description="For example 'Updated for KCSIE 2026' or 'New contact numbers'.",
        validators=[text_limit("What changed", 2000)],
    )
    #: The newest version number the page showed: a newer one uploaded meanwhile refuses this upload.
    latest = VersionField()
    submit = SubmitField("Upload the new version", widget=GovSubmitInput())


class ArchiveForm(BaseForm):
    version = VersionField()
    submit = SubmitField("Archive this resource", widget=GovSubmitInput())
