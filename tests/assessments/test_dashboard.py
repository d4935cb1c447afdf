"""The assessor's dashboard: assessments by stage, actions due and reviews due, counted only from what the
person may see, for the assessments they lead or run or for all they can see; who may open it; and its
cost in queries.

"Today" is frozen at Wednesday 13 May 2026. The figures below are worked out by hand from ``_scenario``.
"""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.assessments.support import give_duty
from tests.factories import _scope
from tests.support import audit_events, page_queries, signed_in_client
from tests.world import create_user

TODAY = date(2026, 5, 13)
URL = "/school-assessments/dashboard"


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch):
    monkeypatch.setattr("portal.assessments.views.dashboard.uk_today", lambda: TODAY)


def _uk(day: date, hour: int = 10) -> datetime:
    from portal.clock import UK

    return datetime(day.year, day.month, day.day, hour, tzinfo=UK).astimezone(UTC)


# Factories (through the models, inside the authority) -------------------------------------------------


def second_assessor(app, side):
    """Another assessor of the same social care team (no part in the first assessor's assessments)."""
    return create_user(app, side.authority_id, f"assessor2@{side.slug}.example.org", "assessor", side.social_care, full_name="Robin Second")


def make_assessment(
    app, side, *, stage: str, moved_on: date, moved_hour: int = 10, lead=None, school: str = "school1", opened_by=None, assessor_members=()
) -> uuid.UUID:
    """An assessment at ``stage``, moved into it on ``moved_on`` (opened a month before), with its lead
    and ``assessor_members`` as assessor members and the school's DSL as a collaborating member."""
    from portal.assessments.models import (
        AssessmentKind,
        AssessmentMember,
        AssessmentMemberRole,
        AssessmentStage,
        AssessmentTransition,
        AssessmentTrigger,
        SchoolAssessment,
    )
    from portal.extensions import db

    lead = lead or side.assessor
    opened_by = opened_by or side.front_door
    opened_at = _uk(moved_on - timedelta(days=30), 9)
    with _scope(app, side, opened_by):
        assessment = SchoolAssessment(
            organisation_id=getattr(side, school),
            kind=AssessmentKind.SCHOOL_ASSESSMENT,
            trigger=AssessmentTrigger.DIRECT_REQUEST,
            reason="Sexualised name-calling between Year 9 pupils, reported by several parents.",
            lead_id=lead.id,
            opened_by_id=opened_by.id,
            stage=AssessmentStage(stage),
            created_at=opened_at,
        )
        db.session.add(assessment)
        db.session.flush()
        db.session.add(AssessmentMember(assessment_id=assessment.id, user_id=lead.id, role=AssessmentMemberRole.ASSESSOR))
        for person in assessor_members:
            db.session.add(AssessmentMember(assessment_id=assessment.id, user_id=person.id, role=AssessmentMemberRole.ASSESSOR))
        dsl = side.dsl1 if school == "school1" else side.dsl2
        db.session.add(AssessmentMember(assessment_id=assessment.id, user_id=dsl.id, role=AssessmentMemberRole.SCHOOL))
        db.session.add(
            AssessmentTransition(assessment_id=assessment.id, actor_id=opened_by.id, from_stage=None, to_stage=AssessmentStage.PLANNING, created_at=opened_at)
        )
        if stage != "planning":
            db.session.add(
                AssessmentTransition(
                    assessment_id=assessment.id,
                    actor_id=lead.id,
                    from_stage=AssessmentStage.PLANNING,
                    to_stage=AssessmentStage(stage),
                    created_at=_uk(moved_on, moved_hour),
                )
            )
        db.session.commit()
        return assessment.id


def make_action(
    app,
    side,
    assessment_id,
    description: str,
    due_on: date,
    *,
    status: str = "not_started",
    domain: str | None = "guardianship",
    owner=None,
    owner_organisation=None,
) -> uuid.UUID:
    from portal.assessments.models import Domain
    from portal.clock import utcnow
    from portal.extensions import db
    from portal.partnership.models import ActionStatus, PlanAction

    with _scope(app, side, side.assessor):
        action = PlanAction(
            assessment_id=assessment_id,
            domain=Domain(domain) if domain else None,
            description=description,
            owner_user_id=None if owner_organisation else (owner or side.assessor).id,
            owner_organisation_id=owner_organisation,
            due_on=due_on,
            status=ActionStatus(status),
            completed_at=utcnow() if status == "done" else None,
            created_by_id=side.assessor.id,
        )
        db.session.add(action)
        db.session.commit()
        return action.id


