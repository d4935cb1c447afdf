"""The school's training and review dates: the head keeps them, the governor report shows each with when it
is due again (overdue in words), a governor reads them and cannot change them, a wrong date is explained
next to its field with nothing typed lost, and a save on top of someone else's is refused."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.selfreview.actions import Action
from portal.selfreview.models import SchoolAssuranceRecord
from tests.admin.pages import field_error, page_text
from tests.support import audit_events, detached_rows, signed_in_client

TODAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("portal.selfreview.service.uk_today", lambda: TODAY)
    monkeypatch.setattr("portal.selfreview.views.governor.uk_today", lambda: TODAY)


def dates_url(side) -> str:
    return f"/schools/{side.school1}/training-and-review-dates"


def form(version: int = 0, **dates) -> dict:
    data = {"version": str(version)}
    for key, (day, month, year) in dates.items():
        data[key] = [str(day), str(month), str(year)]  # the date input's three boxes
    return data


def saved(app, side) -> SchoolAssuranceRecord | None:
    rows = detached_rows(app, SchoolAssuranceRecord, side.authority_id, organisation_id=side.school1)
    return rows[0] if rows else None


def test_the_head_saves_the_dates_and_the_report_shows_when_each_is_due(app, world):
    a = world.a
    head = signed_in_client(app, a.head1)
    page = head.get(dates_url(a))
    assert page.status_code == 200 and "Training and review dates" in page_text(page)
    response = head.post(dates_url(a), data=form(dsl_training_on=(4, 9, 2025), governor_training_on=(1, 10, 2025), policy_reviewed_on=(1, 9, 2026)))
    assert response.status_code == 302
    row = saved(app, a)
    assert (row.dsl_training_on, row.governor_training_on, row.policy_reviewed_on, row.staff_training_on) == (
        date(2025, 9, 4),
        date(2025, 10, 1),
        date(2026, 9, 1),
        None,
    )

    report = page_text(signed_in_client(app, a.governor1).get(f"/schools/{a.school1}/governor-report"))
    assert "4 September 2025 Due again by 4 September 2027" in report  # every two years
    assert "1 October 2025 Due again by 1 October 2026 Overdue" in report  # a year, passed
    assert "1 September 2026 Due again by 1 September 2027" in report
    assert "Whole-staff safeguarding training Not recorded" in report
    events = audit_events(app, a.authority_id, Action.ASSURANCE_DATES_SAVED)
    assert [(e.actor_id, e.organisation_id, e.details["dsl_training_on"]) for e in events] == [(a.head1.id, a.school1, "2025-09-04")]


def test_a_date_in_the_future_or_not_real_is_explained_and_the_rest_is_kept(app, world):
    a = world.a
    head = signed_in_client(app, a.head1)
    response = head.post(dates_url(a), data=form(dsl_training_on=(4, 9, 2027), staff_training_on=(31, 2, 2026), policy_reviewed_on=(1, 9, 2026)))
    assert response.status_code == 200
    assert field_error(response, "dsl_training_on") == "The date of the DSL's training must be today or in the past"
    assert field_error(response, "staff_training_on") == "The date of the staff training must be a real date, like 14 3 2026"
    markup = response.get_data(as_text=True)
    assert re.search(r'id="policy_reviewed_on-year"[^>]*value="2026"', markup)  # what was typed is still there
    assert re.search(r'id="dsl_training_on-year"[^>]*value="2027"', markup)
    assert re.search(r'id="staff_training_on-day"[^>]*value="31"', markup)
    assert saved(app, a) is None


def test_a_governor_reads_the_dates_but_cannot_change_them(app, world):
    a = world.a
    signed_in_client(app, a.head1).post(dates_url(a), data=form(policy_reviewed_on=(1, 9, 2026)))
    governor = signed_in_client(app, a.governor1)
    assert governor.get(dates_url(a)).status_code == 403
    assert governor.post(dates_url(a), data=form(version=1, policy_reviewed_on=(2, 9, 2026))).status_code == 403
    assert saved(app, a).policy_reviewed_on == date(2026, 9, 1)
    report = governor.get(f"/schools/{a.school1}/governor-report")
    assert "Change the training and review dates" not in page_text(report)
    assert "Change the training and review dates" in page_text(signed_in_client(app, a.head1).get(f"/schools/{a.school1}/governor-report"))
    assert any(e.details.get("endpoint") == "selfreview.assurance_dates" for e in audit_events(app, a.authority_id, Action.ACCESS_DENIED))


def test_a_save_on_top_of_anothers_is_refused_and_shows_what_changed(app, world):
    a = world.a
    first, second = signed_in_client(app, a.head1), signed_in_client(app, a.head1)
    assert first.post(dates_url(a), data=form(policy_reviewed_on=(1, 9, 2026))).status_code == 302
    # The second page was opened before the first save (version 0): it must not overwrite it.
    response = second.post(dates_url(a), data=form(version=0, policy_reviewed_on=(15, 9, 2026)))
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed the dates while you were editing" in text
    assert "Child protection policy reviewed 1 September 2026 15 September 2026" in text
    assert saved(app, a).policy_reviewed_on == date(2026, 9, 1)
    assert audit_events(app, a.authority_id, Action.STALE_SAVE_REFUSED)
    # Saved again from the refreshed form (it now carries the current version), it goes through.
    assert second.post(dates_url(a), data=form(version=1, policy_reviewed_on=(15, 9, 2026))).status_code == 302
    assert saved(app, a).policy_reviewed_on == date(2026, 9, 15)
