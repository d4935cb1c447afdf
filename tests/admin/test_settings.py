"""The authority's settings: everyone must use two-factor authentication, a stale save, and naming people for duties."""

from __future__ import annotations

import re

from portal.authorities.models import Authority, AuthorityDuty
from tests.admin.pages import clean, field_error, form_actions, input_value, page_text
from tests.support import audit_events
from tests.world import load

NETWORK_LEAD = "DSL network lead (moderates the forums)"


def _save(client, *, require_two_factor: bool, version: str | None = None):
    """Load the settings page and save it (with ``version`` in place of the page's, to act on a stale page)."""
    page = client.get("/admin/settings")
    data = {"settings-version": version or input_value(page, "settings-version")}
    if require_two_factor:
        data["settings-require_two_factor"] = "y"
    return client.post("/admin/settings", data=data)


def _requires_two_factor(app, authority_id) -> bool:
    return load(app, Authority, authority_id, authority_id).require_two_factor


def test_turn_on_two_factor_for_everyone(app, admin, world, signed_in):
    """Turning on 'Everyone must use two-factor authentication': is it saved and audited, and is a DSL
    without it asked to set it up before anything else (in this authority only)?"""
    page = admin.get("/admin/settings")
    assert "Everyone must use two-factor authentication" in page_text(page)
    response = _save(admin, require_two_factor=True)
    assert response.status_code == 302
    assert _requires_two_factor(app, world.a.authority_id) is True
    assert _requires_two_factor(app, world.b.authority_id) is False
    changed = audit_events(app, world.a.authority_id, "authority.settings_changed")
    assert [(e.actor_id, e.details) for e in changed] == [(world.a.admin.id, {"require_two_factor": True})]

    dsl = signed_in(world.a.dsl1)
    assert dsl.get("/notifications").headers["Location"].endswith("/account/two-factor")
    assert signed_in(world.b.dsl1).get("/notifications").status_code == 200


def test_a_stale_settings_page_is_refused(app, admin, admin2, admin2_person, world):
    """If another administrator saved the settings after this page was loaded, is the save refused with a
    message next to the setting, saving nothing, and can it then be saved again?"""
    stale_version = input_value(admin.get("/admin/settings"), "settings-version")
    assert _save(admin2, require_two_factor=True).status_code == 302
    assert _save(admin2, require_two_factor=False).status_code == 302

    refused = _save(admin, require_two_factor=True, version=stale_version)
    assert refused.status_code == 200
    assert field_error(refused, "settings-require_two_factor").startswith("Someone else changed the settings while you were editing them")
    assert _requires_two_factor(app, world.a.authority_id) is False
    changed = audit_events(app, world.a.authority_id, "authority.settings_changed")
    assert [e.actor_id for e in changed] == [admin2_person.id, admin2_person.id]

    again = admin.post("/admin/settings", data={"settings-version": input_value(refused, "settings-version"), "settings-require_two_factor": "y"})
    assert again.status_code == 302
    assert _requires_two_factor(app, world.a.authority_id) is True


def _duty_section(page, label: str) -> str:
    """The text under one duty's heading on the settings page."""
    markup = page.get_data(as_text=True)
    match = re.search(rf'<h3 class="govuk-heading-s">{re.escape(label)}</h3>(.*?)<h3', markup, re.S)
    assert match is not None, f"no heading {label!r}"
    return clean(match.group(1))


def test_name_and_remove_a_network_lead(app, admin, world):
    """Naming a person DSL network lead: are they listed under that duty (and only that one), is it audited,
    and does Remove take them off?"""
    response = admin.post("/admin/settings/duties", data={"duty-user": str(world.a.dsl1.id), "duty-duty": "network_lead"})
    assert response.status_code == 302
    page = admin.get("/admin/settings")
    assert "Dsl1 has been named: DSL network lead (moderates the forums)." in page_text(page)
    assert _duty_section(page, NETWORK_LEAD).startswith("Dsl1 Remove")
    assert _duty_section(page, "Context panel member") == "Nobody named yet."
    assigned = audit_events(app, world.a.authority_id, "duty.assigned")
    assert [e.details for e in assigned] == [{"user_id": str(world.a.dsl1.id), "duty": "network_lead"}]

    [remove] = form_actions(page, r"/admin/settings/duties/[^/]+/remove$")
    page = admin.get(admin.post(remove).headers["Location"])
    assert "The duty has been removed." in page_text(page)
    assert _duty_section(page, NETWORK_LEAD) == "Nobody named yet."
    assert [e.details for e in audit_events(app, world.a.authority_id, "duty.removed")] == [{"user_id": str(world.a.dsl1.id), "duty": "network_lead"}]


def test_naming_the_same_person_twice_is_refused(admin, world, count):
    """Is naming someone for a duty they already have refused with a message next to the person?"""
    data = {"duty-user": str(world.a.dsl1.id), "duty-duty": "network_lead"}
    assert admin.post("/admin/settings/duties", data=data).status_code == 302
    again = admin.post("/admin/settings/duties", data=data)
    assert again.status_code == 400
    assert field_error(again, "duty-user") == "Dsl1 is already named for this duty"
    assert count(AuthorityDuty, world.a.authority_id) == 1


def test_a_person_from_another_authority_cannot_be_named(app, admin, world, count):
    """Is a person of authority B refused (not found) when their id is sent as A's network lead, with nothing saved anywhere?"""
    page = admin.get("/admin/settings")
    assert str(world.b.dsl1.id) not in page.get_data(as_text=True)
    response = admin.post("/admin/settings/duties", data={"duty-user": str(world.b.dsl1.id), "duty-duty": "network_lead"})
    assert response.status_code == 404
    assert count(AuthorityDuty, world.a.authority_id) == 0
    assert count(AuthorityDuty, world.b.authority_id) == 0
    assert audit_events(app, world.a.authority_id, "duty.assigned") == []
    assert _duty_section(admin.get("/admin/settings"), NETWORK_LEAD) == "Nobody named yet."
