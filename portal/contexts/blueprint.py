"""The contexts blueprint (context referrals, the context panel, the threshold indicators): every page
module of the feature adds its routes to it; its templates share the helpers below."""

from flask import Blueprint
from flask_login import current_user

from portal.contexts.service import THRESHOLD_HEADINGS, THRESHOLD_LEVELS
from portal.contexts.words import STATUS_TAG_CLASSES, meeting_label, raised_words
from portal.policies import is_panel_member
from portal.pupils.models import year_group_label
from portal.vocabulary import harm_labels

bp = Blueprint("contexts", __name__, template_folder="templates")


@bp.context_processor
def _template_helpers() -> dict:
    return {
        "status_tag_classes": STATUS_TAG_CLASSES,
        "harm_labels": harm_labels,
        "year_group_label": year_group_label,
        "raised_words": raised_words,
        "meeting_label": meeting_label,
        "threshold_headings": THRESHOLD_HEADINGS,
        "threshold_levels": THRESHOLD_LEVELS,
        "is_panel_member": is_panel_member(current_user),
    }
