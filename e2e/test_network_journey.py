"""The DSL network and self-review, end to end, with the keyboard:

a DSL starts a thread (with a script, an onerror image, a javascript: link and a data URL in it, which
render inert: no dialog ever opens) → a second school's DSL replies quoting it → the network lead hides the
reply with a reason, and the other DSL no longer sees it; a head completes the twelve-question self-review,
adding two actions to the development plan, and marks it complete; then opens the governor report (its
ratings as counts), records the school's training dates, and downloads the report as a PDF.

Every page on the way is screenshotted and checked with axe-core (``checkpoint``).
"""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from playwright.sync_api import expect

from e2e.test_assessment_journey import _first_page_as_png
from e2e.test_context_journey import choose, go, submit, type_date
from e2e.test_invitation_journey import main_nav_link, type_into
from e2e.test_referral_journey import check, follow, signed_in_as
from portal.clock import uk_today
from tests.world import create_authority, create_organisation, create_user

TITLE = "Group chats that start at home"
OPENING = (
    "How are other schools handling Year 6 group chats that start at home?\n\n"
    "<script>alert('script')</script> <img src=x onerror=\"alert('img')\"> "
    "[a link](javascript:alert('link')) ![a picture](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"
)
REPLY = "We ask parents to talk about it at the Year 6 transition meeting."
HIDE_REASON = "Names a family by mistake: hidden while the author edits it."


