"""The stages and their timescales in working days (weekends, bank holidays and the authority's closure days
do not count, in UK time), with the clock frozen; the responses and the school's escalation or acceptance."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.casework.workingdays import WorkingCalendar
from portal.clock import UK, travel
from portal.disagreements.service import reminder_time, working_days_after
from tests.admin.pages import page_text
from tests.disagreements.support import at_stage, decided_referral, disagreement, escalate_as, raise_on, respond_as, second_reviewer
from tests.factories import _scope
from tests.referrals.support import notifications
from tests.support import audit_events, signed_in_client


def uk(*args) -> datetime:
    return datetime(*args, tzinfo=UK)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Thursday before Easter 2027: Good Friday, the weekend and Easter Monday do not count (and the clocks
        # go forward on the Sunday: the UK time is kept).
        (uk(2027, 3, 25, 10, 0), 2, uk(2027, 3, 31, 10, 0)),
        # Christmas 2027: the substitute Christmas and Boxing Days (27, 28 December), New Year's substitute
        # day (3 January 2028) and two weekends.
        (uk(2027, 12, 23, 9, 0), 5, uk(2028, 1, 4, 9, 0)),
        # Started on a Saturday: counts from the start of Monday 14 June; the tenth working day after is Monday 28.
        (uk(2027, 6, 12, 15, 0), 10, uk(2027, 6, 28, 0, 0)),
    ],
)
def test_working_days_after(start, days, due):
    assert working_days_after(WorkingCalendar(), start, days) == due.astimezone(UTC)


def test_the_reminder_is_the_working_day_before():
    calendar = WorkingCalendar()
    start, due = uk(2027, 3, 25, 10, 0), uk(2027, 3, 31, 10, 0)
    assert reminder_time(calendar, start.astimezone(UTC), due.astimezone(UTC)) == uk(2027, 3, 30, 10, 0).astimezone(UTC)
    # Across a weekend: due Monday, reminded on the Friday.
    assert reminder_time(calendar, uk(2027, 6, 9, 9).astimezone(UTC), uk(2027, 6, 14, 9).astimezone(UTC)) == uk(2027, 6, 11, 9).astimezone(UTC)


def test_raised_before_easter_stage_1_is_due_after_the_bank_holidays(app, world):
    """Raised on Maundy Thursday 2027 at 10am: stage 1 (2 working days) is due at 10am on Wednesday 31 March,
    and the school and front door see that deadline on the disagreement's page."""
    side = world.a
    referral_id = decided_referral(app, side)
    with travel(uk(2027, 3, 25, 10, 0)):
        disagreement_id = raise_on(app, side, referral_id=referral_id)
    row = disagreement(app, side, disagreement_id)
    assert row.due_at == uk(2027, 3, 31, 10, 0)
    assert row.remind_at == uk(2027, 3, 30, 10, 0)
    page = page_text(signed_in_client(app, side.front_door).get(f"/disagreements/{disagreement_id}"))
    assert "Stage 1 response due by 10am on Wednesday 31 March 2027" in page


def test_the_authoritys_timescales_and_closure_days_are_used(app, world):
    """The administrator sets stage 1 to 3 working days; the authority is closed on Wednesday 31 March
    2027: raised on Maundy Thursday, stage 1 is due on Friday 2 April."""
    from portal.casework.models import CalendarDay
    from portal.extensions import db

    side = world.a
    admin = signed_in_client(app, side.admin)
    response = admin.post("/settings/disagreements", data={"stage1_days": "3", "stage2_days": "5", "stage3_days": "10", "escalate_days": "5", "version": "0"})
    assert response.status_code == 302
    with _scope(app, side):
        db.session.add(CalendarDay(day=date(2027, 3, 31), is_working_day=False, label="Staff training day"))
        db.session.commit()
    referral_id = decided_referral(app, side)
    with travel(uk(2027, 3, 25, 10, 0)):
        disagreement_id = raise_on(app, side, referral_id=referral_id)
    assert disagreement(app, side, disagreement_id).due_at == uk(2027, 4, 2, 10, 0)
    assert [e.details["after"]["stage1"] for e in audit_events(app, side.authority_id, "disagreement.settings_changed")] == [3]


