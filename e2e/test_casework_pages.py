"""The casework pages no journey passes through, on the demo data: the dashboards (school, front door,
authority, with their SVG charts), the pupil register and its CSV import, the authority's concern
categories and working-day calendar. Each page is screenshotted and checked with axe-core; each is
reached from the main navigation or a link, with the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.test_invitation_journey import main_nav_link, press_enter_on, sign_in

DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="module")
def demo(live_server):
    """`flask demo seed` on the live server's database (Northbridge and Southmoor, with casework)."""
    result = live_server.app.test_cli_runner().invoke(args=["demo", "seed"])
    assert "Demo data ready" in result.output, result.output
    return "northbridge.example.org"


def signed_in(new_page, email: str) -> Page:
    page = new_page()
    page.goto("/sign-in")
    sign_in(page, email, DEMO_PASSWORD)
    page.wait_for_url("**/home")
    return page


def open_nav(page: Page, text: str) -> None:
    press_enter_on(page, main_nav_link(page, text))
    page.wait_for_load_state("load")


def test_a_dsl_sees_the_school_dashboard_and_the_register(new_page, demo, checkpoint):
    page = signed_in(new_page, f"dsl.oakfield@{demo}")
    open_nav(page, "Dashboard")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    checkpoint(page, "school dashboard")
    open_nav(page, "Pupils")
    expect(page.get_by_role("table")).to_contain_text("Year")
    checkpoint(page, "pupil register")
    press_enter_on(page, page.get_by_role("button", name="Import from a CSV file"))
    page.wait_for_load_state("load")
    checkpoint(page, "import form")
    open_nav(page, "Referrals")
    checkpoint(page, "school referrals")
    open_nav(page, "Concerns")
    checkpoint(page, "school concerns")


def test_the_front_door_sees_its_dashboard_and_queues(new_page, demo, checkpoint):
    page = signed_in(new_page, f"frontdoor@{demo}")
    open_nav(page, "Dashboard")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    checkpoint(page, "front door and authority dashboard")
    open_nav(page, "Referral queue")
    checkpoint(page, "referral queue")
    open_nav(page, "Advice queue")
    checkpoint(page, "advice queue")


def test_an_administrator_sees_the_authority_dashboard_and_settings(new_page, demo, checkpoint):
    page = signed_in(new_page, f"admin@{demo}")
    open_nav(page, "Dashboard")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    checkpoint(page, "authority dashboard")
    open_nav(page, "Settings")
    press_enter_on(page, page.get_by_role("link", name="Concern categories"))
    page.wait_for_load_state("load")
    checkpoint(page, "concern categories")
    open_nav(page, "Settings")
    press_enter_on(page, page.get_by_role("link", name="Change your authority's working-day calendar"))
    page.wait_for_load_state("load")
    checkpoint(page, "working-day calendar")
