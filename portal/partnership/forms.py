"""Forms every contextual workspace shares: inviting an organisation, answering an invitation, and the
owner of a plan action (a person or an organisation, as one select)."""

from __future__ import annotations

import uuid

from wtforms import RadioField, SelectField, SubmitField, TextAreaField

from forms import BaseForm, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, Required, choices, text_limit
from portal.model_base import as_uuid


def invite_form(label: str, *, button: str = "Send the invitation", description: str | None = None) -> type[BaseForm]:
    """A form class that invites one organisation (its choices are set by the page)."""

    class InviteForm(BaseForm):
        organisation = SelectField(label, widget=GovSelect(), description=description, validators=[Required("Select who to invite")], validate_choice=False)
        submit = SubmitField(button, widget=GovSubmitInput())

    return InviteForm


def respond_form(question: str, *, accept: str, decline: str, note_label: str, note_hint: str) -> type[BaseForm]:
    """A form class for an organisation's answer to an invitation, with an optional note."""

    class RespondForm(BaseForm):
        answer = RadioField(
            question,
            widget=GovRadioInput(),
            choices=choices([("accept", accept), ("decline", decline)]),
            validators=[Required("Select whether your organisation accepts or declines")],
        )
        note = TextAreaField(note_label, widget=GovTextArea(), description=note_hint, validators=[text_limit("The note", 2000)])
        submit = SubmitField("Send your answer", widget=GovSubmitInput())

    return RespondForm


# The owner of a plan action: "user:<id>" or "organisation:<id>" in one select.


def owner_value(row) -> str:
    return f"user:{row.owner_user_id}" if row.owner_user_id else f"organisation:{row.owner_organisation_id}"


def owner_ids(value: str | None) -> dict | None:
    """``{"owner_user_id": …, "owner_organisation_id": …}`` from a select value, or ``None`` if it is not
    one. The caller must also check that the value was among the choices it offered."""
    kind, _, raw = (value or "").partition(":")
    owner = as_uuid(raw)
    if owner is None or kind not in ("user", "organisation"):
        return None
    return {"owner_user_id": owner, "owner_organisation_id": None} if kind == "user" else {"owner_user_id": None, "owner_organisation_id": owner}


def owner_choices(people: list[tuple[uuid.UUID, str]], organisations: list[tuple[uuid.UUID, str]], current=None) -> list[tuple[str, str]]:
    """The select's choices: people, then organisations; the action's current owner is kept even if
    they are no longer among them (so saving the status does not silently change the owner)."""
    pairs = [(f"user:{uid}", name) for uid, name in people] + [(f"organisation:{oid}", f"{name} (organisation)") for oid, name in organisations]
    if current is not None and owner_value(current) not in dict(pairs):
        pairs.append((owner_value(current), current.owner_name))
    return pairs
