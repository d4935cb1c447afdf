"""The school assessment workspace, end to end, with the keyboard.

The first journey:

a front-door manager opens a school assessment directly, with a lead assessor → the assessor agrees a
planning answer, adds an assessor-only note, moves the assessment to fieldwork, adds a risk in the
triangle and the student focus group it is based on, and imports a survey's results from a CSV file (a
job checks and imports it; the upload's page shows the counts) → the school's DSL (a collaborating member, "not an inspection") adds a strength, sees the
triangle with both, and never sees the assessor-only note.

The second journey (the issue's): an assessor on the context panel opens an assessment → adds findings in
each domain of the triangle and the focus group they come from → the school's DSL adds a strength → the
assessor adds plan actions and the plan is agreed → the PDF report is built and downloaded; its first page
is rendered to PNG next to the screenshots, to be looked at.

Every page on the way is screenshotted and checked with axe-core (``checkpoint``).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.test_context_journey import choose, go, submit, type_date
from e2e.test_invitation_journey import main_nav_link, type_into
from e2e.test_referral_journey import check, follow, signed_in_as
from portal.assessments.survey_import import EXAMPLE_CSV
from portal.clock import uk_today
from tests.world import create_authority, create_organisation, create_user

SCHOOL = "Larkfield High School"
SECOND_SCHOOL = "Marsh Lane Academy"
NOTE = "Assessor view: the head seemed defensive about the behaviour logs."


@pytest.fixture(scope="module")
def people(live_server):
    """An authority of its own: a school and its DSL, a front-door manager and an assessor."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db
    from tenants.context import tenant_scope

    app = live_server.app
    authority_id = create_authority(app, "Larkfield Safeguarding Children Partnership", "larkfield", require_two_factor=False)
    school = create_organisation(app, authority_id, SCHOOL, "school", urn="800001", phase="secondary")
    social_care = create_organisation(app, authority_id, "Larkfield Children's Services", "social_care")
    manager = create_user(app, authority_id, "max.manager@larkfield.example.org", "front_door", social_care, full_name="Max Manager")
    with app.app_context(), tenant_scope(authority_id):
        db.session.add(AuthorityDuty(user_id=manager.id, duty=Duty.FRONT_DOOR_MANAGER))
        db.session.commit()
    second_school = create_organisation(app, authority_id, SECOND_SCHOOL, "school", urn="800002", phase="secondary")
    panel_assessor = create_user(app, authority_id, "pat.panel@larkfield.example.org", "assessor", social_care, full_name="Pat Okafor")
    with app.app_context(), tenant_scope(authority_id):
        db.session.add(AuthorityDuty(user_id=panel_assessor.id, duty=Duty.CONTEXT_PANEL_MEMBER))
        db.session.commit()
    return {
        "manager": manager,
        "assessor": create_user(app, authority_id, "ash.assessor@larkfield.example.org", "assessor", social_care, full_name="Ash Assessor"),
        "dsl": create_user(app, authority_id, "dee.dsl@larkfield.example.org", "dsl", school, full_name="Dee Singh"),
        "panel_assessor": panel_assessor,
        "second_dsl": create_user(app, authority_id, "mo.dsl@larkfield.example.org", "dsl", second_school, full_name="Mo Hassan"),
    }