def test_the_timescales_page_refuses_a_number_out_of_range(app, world):
    admin = signed_in_client(app, world.a.admin)
    response = admin.post(
        "/settings/disagreements", data={"stage1_days": "0", "stage2_days": "five", "stage3_days": "10", "escalate_days": "5", "version": "0"}
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "The time for stage 1 must be a whole number of working days from 1 to 60" in text
    assert "The time for stage 2 must be a whole number of working days from 1 to 60" in text
    assert audit_events(app, world.a.authority_id, "disagreement.settings_changed") == []


def test_upheld_escalated_to_stage_2_then_upheld_and_accepted(app, world):
    """Stage 1 upheld: the school is told and may escalate within the set time; escalated after Christmas
    2027, stage 2 (5 working days) skips the bank holidays; upheld again and accepted, it is resolved."""
    side = world.a
    reviewer = second_reviewer(app, side)
    with travel(uk(2027, 12, 20, 9, 0)):
        disagreement_id = raise_on(app, side, referral_id=decided_referral(app, side))
        respond_as(app, side, disagreement_id, side.front_door, "upheld")
    row = disagreement(app, side, disagreement_id)
    assert (row.status.value, row.stage, row.due_at) == ("awaiting_school", 1, uk(2027, 12, 29, 9, 0))  # 5 working days to escalate
    assert "Stage 1 response to your disagreement: the decision stands. You may escalate it to stage 2" in notifications(app, side, side.dsl1, "Stage 1")
    with travel(uk(2027, 12, 23, 9, 0)):
        escalate_as(app, side, disagreement_id)
    row = disagreement(app, side, disagreement_id)
    assert (row.status.value, row.stage, row.due_at) == ("open", 2, uk(2028, 1, 4, 9, 0))
    assert "has escalated a disagreement with a referral decision to stage 2" in " ".join(notifications(app, side, reviewer))

    respond_as(app, side, disagreement_id, reviewer, "upheld")
    response = signed_in_client(app, side.head1).post(
        f"/disagreements/{disagreement_id}/accept", data={"version": str(disagreement(app, side, disagreement_id).version)}
    )
    assert response.status_code == 302
    row = disagreement(app, side, disagreement_id)
    assert (row.status.value, row.resolution.value) == ("resolved", "upheld")
    assert [e.action for e in audit_events(app, side.authority_id) if e.action.startswith("disagreement.")] == [
        "disagreement.raised",
        "disagreement.responded",
        "disagreement.escalated",
        "disagreement.responded",
        "disagreement.accepted",
    ]


def test_referred_on_to_stage_3_and_upheld_there_closes_it(app, world):
    """Referred on at stage 2 it reaches the partnership (the administrator, who now sees it without the
    child's name); upheld at the last stage it is resolved; "referred on" is not possible there."""
    side = world.a
    disagreement_id = at_stage(app, side, 2)
    respond_as(app, side, disagreement_id, second_reviewer(app, side), "referred_on")
    row = disagreement(app, side, disagreement_id)
    assert (row.stage, row.status.value) == (3, "open")
    assert notifications(app, side, side.admin, "stage 3") == ["A disagreement with a referral decision has been referred to stage 3"]
    admin = signed_in_client(app, side.admin)
    page = admin.get(f"/disagreements/{disagreement_id}")
    assert page.status_code == 200 and "Jordan" not in page_text(page)
    response = admin.post(f"/disagreements/{disagreement_id}/respond", data={"outcome": "referred_on", "response": "x", "version": str(row.version)})
    assert response.status_code == 200 and "Not a valid choice" in page_text(response)
    response = admin.post(
        f"/disagreements/{disagreement_id}/respond", data={"outcome": "upheld", "response": "The partnership agrees.", "version": str(row.version)}
    )
    assert response.status_code == 302
    row = disagreement(app, side, disagreement_id)
    assert (row.status.value, row.resolution.value) == ("resolved", "upheld")
    assert "the decision stands (the last stage)" in " ".join(notifications(app, side, side.dsl1))


def test_a_response_needs_an_outcome_and_written_response(app, world):
    side = world.a
    disagreement_id = at_stage(app, side, 1)
    client = signed_in_client(app, side.front_door)
    response = client.post(f"/disagreements/{disagreement_id}/respond", data={"outcome": "decision_changed", "response": " ", "version": "1"})
    text = page_text(response)
    assert response.status_code == 200 and "Enter your response to the school" in text
    response = client.post(f"/disagreements/{disagreement_id}/respond", data={"outcome": "decision_changed", "response": "Looked again.", "version": "1"})
    assert "Select the new decision" in page_text(response)
    assert disagreement(app, side, disagreement_id).status.value == "open"
