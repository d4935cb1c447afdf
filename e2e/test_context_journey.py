"""Harm about a school rather than one family, end to end, with the keyboard (and, on the tablet, touch):

a front-door officer raises a context referral about a school → the context panel decides "early help:
the school hosts a safety summit" → the organiser plans the summit, invites a police partner and a
second school (both accept) → uploads the neighbourhood map and makes an anonymous tablet link → young
people place markers through the link on a tablet-sized screen (a tap, the keyboard, and a grid square);
the organiser adds one with the mouse, and the host DSL one without JavaScript
→ the organiser records findings, an action and "You said, we did" → the map shows every marker and the
areas marked unsafe most often.

Every page on the way is screenshotted and checked with axe-core (``checkpoint``).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.test_invitation_journey import main_nav_link, press_enter_on, sign_in, success_banner, type_into
from e2e.test_referral_journey import check, follow, signed_in_as
from portal.clock import uk_today
from portal.demo.mapimage import neighbourhood_map_png
from tests.support import PASSWORD
from tests.world import create_authority, create_organisation, create_user

HOST = "Harbourside Academy"
SECOND = "Quayside School"
POLICE = "Harbourside Police Public Protection Unit"


@pytest.fixture(scope="module")
def people(live_server):
    """An authority of its own: a host school and a second school with their DSLs, the front door (whose
    officer is also on the context panel), and a police partner."""
    app = live_server.app
    authority_id = create_authority(app, "Harbourside Safeguarding Children Partnership", "harbourside", require_two_factor=False)
    host = create_organisation(app, authority_id, HOST, "school", urn="700001", phase="secondary")
    second = create_organisation(app, authority_id, SECOND, "school", urn="700002", phase="secondary")
    social_care = create_organisation(app, authority_id, "Harbourside Children's Services Front Door", "social_care")
    police = create_organisation(app, authority_id, POLICE, "police")
    return {
        "officer": create_user(app, authority_id, "dana.officer@harbourside.example.org", "front_door", social_care, full_name="Dana Officer"),
        "host_dsl": create_user(app, authority_id, "hal.dsl@harbourside.example.org", "dsl", host, full_name="Hal Brennan"),
        "second_dsl": create_user(app, authority_id, "quinn.dsl@harbourside.example.org", "dsl", second, full_name="Quinn Adeyemi"),
        "police": create_user(app, authority_id, "pc.ward@harbourside.example.org", "partner", police, full_name="Pat Ward"),
    }


def choose(page: Page, select: Locator, label: str) -> None:
    """Pick the option of a select whose text contains ``label``, the select having the keyboard focus."""
    select.focus()
    expect(select).to_be_focused()
    value = select.locator("option", has_text=label).first.get_attribute("value")
    select.select_option(value=value)
    expect(select).to_have_value(value)


def type_date(page: Page, day: date) -> None:
    type_into(page, page.get_by_label("Day", exact=True), str(day.day))
    type_into(page, page.get_by_label("Month", exact=True), str(day.month))
    type_into(page, page.get_by_label("Year", exact=True), str(day.year))


def go(page: Page, name: str) -> None:
    """Follow a link, or a link drawn as a button (GOV.UK's start and secondary buttons), with Enter."""
    follow(page, page.get_by_role("link", name=name, exact=True).or_(page.get_by_role("button", name=name, exact=True)).first)


def submit(page: Page, name: str) -> None:
    """Press Enter on a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        press_enter_on(page, page.get_by_role("button", name=name, exact=True))


def accept_invitation(new_page, person, checkpoint, who: str, summit_title: str) -> None:
    page = signed_in_as(new_page, person, checkpoint, who)
    follow(page, main_nav_link(page, "Summits"))
    follow(page, page.get_by_role("link", name=summit_title).first)
    checkpoint(page, f"{who} sees the invitation")
    check(page, page.get_by_label("Yes, we accept the invitation"))
    submit(page, "Send your answer")
    expect(page.get_by_role("heading", name="The plan")).to_be_visible()
    checkpoint(page, f"{who} sees the summit")


def test_context_referral_to_panel_to_safety_summit_with_a_safety_map(new_page, people, checkpoint, tmp_path):
    today = uk_today()

    # A front-door officer raises a context referral about a place near the host school.
    officer = signed_in_as(new_page, people["officer"], checkpoint, "officer")
    follow(officer, main_nav_link(officer, "Context referrals"))
    checkpoint(officer, "context referrals")
    go(officer, "Raise a context referral")
    choose(officer, officer.get_by_label("Which school is it about?"), HOST)
    check(officer, officer.get_by_label("A place near the school"))
    type_into(officer, officer.get_by_label("Describe the place"), "The underpass between the bus station and the canal towpath.")
    type_into(
        officer,
        officer.get_by_label("What is the concern?"),
        "Students are asked to carry packages by older young people; two were threatened there after school.",
    )
    check(officer, officer.get_by_label("Child criminal exploitation (including county lines)"))
    type_into(officer, officer.get_by_label("How many young people are affected? (optional)"), "12")
    check(officer, officer.get_by_label("Year 9"))
    check(officer, officer.get_by_label("The school or other context is one in which harmful incidents take place"))
    checkpoint(officer, "context referral, first step")
    submit(officer, "Continue")
    expect(officer.get_by_text("suggest")).not_to_have_count(0)
    checkpoint(officer, "context referral, the suggested level")
    check(officer, officer.get_by_role("group", name="Do you agree with this level?").get_by_label("Yes"))
    type_into(officer, officer.get_by_label("Why do you think this is the right level?"), "Harm is happening in a place students must pass every day.")
    submit(officer, "Send the context referral")
    expect(success_banner(officer)).to_be_visible()
    checkpoint(officer, "context referral sent")
    referral_url = officer.url

    # The context panel meets, lists it and decides: early help, a safety summit.
    follow(officer, main_nav_link(officer, "Context panel"))
    checkpoint(officer, "context panel")
    go(officer, "Schedule a panel meeting")
    type_date(officer, today)
    type_into(officer, officer.get_by_label("Time"), "10:00")
    type_into(officer, officer.get_by_label("Where is it?"), "Harbour House, room 4")
    checkpoint(officer, "new panel meeting")
    submit(officer, "Save the panel meeting")
    expect(success_banner(officer)).to_be_visible()
    with officer.expect_navigation():
        press_enter_on(officer, officer.get_by_role("button", name=re.compile(f"^List for this meeting.*{HOST}")))
    checkpoint(officer, "panel meeting with the referral listed")
    officer.goto(referral_url)
    go(officer, "Record the panel's decision")
    check(officer, officer.get_by_label("Early help: the school hosts a safety summit"))
    type_into(
        officer,
        officer.get_by_label(re.compile("reason", re.I)),
        "Early help: the school and partners can make the underpass safer with the young people's help.",
    )
    checkpoint(officer, "panel decision")
    submit(officer, "Record the decision")
    expect(officer.get_by_role("heading", name=f"Safety summit at {HOST}")).to_be_visible()
    checkpoint(officer, "the summit the decision opened")
    summit_url = officer.url
    summit_title = f"Safety summit at {HOST}"

    # The organiser plans the summit and invites the police and a second school.
    go(officer, "Edit the plan")
    type_date(officer, today)
    type_into(officer, officer.get_by_label("Start time"), "09:00")
    type_into(officer, officer.get_by_label("End time"), "23:30")
    type_into(officer, officer.get_by_label("Venue (optional)"), "The sports hall")
    type_into(officer, officer.get_by_label("Year 9", exact=True), "40")
    check(officer, officer.get_by_role("group", name="Has consent for the young people to take part been arranged?").get_by_label("Yes"))
    type_into(
        officer,
        officer.get_by_label("How is taking part made inclusive and safe for the young people? (optional)"),
        "Small groups with a familiar adult; no names are written down.",
    )
    checkpoint(officer, "summit plan")
    submit(officer, "Save the plan")
    expect(success_banner(officer)).to_be_visible()
    for organisation in (POLICE, SECOND):
        choose(officer, officer.get_by_label("Invite a school, college or partner agency"), organisation)
        submit(officer, "Send the invitation")
        expect(officer.get_by_role("row", name=re.compile(organisation))).to_contain_text("Waiting for a reply")
    checkpoint(officer, "summit with invitations sent")

    accept_invitation(new_page, people["police"], checkpoint, "police partner", summit_title)
    accept_invitation(new_page, people["second_dsl"], checkpoint, "second school's DSL", summit_title)

    # The organiser adds the neighbourhood mapping activity and uploads the map.
    officer.goto(summit_url)
    expect(officer.get_by_role("row", name=re.compile(POLICE))).to_contain_text("Accepted")
    go(officer, "Add an activity")
    check(officer, officer.get_by_label("Neighbourhood mapping"))
    type_into(officer, officer.get_by_label("Title (optional)"), "Mapping the way home")
    submit(officer, "Save the activity")
    go(officer, "Upload a safety map")
    type_into(officer, officer.get_by_label("Title of the map"), "The streets around Harbourside Academy")
    check(officer, officer.get_by_label("The local area"))
    image = tmp_path / "neighbourhood.png"
    image.write_bytes(neighbourhood_map_png())
    officer.get_by_label("The map image").set_input_files(str(image))
    type_into(
        officer,
        officer.get_by_label("Describe the map for people who cannot see it"),
        "Streets around the school: the park and retail park to the west, the bus station, the underpass and the canal to the east.",
    )
    checkpoint(officer, "map upload")
    submit(officer, "Upload the map")
    expect(success_banner(officer)).to_be_visible()
    map_url = officer.url

    # A tablet link for one group of young people.
    type_into(officer, officer.get_by_label("Which group is the tablet for?"), "Group 1, Year 9")
    submit(officer, "Create a tablet link")
    link = officer.locator("#tablet-link").inner_text().strip()
    checkpoint(officer, "tablet link")

    # On the tablet: no sign-in, a tablet-sized touch screen.
    tablet = new_page(viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True)
    tablet.goto(urlparse(link).path)
    expect(tablet.get_by_role("heading", name="The streets around Harbourside Academy")).to_be_visible()
    expect(tablet.get_by_text(people["officer"].full_name)).to_have_count(0)
    expect(tablet.get_by_text(summit_title)).to_have_count(0)
    checkpoint(tablet, "tablet: the map")

    # A tap on the underpass (right of the middle, just below Station Road).
    canvas = tablet.locator("#map-canvas")
    box = canvas.bounding_box()
    canvas.tap(position={"x": box["width"] * 0.83, "y": box["height"] * 0.55})
    expect(tablet.get_by_role("radio", name="Feels safe", exact=True)).to_be_focused()  # the next question, after the tap
    expect(tablet.get_by_label("Grid square")).to_have_value("G4")
    check(tablet, tablet.get_by_role("radio", name="Feels unsafe"))
    type_into(tablet, tablet.get_by_label("What is there? (optional)"), "The underpass")
    type_into(tablet, tablet.get_by_label("How could it be made safer? (optional)"), "Lights and a camera")
    submit(tablet, "Add the marker")
    checkpoint(tablet, "tablet: a marker placed by touch")

    # With the keyboard: focus the map (the crosshair starts in the middle), move it down to the youth centre, Enter.
    canvas = tablet.locator("#map-canvas")
    canvas.focus()
    expect(canvas).to_be_focused()
    for key in ("Shift+ArrowDown", "Shift+ArrowDown", "Shift+ArrowDown", "Shift+ArrowDown", "ArrowRight", "ArrowRight"):
        tablet.keyboard.press(key)
    tablet.keyboard.press("Enter")
    expect(tablet.get_by_label("Grid square")).to_have_value("E6")
    check(tablet, tablet.get_by_role("radio", name="Feels safe", exact=True))
    type_into(tablet, tablet.get_by_label("What is there? (optional)"), "The youth centre")
    submit(tablet, "Add the marker")

    # A grid square, as without JavaScript.
    choose(tablet, tablet.get_by_label("Grid square"), "H4")
    check(tablet, tablet.get_by_role("radio", name="Feels unsafe"))
    type_into(tablet, tablet.get_by_label("What is there? (optional)"), "The underpass steps")
    type_into(tablet, tablet.get_by_label("How could it be made safer? (optional)"), "Police at home time")
    submit(tablet, "Add the marker")
    expect(tablet.get_by_role("img", name=re.compile(r"^Marker \d+, square"))).to_have_count(3)
    checkpoint(tablet, "tablet: three markers")

    # The organiser places one for another group with the mouse: a click on the bus station.
    officer.goto(map_url)
    canvas = officer.locator("#map-canvas")
    box = canvas.bounding_box()
    canvas.click(position={"x": box["width"] * 0.85, "y": box["height"] * 0.28})
    expect(officer.get_by_label("Grid square")).to_have_value("G2")
    check(officer, officer.get_by_role("radio", name="Feels unsafe"))
    type_into(officer, officer.get_by_label("What is there? (optional)"), "The bus station")
    type_into(officer, officer.get_by_label("Group (optional)"), "Group 2, Year 9")
    submit(officer, "Add the marker")

    # And one without JavaScript, by choosing a grid square.
    plain = new_page(java_script_enabled=False)
    plain.goto("/sign-in")
    sign_in(plain, people["host_dsl"].email, PASSWORD)
    plain.wait_for_url("**/home")
    plain.goto(map_url)
    choose(plain, plain.get_by_label("Grid square"), "E1")
    check(plain, plain.get_by_role("radio", name="Feels safe", exact=True))
    type_into(plain, plain.get_by_label("What is there? (optional)"), "The school gates")
    type_into(plain, plain.get_by_label("Group (optional)"), "Group 3, Year 9")
    submit(plain, "Add the marker")
    checkpoint(plain, "the map without JavaScript, a marker placed by grid square")

    # The organiser sees the markers and the areas marked unsafe most often.
    officer.goto(map_url)
    expect(officer.get_by_role("img", name=re.compile(r"^Marker \d+, square"))).to_have_count(5)
    expect(officer.get_by_role("table").filter(has_text="How placed")).to_contain_text("Keyboard")
    summary = officer.get_by_role("table").filter(has_text="Suggestions to make it safer")
    expect(summary).to_contain_text("Lights and a camera")
    expect(summary).to_contain_text("Police at home time")
    checkpoint(officer, "the map with markers")

    # After the summit: findings, an action for the police, and "You said, we did".
    officer.goto(summit_url)
    with officer.expect_navigation():
        press_enter_on(officer, officer.get_by_role("button", name=re.compile("held", re.I)))
    go(officer, "Add a finding")
    type_into(officer, officer.get_by_label("What did the summit find?"), "Year 9 students feel unsafe in the underpass on the way to the bus station.")
    submit(officer, "Save the finding")
    go(officer, "Add an action")
    type_into(officer, officer.get_by_label("What needs to be done?"), "Patrol the underpass at home time for four weeks")
    choose(officer, officer.get_by_label("Who owns it?"), POLICE)
    due = date.fromordinal(today.toordinal() + 14)
    type_date(officer, due)
    submit(officer, "Save the action")
    go(officer, "Record what young people were told")
    type_into(officer, officer.get_by_label("You said"), "The underpass feels unsafe after school.")
    type_into(officer, officer.get_by_label("We did"), "The police now patrol it at home time.")
    type_date(officer, today)
    type_into(officer, officer.get_by_label("How were they told?"), "A Year 9 assembly")
    submit(officer, "Save")
    expect(officer.get_by_text("The police now patrol it at home time.")).to_be_visible()
    expect(officer.get_by_text("Patrol the underpass at home time for four weeks")).to_be_visible()
    checkpoint(officer, "the summit after: findings, actions, you said we did")

    # The referral links to the summit it opened.
    officer.goto(referral_url)
    expect(officer.get_by_role("link", name=re.compile("Safety summit"))).not_to_have_count(0)
    checkpoint(officer, "the referral, decided, linked to its summit")