def make_review(app, side, assessment_id, *, due_on: date | None, reviewed_on: date | None = None) -> uuid.UUID:
    from portal.assessments.models import AssessmentReview
    from portal.extensions import db

    with _scope(app, side, side.assessor):
        review = AssessmentReview(assessment_id=assessment_id, review_due_on=due_on, reviewed_on=reviewed_on, updated_by_id=side.assessor.id)
        db.session.add(review)
        db.session.commit()
        return review.id


def _scenario(app, world) -> dict:
    """Seven assessments in authority A (and one in B that must never count):

    ====  =================  ===========  ===============================  ================================
    key   school             stage        who runs it                      in this stage on 13 May
    ====  =================  ===========  ===============================  ================================
    a1    Primary            Fieldwork    the assessor leads               since 1 May: 12 days
    a2    High               Plan agreed  the assessor leads               since 6 May: 7 days
    a3    Primary            Review       assessor 2 (assessor no part)    since 13 April: 30 days
    a4    High               Closed       the assessor leads               -
    a5    Primary            Planning     assessor 2, assessor a member    opened 13 May (today)
    a6    High               Analysis     assessor 2; opened by assessor   since 12 May: 1 day
    a7    High               Review       the assessor leads               since 3 May: 10 days
    ====  =================  ===========  ===============================  ================================
    """
    a, b = world.a, world.b
    other = second_assessor(app, a)
    ids = {
        "a1": make_assessment(app, a, stage="fieldwork", moved_on=date(2026, 5, 1)),
        "a2": make_assessment(app, a, stage="plan_agreed", moved_on=date(2026, 5, 6), school="school2"),
        "a3": make_assessment(app, a, stage="review", moved_on=date(2026, 4, 13), lead=other),
        "a4": make_assessment(app, a, stage="closed", moved_on=date(2026, 5, 2), school="school2"),
        "a6": make_assessment(app, a, stage="analysis", moved_on=date(2026, 5, 12), lead=other, opened_by=a.assessor, school="school2"),
        "a7": make_assessment(app, a, stage="review", moved_on=date(2026, 5, 3), school="school2"),
    }
    # a5 was opened at 9am today (its only transition is the opening, 30 days before ``moved_on``).
    ids["a5"] = make_assessment(app, a, stage="planning", moved_on=TODAY + timedelta(days=30), lead=other, assessor_members=(a.assessor,))

    # Actions: overdue, due today, due soon, due later, done and no longer needed (the last two never count).
    make_action(
        app,
        a,
        ids["a1"],
        "Run the staff training on harmful sexual behaviour and how to challenge sexualised language",
        date(2026, 5, 8),
        owner=a.dsl1,
        status="in_progress",
    )
    make_action(app, a, ids["a1"], "Review the behaviour policy with the governors", date(2026, 6, 30))
    make_action(app, a, ids["a1"], "Share the survey results with the school council", date(2026, 5, 1), status="done")
    make_action(app, a, ids["a2"], "Patrol the bus stop by the school gates after school", date(2026, 5, 20), domain="environment", owner_organisation=a.police)
    make_action(
        app,
        a,
        ids["a2"],
        "Agree with Year 9 pupils where they feel unsafe " + "and why, in small groups led by trusted staff " * 4,
        TODAY,
        domain="pupil_development",
    )
    make_action(app, a, ids["a2"], "Write to parents about the bus stop", date(2026, 5, 2), status="no_longer_needed")
    make_action(app, a, ids["a3"], "Map the places pupils go after school", date(2026, 5, 1), domain=None)
    make_action(app, a, ids["a6"], "Observe the lunch queue", date(2026, 5, 15), domain="environment")
    make_action(app, a, ids["a4"], "Close the loop with the school", date(2026, 6, 1))

    # Reviews: overdue (held before its date, so still due), due in 23 days, not due for months, due but
    # closed, held on its date, no date set.
    make_review(app, a, ids["a1"], due_on=date(2026, 5, 10), reviewed_on=date(2026, 5, 9))
    make_review(app, a, ids["a2"], due_on=date(2026, 6, 5))
    make_review(app, a, ids["a5"], due_on=date(2026, 7, 31))
    make_review(app, a, ids["a4"], due_on=date(2026, 5, 1))
    make_review(app, a, ids["a6"], due_on=date(2026, 5, 11), reviewed_on=date(2026, 5, 11))
    make_review(app, a, ids["a7"], due_on=None)

    # Authority B: the same kind of data, never counted in A.
    b_id = make_assessment(app, b, stage="fieldwork", moved_on=date(2026, 5, 1))
    make_action(app, b, b_id, "Brackley action overdue", date(2026, 5, 2))
    make_review(app, b, b_id, due_on=date(2026, 5, 14))
    make_assessment(app, b, stage="review", moved_on=date(2026, 5, 1), school="school2")
    return ids


