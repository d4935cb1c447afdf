"""Threshold calibration: agreement between the school's view of the level and the front door's decided
level, per school, per indicator and per school term, with counts under 5 suppressed; who may see it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.clock import uk_today
from portal.vocabulary import Level
from tests.admin.pages import page_text
from tests.factories import _scope, make_pupil
from tests.support import audit_events, page_queries, sent_statements, signed_in_client

URL = "/dashboard/threshold-calibration"
U, EH, CIN, CP = Level.UNIVERSAL, Level.EARLY_HELP, Level.CHILD_IN_NEED, Level.CHILD_PROTECTION


def decided(app, side, school: str, school_view: Level | None, front_door: Level | None, when: datetime, indicators: tuple[str, ...] = ()) -> None:
    """A referral of ``school`` decided at ``when`` (made straight in the database: only the counts matter)."""
    from portal.extensions import db
    from portal.needs.models import ReferralNeedIndicator
    from portal.needs.service import current_guidance
    from portal.referrals.models import Referral, ReferralDecision, ReferralStatus

    pupil_id = make_pupil(app, side, school=school)
    with _scope(app, side):
        guidance = current_guidance()
        referral = Referral(
            organisation_id=getattr(side, school),
            pupil_id=pupil_id,
            created_by_id=side.people["dsl1" if school == "school1" else "dsl2"].id,
            status=ReferralStatus.DECIDED,
            categories=["neglect"],
            what_happened="Hungry at school.",
            school_view_level=school_view,
            need_guidance_id=guidance.id,
            submitted_at=when - timedelta(days=1),
            due_at=when,
            decision=ReferralDecision.EARLY_HELP,
            decision_reason="Early help.",
            decision_level=front_door,
            decided_at=when,
        )
        db.session.add(referral)
        db.session.flush()
        for text in indicators:
            db.session.add(ReferralNeedIndicator(referral_id=referral.id, indicator_id=next(i.id for i in guidance.indicators if i.text == text)))
        db.session.commit()


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _cells(page: str, label: str) -> str:
    """The text of a table row, from its heading on (the first such row)."""
    start = page.index(label)
    return page[start : start + 120]


LATENESS = "Persistent lateness or attendance below 90%"
INJURY = "Injury with no credible explanation"


def test_agreement_and_its_direction_per_school_indicator_and_term_with_small_numbers_suppressed(app, world):
    side = world.a
    today = uk_today()
    autumn = date(today.year - 1, 10, 15)
    spring = date(today.year, 2, 10) if today >= date(today.year, 3, 1) else date(today.year - 1, 2, 10)
    # School 1 (primary): 6 agree, 3 school higher, 2 school lower — 11 in all.
    for _ in range(6):
        decided(app, side, "school1", EH, EH, at(autumn), (LATENESS,))
    for _ in range(3):
        decided(app, side, "school1", CP, CIN, at(spring), (INJURY,))
    for _ in range(2):
        decided(app, side, "school1", U, EH, at(spring), (LATENESS,))
    # School 2 (high school): 5 agree, 0 higher, 0 lower.
    for _ in range(5):
        decided(app, side, "school2", CIN, CIN, at(autumn))
    # Decided before levels were recorded: counted apart, not in the figures.
    decided(app, side, "school2", CIN, None, at(autumn))

    admin = signed_in_client(app, side.admin)
    page = page_text(admin.get(URL))
    assert "1 decided referral is not counted" in page
    # The authority: 11 agree, 3 higher, 2 lower of 16 — the two small counts hidden (5 between them
    # cannot be split by a reader).
    assert "All schools 11 fewer than 5 fewer than 5 16 69%" in page
    # Per school: school 1's higher and lower are suppressed; school 2's zeros are shown; the column of
    # "agreed" hides nothing, so nothing more is hidden there.
    assert "Avonford Primary School 6 fewer than 5 fewer than 5 11 55%" in page
    assert "Avonford High School 5 0 0 5 100%" in page
    # Per indicator: lateness ticked on 8 (6 agreed, 2 lower: the 6 is hidden too, or 8 - 6 - 0 would
    # give the 2 away), injury on 3 (all higher: every count small).
    assert f"{LATENESS} not shown 0 fewer than 5 8" in page
    assert f"{INJURY} 0 fewer than 5 0 fewer than 5" in page
    # Per term: the autumn term had 11 (all agreed), the spring term 5 (3 higher, 2 lower).
    assert f"Autumn term {autumn.year} 11 0 0 11 100%" in page
    assert f"Spring term {spring.year} 0 fewer than 5 fewer than 5 5" in page
    assert "Jordan" not in page and "Example" not in page  # no child named


def test_a_single_small_count_in_a_column_is_protected_by_hiding_another(app, world):
    """Schools add up to the authority: one school's "fewer than 5" next to the authority's figure would be
    worked out, so the smallest other count of that column is "not shown"."""
    side = world.a
    when = at(uk_today() - timedelta(days=3))
    for _ in range(7):
        decided(app, side, "school1", EH, EH, when)
    for _ in range(2):
        decided(app, side, "school2", EH, EH, when)
    for _ in range(6):
        decided(app, side, "school2", CP, CIN, when)
    page = page_text(signed_in_client(app, side.admin).get(URL))
    # School 2: 2 agreed (small) and 6 higher of 8 — the 6 hidden, or 8 - 6 - 0 gives the 2 away. Then the
    # "agreed" column has one hidden count: school 1's 7 is hidden, and with it its total (0 + 0 + total).
    # The "higher" column's one hidden count has no other to hide: the authority's figure is hidden.
    assert "Avonford High School fewer than 5 not shown 0 not shown" in page  # its total: 15 - 7 would say it
    assert "Avonford Primary School not shown 0 0 not shown" in page
    assert "All schools not shown not shown 0 15" in page
    # The one term's row would add up to the authority's hidden figures: they are hidden there too.
    assert "not shown not shown 0 15 –" in page[page.index("By school term") :]


def test_who_sees_the_calibration_page(app, world):
    from tests.referrals.test_clock_jobs import _manager

    side = world.a
    assert signed_in_client(app, side.admin).get(URL).status_code == 200
    assert signed_in_client(app, _manager(app, side)).get(URL).status_code == 200
    for key in ("front_door", "dsl1", "head1", "governor1", "partner", "staff1", "assessor"):
        assert signed_in_client(app, side.people[key]).get(URL).status_code == 403, key
    assert len(audit_events(app, side.authority_id, "access.denied")) >= 7
    assert "Threshold calibration" in page_text(signed_in_client(app, side.admin).get("/dashboard"))


def test_the_page_costs_the_same_whatever_the_referrals_schools_and_indicators(app, world):
    side = world.a
    when = at(uk_today() - timedelta(days=2))
    decided(app, side, "school1", EH, EH, when, (LATENESS,))
    client = signed_in_client(app, side.admin)
    client.get(URL)
    few, page_few = page_queries(app, client, URL)
    for level, text in ((U, "Development appropriate to age; attends school regularly"), (CP, INJURY), (CIN, "Persistent neglect despite early help")):
        for _ in range(3):
            decided(app, side, "school2", level, CIN, when, (text, LATENESS))
    many, page_many = page_queries(app, client, URL)
    assert len(page_many.get_data()) > len(page_few.get_data())
    assert few == many


def test_the_referrals_are_read_once_for_the_authority_the_schools_and_the_terms(app, world):
    """The authority's row, the schools' table, the terms' table and the count of referrals without levels
    come from one pass over the decided referrals (and the indicators' table from one more): each pass
    reads every decided referral of the authority, so five of them made the page five times as slow."""
    side = world.a
    when = at(uk_today() - timedelta(days=2))
    decided(app, side, "school1", EH, EH, when, (LATENESS,))
    decided(app, side, "school2", CP, CIN, when)
    sent = [" ".join(statement.split()) for statement, _ in sent_statements(app, signed_in_client(app, side.admin), URL)[0]]
    reading_referrals = [s for s in sent if "FROM referrals" in s]
    assert len(reading_referrals) == 2, reading_referrals
    assert sum("referral_need_indicators" in s for s in reading_referrals) == 1


def answered(app, side, school: str, view: Level | None, answer: Level | None) -> None:
    """An advice request of ``school`` answered with the front door's level ``answer``."""
    from portal.advice.models import AdviceOutcome, AdviceStatus
    from portal.clock import utcnow
    from tests.factories import make_advice

    make_advice(
        app,
        side,
        None,
        by="dsl1" if school == "school1" else "dsl2",
        school=school,
        dsl_view_level=view,
        answer_level=answer,
        status=AdviceStatus.ANSWERED,
        outcome=AdviceOutcome.ADVICE_GIVEN,
        answer="Advice.",
        answered_by_id=side.front_door.id,
        answered_at=utcnow(),
    )


def test_advice_requests_are_a_separate_table_with_not_sure_left_out_and_small_numbers_suppressed(app, world):
    side = world.a
    # School 1: 5 agree, 2 the DSL higher; school 2: 6 agree, 3 the DSL lower; 2 "not sure"; 1 answered
    # before the front door gave a level.
    for _ in range(5):
        answered(app, side, "school1", EH, EH)
    for _ in range(2):
        answered(app, side, "school1", CIN, EH)
    for _ in range(6):
        answered(app, side, "school2", CIN, CIN)
    for _ in range(3):
        answered(app, side, "school2", EH, CIN)
    answered(app, side, "school2", None, EH)
    answered(app, side, "school2", None, U)
    answered(app, side, "school2", EH, None)
    # A referral decided: counted in the referrals' tables only.
    decided(app, side, "school1", EH, EH, at(uk_today() - timedelta(days=2)))

    page = page_text(signed_in_client(app, side.admin).get(URL))
    assert "All schools fewer than 5 0 0 fewer than 5 –" in page[: page.index("Advice requests")]  # the referrals: the one decided
    advice = page[page.index("Advice requests: the school's view and the front door's answer") :]
    assert "2 answered requests are not counted: the DSL was not sure." in advice
    assert "Agreed School's view higher School's view lower Answered requests" in advice
    # The authority: 11 agreed, 2 higher, 3 lower of 16: the small ones hidden.
    assert "All schools 11 fewer than 5 fewer than 5 16 69%" in advice
    # School 1: 5 agreed, 2 higher (hidden), 0 lower, 7: the 5 is hidden too, or 7 - 5 - 0 gives the 2 away;
    # school 2 likewise (6 agreed, 3 lower of 9).
    assert "Avonford Primary School not shown fewer than 5 0 7" in advice
    assert "Avonford High School not shown 0 fewer than 5 9" in advice
