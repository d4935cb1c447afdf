"""The dashboard: what each role sees, the figures it shows (checked by hand on small data sets), that
an authority administrator sees no child, and that the page's cost does not grow with the data."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portal.advice.models import AdviceStatus
from portal.clock import travel, utcnow
from tests.dashboard.data import (
    add_duty,
    add_referral,
    chart_bars,
    chart_table,
    clean,
    summary,
    summer_wednesday,
    table_after,
    uk,
)
from tests.factories import make_advice, make_concern, make_pupil
from tests.support import audit_events, page_plans, page_queries, sign_in, text_of
from tests.world import add_membership

W = summer_wednesday()
MON, TUE, THU, FRI = W - timedelta(days=2), W - timedelta(days=1), W + timedelta(days=1), W + timedelta(days=2)
LAST_FRI = W - timedelta(days=5)


def _page(app, person, query: str = ""):
    client = app.test_client()
    sign_in(client, person)
    return client.get("/dashboard" + query)


# Who may open it ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff1", "governor1"])
def test_people_without_a_dashboard_role_are_refused(app, world, who):
    """Do a member of staff and a governor get 403, audited? (Assessors and partners have the schools-as-
    contexts section: tests/dashboard/test_contextual.py.)"""
    response = _page(app, getattr(world.a, who))
    assert response.status_code == 403
    denied = audit_events(app, world.a.authority_id, "access.denied")
    assert [e.details["endpoint"] for e in denied] == ["dashboard.figures"]


def test_each_role_sees_its_own_sections(app, world):
    """Does the DSL see only their school, the front door only the front door, the administrator only
    the authority's figures?"""
    sections = {"school-heading": "Your school", "front-door-heading": "Front door", "authority-heading": "Across the authority"}

    def shown(person):
        markup = _page(app, person).get_data(as_text=True)
        return {heading for section_id, heading in sections.items() if f'id="{section_id}"' in markup}

    assert shown(world.a.dsl1) == {"Your school"}
    assert shown(world.a.head1) == {"Your school"}
    assert shown(world.a.front_door) == {"Front door"}
    assert shown(world.a.admin) == {"Across the authority"}


def test_home_links_to_the_dashboard_for_those_who_have_one(app, world):
    """Does the home page link to the dashboard for a DSL, and not for a member of staff?"""
    for person, expected in ((world.a.dsl1, True), (world.a.admin, True), (world.a.staff1, False)):
        client = app.test_client()
        sign_in(client, person)
        home = client.get("/home").get_data(as_text=True)
        assert ('href="/dashboard">See the dashboard</a>' in home) is expected, person.email


def test_a_front_door_manager_sees_the_authority_figures_and_an_officer_does_not(app, world):
    """Is the authority section given by the front-door manager duty, and not by the front-door role alone?"""
    assert 'id="authority-heading"' not in _page(app, world.a.front_door).get_data(as_text=True)
    add_duty(app, world.a.front_door)
    markup = _page(app, world.a.front_door).get_data(as_text=True)
    assert 'id="authority-heading"' in markup and 'id="front-door-heading"' in markup


# The school -------------------------------------------------------------------------------------------