# Reading the page -------------------------------------------------------------------------------------


def _clean(fragment: str) -> str:
    """The text a sighted reader sees (visually hidden words left out; links read inline)."""
    fragment = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", fragment, flags=re.S)
    fragment = re.sub(r"</?a\b[^>]*>", "", fragment)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _section(markup: str, heading_id: str) -> str:
    match = re.search(rf'id="{heading_id}".*?(?=<h2 |</main>)', markup, re.S)
    assert match, f"no section {heading_id}"
    return match.group(0)


def _rows(fragment: str) -> list[tuple[str, ...]]:
    rows = []
    for body in re.findall(r'<tbody class="govuk-table__body">(.*?)</tbody>', fragment, re.S):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            rows.append(tuple(_clean(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)))
    return rows


def _stage_counts(markup: str) -> dict[str, str]:
    match = re.search(r"<caption[^>]*>How many assessments are at each stage</caption>(.*?)</table>", markup, re.S)
    assert match, "no count of assessments by stage"
    return dict(_rows(match.group(1)))


def _stage_rows(markup: str, stage: str) -> list[tuple[str, ...]]:
    match = re.search(rf'<h3 class="govuk-heading-m" id="stage-{stage}">.*?</table>', markup, re.S)
    return _rows(match.group(0)) if match else []


def _plan_href(app, assessment_id) -> str:
    page = "plan" if "assessments.plan" in app.view_functions else ""
    return f"/school-assessments/{assessment_id}/{page}".rstrip("/")


def _page(app, person, query: str = ""):
    response = signed_in_client(app, person).get(URL + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# The figures --------------------------------------------------------------------------------------------


def test_the_assessors_own_assessments_by_stage_actions_due_and_reviews_due(app, world):
    """The assessor leads or runs a1, a2, a4, a5 and a7: by default the dashboard shows those, with the
    figures worked out by hand; a3 (assessor 2's, the assessor has no part) and B's never count."""
    ids = _scenario(app, world)
    markup = _page(app, world.a.assessor)
    text = _clean(markup)

    assert "Assessments I lead or run (5)" in text and "All the assessments I can see (6)" in text
    assert re.search(r'<input[^>]*value="mine"[^>]*checked', markup)
    assert _stage_counts(markup) == {"Planning": "1", "Fieldwork": "1", "Analysis": "0", "Plan agreed": "1", "Review": "1", "Closed": "1"}

    # Each open assessment under its stage: school, lead, time in the stage, open and overdue actions, review due.
    assert _stage_rows(markup, "planning") == [
        ("Avonford Primary School School assessment by children's social care", "Robin Second", "Since today", "0", "0", "31 July 2026")
    ]
    assert _stage_rows(markup, "fieldwork") == [
        ("Avonford Primary School School assessment by children's social care", "Assessor", "12 days", "2", "1", "10 May 2026")
    ]
    assert _stage_rows(markup, "plan_agreed") == [
        ("Avonford High School School assessment by children's social care", "Assessor", "7 days", "2", "0", "5 June 2026")
    ]
    assert _stage_rows(markup, "review") == [("Avonford High School School assessment by children's social care", "Assessor", "10 days", "0", "0", "Not set")]
    assert _stage_rows(markup, "analysis") == [] and _stage_rows(markup, "closed") == []
    assert f'href="/school-assessments/{ids["a1"]}">Avonford Primary School</a>' in markup
    assert "Fieldwork: 1 assessment" in text

    # Actions due: overdue, today and within 14 days, soonest first; done, no longer needed and later ones left out.
    actions = _section(markup, "actions-heading")
    assert "3 open actions of the assessments' plans overdue or due by 27 May 2026: 1 overdue." in _clean(actions)
    rows = _rows(actions)
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        ("Guardianship capacity", "Dsl1", "8 May 2026 Overdue", "Avonford Primary School"),
        ("Pupil development needs", "Assessor", "13 May 2026 Due today", "Avonford High School"),
        ("Environmental and family factors", "Avonford Police", "20 May 2026", "Avonford High School"),
    ]
    assert rows[0][0] == "Run the staff training on harmful sexual behaviour and how to challenge sexualised language"
    assert rows[1][0].startswith("Agree with Year 9 pupils where they feel unsafe and why") and rows[1][0].endswith("…") and len(rows[1][0]) <= 120
    assert f'href="{_plan_href(app, ids["a1"])}"' in actions
    for left_out in ("governors", "school council", "Write to parents", "Map the places", "lunch queue", "Close the loop", "Brackley"):
        assert left_out not in markup

    # Reviews due: a1 overdue (held before its date), a2 in 23 days; a5 not due yet, a4 closed; a7 has no date.
    reviews = _section(markup, "reviews-heading")
    assert [r for r in _rows(reviews)] == [
        ("Avonford Primary School", "Fieldwork", "10 May 2026", "Overdue by 3 days"),
        ("Avonford High School", "Plan agreed", "5 June 2026", "In 23 days"),
    ]
    assert "2 reviews overdue or due by 10 June 2026" in _clean(reviews)
    no_date = _clean(reviews.split('id="no-review-date"', 1)[1])
    assert "1 assessment has an agreed plan but no review date set." in no_date
    assert "Avonford High School: review stage, no review date set" in no_date
    assert "Avonford Primary School" not in no_date  # a3 is not the assessor's to see


