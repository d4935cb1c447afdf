"""The governor report: counts of one school's concerns and referrals in one school year (small numbers
suppressed), its training and review dates, its self-review ratings. Made of counts only: no child's name,
no text typed about a child, no school's notes; another school's figures never counted; the page and the
PDF audited."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import event

from portal.concerns.models import BUILT_IN_CATEGORIES, ConcernOutcome
from portal.referrals.models import ReferralDecision
from portal.selfreview.actions import Action
from portal.vocabulary import HarmCategory, Level
from tests.admin.pages import clean, page_text
from tests.factories import _scope, make_pupil
from tests.selfreview.support import answer, make_action, make_review
from tests.support import audit_events, signed_in_client

TODAY = date(2026, 11, 2)
#: Inside the school year 2026 to 2027 (and the one before).
THIS_YEAR = datetime(2026, 10, 5, 10, tzinfo=UTC)
LAST_YEAR = datetime(2026, 3, 5, 10, tzinfo=UTC)
PUPIL = ("Tallulah", "Fairweather-Quince")
WHAT_WAS_SEEN = "Bruises on both forearms, said her uncle grabbed her"
NEGLECT = dict(BUILT_IN_CATEGORIES)["neglect"]
NOTES = "Head's own note: the single central record was late"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("portal.selfreview.service.uk_today", lambda: TODAY)
    monkeypatch.setattr("portal.selfreview.views.governor.uk_today", lambda: TODAY)


def add_concerns(app, side, pupil_id, category: str, count: int, *, when=THIS_YEAR, school: str = "school1", outcome: str | None = None) -> None:
    """``count`` concerns of one category, logged at ``when`` (triaged with ``outcome`` if given)."""
    from portal.concerns.models import Concern, ConcernOutcome, ConcernStatus
    from portal.extensions import db

    staff = side.people["staff1" if school == "school1" else "dsl2"]
    with _scope(app, side, staff):
        for _ in range(count):
            row = Concern(
                organisation_id=getattr(side, school),
                pupil_id=pupil_id,
                raised_by_id=staff.id,
                category=category,
                seen_or_heard=WHAT_WAS_SEEN,
                occurred_at=when,
                created_at=when,
            )
            if outcome:
                row.status, row.outcome, row.triaged_at, row.triaged_by_id, row.action_taken = (
                    ConcernStatus.TRIAGED,
                    ConcernOutcome(outcome),
                    when,
                    staff.id,
                    "Spoke to the family.",
                )
            db.session.add(row)
        db.session.commit()


def add_referrals(
    app,
    side,
    pupil_id,
    count: int,
    *,
    categories=("neglect",),
    level: str | None = "child_in_need",
    decision: str | None = None,
    when=THIS_YEAR,
    school: str = "school1",
) -> None:
    from portal.extensions import db
    from portal.referrals.models import Referral, ReferralDecision, ReferralStatus
    from portal.vocabulary import Level

    dsl = side.people["dsl1" if school == "school1" else "dsl2"]
    with _scope(app, side, dsl):
        for _ in range(count):
            row = Referral(
                organisation_id=getattr(side, school),
                pupil_id=pupil_id,
                created_by_id=dsl.id,
                categories=list(categories),
                what_happened=WHAT_WAS_SEEN,
                school_view_level=Level(level) if level else None,
                status=ReferralStatus.SUBMITTED,
                submitted_at=when,
                due_at=when + timedelta(days=1),
            )
            if decision:
                row.status, row.decision, row.decision_reason, row.decided_at = ReferralStatus.DECIDED, ReferralDecision(decision), "Threshold met.", when
            db.session.add(row)
        db.session.commit()


def table(response, caption: str) -> dict[str, str]:
    """The rows of the table with this caption: first cell -> last cell, as a person reads them."""
    markup = response.get_data(as_text=True)
    for found in re.findall(r"<table[^>]*>(.*?)</table>", markup, re.S):
        title = re.search(r"<caption[^>]*>(.*?)</caption>", found, re.S)
        if title and clean(title.group(1)) == caption:
            body = re.search(r"<tbody[^>]*>(.*?)</tbody>", found, re.S).group(1)
            rows = [[clean(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
            return {row[0]: row[-1] for row in rows}
    raise AssertionError(f"no table captioned {caption!r}")


def url(side, year: int | None = None) -> str:
    return f"/schools/{side.school1}/governor-report" + (f"?year={year}" if year else "")


@pytest.fixture
def figures(app, world):
    """School 1: this year 7 concerns of neglect, 6 of emotional abuse, 2 of physical abuse; last year 3
    of neglect; school 2 this year 9 of neglect. Referrals this year: 6 child in need (decided: early help
    for 5), 2 child protection about sexual abuse and online harm."""
    a = world.a
    pupil = make_pupil(app, a, legal_forename=PUPIL[0], legal_surname=PUPIL[1])
    other = make_pupil(app, a, school="school2", legal_forename="Oswin", legal_surname="Pellegrino")
    add_concerns(app, a, pupil, "neglect", 7, outcome="monitor")
    add_concerns(app, a, pupil, "emotional_abuse", 6, outcome="early_help")
    add_concerns(app, a, pupil, "physical_abuse", 2)
    add_concerns(app, a, pupil, "neglect", 3, when=LAST_YEAR)
    add_concerns(app, a, other, "neglect", 9, school="school2")
    add_referrals(app, a, pupil, 5, decision="early_help")
    add_referrals(app, a, pupil, 1)
    add_referrals(app, a, pupil, 2, categories=("sexual_abuse", "online_harm"), level="child_protection")
    add_referrals(app, a, other, 4, school="school2")
    return a


def test_the_counts_of_the_school_year_with_small_numbers_suppressed(app, figures):
    a = figures
    response = signed_in_client(app, a.governor1).get(url(a))
    assert response.status_code == 200
    # 2 is hidden; 6 is hidden too, or 15 - 7 - (hidden) would give the 2 away.
    assert table(response, "Concerns logged, by category") == {
        "Physical abuse or injury": "fewer than 5",
        "Emotional abuse": "not shown",
        NEGLECT: "7",
        "All concerns": "15",
    }
    outcomes = table(response, "Concerns logged, by what the DSL did")
    assert outcomes["Not yet looked at by the DSL"] == "fewer than 5"
    assert outcomes[ConcernOutcome.EARLY_HELP.label] == "not shown" and outcomes[ConcernOutcome.MONITOR.label] == "7"
    assert outcomes["All concerns"] == "15"
    # A referral counts under each of its categories; the rows do not add up, so nothing more is hidden.
    by_harm = table(response, "Referrals, by category of harm")
    assert by_harm == {
        HarmCategory.SEXUAL_ABUSE.label: "fewer than 5",
        HarmCategory.NEGLECT.label: "6",
        HarmCategory.ONLINE_HARM.label: "fewer than 5",
        "All referrals": "8",
    }
    levels = table(response, "Referrals, by the level the school judged")
    assert levels[Level.CHILD_IN_NEED.label] == "not shown" and levels[Level.CHILD_PROTECTION.label] == "fewer than 5" and levels["All referrals"] == "8"
    assert levels[Level.UNIVERSAL.label] == "0" and levels["Not given"] == "0"
    # 3 awaiting a decision is hidden; so is the 5 of early help, or 8 - 5 would give the 3 away.
    decisions = table(response, "Referrals, by children's social care's decision")
    assert (
        decisions[ReferralDecision.EARLY_HELP.label] == "not shown" and decisions["Awaiting a decision"] == "fewer than 5" and decisions["All referrals"] == "8"
    )
    assert decisions[ReferralDecision.POLICE.label] == "0"


def test_another_year_counts_only_that_year(app, figures):
    response = signed_in_client(app, figures.head1).get(url(figures, 2025))
    assert response.status_code == 200
    assert table(response, "Concerns logged, by category") == {NEGLECT: "fewer than 5", "All concerns": "fewer than 5"}
    assert "Governor report, 2025 to 2026" in page_text(response)


def test_no_child_and_no_text_about_a_child_reaches_the_report(app, figures):
    client = signed_in_client(app, figures.governor1)
    text = page_text(client.get(url(figures)))
    pdf = client.get(url(figures).replace("governor-report", "governor-report.pdf"))
    pdf_text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    for shown in (text, pdf_text):
        for secret in (*PUPIL, "Oswin", "Pellegrino", WHAT_WAS_SEEN[:30], "Threshold met", "Spoke to the family"):
            assert secret not in shown


def test_the_queries_over_concerns_and_referrals_select_counts_only(app, figures):
    """The report loads no concern, referral or pupil: it asks the database for counts (and the referrals'
    lists of categories of harm, which name no one)."""
    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    statements = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.lower().split()))

    client = signed_in_client(app, figures.governor1)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(url(figures)).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    casework = [s for s in statements if re.search(r"\bfrom (concerns|referrals)\b", s)]
    assert len(casework) >= 5
    for statement in casework:
        selected = statement.split(" from ", 1)[0]
        assert "count(" in selected or selected.strip() == "select referrals.categories", statement
        for column in ("seen_or_heard", "child_words", "what_happened", "child_voice", "pupil_id", "decision_reason"):
            assert column not in selected, statement
    assert not any(re.search(r"\bfrom pupils\b|\bjoin pupils\b", s) for s in statements)


def test_the_school_years_self_review_ratings_and_actions_as_counts(app, world):
    a = world.a
    review = make_review(app, a)
    for key in ("tip-01", "tip-02", "tip-03"):
        answer(app, a, review, key, "red", notes=NOTES)
    for key in ("tip-04", "tip-05"):
        answer(app, a, review, key, "green", notes=NOTES)
    make_action(app, a, review, due_on=date(2026, 10, 1))  # overdue
    make_action(app, a, review, status="done", due_on=date(2026, 10, 1))
    make_action(app, a, review, description="Tell parents who the DSL is.")
    response = signed_in_client(app, a.governor1).get(url(a))
    text = page_text(response)
    assert NOTES not in text and "Staff survey" not in text and "Tell parents" not in text
    ratings = response.get_data(as_text=True)
    totals = re.search(r"All questions</th>(.*?)</tr>", ratings, re.S).group(1)
    assert [clean(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", totals, re.S)] == ["3", "0", "2", "7"]
    plan = _actions_table(response)
    assert plan["Not started"] == "2" and plan["Done"] == "1" and plan["All actions"] == "3"
    assert plan["Overdue (not started or in progress, past the due date)"] == "1"


def _actions_table(response) -> dict[str, str]:
    markup = response.get_data(as_text=True)
    caption = re.search(r"<caption[^>]*>([^<]*: development plan actions)</caption>", markup)
    assert caption is not None
    return table(response, clean(caption.group(1)))


def test_the_page_and_the_pdf_are_audited_and_the_pdf_is_marked(app, figures):
    a = figures
    client = signed_in_client(app, a.head1)
    client.get(url(a))
    response = client.get(f"/schools/{a.school1}/governor-report.pdf?year=2026")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"] and "governor-report-" in response.headers["Content-Disposition"]
    pages = pypdf.PdfReader(io.BytesIO(response.data)).pages
    first = pages[0].extract_text()
    assert "Governor report, 2026 to 2027" in first and "OFFICIAL-SENSITIVE" in first
    text = " ".join(page.extract_text() for page in pages)
    assert "fewer than 5" in text and "not shown" in text
    viewed = audit_events(app, a.authority_id, Action.GOVERNOR_REPORT_VIEWED)
    downloaded = audit_events(app, a.authority_id, Action.GOVERNOR_REPORT_DOWNLOADED)
    assert [(e.actor_id, e.object_id, e.details["year"]) for e in viewed] == [(a.head1.id, str(a.school1), 2026)]
    assert [(e.actor_id, e.organisation_id) for e in downloaded] == [(a.head1.id, a.school1)]


def test_the_menu_offers_the_report_to_heads_and_governors_only(app, world):
    a = world.a
    for person, offered in ((a.head1, True), (a.governor1, True), (a.dsl1, False), (a.staff1, False), (a.admin, False)):
        home = signed_in_client(app, person).get("/", follow_redirects=True)
        assert ("Governor report" in page_text(home)) is offered, person.email
    start = signed_in_client(app, a.governor1).get("/governor-report")
    assert start.status_code == 302 and start.headers["Location"].endswith(url(a))


def test_another_schools_figures_are_never_counted_and_its_report_is_not_found(app, figures):
    a = figures
    client = signed_in_client(app, a.governor1)
    response = client.get(f"/schools/{a.school2}/governor-report")
    assert response.status_code == 404
    assert any(e.details.get("endpoint") == "selfreview.governor_report" for e in audit_events(app, a.authority_id, Action.NOT_FOUND))
    # School 2's 9 concerns and 4 referrals are in none of school 1's totals (15 and 8 above).
    assert table(client.get(url(a)), "Concerns logged, by category")["All concerns"] == "15"
    assert table(client.get(url(a)), "Referrals, by the level the school judged")["All referrals"] == "8"