@pytest.fixture(scope="module")
def people(live_server):
    """An authority of its own: two schools and their DSLs, a head, and a network lead in social care."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.extensions import db
    from tenants.context import tenant_scope

    app = live_server.app
    authority_id = create_authority(app, "Fernhill Safeguarding Children Partnership", "fernhill", require_two_factor=False)
    first = create_organisation(app, authority_id, "Fernhill Primary School", "school", urn="900001", phase="primary")
    second = create_organisation(app, authority_id, "Brook Lane Primary School", "school", urn="900002", phase="primary")
    social_care = create_organisation(app, authority_id, "Fernhill Children's Services", "social_care")
    lead = create_user(app, authority_id, "lee.lead@fernhill.example.org", "front_door", social_care, full_name="Lee Network")
    with app.app_context(), tenant_scope(authority_id):
        db.session.add(AuthorityDuty(user_id=lead.id, duty=Duty.NETWORK_LEAD))
        db.session.commit()
    return {
        "lead": lead,
        "dsl": create_user(app, authority_id, "ada.dsl@fernhill.example.org", "dsl", first, full_name="Ada Brown"),
        "second_dsl": create_user(app, authority_id, "ben.dsl@fernhill.example.org", "dsl", second, full_name="Ben Carter"),
        "head": create_user(app, authority_id, "hana.head@fernhill.example.org", "head", first, full_name="Hana Head"),
    }


def _no_dialogs(page) -> list[str]:
    """Every dialog a page opens is recorded (and dismissed): a sanitised post must open none."""
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def test_dsls_share_practice_and_the_network_lead_moderates(new_page, people, checkpoint):
    # The network lead adds a category.
    lead = signed_in_as(new_page, people["lead"], checkpoint, "network lead")
    follow(lead, main_nav_link(lead, "DSL network"))
    checkpoint(lead, "the network")
    follow(lead, lead.get_by_role("link", name="Add the first category"))
    type_into(lead, lead.get_by_label("Name", exact=True), "Online safety")
    type_into(lead, lead.get_by_label("Description (optional)"), "Apps, gaming, sharing images, group chats.")
    checkpoint(lead, "a new category")
    submit(lead, "Add the category")

    # A DSL starts a thread; what they typed that could run is shown as text, and nothing runs.
    dsl = signed_in_as(new_page, people["dsl"], checkpoint, "DSL")
    dialogs = _no_dialogs(dsl)
    follow(dsl, main_nav_link(dsl, "DSL network"))
    follow(dsl, dsl.get_by_role("link", name="Online safety"))
    go(dsl, "Start a new thread")
    type_into(dsl, dsl.get_by_label("Title"), TITLE)
    type_into(dsl, dsl.get_by_label("Your post"), OPENING)
    submit(dsl, "Preview")
    checkpoint(dsl, "the preview")
    submit(dsl, "Post")
    expect(dsl.get_by_role("heading", name=TITLE)).to_be_visible()
    checkpoint(dsl, "the thread")
    assert dialogs == []
    assert dsl.locator("main script").count() == 0
    assert dsl.locator("main [onerror]").count() == 0
    assert dsl.locator("main a[href^='javascript:'], main [src^='data:'], main a[href^='data:']").count() == 0

    # A second school's DSL replies, quoting the opening post.
    second = signed_in_as(new_page, people["second_dsl"], checkpoint, "second school's DSL")
    second_dialogs = _no_dialogs(second)
    follow(second, main_nav_link(second, "DSL network"))
    follow(second, second.get_by_role("link", name=TITLE).first)
    follow(second, second.get_by_role("link", name="Quote").first)
    expect(second.get_by_text("Ada Brown wrote:")).to_be_visible()
    type_into(second, second.get_by_label("Your post"), REPLY)
    submit(second, "Post")
    expect(second.get_by_text(REPLY)).to_be_visible()
    expect(second.locator("blockquote").first).to_contain_text("How are other schools handling Year 6 group chats")
    checkpoint(second, "the reply with its quote")
    assert second_dialogs == []

    # The network lead hides the reply, with a reason; the first DSL no longer sees it.
    lead.goto(second.url)
    follow(lead, lead.get_by_role("link", name="Hide").last)
    type_into(lead, lead.get_by_label("Why are you hiding this post?"), HIDE_REASON)
    checkpoint(lead, "hiding a post")
    submit(lead, "Hide the post")
    expect(lead.get_by_text(HIDE_REASON)).to_be_visible()
    checkpoint(lead, "the thread as the lead sees it")
    dsl.reload()
    expect(dsl.get_by_text(REPLY)).to_have_count(0)
    checkpoint(dsl, "the thread without the hidden reply")


def test_a_head_completes_the_twelve_questions_with_two_actions(new_page, people, checkpoint):
    head = signed_in_as(new_page, people["head"], checkpoint, "head")
    follow(head, main_nav_link(head, "Self-review"))
    checkpoint(head, "self-review")
    with head.expect_navigation():
        button = head.get_by_role("button", name="Start the Twelve practical tips for safeguarding practice in schools", exact=False).first
        button.focus()
        head.keyboard.press("Enter")
    checkpoint(head, "the review, started")
    follow(head, head.get_by_role("link", name="Rate and add evidence for question 1", exact=True))
    ratings = ["Green"] * 12
    ratings[3], ratings[7] = "Amber", "Red"
    actions = {
        3: "Termly supervision for every member of staff with a safeguarding role.",
        7: "Pupil voice group to report on how safe pupils feel, each half term.",
    }
    for number, rating in enumerate(ratings):
        check(head, head.get_by_role("radio", name=rating, exact=True))
        type_into(head, head.get_by_label("Evidence (optional)"), f"Evidence for question {number + 1}: policies, records and what staff say.")
        if number in actions:
            type_into(head, head.get_by_label("What needs to be done?"), actions[number])
            choose(head, head.get_by_label("Who owns it?"), "Hana Head")
            type_date(head, date(uk_today().year + 1, 3, 31))
            checkpoint(head, f"question {number + 1} with an action")
        submit(head, "Save and continue")
    checkpoint(head, "every question rated")
    submit(head, "Mark as complete")
    expect(head.get_by_text("Completed").first).to_be_visible()
    checkpoint(head, "the review, complete")
    go(head, "Development plan")
    for text in actions.values():
        expect(head.get_by_text(text)).to_be_visible()
    checkpoint(head, "the development plan with two actions")

    # The governor report: the review's ratings as counts (1 red, 1 amber, 10 green), the plan's two actions.
    follow(head, main_nav_link(head, "Governor report"))
    expect(head.get_by_role("heading", name="Governor report", exact=False).first).to_be_visible()
    totals = head.locator("tr", has=head.get_by_role("rowheader", name="All questions", exact=True))
    expect(totals.get_by_role("cell")).to_have_text(["1", "1", "10", "0"])
    expect(head.locator("tr", has=head.get_by_role("rowheader", name="All actions", exact=True)).get_by_role("cell")).to_have_text(["2"])
    expect(head.get_by_text("Not recorded").first).to_be_visible()
    checkpoint(head, "the governor report")
    # The school's training and review dates, kept by the head.
    follow(head, head.get_by_role("link", name="Change the training and review dates", exact=True))
    checkpoint(head, "the training and review dates")
    trained = date(uk_today().year - 1, 9, 4)
    fieldset = head.get_by_role("group", name="When did all staff last have safeguarding training? (optional)")
    type_into(head, fieldset.get_by_label("Day", exact=True), str(trained.day))
    type_into(head, fieldset.get_by_label("Month", exact=True), str(trained.month))
    type_into(head, fieldset.get_by_label("Year", exact=True), str(trained.year))
    submit(head, "Save the dates")
    expect(head.get_by_text(f"4 September {trained.year}", exact=True)).to_be_visible()
    checkpoint(head, "the governor report with the training date")
    # The same report as a PDF.
    link = head.get_by_role("link", name="Download the report as a PDF", exact=False)
    with head.expect_download() as download:
        link.focus()
        head.keyboard.press("Enter")
    pdf = open(download.value.path(), "rb").read()
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "OFFICIAL-SENSITIVE" in text and "Fernhill Primary School" in text and "Governor report" in text
    assert f"4 September {trained.year}" in text
    _first_page_as_png(pdf, checkpoint.folder / f"{checkpoint.count + 1:02d}-the-governor-report-pdf-first-page.png")