def test_a_dsl_sees_their_schools_figures_and_never_another_schools(app, world):
    """With casework at both schools, does each DSL see only their own school's counts, children and
    categories; and is another school's id in the address refused?"""
    a = world.a
    with travel(uk(W, 14)):
        jordan = make_pupil(app, a)
        zebedee = make_pupil(app, a, school="school2", legal_forename="Zebedee", legal_surname="Quartermaine")
        make_concern(app, a, jordan, urgent=True)
        make_concern(app, a, jordan, category="online_safety")
        for _ in range(3):
            make_concern(app, a, zebedee, by="dsl2", school="school2", category="self_harm", urgent=True)
        heard = uk(MON, 11)
        add_referral(app, a, jordan, submitted_at=uk(MON, 10), acknowledged_at=heard, last_feedback_at=heard)
        add_referral(app, a, jordan, submitted_at=uk(W, 9))
        add_referral(app, a, jordan, submitted_at=uk(MON, 9), decided_at=uk(TUE, 9), decision="no_further_action", last_feedback_at=uk(TUE, 9))
        add_referral(app, a, jordan)  # a draft
        make_advice(app, a, jordan)
        for _ in range(2):
            add_referral(app, a, zebedee, school="school2", submitted_at=uk(LAST_FRI, 9))
            make_advice(app, a, zebedee, by="dsl2", school="school2")

        response = _page(app, a.dsl1)
        markup, text = response.get_data(as_text=True), text_of(response)
        figures = summary(markup)
        assert figures["Concerns waiting for the DSL"] == "2 (1 marked urgent)"
        assert figures["Open referrals (waiting for a decision)"] == "2"
        assert figures["Open referrals with no news from the front door for over one working day"] == "1"
        assert figures["Advice requests waiting for an answer"] == "1"
        rows = table_after(markup, "Open referrals, longest without news first")
        assert [row[:2] for row in rows] == [("Jordan Example", "Acknowledged"), ("Jordan Example", "Submitted")]
        assert rows[0][3] == f"{MON.day} June {MON.year} at 11:00am" and rows[0][4] == "2 days 3 hours Over one working day"
        assert rows[1][3] == "Not yet" and rows[1][4] == "5 hours"
        assert chart_table(markup, "school-referrals") == [("Draft", "1"), ("Submitted", "1"), ("Acknowledged", "1"), ("Decision made", "1")]
        assert sorted(chart_table(markup, "school-concerns")) == [("Neglect (hunger, hygiene, clothing, supervision)", "1"), ("Online safety", "1")]
        for other in ("Zebedee", "Quartermaine", "Avonford High School", "Self-harm"):
            assert other not in text

        other = _page(app, a.dsl2)
        assert summary(other.get_data(as_text=True))["Concerns waiting for the DSL"] == "3 (3 marked urgent)"
        assert summary(other.get_data(as_text=True))["Open referrals (waiting for a decision)"] == "2"
        assert "Zebedee" in text_of(other) and "Jordan" not in text_of(other)

        refused = _page(app, a.dsl1, f"?school={a.school2}")
        assert refused.status_code == 404
        assert "Zebedee" not in text_of(refused)


def test_naming_children_on_the_dashboard_is_audited(app, world):
    """The list of open referrals names children: is the view recorded in the audit log?"""
    pupil = make_pupil(app, world.a)
    add_referral(app, world.a, pupil, submitted_at=uk(MON, 10))
    _page(app, world.a.dsl1)
    viewed = audit_events(app, world.a.authority_id, "record.viewed")
    assert [(e.object_type, e.organisation_id, e.details) for e in viewed] == [("dashboard", world.a.school1, {"section": "school", "referrals": 1})]


def test_a_dsl_of_two_schools_chooses_which_to_see(app, world):
    """Does a DSL of two schools get a chooser, and the figures of the school they choose?"""
    add_membership(app, world.a.dsl1, "dsl", world.a.school2)
    pupil = make_pupil(app, world.a, school="school2")
    make_concern(app, world.a, pupil, by="dsl2", school="school2")
    first = _page(app, world.a.dsl1).get_data(as_text=True)
    assert re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', first) == ["Avonford High School", "Avonford Primary School"]
    chosen = _page(app, world.a.dsl1, f"?school={world.a.school2}").get_data(as_text=True)
    assert summary(chosen)["Concerns waiting for the DSL"] == "1"
    assert 'id="school-heading">Avonford High School</h2>' in chosen
    primary = _page(app, world.a.dsl1, f"?school={world.a.school1}").get_data(as_text=True)
    assert summary(primary)["Concerns waiting for the DSL"] == "0"
    assert 'id="school-heading">Avonford Primary School</h2>' in primary


# The front door -----------------------------------------------------------------------------------------


