"""What the pages of disagreements share."""

from __future__ import annotations

from flask import flash, redirect, url_for

from portal.disagreements.service import Refused


def add_error(form, refused: Refused) -> None:
    """Put the service's refusal next to its field (or at the top of the form when it has none)."""
    field = form._fields.get(refused.field) if refused.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(refused)]
    else:
        form.form_errors.append(str(refused))


def detail_redirect(disagreement_id):
    return redirect(url_for("disagreements.detail", disagreement_id=disagreement_id))


def stale(disagreement_id):
    flash("Someone else changed this disagreement at the same moment. Check what it says now, then try again.", "important")
    return detail_redirect(disagreement_id)
