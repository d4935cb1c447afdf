"""The summits' two blueprints: ``summits`` (the summits' pages) and ``maps`` (the safety maps' pages and
the anonymous tablet pages); every page module of the feature adds its routes to one of them."""

from flask import Blueprint

from portal.summits import checklist
from portal.summits.words import STATUS_TAG_CLASSES, YEAR_GROUPS, when_text, young_people_text

bp = Blueprint("summits", __name__, template_folder="templates")
maps_bp = Blueprint("maps", __name__, template_folder="templates")


@bp.context_processor
def _template_helpers() -> dict:
    return {
        "status_tag_classes": STATUS_TAG_CLASSES,
        "when_text": when_text,
        "young_people_text": young_people_text,
        "year_groups": YEAR_GROUPS,
        "checklist_items": checklist.ITEMS,
        "checklist_hints": [{"hint": {"text": item.hint}} for item in checklist.ITEMS],
    }
