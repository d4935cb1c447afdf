"""The transfers blueprint: the sending school's and the receiving school's pages add their routes to it."""

from datetime import date, datetime

from flask import Blueprint

from portal.clock import uk_date, uk_datetime

bp = Blueprint("transfers", __name__, template_folder="templates")


@bp.app_template_filter("uk_from_iso")
def uk_from_iso(value: str | None, fmt: str = "%-d %B %Y at %-I:%M%p") -> str:
    """A moment written into a file as ISO 8601 (with its offset), in UK time, as the pages say it."""
    return uk_datetime(datetime.fromisoformat(value), fmt) if value else ""


@bp.app_template_filter("day_from_iso")
def day_from_iso(value: str | None) -> str:
    """A date written into a file as ISO 8601 (``2016-09-14``), as the pages say it (14 September 2016)."""
    return uk_date(date.fromisoformat(value)) if value else ""
