"""Can the core administration tasks be done with JavaScript switched off, with the keyboard?"""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.test_invitation_journey import press_enter_on, sign_in, sign_out, type_into
from tests.support import PASSWORD
from tests.world import create_authority, create_user


def test_admin_adds_and_corrects_an_organisation_without_javascript(new_page, live_server, checkpoint):
    """With no JavaScript, can an administrator sign in, add a school (seeing an error next to a wrong
    URN, with what they typed kept), fix it, find it in the list, and sign out?"""
    # An authority of its own: the other journeys change their authority's settings.
    authority_id = create_authority(live_server.app, "Calder Vale Safeguarding Partnership", "calder-vale")
    admin = create_user(live_server.app, authority_id, "admin@calder-vale.example.org", "authority_admin", None, full_name="Ceri Admin")
    page = new_page(java_script_enabled=False)
    page.goto("/sign-in")
    assert page.evaluate("() => document.body.classList.contains('js-enabled')") is False
    checkpoint(page, "sign-in without javascript")
    sign_in(page, admin.email, PASSWORD)
    page.wait_for_url("**/home")
    checkpoint(page, "home")

    page.goto("/admin/organisations/new")
    type_into(page, page.get_by_label("Name"), "Brook Lane Primary School")
    radio = page.get_by_label("School", exact=True)
    radio.focus()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()
    type_into(page, page.get_by_label("Unique reference number (URN)"), "12AB")
    press_enter_on(page, page.get_by_role("button", name="Save organisation"))
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#urn-error")).to_contain_text("URN must be 6 digits")
    expect(page.get_by_label("Name")).to_have_value("Brook Lane Primary School")
    checkpoint(page, "organisation with a wrong urn")

    type_into(page, page.get_by_label("Unique reference number (URN)"), "654321", replace=True)
    press_enter_on(page, page.get_by_role("button", name="Save organisation"))
    page.wait_for_url("**/admin/organisations")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Brook Lane Primary School has been added.")
    expect(page.get_by_role("row", name="Brook Lane Primary School School 654321")).to_be_visible()
    checkpoint(page, "organisations")

    sign_out(page, checkpoint, "signed out")
