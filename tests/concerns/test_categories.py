"""The authority's own concern categories: added by the authority administrator, offered on the concern
form, archived when no longer wanted (kept on the concerns logged under them)."""

from __future__ import annotations

from portal.concerns.models import ConcernCategory
from tests.admin.pages import field_error, page_text
from tests.concerns.conftest import concern_form
from tests.support import audit_events


def _category_id(rows, world, label):
    [category] = [c for c in rows(ConcernCategory, world.a.authority_id) if c.label == label]
    return category


def test_added_category_is_offered_and_an_archived_one_is_not(app, world, pupil, signed_in, rows, concerns):
    """Does a category the administrator adds appear on the concern form (for that authority only), and
    after archiving disappear from it, while a concern logged under it keeps its label?"""
    admin = signed_in(world.a.admin)
    settings = admin.get("/admin/settings").get_data(as_text=True)
    assert 'href="/concerns/categories"' in settings

    response = admin.post("/concerns/categories", data={"label": "  Knife   crime "})
    assert response.status_code == 302
    assert "‘Knife crime’ has been added." in page_text(admin.get("/concerns/categories"))
    category = _category_id(rows, world, "Knife crime")
    assert category.key.startswith("custom-knife-crime-")
    [added] = audit_events(app, world.a.authority_id, "concern.category_added")
    assert added.actor_id == world.a.admin.id and added.details["key"] == category.key

    staff = signed_in(world.a.staff1)
    form = staff.get(f"/concerns/new?pupil_id={pupil}").get_data(as_text=True)
    assert f'value="{category.key}"' in form and "Knife crime" in form
    assert staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form(category=category.key)).status_code == 302
    [concern] = concerns(world.a.authority_id)
    assert concern.category == category.key

    b_staff = signed_in(world.b.staff1)
    from tests.factories import make_pupil

    b_pupil = make_pupil(app, world.b)
    assert "Knife crime" not in b_staff.get(f"/concerns/new?pupil_id={b_pupil}").get_data(as_text=True)

    assert admin.post(f"/concerns/categories/{category.id}/archive").status_code == 302
    assert _category_id(rows, world, "Knife crime").archived_at is not None
    [archived] = audit_events(app, world.a.authority_id, "concern.category_archived")
    assert archived.object_id == str(category.id)
    listing = page_text(admin.get("/concerns/categories"))
    assert "Knife crime Archived" in listing

    form = staff.get(f"/concerns/new?pupil_id={pupil}").get_data(as_text=True)
    assert category.key not in form and "Knife crime" not in form
    refused = staff.post(f"/concerns/new?pupil_id={pupil}", data=concern_form(category=category.key))
    assert refused.status_code == 200 and field_error(refused, "category") is not None
    assert len(concerns(world.a.authority_id)) == 1

    dsl = signed_in(world.a.dsl1)
    assert "Knife crime" in page_text(dsl.get(f"/concerns/{concern.id}"))
    assert "Knife crime" in page_text(dsl.get("/concerns"))


def test_a_category_name_is_checked(world, signed_in, rows):
    """Are an empty name, a too-long one, a built-in category and a duplicate (any case) refused next to the field?"""
    admin = signed_in(world.a.admin)
    assert admin.post("/concerns/categories", data={"label": "Young carer"}).status_code == 302
    cases = [
        ("", "Enter the name of the category"),
        ("   ", "Enter the name of the category"),
        ("x" * 121, "The name must be 120 characters or fewer"),
        ("self-harm", "‘self-harm’ is already a built-in category"),
        ("YOUNG CARER", "Your authority already has a category called ‘YOUNG CARER’"),
    ]
    for label, message in cases:
        response = admin.post("/concerns/categories", data={"label": label})
        assert response.status_code == 200, label
        assert field_error(response, "label") == message, label
    assert [c.label for c in rows(ConcernCategory, world.a.authority_id)] == ["Young carer"]


def test_built_in_categories_are_listed_and_cannot_be_archived(world, signed_in):
    """Does the page list the built-in categories without an archive button?"""
    response = signed_in(world.a.admin).get("/concerns/categories")
    page = page_text(response)
    assert "Neglect (hunger, hygiene, clothing, supervision)" in page and "Built-in categories cannot be removed." in page
    assert "/archive" not in response.get_data(as_text=True)


def test_only_the_authority_administrator_manages_categories(world, signed_in):
    """Are the DSL and a member of staff refused the categories page (403)?"""
    for person in (world.a.dsl1, world.a.staff1, world.a.head1):
        client = signed_in(person)
        assert client.get("/concerns/categories").status_code == 403
        assert client.post("/concerns/categories", data={"label": "Sneaky"}).status_code == 403
