"""The network lead manages the categories (name unique, description, position, archive and restore, a
stale save refused) and invites partners into the network (and removes them); no one else may."""

from __future__ import annotations

import re

from portal.forums.models import ForumCategory, ForumGuest
from portal.notifications.models import Notification
from tests.admin.pages import field_error, input_value, page_text
from tests.forums.support import invite_guest, make_category, name_network_lead
from tests.support import audit_events, detached_rows, signed_in_client
from tests.world import load


def category_form(**changes) -> dict:
    return {
        "name": "Attendance",
        "description": "Children missing education and persistent absence.",
        "position": "2",
        "submit": "Save the category",
        **changes,
    }


def test_only_the_network_lead_manages_categories_and_guests(app, world):
    a = world.a
    category_id = make_category(app, a)
    guest_id = invite_guest(app, a)
    for key in ("dsl1", "head1", "front_door", "admin", "staff1"):  # no one is the lead yet
        client = signed_in_client(app, a.people[key])
        for url in ("/network/categories/manage", "/network/guests"):
            assert client.get(url).status_code == 403, (key, url)
            assert audit_events(app, a.authority_id)[-1].details == {
                "endpoint": url.replace("/network/categories/manage", "forums.categories_manage").replace("/network/guests", "forums.guests")
            }
        assert client.post("/network/categories/manage", data=category_form()).status_code == 403
        assert client.get(f"/network/categories/{category_id}/edit").status_code in (403, 404)
        assert client.post(f"/network/guests/{guest_id}/remove").status_code == 404  # a guest is the lead's to see
    assert len(detached_rows(app, ForumCategory, a.authority_id)) == 1 and len(detached_rows(app, ForumGuest, a.authority_id)) == 1


def test_the_lead_adds_a_category_with_a_unique_name_and_it_is_listed_by_position(app, world):
    a = world.a
    name_network_lead(app, a)
    make_category(app, a, "Online safety")  # position 0
    lead = signed_in_client(app, a.front_door)
    page = lead.get("/network/categories/manage")
    assert page.status_code == 200 and "Online safety 0 0 Open Edit" in page_text(page)

    response = lead.post("/network/categories/manage", data=category_form(name="online SAFETY", position="two"))
    assert response.status_code == 200 and page_text(response).startswith("Error:")
    assert field_error(response, "name") == "There is already a category called online SAFETY"
    assert field_error(response, "position") == "Enter the position as a whole number, like 3"
    assert field_error(lead.post("/network/categories/manage", data=category_form(name=" ")), "name") == "Enter the category's name"
    assert len(detached_rows(app, ForumCategory, a.authority_id)) == 1

    response = lead.post("/network/categories/manage", data=category_form(name="  Attendance   and  absence ", position="-1"))
    assert response.status_code == 302
    category = next(c for c in detached_rows(app, ForumCategory, a.authority_id) if c.name != "Online safety")
    assert (category.name, category.description, category.position, category.created_by_id) == (
        "Attendance and absence",
        "Children missing education and persistent absence.",
        -1,
        a.front_door.id,
    )
    [event] = audit_events(app, a.authority_id, "forum.category_created")
    assert (event.object_id, event.actor_id) == (str(category.id), a.front_door.id)
    text = page_text(signed_in_client(app, a.dsl1).get("/network"))
    assert text.index("Attendance and absence") < text.index("Online safety")


def test_the_lead_edits_archives_and_restores_a_category(app, world):
    a = world.a
    name_network_lead(app, a)
    category_id = make_category(app, a, "Online safety")
    make_category(app, a, "Attendance")
    lead = signed_in_client(app, a.front_door)
    url = f"/network/categories/{category_id}/edit"
    form = lead.get(url)
    assert input_value(form, "name") == "Online safety" and input_value(form, "version") == "1"

    assert field_error(lead.post(url, data=category_form(name="attendance", version="1")), "name") == "There is already a category called attendance"
    response = lead.post(url, data=category_form(name="Online safety and sharing images", position="5", version="1"))
    assert response.status_code == 302
    category = load(app, ForumCategory, category_id, a.authority_id)
    assert (category.name, category.position, category.version) == ("Online safety and sharing images", 5, 2)
    [event] = audit_events(app, a.authority_id, "forum.category_updated")
    assert event.details == {"fields": ["name", "description", "position"]}

    response = lead.post(
        url, data={**category_form(name="Online safety and sharing images", position="5", version="2"), "submit": None, "archive": "Archive the category"}
    )
    assert response.status_code == 302
    assert load(app, ForumCategory, category_id, a.authority_id).archived_at is not None
    assert [e.object_id for e in audit_events(app, a.authority_id, "forum.category_archived")] == [str(category_id)]
    assert "Online safety and sharing images" not in page_text(signed_in_client(app, a.dsl1).get("/network"))
    assert "Archived" in page_text(lead.get("/network/categories/manage"))

    response = lead.post(
        url, data={**category_form(name="Online safety and sharing images", position="5", version="3"), "submit": None, "restore": "Restore the category"}
    )
    assert response.status_code == 302 and load(app, ForumCategory, category_id, a.authority_id).archived_at is None
    assert len(audit_events(app, a.authority_id, "forum.category_restored")) == 1
    assert "Online safety and sharing images" in page_text(signed_in_client(app, a.dsl1).get("/network"))


