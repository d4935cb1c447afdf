"""Adding and editing a finding: the form (domains with the guide's words, ratings, evidence required),
who may edit (the author or an assessor), and a stale save refused with nothing lost."""

from __future__ import annotations

from portal.assessments.models import AssessmentFinding, Domain, Rating
from tests.admin.pages import field_error, page_text
from tests.assessments.triangle_support import finding_form, make_assessment, make_finding
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import load


def test_the_form_describes_each_domain_and_bad_input_is_explained_next_to_each_field(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    dsl = signed_in_client(app, a.dsl1)
    form = page_text(dsl.get(f"/school-assessments/{assessment_id}/findings/new"))
    assert "Pupil development needs The dynamics of the pupils in the school, how they relate to each other and the school culture." in form
    assert "Do staff understand their safeguarding role and do students feel safe and trust them to protect them?" in form
    assert "the local neighbourhood context, the policies in place to safeguard them, the support of their parents or systemic factors" in form

    response = dsl.post(f"/school-assessments/{assessment_id}/findings/new", data={"text": "Pupils say the toilets feel unsafe.", "evidence": "   "})
    assert response.status_code == 200
    assert field_error(response, "domain") == "Select the domain the finding is about"
    assert field_error(response, "rating") == "Select whether it is a strength or a concern"
    assert field_error(response, "evidence") == "Enter what the finding is based on"
    assert field_error(response, "text") is None
    assert "Pupils say the toilets feel unsafe." in response.get_data(as_text=True)
    assert page_text(response).startswith("Error:")
    assert detached_rows(app, AssessmentFinding, a.authority_id) == []
    assert audit_events(app, a.authority_id, "assessment.finding_added") == []


def test_the_author_edits_their_finding_and_another_school_member_may_not_edit_the_assessors(app, world):
    a = world.a
    assessment_id = make_assessment(app, a, school=("dsl1", "head1"))
    own = make_finding(app, a, assessment_id, by="dsl1", domain="guardianship", rating="strength")
    assessors = make_finding(app, a, assessment_id, by="assessor")
    dsl = signed_in_client(app, a.dsl1)

    page = dsl.get(f"/school-assessments/findings/{own}/edit")
    assert page.status_code == 200 and 'name="version" type="hidden" value="1"' in page.get_data(as_text=True)
    response = dsl.post(
        f"/school-assessments/findings/{own}/edit",
        data=finding_form(
            domain="guardianship",
            rating="significant_strength",
            text="Name-calling in corridors goes unchallenged.",
            evidence="Staff focus group and the behaviour log.",
            version="1",
        ),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#domain-guardianship")
    saved = load(app, AssessmentFinding, own, a.authority_id)
    assert (saved.rating, saved.evidence, saved.version) == (Rating.SIGNIFICANT_STRENGTH, "Staff focus group and the behaviour log.", 2)
    assert audit_events(app, a.authority_id, "assessment.finding_updated")[-1].details == {"assessment": str(assessment_id), "fields": ["rating", "evidence"]}

    # The DSL (and the head, a collaborating member) may see the assessor's finding but not edit it.
    for client in (dsl, signed_in_client(app, a.head1)):
        assert client.get(f"/school-assessments/findings/{assessors}/edit").status_code == 403
        assert client.post(f"/school-assessments/findings/{assessors}/edit", data=finding_form(rating="strength", version="1")).status_code == 403
    assert load(app, AssessmentFinding, assessors, a.authority_id).rating == Rating.CONCERN
    assert [e.actor_id for e in audit_events(app, a.authority_id, "access.denied")][-4:] == [a.dsl1.id, a.dsl1.id, a.head1.id, a.head1.id]

    # The assessor may edit the school's finding.
    response = signed_in_client(app, a.assessor).post(
        f"/school-assessments/findings/{own}/edit",
        data=finding_form(
            domain="environment",
            rating="significant_strength",
            text="Name-calling in corridors goes unchallenged.",
            evidence="Staff focus group and the behaviour log.",
            version="2",
        ),
    )
    assert response.status_code == 302
    assert load(app, AssessmentFinding, own, a.authority_id).domain == Domain.ENVIRONMENT


def test_two_editors_the_second_is_refused_with_what_changed_and_the_first_is_kept(app, world):
    a = world.a
    assessment_id = make_assessment(app, a)
    finding_id = make_finding(
        app,
        a,
        assessment_id,
        by="dsl1",
        domain="pupil_development",
        rating="concern",
        text="Name-calling in corridors goes unchallenged.",
        evidence="Student survey, 120 replies.",
    )
    dsl, assessor = signed_in_client(app, a.dsl1), signed_in_client(app, a.assessor)
    url = f"/school-assessments/findings/{finding_id}/edit"
    for client in (dsl, assessor):
        assert 'value="1"' in client.get(url).get_data(as_text=True)

    first = finding_form(
        domain="pupil_development",
        rating="significant_concern",
        text="Name-calling in corridors goes unchallenged.",
        evidence="Student survey, 120 replies, and two staff interviews.",
        version="1",
    )
    assert dsl.post(url, data=first).status_code == 302
    second = finding_form(
        domain="pupil_development",
        rating="concern",
        text="Homophobic name-calling in corridors goes unchallenged.",
        evidence="Student survey, 120 replies.",
        version="1",
    )
    response = assessor.post(url, data=second)

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this finding while you were editing" in text
    assert "Rating Significant concern Concern" in text
    assert "Evidence Student survey, 120 replies, and two staff interviews. Student survey, 120 replies." in text
    assert "The finding Name-calling in corridors goes unchallenged. Homophobic name-calling in corridors goes unchallenged." in text
    html = response.get_data(as_text=True)
    assert "Homophobic name-calling in corridors goes unchallenged." in html.split("<form", 1)[1]
    assert '<input id="version" name="version" type="hidden" value="2">' in html
    saved = load(app, AssessmentFinding, finding_id, a.authority_id)
    assert (saved.rating, saved.text, saved.evidence, saved.version) == (
        Rating.SIGNIFICANT_CONCERN,
        "Name-calling in corridors goes unchallenged.",
        "Student survey, 120 replies, and two staff interviews.",
        2,
    )
    refused = audit_events(app, a.authority_id, "record.stale_save_refused")
    assert [(e.object_type, e.object_id, e.actor_id) for e in refused] == [("assessment_finding", str(finding_id), a.assessor.id)]
    assert len(audit_events(app, a.authority_id, "assessment.finding_updated")) == 1

    # Saving again against the version now replaces it.
    assert assessor.post(url, data=second | {"version": "2"}).status_code == 302
    assert load(app, AssessmentFinding, finding_id, a.authority_id).text == "Homophobic name-calling in corridors goes unchallenged."
