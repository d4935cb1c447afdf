"""The network's shared resources: adding one (the type read from the file's bytes, the size limit), new
versions numbered in turn (the creator or the network lead), a stale upload or edit refused with what
changed, downloads served through the policy (audited, as an attachment, never sniffed or cached), the
category filter, and an archived resource gone from the library."""

from __future__ import annotations

import re
import uuid
from io import BytesIO
from pathlib import Path

from portal.forums.models import ForumResource, ForumResourceVersion
from tests.admin.pages import field_error, input_value, page_text
from tests.casework.conftest import TINY_PDF, TINY_PNG
from tests.factories import _scope
from tests.forums.support import invite_guest, make_category, name_network_lead
from tests.support import audit_events, detached_rows, signed_in_client

#: A renamed executable: "policy.pdf" by its name, a Windows program by its bytes.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200

TYPE_REFUSED = "The selected file must be a PDF, JPEG, PNG, Word, Excel or OpenDocument file"


def make_resource(
    app,
    side,
    *,
    by: str = "dsl1",
    title: str = "Online safety policy template",
    description: str | None = "A model policy for primary schools.",
    category_id=None,
    filename: str = "online-safety-policy.pdf",
    data: bytes = TINY_PDF,
    archived: bool = False,
) -> tuple[uuid.UUID, uuid.UUID]:
    """A resource with its first version, the file in the store: (resource id, version id)."""
    from portal.casework import files
    from portal.clock import utcnow
    from portal.extensions import db

    person = side.people[by]
    with _scope(app, side, person):
        resource = ForumResource(
            title=title, description=description, category_id=category_id, created_by_id=person.id, archived_at=utcnow() if archived else None
        )
        db.session.add(resource)
        db.session.flush()
        key = files.new_key()
        files.write(key, data)
        version = ForumResourceVersion(
            resource_id=resource.id,
            number=1,
            storage_key=key,
            filename=filename,
            content_type="application/pdf",
            size_bytes=len(data),
            uploaded_by_id=person.id,
            note="First version.",
        )
        db.session.add(version)
        db.session.commit()
        return resource.id, version.id


def resource_form(**changes) -> dict:
    form = {
        "title": "Keeping children safe online: staff training",
        "description": "Slides for a twilight session.\nAbout an hour.",
        "category": "",
        "file": (BytesIO(TINY_PDF), "staff-training.pdf"),
        "note": "Checked against this year's guidance.",
    }
    form.update(changes)
    return form


def version_form(latest: int = 1, data: bytes = TINY_PDF, filename: str = "policy-v2.pdf", note: str = "New contact numbers.") -> dict:
    return {"file": (BytesIO(data), filename), "note": note, "latest": str(latest)}


def _stored(app, side) -> list[Path]:
    root = Path(app.config["FILE_STORE_PATH"]) / str(side.authority_id)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _versions(app, side, resource_id) -> list:
    return sorted(detached_rows(app, ForumResourceVersion, side.authority_id, resource_id=resource_id), key=lambda v: v.number)