def test_a_stale_category_save_is_refused_with_what_changed(app, world):
    a = world.a
    name_network_lead(app, a)
    category_id = make_category(app, a, "Online safety")
    lead = signed_in_client(app, a.front_door)
    url = f"/network/categories/{category_id}/edit"
    assert lead.post(url, data=category_form(name="Online safety (2026)", version="1")).status_code == 302
    response = lead.post(url, data=category_form(name="Staying safe online", version="1"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this category while you were editing" in text
    assert "Name Online safety (2026) Staying safe online" in text
    assert input_value(response, "name") == "Staying safe online" and input_value(response, "version") == "2"
    assert load(app, ForumCategory, category_id, a.authority_id).name == "Online safety (2026)"
    assert [e.object_id for e in audit_events(app, a.authority_id, "record.stale_save_refused")] == [str(category_id)]


def test_the_lead_invites_a_partner_who_is_told_and_then_in_the_network_and_removes_them(app, world):
    a = world.a
    name_network_lead(app, a)
    lead = signed_in_client(app, a.front_door)
    page = lead.get("/network/guests")
    options = re.findall(r'<option value="([^"]*)"[^>]*>\s*(.*?)\s*</option>', page.get_data(as_text=True))
    assert [label for _, label in options] == ["Select a person", "Partner (Avonford Police)", "Partner2 (Avonford School Nursing Service)"]
    assert "No partners have been invited yet." in page_text(page)

    response = lead.post("/network/guests", data={"person": str(a.dsl1.id)})
    assert response.status_code == 200 and field_error(response, "person") == "Select a person from the list"
    assert field_error(lead.post("/network/guests", data={"person": ""}), "person") == "Select the person to invite"
    partner = signed_in_client(app, a.partner)
    assert partner.get("/network").status_code == 403

    assert lead.post("/network/guests", data={"person": str(a.partner.id)}).status_code == 302
    [guest] = detached_rows(app, ForumGuest, a.authority_id)
    assert (guest.user_id, guest.invited_by_id) == (a.partner.id, a.front_door.id)
    [event] = audit_events(app, a.authority_id, "forum.guest_invited")
    assert (event.object_id, event.details) == (str(guest.id), {"user": str(a.partner.id)})
    [told] = detached_rows(app, Notification, a.authority_id, user_id=a.partner.id)
    assert (told.title, told.link) == ("You have been invited to the DSL network", "/network")
    assert signed_in_client(app, a.partner).get("/network").status_code == 200

    page = lead.get("/network/guests")
    assert "Partner Avonford Police" in page_text(page) and "by Front_Door" in page_text(page)
    assert "Partner (Avonford Police)" not in page_text(page)  # no longer offered

    assert lead.post(f"/network/guests/{guest.id}/remove").status_code == 302
    assert detached_rows(app, ForumGuest, a.authority_id) == []
    assert [e.object_id for e in audit_events(app, a.authority_id, "forum.guest_removed")] == [str(guest.id)]
    assert signed_in_client(app, a.partner).get("/network").status_code == 403


def test_a_name_used_in_another_authority_is_free_and_its_categories_never_show(app, world):
    a, b = world.a, world.b
    name_network_lead(app, a)
    make_category(app, b, "Attendance")
    lead = signed_in_client(app, a.front_door)
    assert "Attendance" not in page_text(lead.get("/network/categories/manage"))
    assert lead.post("/network/categories/manage", data=category_form(name="Attendance")).status_code == 302
    assert [c.name for c in detached_rows(app, ForumCategory, a.authority_id)] == ["Attendance"]


def test_an_authority_without_a_network_lead_is_told_what_to_do(app, world):
    """Nobody leads the network: its page says who names a lead, and what the lead does."""
    from tests.support import signed_in_client

    page = signed_in_client(app, world.b.dsl1).get("/network").get_data(as_text=True)
    assert "Nobody leads the network yet" in page and "Settings, then Duties" in page