def test_front_door_due_today_and_overdue_in_uk_time(app, world):
    """At 00:30 on a summer Thursday in the UK (23:30 on Wednesday in UTC), which open referrals are due
    later today and which are overdue? Days are UK days, not UTC days."""
    a = world.a
    now = uk(THU, 0, 30)
    with travel(now):
        pupil = make_pupil(app, a)
        other = make_pupil(app, a, school="school2")
        for due in (uk(THU, 9), uk(THU, 0, 45), uk(THU, 23, 30)):  # due later today (00:45 is still Wednesday in UTC)
            add_referral(app, a, pupil, submitted_at=uk(W, 0, 45), due_at=due)
        add_referral(app, a, pupil, submitted_at=uk(TUE, 23), due_at=uk(W, 23))  # overdue
        add_referral(app, a, other, "school2", submitted_at=uk(MON, 9), due_at=uk(TUE, 9))  # overdue, another school
        add_referral(app, a, pupil, submitted_at=uk(THU, 0, 30), due_at=uk(FRI, 0, 30))  # Thursday in UTC, Friday in the UK
        add_referral(app, a, pupil, submitted_at=uk(THU, 0, 10), due_at=uk(FRI, 9))
        add_referral(app, a, pupil, submitted_at=uk(W, 10), due_at=uk(THU, 10), decided_at=uk(W, 12), decision="early_help")
        add_referral(app, a, pupil)  # a draft: not the front door's
        make_advice(app, a, pupil)
        make_advice(app, a, other, by="dsl2", school="school2")
        make_advice(app, a, pupil, status=AdviceStatus.TAKEN, taken_by_id=a.front_door.id, taken_at=uk(W, 15))

        figures = summary(_page(app, a.front_door).get_data(as_text=True))
    assert figures["Referrals in the queue (waiting for a decision)"] == "7"
    assert figures["Due later today"] == "3"
    assert figures["Overdue (past one working day)"] == "2"
    assert figures["Advice requests waiting for someone to take them"] == "2"
    assert figures["Advice requests being looked at"] == "1"


def test_front_door_decisions_this_month_by_uk_calendar_month(app, world):
    """Are this month's decisions counted from midnight on the 1st in UK time (23:00 UTC the day before
    in summer), by decision?"""
    a = world.a
    first = date(W.year, 6, 1)
    with travel(uk(W, 14)):
        pupil = make_pupil(app, a)
        decisions = [
            (uk(first, 0, 30), "no_further_action"),  # 23:30 UTC on 31 May: this month in the UK
            (uk(first - timedelta(days=1), 23, 30), "strategy_discussion"),  # 31 May in the UK: last month
            (uk(first + timedelta(days=2), 10), "early_help"),
            (uk(first + timedelta(days=4), 10), "no_further_action"),
        ]
        for decided_at, decision in decisions:
            add_referral(app, a, pupil, submitted_at=decided_at - timedelta(days=1), decided_at=decided_at, decision=decision)
        markup = _page(app, a.front_door).get_data(as_text=True)
    assert f"Decisions in June {W.year}, by decision" in markup
    assert chart_table(markup, "front-door-decisions") == [("No further action", "2"), ("Early help", "1")]
    assert chart_bars(markup, "front-door-decisions") == [("No further action", "2"), ("Early help", "1")]


# The authority ------------------------------------------------------------------------------------------


def _authority_data(app, a):
    """Four referrals in the last 30 days (hand-computed figures in the test below) and one before."""
    zebedee = make_pupil(app, a, legal_forename="Zebedee", legal_surname="Quartermaine")
    other = make_pupil(app, a, school="school2", legal_forename="Ottoline", legal_surname="Featherstonehaugh")
    secret = "The child told the teacher about the flat on Mercer Street."
    # Acknowledged after 2 hours, decided after 6: no further action.
    add_referral(
        app,
        a,
        zebedee,
        submitted_at=uk(MON, 9),
        acknowledged_at=uk(MON, 11),
        decided_at=uk(MON, 15),
        decision="no_further_action",
        categories=["neglect", "emotional_abuse"],
        level="early_help",
        what_happened=secret,
    )
    # Acknowledged after 24 hours (just on time), decided after 28: early help.
    add_referral(
        app,
        a,
        zebedee,
        submitted_at=uk(MON, 10),
        acknowledged_at=uk(TUE, 10),
        decided_at=uk(TUE, 14),
        decision="early_help",
        categories=["neglect"],
        level="child_in_need",
    )
    # Friday 16:00 to Monday 10:00 is 18 hours on working days (8 on Friday, 10 on Monday); decided
    # Tuesday 16:00: 8 + 24 + 16 = 48 hours.
    add_referral(
        app,
        a,
        other,
        "school2",
        submitted_at=uk(LAST_FRI, 16),
        acknowledged_at=uk(MON, 10),
        decided_at=uk(TUE, 16),
        decision="child_in_need_assessment",
        categories=["criminal_exploitation"],
        level="child_protection",
    )
    add_referral(app, a, other, "school2", submitted_at=uk(TUE, 9), categories=["online_harm"], level="child_in_need")
    add_referral(app, a, zebedee)  # a draft: never counted
    long_ago = uk(W - timedelta(days=60), 10)
    add_referral(app, a, zebedee, submitted_at=long_ago, decided_at=long_ago + timedelta(hours=3), decision="no_further_action")
    make_advice(app, a, zebedee)