def test_a_member_adds_a_resource_which_is_listed_with_its_first_version(app, world):
    a = world.a
    category = make_category(app, a, "Policy templates")
    dsl = signed_in_client(app, a.dsl1)
    form = page_text(dsl.get("/network/resources/new"))
    assert "Add a resource" in form and "Never share a document about a child." in form
    assert "up to 10MB" in form and "The type is checked from the file itself, not its name." in form

    before = set(_stored(app, a))
    response = dsl.post("/network/resources/new", data=resource_form(category=str(category), file=(BytesIO(TINY_PDF), "staff training.pdf")))
    [resource] = detached_rows(app, ForumResource, a.authority_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/network/resources/{resource.id}")
    assert (resource.title, resource.description, resource.category_id, resource.created_by_id) == (
        "Keeping children safe online: staff training",
        "Slides for a twilight session.\nAbout an hour.",
        category,
        a.dsl1.id,
    )
    [version] = _versions(app, a, resource.id)
    assert (version.number, version.filename, version.content_type, version.size_bytes, version.uploaded_by_id, version.note) == (
        1,
        "staff training.pdf",
        "application/pdf",
        len(TINY_PDF),
        a.dsl1.id,
        "Checked against this year's guidance.",
    )
    [path] = set(_stored(app, a)) - before
    assert path.name == version.storage_key and path.read_bytes() == TINY_PDF
    [event] = audit_events(app, a.authority_id, "forum.resource_added")
    assert (event.object_id, event.actor_id, event.details["type"]) == (str(resource.id), a.dsl1.id, "application/pdf")

    # Another school's DSL sees it in the library and on its page, with who uploaded what and when.
    other = signed_in_client(app, a.dsl2)
    listing = page_text(other.get("/network/resources"))
    assert "Keeping children safe online: staff training Policy templates Version 1" in listing
    assert a.dsl1.full_name in listing
    page = page_text(other.get(f"/network/resources/{resource.id}"))
    assert "Slides for a twilight session." in page and "Category Policy templates" in page
    assert f"1 Download staff training.pdf (version 1) {len(TINY_PDF)} bytes PDF {a.dsl1.full_name}," in page
    assert "Checked against this year's guidance." in page
    assert "Upload a new version" not in page and "Archive this resource" not in page  # not theirs


def test_a_file_that_is_not_an_allowed_type_is_refused_by_its_bytes_and_what_was_typed_is_kept(app, world):
    a = world.a
    dsl = signed_in_client(app, a.dsl1)
    before = _stored(app, a)
    response = dsl.post("/network/resources/new", data=resource_form(file=(BytesIO(EXECUTABLE), "policy.pdf")))
    assert response.status_code == 200
    assert field_error(response, "file") == TYPE_REFUSED
    assert "There is a problem" in page_text(response)
    assert input_value(response, "title") == "Keeping children safe online: staff training"
    assert "Slides for a twilight session." in response.get_data(as_text=True)
    assert detached_rows(app, ForumResource, a.authority_id) == [] and _stored(app, a) == before

    response = dsl.post("/network/resources/new", data=resource_form(file=(BytesIO(b""), "")))
    assert field_error(response, "file") == "Select the file to upload"
    response = dsl.post("/network/resources/new", data=resource_form(title="  ", file=(BytesIO(TINY_PNG), "photo.png")))
    assert field_error(response, "title") == "Enter a title"
    response = dsl.post("/network/resources/new", data=resource_form(category=str(uuid.uuid4())))
    assert field_error(response, "category") == "Select a category from the list"
    assert detached_rows(app, ForumResource, a.authority_id) == []


def test_a_file_over_the_size_limit_is_refused(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    a = world.a
    response = signed_in_client(app, a.dsl1).post("/network/resources/new", data=resource_form(file=(BytesIO(TINY_PDF + b"%" * (1024 * 1024)), "big.pdf")))
    assert field_error(response, "file") == "The selected file must be smaller than 1MB"
    assert detached_rows(app, ForumResource, a.authority_id) == []


def test_new_versions_are_numbered_in_turn_by_the_creator_or_the_network_lead(app, world):
    a = world.a
    name_network_lead(app, a)
    resource_id, _first = make_resource(app, a)
    creator = signed_in_client(app, a.dsl1)
    assert "Upload a new version" in page_text(creator.get(f"/network/resources/{resource_id}"))

    response = creator.post(f"/network/resources/{resource_id}/versions", data=version_form(1, TINY_PNG, "poster.png", "A poster for the staff room."))
    assert response.status_code == 302
    lead = signed_in_client(app, a.front_door)
    assert (
        lead.post(f"/network/resources/{resource_id}/versions", data=version_form(2, filename="policy-v3.pdf", note="Updated for September.")).status_code
        == 302
    )

    versions = _versions(app, a, resource_id)
    assert [(v.number, v.filename, v.content_type, v.uploaded_by_id) for v in versions] == [
        (1, "online-safety-policy.pdf", "application/pdf", a.dsl1.id),
        (2, "poster.png", "image/png", a.dsl1.id),
        (3, "policy-v3.pdf", "application/pdf", a.front_door.id),
    ]
    assert [e.details["number"] for e in audit_events(app, a.authority_id, "forum.resource_version_added")] == [2, 3]
    page = page_text(creator.get(f"/network/resources/{resource_id}"))
    assert page.index("policy-v3.pdf (version 3)") < page.index("poster.png (version 2)") < page.index("online-safety-policy.pdf (version 1)")
    assert "Updated for September." in page and "PNG image" in page

    # Someone else in the network may not (403, audited); a file of the wrong type is refused.
    other = signed_in_client(app, a.dsl2)
    assert other.post(f"/network/resources/{resource_id}/versions", data=version_form(3)).status_code == 403
    assert audit_events(app, a.authority_id, "access.denied")[-1].actor_id == a.dsl2.id
    response = creator.post(f"/network/resources/{resource_id}/versions", data=version_form(3, EXECUTABLE, "policy-v4.pdf"))
    assert field_error(response, "file") == TYPE_REFUSED
    assert len(_versions(app, a, resource_id)) == 3


def test_an_upload_against_an_older_version_is_refused_showing_the_newer_one(app, world):
    a = world.a
    resource_id, _first = make_resource(app, a)
    creator = signed_in_client(app, a.dsl1)
    assert creator.post(f"/network/resources/{resource_id}/versions", data=version_form(1, filename="from-another-tab.pdf")).status_code == 302

    response = creator.post(f"/network/resources/{resource_id}/versions", data=version_form(1, filename="mine.pdf", note="My changes to the contacts."))
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this resource while you were editing" in text
    assert f"Latest version Version 2: from-another-tab.pdf, uploaded by {a.dsl1.full_name}" in text
    assert "Version 1: online-safety-policy.pdf" in text
    assert field_error(response, "file") == "Check the version uploaded meanwhile, then select your file again if it is still needed"
    assert "My changes to the contacts." in response.get_data(as_text=True)
    assert input_value(response, "latest") == "2"  # the next upload is made against the version there now
    assert [v.filename for v in _versions(app, a, resource_id)] == ["online-safety-policy.pdf", "from-another-tab.pdf"]
    [stale] = audit_events(app, a.authority_id, "record.stale_save_refused")
    assert (stale.object_type, stale.object_id) == ("forum_resource", str(resource_id))


def test_the_details_are_edited_with_locking(app, world):
    a = world.a
    category = make_category(app, a, "Policy templates")
    resource_id, _first = make_resource(app, a)
    creator = signed_in_client(app, a.dsl1)
    assert input_value(creator.get(f"/network/resources/{resource_id}/edit"), "version") == "1"
    form = {"title": "Online safety policy (primary)", "description": "A model policy.", "category": str(category), "version": "1"}
    assert creator.post(f"/network/resources/{resource_id}/edit", data=form).status_code == 302
    [resource] = detached_rows(app, ForumResource, a.authority_id)
    assert (resource.title, resource.category_id, resource.version) == ("Online safety policy (primary)", category, 2)
    assert audit_events(app, a.authority_id, "forum.resource_updated")[0].details["fields"] == ["title", "description", "category"]

    response = creator.post(f"/network/resources/{resource_id}/edit", data={**form, "title": "My older title", "version": "1"})
    text = page_text(response)
    assert "Someone else changed this resource while you were editing" in text
    assert "Title Online safety policy (primary) My older title" in text
    assert input_value(response, "title") == "My older title" and input_value(response, "version") == "2"
    assert detached_rows(app, ForumResource, a.authority_id)[0].title == "Online safety policy (primary)"
    assert signed_in_client(app, a.dsl2).get(f"/network/resources/{resource_id}/edit").status_code == 403


def test_a_download_goes_through_the_policy_is_audited_and_is_never_sniffed_or_cached(app, world):
    a, b = world.a, world.b
    invite_guest(app, a, "partner")
    resource_id, version_id = make_resource(app, a, filename="online safety policy.pdf")
    url = f"/network/resource-versions/{version_id}/download"

    for key in ("dsl2", "partner"):  # any member of the network, an invited partner included
        response = signed_in_client(app, a.people[key]).get(url)
        assert response.status_code == 200 and response.data == TINY_PDF, key
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;") and "online safety policy.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
    downloads = audit_events(app, a.authority_id, "forum.resource_downloaded")
    assert [(e.actor_id, e.object_id, e.details["resource"]) for e in downloads] == [
        (a.dsl2.id, str(version_id), str(resource_id)),
        (a.partner.id, str(version_id), str(resource_id)),
    ]

    for key in ("staff1", "governor1", "admin", "partner2"):  # not in the network: 404, as for a file that is not there
        assert signed_in_client(app, a.people[key]).get(url).status_code == 404, key
        assert signed_in_client(app, a.people[key]).get(f"/network/resources/{resource_id}").status_code == 404, key
        assert audit_events(app, a.authority_id, "access.not_found")[-1].actor_id == a.people[key].id
    assert signed_in_client(app, b.dsl1).get(url).status_code == 404  # another authority's DSL
    assert len(audit_events(app, a.authority_id, "forum.resource_downloaded")) == 2


def test_the_library_filters_by_category_and_an_archived_resource_leaves_it(app, world):
    a = world.a
    online = make_category(app, a, "Online safety")
    policies = make_category(app, a, "Policy templates")
    resource_id, _v = make_resource(app, a, title="Group chat guidance for parents", category_id=online)
    make_resource(app, a, title="Child protection policy template", category_id=policies)
    make_resource(app, a, title="An old leaflet", archived=True)
    dsl = signed_in_client(app, a.dsl2)

    listing = page_text(dsl.get("/network/resources"))
    assert "Group chat guidance for parents" in listing and "Child protection policy template" in listing
    assert "An old leaflet" not in listing
    filtered = page_text(dsl.get(f"/network/resources?category={online}"))
    assert "Resources in Online safety (1)" in filtered
    assert "Group chat guidance for parents" in filtered and "Child protection policy template" not in filtered
    assert "All resources (2)" in page_text(dsl.get("/network/resources?category=not-an-id"))

    # The creator archives one: it leaves the list, its page says so, and nothing more can be uploaded.
    creator = signed_in_client(app, a.dsl1)
    assert "Archive this resource" in page_text(creator.get(f"/network/resources/{resource_id}"))
    assert creator.post(f"/network/resources/{resource_id}/archive", data={"version": "1"}).status_code == 302
    assert "Group chat guidance for parents" not in page_text(dsl.get("/network/resources"))
    page = page_text(creator.get(f"/network/resources/{resource_id}"))
    assert "This resource was archived on" in page and "Upload a new version" not in page and "Archive this resource" not in page
    assert [e.object_id for e in audit_events(app, a.authority_id, "forum.resource_archived")] == [str(resource_id)]
    assert creator.post(f"/network/resources/{resource_id}/versions", data=version_form(1)).status_code == 403
    assert len(_versions(app, a, resource_id)) == 1


def test_archiving_a_resource_changed_meanwhile_is_refused(app, world):
    a = world.a
    resource_id, _v = make_resource(app, a)
    creator = signed_in_client(app, a.dsl1)
    assert (
        creator.post(f"/network/resources/{resource_id}/edit", data={"title": "Renamed", "description": "", "category": "", "version": "1"}).status_code == 302
    )

    response = creator.post(f"/network/resources/{resource_id}/archive", data={"version": "1"})
    assert response.status_code == 200
    assert "Someone else changed this resource while you were looking at it" in page_text(response)
    assert detached_rows(app, ForumResource, a.authority_id)[0].archived_at is None
    assert audit_events(app, a.authority_id, "record.stale_save_refused")[-1].object_id == str(resource_id)
    assert re.search(r'name="version" value="2"', response.get_data(as_text=True))


def test_people_outside_the_network_cannot_open_the_library(app, world):
    a = world.a
    make_resource(app, a)
    for key in ("staff1", "governor1", "admin", "partner"):
        client = signed_in_client(app, a.people[key])
        assert client.get("/network/resources").status_code == 403, key
        assert client.post("/network/resources/new", data=resource_form()).status_code == 403, key
    assert len(detached_rows(app, ForumResource, a.authority_id)) == 1
    invite_guest(app, a, "partner")
    assert "Online safety policy template" in page_text(signed_in_client(app, a.partner).get("/network/resources"))


def test_an_archived_resource_is_withdrawn_from_everyone_but_its_creator_and_the_lead(app, world):
    """Archiving takes a document out of circulation (say, one found to identify a child): another member
    gets 404 on its page and its files, even with the link; the creator and the network lead still open it."""
    a = world.a
    resource_id, version_id = make_resource(app, a, title="Worksheet with a pupil's name on it")
    page, download = f"/network/resources/{resource_id}", f"/network/resource-versions/{version_id}/download"
    other = signed_in_client(app, a.dsl2)
    assert other.get(page).status_code == 200 and other.get(download).status_code == 200
    name_network_lead(app, a)
    lead = signed_in_client(app, a.front_door)
    assert lead.post(f"{page}/archive", data={"version": "1"}).status_code == 302

    assert other.get(page).status_code == 404 and other.get(download).status_code == 404
    assert audit_events(app, a.authority_id, "access.not_found")[-1].actor_id == a.dsl2.id
    for person in (a.dsl1, None):
        client = signed_in_client(app, person) if person else lead
        assert client.get(page).status_code == 200 and client.get(download).status_code == 200
