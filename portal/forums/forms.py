"""The forms of the DSL network: a new thread, a reply, an edit (each with Preview and Post, and the
identifiable-child confirmation when the check found something), a reason (report, hide, lock), resolving a
report, a category, and inviting a partner."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import Optional

from forms import (
    BaseForm,
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NotBlank,
    Required,
    VersionField,
    text_limit,
)

#: The longest post (Markdown source).
POST_LIMIT = 20000

CONFIRM_LABEL = "I confirm this is not about a real child and no child can be identified from it"
CONFIRM_ERROR = "Change what you wrote so no child can be identified from it, or confirm it is not about a real child"


class ChildCheckFields(BaseForm):
    """The identifiable-child confirmation: the tick, and (shown with the matches) a signature of the matches
    the person was shown, so a tick confirms only those (``views.check_child``)."""

    confirm = BooleanField(CONFIRM_LABEL, widget=GovCheckboxInput())
    child_check = HiddenField()


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