def test_the_authority_figures_for_the_administrator(app, world):
    """Does the administrator see, for the last 30 days, referrals and advice requests per school,
    categories, levels, decisions and the medians (worked out by hand), and no child at all?"""
    with travel(uk(W, 14)):
        _authority_data(app, world.a)
        response = _page(app, world.a.admin)
    markup, text = response.get_data(as_text=True), text_of(response)

    assert table_after(markup, "Referrals and advice requests by school") == [
        ("Avonford Primary School", "2", "1"),
        ("Avonford High School", "2", "0"),
        ("All schools", "4", "1"),
    ]
    assert chart_bars(markup, "authority-referrals") == [("Avonford Primary School", "2"), ("Avonford High School", "2")]
    assert chart_bars(markup, "authority-advice") == [("Avonford Primary School", "1")]
    assert chart_table(markup, "authority-categories") == [
        ("Neglect", "2"),
        ("Child criminal exploitation (including county lines)", "1"),
        ("Emotional abuse", "1"),
        ("Online harm", "1"),
    ]
    assert chart_table(markup, "authority-levels") == [("Early help", "1"), ("Child in need", "2"), ("Child protection", "1")]
    assert chart_table(markup, "authority-decisions") == [
        ("No further action", "1"),
        ("Early help", "1"),
        ("Child-in-need assessment (section 17)", "1"),
    ]
    figures = summary(markup)
    # Acknowledged after 2, 24 and 18 hours on working days; decided after 6, 28 and 48.
    assert figures["Median time to acknowledge"] == "18.0 hours 3 acknowledged; 3 within one working day"
    assert figures["Median time to decide"] == "28.0 hours 3 decided; 1 within one working day"
    assert "hours on working days" in text

    for child_level in ("Zebedee", "Quartermaine", "Ottoline", "Featherstonehaugh", "Mercer Street", "Jordan"):
        assert child_level not in text
    assert "referrals/" not in markup  # no link to any referral


def test_below_threshold_patterns(app, world):
    """Are the referrals decided below the threshold (no further action, universal services, early
    help) shown by school and by category, for the period chosen?"""
    with travel(uk(W, 14)):
        _authority_data(app, world.a)
        month = _page(app, world.a.admin).get_data(as_text=True)
        quarter = _page(app, world.a.admin, "?period=90d").get_data(as_text=True)
    assert "2 of 3 decisions in this period were below the threshold." in clean(month)
    assert chart_table(month, "below-decisions") == [("No further action", "1"), ("Early help", "1")]
    assert chart_table(month, "below-schools") == [("Avonford Primary School", "2")]
    assert chart_table(month, "below-categories") == [("Neglect", "2"), ("Emotional abuse", "1")]

    assert '<option value="90d" selected>' in quarter
    assert chart_table(quarter, "below-schools") == [("Avonford Primary School", "3")]
    assert chart_table(quarter, "below-decisions") == [("No further action", "2"), ("Early help", "1")]
    assert table_after(quarter, "Referrals and advice requests by school")[0] == ("Avonford Primary School", "3", "1")


def test_an_authority_with_no_referrals_says_so(app, world):
    """With nothing in the period, does the page say so instead of drawing empty charts?"""
    response = _page(app, world.a.admin)
    text = text_of(response)
    assert "No referrals or advice requests in this period." in text
    assert "No referrals in this period" in text
    assert "No decisions in this period" in text
    assert "No referral acknowledged yet" in text
    assert "<svg" not in response.get_data(as_text=True).split('id="main-content"')[1]


# Charts -----------------------------------------------------------------------------------------------


def test_charts_are_images_with_a_title_and_a_table_of_the_same_figures(app, world):
    """Is each chart an SVG image with a title (for screen readers), the values written on the bars,
    no inline style (the CSP forbids it), and a table with the same numbers?"""
    with travel(uk(W, 14)):
        _authority_data(app, world.a)
        markup = _page(app, world.a.admin).get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*>", markup)
    assert svgs and all('role="img"' in svg and "aria-labelledby=" in svg and "viewBox=" in svg for svg in svgs)
    assert '<title id="authority-categories-title">Referrals by category of harm</title>' in markup
    assert 'aria-labelledby="authority-categories-title authority-categories-desc"' in markup
    for chart in ("authority-categories", "authority-levels", "authority-decisions", "below-schools", "below-categories"):
        assert chart_bars(markup, chart) == chart_table(markup, chart), chart
    assert "style=" not in markup.split('id="main-content"')[1]
    assert re.search(r'<caption class="govuk-table__caption[^"]*">Referrals by category of harm</caption>', markup)
    assert '<th scope="row" class="govuk-table__header">Neglect</th>' in markup