def test_all_i_can_see_adds_the_assessment_the_assessor_opened_but_does_not_run(app, world):
    """ "All I can see" adds a6 (opened by the assessor, led by assessor 2): its stage, its action due on
    15 May between the others, and its review held on its date (so not due)."""
    ids = _scenario(app, world)
    markup = _page(app, world.a.assessor, "?show=all")
    assert re.search(r'<input[^>]*value="all"[^>]*checked', markup)
    assert _stage_counts(markup) == {"Planning": "1", "Fieldwork": "1", "Analysis": "1", "Plan agreed": "1", "Review": "1", "Closed": "1"}
    assert _stage_rows(markup, "analysis") == [
        ("Avonford High School School assessment by children's social care", "Robin Second", "1 day", "1", "0", "11 May 2026")
    ]
    actions = _section(markup, "actions-heading")
    assert [r[3] for r in _rows(actions)] == ["8 May 2026 Overdue", "13 May 2026 Due today", "15 May 2026", "20 May 2026"]
    assert "Observe the lunch queue" in actions and f'href="{_plan_href(app, ids["a6"])}"' in actions
    assert [r[0] for r in _rows(_section(markup, "reviews-heading"))] == ["Avonford Primary School", "Avonford High School"]
    assert "Map the places" not in markup and "Brackley" not in markup

    # Anything else in the choice falls back to the person's own.
    assert re.search(r'<input[^>]*value="mine"[^>]*checked', _page(app, world.a.assessor, "?show=everyone"))


def test_a_front_door_manager_sees_every_assessment_and_defaults_to_all(app, world):
    """A front-door manager runs none (so sees all by default): seven assessments, a3's overdue action,
    a3 (no review row) and a7 (no date) with no review date set; B's never."""
    ids = _scenario(app, world)
    give_duty(app, world.a, "front_door", "front_door_manager")
    markup = _page(app, world.a.front_door)
    text = _clean(markup)
    assert "Assessments I lead or run (0)" in text and "All the assessments I can see (7)" in text
    assert re.search(r'<input[^>]*value="all"[^>]*checked', markup)
    assert _stage_counts(markup) == {"Planning": "1", "Fieldwork": "1", "Analysis": "1", "Plan agreed": "1", "Review": "2", "Closed": "1"}
    assert _stage_rows(markup, "review") == [
        ("Avonford Primary School School assessment by children's social care", "Robin Second", "30 days", "1", "1", "Not set"),
        ("Avonford High School School assessment by children's social care", "Assessor", "10 days", "0", "0", "Not set"),
    ]
    actions = _section(markup, "actions-heading")
    assert [r[3] for r in _rows(actions)] == ["1 May 2026 Overdue", "8 May 2026 Overdue", "13 May 2026 Due today", "15 May 2026", "20 May 2026"]
    assert [r[1] for r in _rows(actions)][0] == "Not given"  # a3's action has no domain
    assert "5 open actions of the assessments' plans overdue or due by 27 May 2026: 2 overdue." in _clean(actions)
    no_date = _clean(_section(markup, "reviews-heading").split('id="no-review-date"', 1)[1])
    assert "2 assessments have an agreed plan but no review date set." in no_date
    assert "Avonford Primary School: review stage, no review date set" in no_date
    assert "Brackley" not in markup
    assert ids  # (the scenario's ids are used by the other tests)

    # "Mine" for a manager who runs none: nothing.
    mine = _page(app, world.a.front_door, "?show=mine")
    assert set(_stage_counts(mine).values()) == {"0"}
    assert "There are no open assessments to show." in _clean(mine)
    assert "No open actions are overdue or due by 27 May 2026." in _clean(mine)