def test_open_plan_and_record_findings_in_the_triangle_with_the_school(new_page, people, checkpoint):
    # A front-door manager opens an assessment directly.
    manager = signed_in_as(new_page, people["manager"], checkpoint, "manager")
    follow(manager, main_nav_link(manager, "School assessments"))
    checkpoint(manager, "school assessments")
    go(manager, "Open a school assessment")
    choose(manager, manager.get_by_label("School", exact=True), SCHOOL)
    check(manager, manager.get_by_label("School assessment by children's social care"))
    type_into(
        manager,
        manager.get_by_label("Why is the school being assessed?"),
        "Three reports of sexual harassment in corridors this term; staff responses inconsistent.",
    )
    choose(manager, manager.get_by_label("Lead assessor (optional)"), "Ash Assessor")
    checkpoint(manager, "open an assessment")
    submit(manager, "Open the assessment")
    expect(manager.get_by_role("heading", name=SCHOOL)).to_be_visible()
    checkpoint(manager, "the assessment, opened")
    assessment_url = manager.url

    # The lead assessor agrees a planning answer, adds an assessor-only note, starts fieldwork, adds a risk.
    assessor = signed_in_as(new_page, people["assessor"], checkpoint, "assessor")
    assessor.goto(assessment_url)
    go(assessor, "Change the planning")
    type_into(assessor, assessor.get_by_label("Who will conduct the school assessment?"), "The contextual safeguarding practitioner, with the school's DSL.")
    checkpoint(assessor, "planning")
    submit(assessor, "Save the planning")
    type_into(assessor, assessor.get_by_label("Add a note"), NOTE)
    check(assessor, assessor.get_by_label("Assessor-only: never shown to the school"))
    submit(assessor, "Add the note")
    expect(assessor.get_by_text(NOTE)).to_be_visible()
    submit(assessor, "Move to fieldwork")
    expect(assessor.get_by_text("Fieldwork").first).to_be_visible()
    checkpoint(assessor, "the assessment in fieldwork")
    follow(assessor, assessor.get_by_role("link", name="The assessment triangle: findings in each domain"))
    go(assessor, "Add a finding")
    check(assessor, assessor.get_by_label("Guardianship capacity"))
    check(assessor, assessor.get_by_label("Significant concern"))
    type_into(assessor, assessor.get_by_label("The finding"), "Students say staff do not act when they report harassment.")
    type_into(assessor, assessor.get_by_label("What is this based on?"), "Focus group with Year 10 students.")
    checkpoint(assessor, "a finding")
    submit(assessor, "Save the finding")

    # The focus group behind it, linked to the finding.
    assessor.goto(assessment_url)
    follow(assessor, assessor.get_by_role("link", name="Methods and evidence"))
    go(assessor, "Add a method")
    check(assessor, assessor.get_by_label("Focus group with students"))
    type_date(assessor, uk_today())
    type_into(assessor, assessor.get_by_label("How many took part? (optional)"), "9")
    type_into(assessor, assessor.get_by_label("Who took part? (optional)"), "Year 10 students, girls and boys")
    type_into(assessor, assessor.get_by_label("What was found?"), "Students describe harassment in the corridors between lessons; few report it.")
    check(assessor, assessor.get_by_label(re.compile("Guardianship capacity: Students say staff do not act")))
    checkpoint(assessor, "a method")
    submit(assessor, "Save the method")
    expect(assessor.get_by_text("Year 10 students, girls and boys")).to_be_visible()
    checkpoint(assessor, "methods and evidence")

    # A survey, its results imported from the example file: the upload is checked and imported by a job
    # while the assessor waits on the upload's page, which then shows the counts.
    go(assessor, "Add a method")
    check(assessor, assessor.get_by_label("Survey", exact=True))
    type_date(assessor, uk_today())
    type_into(assessor, assessor.get_by_label("What was found?"), "Most students feel safe in lessons; fewer at the bus stop.")
    submit(assessor, "Save the method")
    follow(assessor, assessor.get_by_role("link", name=re.compile("^Import survey results")))
    assessor.get_by_label("Upload the survey results").set_input_files(
        {"name": "survey-results-example.csv", "mimeType": "text/csv", "buffer": EXAMPLE_CSV.encode("utf-8")}
    )
    checkpoint(assessor, "a survey's results to import")
    submit(assessor, "Check and import")
    expect(assessor.get_by_role("heading", name="Survey results imported")).to_be_visible(timeout=60_000)
    expect(assessor.get_by_text("The survey results have been imported: 16 responses to 4 questions.")).to_be_visible()
    checkpoint(assessor, "the survey's results imported")
    go(assessor, "See the survey results")
    expect(assessor.get_by_role("table").filter(has_text="I feel safe at school")).to_be_visible()
    checkpoint(assessor, "the survey's results")

    # The school's DSL adds a strength and sees the triangle; the assessor-only note never reaches them.
    dsl = signed_in_as(new_page, people["dsl"], checkpoint, "DSL")
    follow(dsl, main_nav_link(dsl, "School assessments"))
    follow(dsl, dsl.get_by_role("link", name=SCHOOL).first)
    expect(dsl.get_by_text(NOTE)).to_have_count(0)
    checkpoint(dsl, "the assessment, seen by the school")
    follow(dsl, dsl.get_by_role("link", name="The assessment triangle: findings in each domain"))
    go(dsl, "Add a finding")
    check(dsl, dsl.get_by_label("Pupil development needs"))
    check(dsl, dsl.get_by_label("Strength", exact=True))
    type_into(dsl, dsl.get_by_label("The finding"), "A peer mentoring scheme that students trust.")
    type_into(dsl, dsl.get_by_label("What is this based on?"), "The student voice survey, autumn term.")
    submit(dsl, "Save the finding")
    expect(dsl.get_by_role("img").filter(has_text="Guardianship capacity")).not_to_have_count(0)
    expect(dsl.get_by_text("A peer mentoring scheme that students trust.")).to_be_visible()
    expect(dsl.get_by_text("Students say staff do not act when they report harassment.")).to_be_visible()
    expect(dsl.get_by_text("Focus group with students").first).to_be_visible()  # supported by
    checkpoint(dsl, "the triangle with a strength and a risk")


