"""The referrals blueprint: every page module of referrals adds its routes to it, and its pages share
the helpers that show statuses and times."""

from __future__ import annotations

from flask import Blueprint

from portal.referrals.display import STATUS_TAG_CLASSES, ago_words, clock, deadline_words
from portal.vocabulary import harm_labels

bp = Blueprint("referrals", __name__, template_folder="templates")


@bp.context_processor
def _template_helpers() -> dict:
    """Helpers for this blueprint's pages (and only its pages)."""
    return {
        "status_tag_classes": STATUS_TAG_CLASSES,
        "harm_labels": harm_labels,
        "clock": clock,
        "ago_words": ago_words,
        "deadline_words": deadline_words,
    }