# Cost -------------------------------------------------------------------------------------------------


def _queries_for_page(app, client) -> int:
    client.get("/dashboard")  # the session's first use of the page
    return page_queries(app, client, "/dashboard")[0]


def _add_casework(app, a, pupils, start: int, end: int):
    states = [
        {},
        {"acknowledged_at": uk(TUE, 11), "last_feedback_at": uk(TUE, 11)},
        {"decided_at": uk(TUE, 15), "decision": "no_further_action"},
        {"decided_at": uk(W, 9), "decision": "child_in_need_assessment"},
    ]
    categories = [["neglect"], ["online_harm", "child_on_child"], ["criminal_exploitation"]]
    for i in range(start, end):
        school = "school1" if i % 2 == 0 else "school2"
        add_referral(app, a, pupils[school], school, submitted_at=uk(TUE, 9), categories=categories[i % 3], **states[i % 4])
        make_concern(
            app, a, pupils[school], by="staff1" if school == "school1" else "dsl2", school=school, category=["neglect", "self_harm", "online_safety"][i % 3]
        )
        make_advice(app, a, pupils[school], by="dsl1" if school == "school1" else "dsl2", school=school)


def test_the_page_costs_the_same_number_of_queries_with_3_or_40_referrals(app, world):
    """Is every figure an aggregate query, so that 40 referrals (and their concerns and advice requests)
    cost no more queries than 3, with every section on the page?"""
    a = world.a
    add_membership(app, a.dsl1, "front_door", a.social_care)
    add_membership(app, a.dsl1, "authority_admin")
    with travel(uk(W, 14)):
        pupils = {"school1": make_pupil(app, a), "school2": make_pupil(app, a, school="school2")}
        client = app.test_client()
        sign_in(client, a.dsl1)
        _add_casework(app, a, pupils, 0, 3)
        few = _queries_for_page(app, client)
        _add_casework(app, a, pupils, 3, 40)
        many = _queries_for_page(app, client)
        page = client.get("/dashboard").get_data(as_text=True)
    assert "Your school" in page and "Referrals in the queue" in page and "Across the authority" in page
    assert table_after(page, "Referrals and advice requests by school")[-1] == ("All schools", "40", "40")
    assert few == many


@pytest.mark.postgres_only
def test_the_front_doors_decisions_this_month_are_read_off_the_decided_referrals_index(app, world):
    """The month's decisions by kind are counted from the decided referrals' index, not by reading every
    referral the authority ever had (at 200,000 referrals that read was 28 ms a page, and grew with them)."""
    a = world.a
    with travel(uk(W, 14)):
        jordan = make_pupil(app, a)
        add_referral(app, a, jordan, submitted_at=uk(MON, 9), decided_at=uk(TUE, 9), decision="no_further_action", last_feedback_at=uk(TUE, 9))
        client = app.test_client()
        sign_in(client, a.front_door)
        plans = page_plans(app, client, "/dashboard", a.authority_id, "referrals.decision, count(*)")
    assert len(plans) == 1
    assert any("ix_referrals_decided" in line for line in plans[0]), "\n".join(plans[0])


def test_the_schools_open_referrals_are_counted_the_same_at_any_moment(awkward_moment, app, world):
    """At 00:30 UK time in summer, as the clocks change, a minute before New Year, on 29 February and on a
    bank holiday Monday: is a referral sent an hour ago open and within its working day, and one sent ten
    days ago counted as over one working day without news?"""
    a = world.a
    jordan = make_pupil(app, a)
    now = utcnow()
    add_referral(app, a, jordan, submitted_at=now - timedelta(hours=1))
    add_referral(app, a, jordan, submitted_at=now - timedelta(days=10))
    figures = summary(_page(app, a.dsl1).get_data(as_text=True))
    assert figures["Open referrals (waiting for a decision)"] == "2"
    assert figures["Open referrals with no news from the front door for over one working day"] == "1"