FINDINGS = (
    ("Pupil development needs", "Concern", "Students describe sexual comments in corridors as normal.", "Year 10 focus group."),
    ("Guardianship capacity", "Significant concern", "Students do not trust staff to act on what they report.", "Year 10 focus group."),
    ("Environmental and family factors", "Concern", "The alley behind the sports hall is unsupervised at lunchtime.", "Year 10 focus group; walk-round."),
)
ACTION = "Staff training on responding to harmful sexual behaviour, with a named lead for each year group."


def _add_finding(page, domain: str, rating: str, text: str, evidence: str) -> None:
    go(page, "Add a finding")
    check(page, page.get_by_role("radio", name=domain, exact=True))
    check(page, page.get_by_role("radio", name=rating, exact=True))
    type_into(page, page.get_by_label("The finding"), text)
    type_into(page, page.get_by_label("What is this based on?"), evidence)
    submit(page, "Save the finding")
    expect(page.get_by_text(text)).to_be_visible()


def _first_page_as_png(pdf: bytes, path) -> None:
    """Render the PDF's first page to a PNG (PDFium), for a person to look at."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        document[0].render(scale=1.5).to_pil().save(path)
    finally:
        document.close()


def test_an_assessor_opens_an_assessment_gathers_evidence_agrees_a_plan_and_downloads_the_report(new_page, people, checkpoint):
    import io

    import pypdf

    # An assessor who sits on the context panel opens an assessment of the second school, leading it.
    assessor = signed_in_as(new_page, people["panel_assessor"], checkpoint, "assessor on the panel")
    follow(assessor, main_nav_link(assessor, "School assessments"))
    go(assessor, "Open a school assessment")
    choose(assessor, assessor.get_by_label("School", exact=True), SECOND_SCHOOL)
    check(assessor, assessor.get_by_label("School assessment by children's social care"))
    type_into(
        assessor,
        assessor.get_by_label("Why is the school being assessed?"),
        "Reports of harmful sexual behaviour between Year 10 students, at school and on the way home.",
    )
    choose(assessor, assessor.get_by_label("Lead assessor (optional)"), "Pat Okafor")
    submit(assessor, "Open the assessment")
    expect(assessor.get_by_role("heading", name=SECOND_SCHOOL)).to_be_visible()
    checkpoint(assessor, "the assessment, opened by the assessor")
    assessment_url = assessor.url
    submit(assessor, "Move to fieldwork")

    # A finding in each domain of the triangle, then the focus group they come from, linked to all three.
    follow(assessor, assessor.get_by_role("link", name="The assessment triangle: findings in each domain"))
    for domain, rating, text, evidence in FINDINGS:
        _add_finding(assessor, domain, rating, text, evidence)
    assessor.goto(assessment_url)
    follow(assessor, assessor.get_by_role("link", name="Methods and evidence"))
    go(assessor, "Add a method")
    check(assessor, assessor.get_by_label("Focus group with students"))
    type_date(assessor, uk_today())
    type_into(assessor, assessor.get_by_label("How many took part? (optional)"), "11")
    type_into(assessor, assessor.get_by_label("Who took part? (optional)"), "Year 10 students, in two groups")
    type_into(assessor, assessor.get_by_label("What was found?"), "Harassment is common between lessons and behind the sports hall; students rarely report it.")
    for _domain, _rating, text, _evidence in FINDINGS:
        check(assessor, assessor.get_by_label(re.compile(re.escape(text))))
    checkpoint(assessor, "the focus group, linked to a finding in each domain")
    submit(assessor, "Save the method")
    expect(assessor.get_by_text("Year 10 students, in two groups")).to_be_visible()

    # The school's DSL adds a strength: "not an inspection".
    dsl = signed_in_as(new_page, people["second_dsl"], checkpoint, "the school's DSL")
    dsl.goto(assessment_url)
    follow(dsl, dsl.get_by_role("link", name="The assessment triangle: findings in each domain"))
    _add_finding(dsl, "Guardianship capacity", "Strength", "Every member of staff knows who the DSL is and how to pass on a worry.", "Staff survey, this term.")
    expect(dsl.get_by_text("Focus group with students").first).to_be_visible()  # supported by
    checkpoint(dsl, "the triangle: a finding in each domain and the school's strength")

    # The plan: an action for the school's DSL in guardianship capacity; then analysis, and the plan agreed.
    assessor.goto(assessment_url)
    follow(assessor, assessor.get_by_role("link", name="Plan and review"))
    type_into(assessor, assessor.get_by_label("What needs to be done?"), ACTION)
    check(assessor, assessor.get_by_role("radio", name="Guardianship capacity"))
    choose(assessor, assessor.get_by_label("Who owns it?"), "Mo Hassan")
    type_date(assessor, uk_today() + timedelta(days=365))  # a year on (29 February has no 'same day next year')
    submit(assessor, "Add the action")
    expect(assessor.get_by_text(ACTION)).to_be_visible()
    checkpoint(assessor, "the plan with its action")
    assessor.goto(assessment_url)
    submit(assessor, "Move to analysis")
    submit(assessor, "Move to plan agreed")
    expect(assessor.get_by_role("heading", name="Stage: Plan agreed")).to_be_visible()
    checkpoint(assessor, "the plan agreed")

    # The report: asked for, built by the job, downloaded; its first page rendered for a person to look at.
    follow(assessor, assessor.get_by_role("link", name="Report (PDF)"))
    checkpoint(assessor, "the reports page")
    submit(assessor, "Create the PDF report")
    expect(assessor.get_by_role("heading", name="Your report is ready")).to_be_visible(timeout=60_000)
    checkpoint(assessor, "the report is ready")
    link = assessor.get_by_role("button", name=re.compile("^Download the report"))
    with assessor.expect_download() as download:
        link.focus()
        assessor.keyboard.press("Enter")
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "OFFICIAL-SENSITIVE" in text and SECOND_SCHOOL in text
    for _domain, _rating, finding, _evidence in FINDINGS:
        assert finding in " ".join(text.split())
    assert "Every member of staff knows who the DSL is" in " ".join(text.split())
    _first_page_as_png(pdf, checkpoint.folder / f"{checkpoint.count + 1:02d}-the-report-first-page.png")