def test_the_other_authoritys_assessor_sees_only_their_own(app, world):
    """B's assessor sees B's two assessments, their action and review, and nothing of A's."""
    _scenario(app, world)
    markup = _page(app, world.b.assessor)
    assert _stage_counts(markup) == {"Planning": "0", "Fieldwork": "1", "Analysis": "0", "Plan agreed": "0", "Review": "1", "Closed": "0"}
    assert [r[0] for r in _rows(_section(markup, "actions-heading"))] == ["Brackley action overdue"]
    assert [r[0] for r in _rows(_section(markup, "reviews-heading"))] == ["Brackley Primary School"]
    assert "Avonford" not in markup


def test_an_assessor_with_no_assessments_sees_empty_figures(app, world):
    """Assessor 2 of B leads nothing: all counts are 0 and each section says so in words."""
    person = second_assessor(app, world.b)
    markup = _page(app, person)
    text = _clean(markup)
    assert set(_stage_counts(markup).values()) == {"0"}
    assert re.search(r'<input[^>]*value="all"[^>]*checked', markup)
    assert "There are no open assessments to show." in text
    assert "No reviews are overdue or due by 10 June 2026." in text
    assert "Every agreed plan has a review date." in text


# Who may open it ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["dsl1", "head1", "front_door", "partner", "admin"])
def test_people_who_do_not_run_assessments_are_refused_and_it_is_audited(app, world, key):
    _scenario(app, world)
    client = signed_in_client(app, world.a.people[key])
    response = client.get(URL)
    assert response.status_code == 403
    [denied] = audit_events(app, world.a.authority_id, "access.denied")
    assert (denied.actor_id, denied.details["endpoint"]) == (world.a.people[key].id, "assessments.dashboard")
    # Neither the list nor the navigation offers it to them.
    index = client.get("/school-assessments").get_data(as_text=True) if key != "admin" else client.get("/home").get_data(as_text=True)
    assert URL not in index


def test_a_context_panel_member_may_open_it_and_is_offered_it(app, world):
    """Social care named as a context panel member oversee assessments: they may open it, and the
    navigation and the list of assessments link to it. A partner named to the (multi-agency) panel does
    not get into every school's assessment: refused."""
    _scenario(app, world)
    give_duty(app, world.a, "partner2", "context_panel_member")
    assert signed_in_client(app, world.a.partner2).get(URL).status_code == 403
    give_duty(app, world.a, "front_door", "context_panel_member")
    client = signed_in_client(app, world.a.front_door)
    response = client.get(URL)
    assert response.status_code == 200
    assert _stage_counts(response.get_data(as_text=True))["Review"] == "2"
    index = client.get("/school-assessments").get_data(as_text=True)
    assert f'href="{URL}"' in index
    assert "Your assessor&#39;s dashboard" in index or "Your assessor's dashboard" in index
    # In the navigation, the dashboard (not the list of assessments) is the current page.
    nav = re.search(r"<nav[^>]*service-navigation.*?</nav>", response.get_data(as_text=True), re.S).group(0)
    active = re.findall(r'<li class="govuk-service-navigation__item govuk-service-navigation__item--active">\s*<a[^>]*href="([^"]+)"', nav)
    assert active == [URL]
    assert 'href="/school-assessments"' in nav


# Cost ------------------------------------------------------------------------------------------------


def test_the_page_costs_the_same_number_of_queries_with_more_assessments_actions_and_reviews(app, world):
    a = world.a
    first = make_assessment(app, a, stage="fieldwork", moved_on=date(2026, 5, 1))
    make_action(app, a, first, "First action", date(2026, 5, 9))
    make_review(app, a, first, due_on=date(2026, 5, 20))
    client = signed_in_client(app, a.assessor)
    client.get(URL)
    small, _ = page_queries(app, client, URL)

    for i, stage in enumerate(["planning", "analysis", "plan_agreed", "review", "review", "fieldwork", "closed"]):
        assessment_id = make_assessment(app, a, stage=stage, moved_on=date(2026, 4, 1 + i), school="school2" if i % 2 else "school1")
        for d in range(3):
            make_action(
                app,
                a,
                assessment_id,
                f"Action {i}.{d}",
                date(2026, 5, 5 + 3 * d),
                owner_organisation=a.police if d == 1 else None,
                owner=a.dsl1 if d == 2 else None,
            )
        if stage != "review":
            make_review(app, a, assessment_id, due_on=date(2026, 5, 10 + i))
    large, response = page_queries(app, client, URL)
    assert _stage_counts(response.get_data(as_text=True))["Review"] == "2"
    assert len(_rows(_section(response.get_data(as_text=True), "actions-heading"))) == 1 + 7 * 3
    assert large == small
