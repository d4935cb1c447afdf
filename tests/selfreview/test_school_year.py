"""The governor report opens on the school year today is in (September to August, in the UK), at every
awkward moment of the clock."""

from __future__ import annotations

from portal.selfreview.actions import Action
from tests.admin.pages import page_text
from tests.moments import AWKWARD_MOMENTS
from tests.selfreview.test_governor_report import url
from tests.support import audit_events, signed_in_client

#: The school year (by the year it starts) that each awkward moment falls in (tests/moments.py).
SCHOOL_YEAR_AT = {
    "half-past-midnight": 2026,  # 15 June 2027
    "clocks-go-forward": 2026,  # 28 March 2027
    "clocks-go-back": 2027,  # 31 October 2027
    "new-year": 2026,  # 31 December 2026
    "leap-day": 2027,  # 29 February 2028
    "bank-holiday-monday": 2026,  # 3 May 2027
}


def test_the_report_opens_on_the_school_year_of_today_at_any_moment(awkward_moment, app, world):
    """Does the report open on the school year (September to August, in the UK) that today is in, at
    each awkward moment, and say which?"""
    [name] = [key for key, moment in AWKWARD_MOMENTS.items() if moment == awkward_moment]
    year = SCHOOL_YEAR_AT[name]
    page = signed_in_client(app, world.a.governor1).get(url(world.a))
    assert page.status_code == 200
    assert f"{year} to {year + 1}" in page_text(page)
    [event] = audit_events(app, world.a.authority_id, Action.GOVERNOR_REPORT_VIEWED)
    assert event.details == {"year": year}
