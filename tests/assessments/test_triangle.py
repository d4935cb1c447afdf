"""The triangle page: the school's DSL and the assessor add findings; the triangle shows each domain's
balance (counts in a text alternative, an SVG image with a title); assessors are told of the school's
findings; edit links only where the person may edit."""

from __future__ import annotations

import re

from portal.assessments.models import AssessmentFinding, Domain, Rating
from tests.admin.pages import page_text, table_rows
from tests.assessments.triangle_support import finding_form, make_assessment, make_finding
from tests.summits.support import notification_titles
from tests.support import audit_events, detached_rows, signed_in_client


def _add(client, assessment_id, **changes):
    return client.post(f"/school-assessments/{assessment_id}/findings/new", data=finding_form(**changes))


def test_the_school_and_the_assessor_add_findings_and_the_triangle_shows_each_domains_balance(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    dsl, assessor = signed_in_client(app, a.dsl1), signed_in_client(app, a.assessor)

    response = _add(
        dsl,
        assessment_id,
        domain="guardianship",
        rating="significant_strength",
        text="Pupils trust the pastoral team.",
        evidence="Focus group with Year 9 students.",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/school-assessments/{assessment_id}/triangle#domain-guardianship")
    for domain, rating in (("pupil_development", "significant_concern"), ("guardianship", "concern"), ("environment", "concern")):
        assert (
            _add(
                assessor, assessment_id, domain=domain, rating=rating, text=f"A risk in {domain}.", evidence=f"Observation of the school, {domain}."
            ).status_code
            == 302
        )

    rows = detached_rows(app, AssessmentFinding, a.authority_id, assessment_id=assessment_id)
    assert sorted((r.domain, r.rating, r.author_id == a.dsl1.id) for r in rows) == sorted(
        [
            (Domain.GUARDIANSHIP, Rating.SIGNIFICANT_STRENGTH, True),
            (Domain.PUPIL_DEVELOPMENT, Rating.SIGNIFICANT_CONCERN, False),
            (Domain.GUARDIANSHIP, Rating.CONCERN, False),
            (Domain.ENVIRONMENT, Rating.CONCERN, False),
        ]
    )
    added = audit_events(app, a.authority_id, "assessment.finding_added")
    assert [e.actor_id for e in added] == [a.dsl1.id] + [a.assessor.id] * 3
    assert added[0].details == {"assessment": str(assessment_id), "domain": "guardianship", "rating": "significant_strength"}
    # The lead assessor is told of the school's finding, not of their own.
    assert notification_titles(app, a, "assessor") == [f"{a.dsl1.full_name} added a finding to the school assessment of Avonford Primary School"]
    assert notification_titles(app, a, "dsl1") == []

    page = dsl.get(f"/school-assessments/{assessment_id}/triangle")
    assert page.status_code == 200
    assert table_rows(page) == [["0", "1", "1"], ["1", "1", "0"], ["0", "1", "0"]]
    assert (
        "Strengths and risks in each domain Domain Strengths Risks Significant concerns Pupil development needs 0 1 1 "
        "Guardianship capacity 1 1 0 Environmental and family factors 0 1 0"
    ) in page_text(page)
    html = page.get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="triangle-title triangle-desc"' in svg
    assert '<title id="triangle-title">The school assessment triangle: the balance of strengths and risks in each domain</title>' in svg
    assert "Guardianship capacity: 1 strength, 1 risk." in svg and "Pupil development needs: 0 strengths, 1 risk, 1 significant concern." in svg
    # The table of the same figures comes straight after the image.
    assert re.search(r"</svg>\s*<table", html)
    text = page_text(page)
    assert (
        "Significant strength The finding Pupils trust the pastoral team. What it is based on Focus group with Year 9 students. Added by " + a.dsl1.full_name
        in text
    )
    assert "Significant concern The finding A risk in pupil_development." in text
    # The DSL may edit their own finding only; the assessor every finding.
    assert len(re.findall(r'href="/school-assessments/findings/[^"]+/edit"', html)) == 1
    assessor_html = assessor.get(f"/school-assessments/{assessment_id}/triangle").get_data(as_text=True)
    assert len(re.findall(r'href="/school-assessments/findings/[^"]+/edit"', assessor_html)) == 4


def test_an_empty_triangle_says_so(app, world):
    assessment_id = make_assessment(app, world.a)
    page = signed_in_client(app, world.a.head1).get(f"/school-assessments/{assessment_id}/triangle")
    assert page.status_code == 200
    text = page_text(page)
    assert text.count("No findings in this domain yet.") == 3
    assert table_rows(page) == [["0", "0", "0"]] * 3
    assert "Pupil development needs 0 0 0 Guardianship capacity 0 0 0 Environmental and family factors 0 0 0" in text
    assert "No findings yet" in page.get_data(as_text=True)


def test_a_partner_added_as_a_member_sees_the_triangle_and_adds_a_finding_and_the_assessors_are_told(app, world):
    a = world.a
    assessment_id = make_assessment(app, a, partners=("partner",))
    make_finding(app, a, assessment_id)
    partner = signed_in_client(app, a.partner)
    assert partner.get(f"/school-assessments/{assessment_id}/triangle").status_code == 200
    assert _add(partner, assessment_id, domain="environment", rating="concern").status_code == 302
    assert notification_titles(app, a, "assessor") == [f"{a.partner.full_name} added a finding to the school assessment of Avonford Primary School"]
    # The other partner agency, not a member, gets 404.
    assert signed_in_client(app, a.partner2).get(f"/school-assessments/{assessment_id}/triangle").status_code == 404
