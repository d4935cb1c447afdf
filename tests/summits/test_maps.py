"""Safety maps, signed in: uploading a map (type read from the bytes, metadata stripped, size recorded),
who may see it, placing markers with the grid form, a pointer or the keyboard, the summary of areas
marked unsafe, and making and turning off tablet links."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from io import BytesIO

import pytest

from tests.summits.map_support import (
    GPS,
    jpeg_with_gps,
    make_link,
    make_map,
    make_marker,
    map_with_partner,
    png_bytes,
    summit_with_partner,
)
from tests.summits.support import add_person, invite, make_activity, make_summit
from tests.support import audit_events, detached_rows, signed_in_client, text_of


def _rows(app, side, model, **filters):
    return detached_rows(app, model, side.authority_id, **filters)


def _markers(app, side):
    from portal.summits.models import MapMarker

    return sorted(_rows(app, side, MapMarker), key=lambda m: m.created_at)


def _form(**changes) -> dict:
    data = {
        "title": "Streets around the school",
        "kind": "neighbourhood",
        "description": "The streets between the school and the bus station. North is at the top.",
        "grid_columns": "8",
        "grid_rows": "6",
        "activity": "",
        "image": (BytesIO(png_bytes()), "map.png"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _error_next_to(response, field: str) -> str:
    """The error message shown next to a field (GOV.UK's ``<p id="<field>-error">``)."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    assert match, f"no error next to {field}"
    return re.sub(r"<[^>]+>|\s+", " ", match[1]).replace("Error:", "").strip()


# Uploading -------------------------------------------------------------------------------------------


def test_an_organiser_uploads_a_map_and_lands_on_its_page(app, world):
    """Does the host school's DSL upload a PNG with a title, a description and a grid, tied to an activity,
    and land on the map's page, with the row, the file and the audit event kept?"""
    from portal.casework import files
    from portal.extensions import db
    from portal.summits.models import MapKind, SafetyMap
    from tenants import tenant_scope

    a = world.a
    summit_id = summit_with_partner(app, a)
    activity_id = make_activity(app, a, summit_id)
    client = signed_in_client(app, a.dsl1)
    page = client.get(f"/summits/{summit_id}/maps/new")
    assert page.status_code == 200 and "Upload a safety map" in text_of(page)
    assert "Mapping our neighbourhood" in text_of(page)

    response = client.post(
        f"/summits/{summit_id}/maps/new",
        data=_form(kind="floor_plan", grid_columns="10", grid_rows="12", activity=str(activity_id), image=(BytesIO(png_bytes(120, 90)), "plan.png")),
    )

    [saved] = _rows(app, a, SafetyMap)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/maps/{saved.id}")
    assert (saved.kind, saved.grid_columns, saved.grid_rows, saved.activity_id) == (MapKind.FLOOR_PLAN, 10, 12, activity_id)
    assert (saved.width, saved.height, saved.content_type, saved.uploaded_by_id) == (120, 90, "image/png", a.dsl1.id)
    assert re.fullmatch(r"[0-9a-f]{64}", saved.storage_key)
    with app.app_context(), tenant_scope(a.authority_id):
        assert len(files.read(saved.storage_key)) == saved.size_bytes
        db.session.rollback()
    [event] = audit_events(app, a.authority_id, "safety_map.uploaded")
    assert event.object_id == str(saved.id) and event.actor_id == a.dsl1.id and event.details["width"] == 120
    page = client.get(response.headers["Location"])
    assert "Streets around the school" in text_of(page) and "North is at the top." in text_of(page)


def test_a_phone_photo_loses_its_location_and_camera_details_and_its_size_is_recorded(app, world):
    """Is a JPEG with EXIF (GPS position, camera make and model) encoded again without any of it, with its
    width, height and stored size recorded?"""
    from PIL import Image

    from portal.casework import files
    from portal.extensions import db
    from portal.summits.models import SafetyMap
    from tenants import tenant_scope

    a = world.a
    summit_id = summit_with_partner(app, a)
    original = jpeg_with_gps(64, 48)
    assert Image.open(BytesIO(original)).getexif().get_ifd(0x8825) == GPS
    client = signed_in_client(app, a.front_door)
    response = client.post(f"/summits/{summit_id}/maps/new", data=_form(image=(BytesIO(original), "IMG_0042.jpg")))
    assert response.status_code == 302

    [saved] = _rows(app, a, SafetyMap)
    with app.app_context(), tenant_scope(a.authority_id):
        stored = files.read(saved.storage_key)
        db.session.rollback()
    kept = Image.open(BytesIO(stored))
    assert (saved.content_type, saved.width, saved.height, saved.size_bytes) == ("image/jpeg", 64, 48, len(stored))
    assert dict(kept.getexif()) == {} and "exif" not in kept.info
    assert b"PhoneMaker" not in stored and b"Pocket Camera" not in stored and b"Exif" not in stored


def test_a_sideways_phone_photo_is_turned_the_right_way_up(app, world):
    """Is a photo whose EXIF says "rotated" stored upright (width and height swapped), since the EXIF that
    said so is removed?"""
    from PIL import Image

    from portal.summits.models import SafetyMap

    a = world.a
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    out = BytesIO()
    Image.new("RGB", (80, 50), (10, 10, 10)).save(out, "JPEG", exif=exif)
    client = signed_in_client(app, a.dsl1)
    assert client.post(f"/summits/{summit_with_partner(app, a)}/maps/new", data=_form(image=(BytesIO(out.getvalue()), "photo.jpg"))).status_code == 302
    [saved] = _rows(app, a, SafetyMap)
    assert (saved.width, saved.height) == (50, 80)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"image": (BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "map.png")}, "image", "The selected file must be a PNG or JPEG image"),
        ({"image": (BytesIO(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "map.gif")}, "image", "The selected file must be a PNG or JPEG image"),
        ({"image": (BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), "broken.png")}, "image", "The selected file could not be read as an image"),
        ({"image": (BytesIO(b""), "empty.png")}, "image", "The selected file is empty"),
        ({"image": None}, "image", "Select a map image"),
        ({"description": "   "}, "description", "Describe the map for people who cannot see it"),
        ({"title": ""}, "title", "Enter a title for the map"),
        ({"kind": None}, "kind", "Choose whether the map shows the local area or a school floor plan"),
        ({"grid_columns": "27"}, "grid_columns", "The number of columns must be a whole number from 2 to 26"),
        ({"grid_columns": "eight"}, "grid_columns", "The number of columns must be a whole number from 2 to 26"),
        ({"grid_rows": "1"}, "grid_rows", "The number of rows must be a whole number from 2 to 30"),
    ],
)
def test_bad_uploads_are_refused_with_a_message_next_to_the_field(app, world, changes, field, message):
    """Is each problem (a file that is not a PNG or JPEG whatever its name, a broken image, an empty or
    missing file, no description, a grid out of range) said next to its field, with nothing saved and what
    was typed kept?"""
    from portal.summits.models import SafetyMap

    a = world.a
    summit_id = summit_with_partner(app, a)
    response = signed_in_client(app, a.dsl1).post(f"/summits/{summit_id}/maps/new", data=_form(**changes))
    assert response.status_code == 200
    assert _error_next_to(response, field).startswith(message)
    assert "There is a problem" in text_of(response) and text_of(response).startswith("Error:")
    assert _rows(app, a, SafetyMap) == []
    if field != "title":
        assert 'value="Streets around the school"' in response.get_data(as_text=True)
    assert audit_events(app, a.authority_id, "safety_map.uploaded") == []


def test_an_image_over_the_attachment_size_limit_is_refused(app, world, monkeypatch):
    """Does the map image have the same size limit as attachments, said next to the field?"""
    from PIL import Image

    from portal.summits.models import SafetyMap

    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    out = BytesIO()
    Image.frombytes("RGB", (700, 600), os.urandom(700 * 600 * 3)).save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024
    a = world.a
    response = signed_in_client(app, a.dsl1).post(f"/summits/{summit_with_partner(app, a)}/maps/new", data=_form(image=(BytesIO(out.getvalue()), "big.png")))
    assert _error_next_to(response, "image") == "The selected file must be smaller than 1MB"
    assert _rows(app, a, SafetyMap) == []


# Who sees a map ----------------------------------------------------------------------------------------


def test_the_image_is_served_only_after_the_policy_check_and_never_cached(app, world):
    """Is the image served to people who may see the summit's content (no-store, nosniff), and refused
    (404) to an uninvited partner, a school not in the summit, and a partner still to answer?"""
    a = world.a
    summit_id = summit_with_partner(app, a)
    map_id = make_map(app, a, summit_id)
    url = f"/maps/{map_id}/image"

    response = signed_in_client(app, a.dsl1).get(url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert signed_in_client(app, a.partner).get(url).status_code == 200

    for person in (a.partner2, a.dsl2, a.staff1, a.governor1):
        assert signed_in_client(app, person).get(url).status_code == 404, person.email
    invite(app, a, summit_id, "health")  # invited, not answered yet: the invitation, not the content
    assert signed_in_client(app, a.partner2).get(url).status_code == 404
    signed_out = app.test_client().get(url)
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.headers["Location"]


def test_an_invited_partner_sees_the_map_but_not_the_facilitators_tools(app, world):
    """Does the police partner, whose organisation accepted the invitation, see the map, its markers and
    the summary, without the marker form or the tablet links? Do the uninvited partner and school2's DSL
    get 404?"""
    a = world.a
    map_id = map_with_partner(app, a)
    make_marker(app, a, map_id, "B3", place="The underpass")
    make_link(app, a, map_id, "Group 7, Year 8")

    page = signed_in_client(app, a.partner).get(f"/maps/{map_id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Streets around the school" in text and "The underpass" in text and "Areas marked unsafe most often" in text
    assert "Place a marker for a group" not in text and "Tablet links for groups" not in text and "Group 7, Year 8" not in text
    assert "maps.js" not in page.get_data(as_text=True)
    for person in (a.partner2, a.dsl2):
        assert signed_in_client(app, person).get(f"/maps/{map_id}").status_code == 404


# Placing markers ---------------------------------------------------------------------------------------


def _place(client, map_id, **fields):
    data = {"square": "", "safety": "unsafe", "place": "", "note": "", "suggestion": "", "group_label": "Group 2, Year 9", "x": "", "y": "", "method": "grid"}
    data.update(fields)
    return client.post(f"/maps/{map_id}/markers", data=data)


def test_a_marker_placed_with_the_grid_form_lands_in_the_centre_of_its_square(app, world):
    """Without JavaScript, does choosing square C2 of an 8 by 6 grid put the marker at that square's centre,
    placed by the grid, by the facilitator, for the group, audited, and listed on the page?"""
    from portal.summits.models import MarkerMethod, Safety

    a = world.a
    map_id = map_with_partner(app, a)
    client = signed_in_client(app, a.dsl1)
    page = client.get(f"/maps/{map_id}")
    html = page.get_data(as_text=True)
    assert '<option value="C2">C2</option>' in html and '<option value="H6">H6</option>' in html and 'value="I1"' not in html
    assert "Never write a young person’s name" in text_of(page)
    assert "/static/js/maps.js" in html

    response = _place(client, map_id, square="C2", place="The underpass", note="Older boys wait there.", suggestion="Better lighting")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/maps/{map_id}#place-marker")

    [marker] = _markers(app, a)
    assert (marker.x, marker.y) == (pytest.approx(2.5 / 8), pytest.approx(1.5 / 6))
    assert (marker.grid_column, marker.grid_row, marker.method, marker.safety) == (2, 1, MarkerMethod.GRID, Safety.UNSAFE)
    assert (marker.placed_by_id, marker.link_id, marker.group_label) == (a.dsl1.id, None, "Group 2, Year 9")
    [event] = audit_events(app, a.authority_id, "safety_map.marker_placed")
    assert event.object_id == str(marker.id) and event.details["square"] == "C2" and event.details["method"] == "grid"
    text = text_of(client.get(f"/maps/{map_id}"))
    assert "Marker added to square C2." in text
    assert "1 C2 Feels unsafe The underpass Older boys wait there. Better lighting Group 2, Year 9 Grid square" in text


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"x": "0.9", "y": "0.1", "method": "pointer", "square": "H1"}, (0.9, 0.1, 7, 0, "pointer")),
        ({"x": "0.05", "y": "0.95", "method": "keyboard", "square": "A6"}, (0.05, 0.95, 0, 5, "keyboard")),
        # A point with no square chosen (the square is worked out from it).
        ({"x": "0.3", "y": "0.5", "method": "pointer", "square": ""}, (0.3, 0.5, 2, 3, "pointer")),
        # The square and the point disagree: the square wins, at its centre.
        ({"x": "0.9", "y": "0.1", "method": "pointer", "square": "A1"}, (0.0625, 1 / 12, 0, 0, "grid")),
        # A point off the map is not used; the square is.
        ({"x": "1.5", "y": "-0.2", "method": "pointer", "square": "B2"}, (0.1875, 0.25, 1, 1, "grid")),
        ({"x": "nan", "y": "0.2", "method": "keyboard", "square": "B2"}, (0.1875, 0.25, 1, 1, "grid")),
        # A point said to come from the grid is placed by the grid.
        ({"x": "0.9", "y": "0.9", "method": "grid", "square": "B2"}, (0.1875, 0.25, 1, 1, "grid")),
    ],
)
def test_a_marker_placed_with_a_pointer_or_the_keyboard_keeps_its_point(app, world, fields, expected):
    """Does a point set by tapping (pointer) or with the keyboard keep its x and y and the way it was placed,
    with the square worked out from it, while a square that disagrees with the point, or a point off the map,
    gives the square's centre?"""
    a = world.a
    map_id = map_with_partner(app, a)
    assert _place(signed_in_client(app, a.head1), map_id, **fields).status_code == 302
    [marker] = _markers(app, a)
    assert (marker.x, marker.y, marker.grid_column, marker.grid_row, marker.method.value) == (
        pytest.approx(expected[0], abs=1e-4),
        pytest.approx(expected[1], abs=1e-4),
        expected[2],
        expected[3],
        expected[4],
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"square": ""}, "square", "Choose the grid square where the place is, or tap the map"),
        ({"square": "", "x": "2", "y": "0.5", "method": "pointer"}, "square", "Choose the grid square where the place is, or tap the map"),
        ({"square": "Z9"}, "square", "Choose a grid square from the list"),
        ({"square": "B2", "safety": ""}, "safety", "Choose whether this place feels safe or unsafe"),
        ({"square": "B2", "group_label": "G" * 61}, "group_label", "The group must be 60 characters or fewer"),
    ],
)
def test_a_marker_with_a_problem_is_not_placed_and_what_was_typed_is_kept(app, world, fields, field, message):
    """Is a marker with no place, a square not on the grid, no safe-or-unsafe answer or too long a group
    refused with the message next to the field, nothing saved, and the typed suggestion kept?"""
    a = world.a
    map_id = map_with_partner(app, a)
    response = _place(signed_in_client(app, a.dsl1), map_id, suggestion="A member of staff at the gate", **fields)
    assert response.status_code == 200
    assert _error_next_to(response, field) == message
    assert "A member of staff at the gate" in response.get_data(as_text=True)
    assert _markers(app, a) == []


def test_a_named_facilitator_places_markers_and_an_invited_partner_may_not(app, world):
    """May a person added to the summit as a facilitator place a marker and make a tablet link, while the
    invited partner (who sees the map) is refused with 403?"""
    a = world.a
    summit_id = summit_with_partner(app, a)
    map_id = make_map(app, a, summit_id)
    invite(app, a, summit_id, "health", "accepted")
    add_person(app, a, summit_id, "partner2", "facilitator")

    facilitator = signed_in_client(app, a.partner2)
    assert "Place a marker for a group" in text_of(facilitator.get(f"/maps/{map_id}"))
    assert _place(facilitator, map_id, square="D4", safety="safe").status_code == 302
    assert facilitator.post(f"/maps/{map_id}/links", data={"link-group_label": "Group 1", "link-lasts": "2"}).status_code == 200
    assert _place(signed_in_client(app, a.partner), map_id, square="D4").status_code == 403
    assert [m.placed_by_id for m in _markers(app, a)] == [a.partner2.id]


def test_an_organiser_removes_a_marker(app, world):
    """Does an organiser remove a marker (say, one naming someone), audited, while a facilitator who is
    not an organiser is refused?"""
    from portal.summits.models import MapMarker

    a = world.a
    summit_id = summit_with_partner(app, a)
    map_id = make_map(app, a, summit_id)
    marker_id = make_marker(app, a, map_id, "E5", place="Jo's house")
    invite(app, a, summit_id, "health", "accepted")
    add_person(app, a, summit_id, "partner2", "facilitator")

    assert signed_in_client(app, a.partner2).post(f"/maps/markers/{marker_id}/delete").status_code == 403
    response = signed_in_client(app, a.dsl1).post(f"/maps/markers/{marker_id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/maps/{map_id}#markers")
    assert _rows(app, a, MapMarker) == []
    [event] = audit_events(app, a.authority_id, "safety_map.marker_removed")
    assert event.object_id == str(marker_id) and event.details["square"] == "E5"


# The summary -----------------------------------------------------------------------------------------


def test_the_summary_lists_areas_marked_unsafe_most_often_with_places_and_suggestions(app, world):
    """Are the squares marked unsafe listed most often first, each with its count, the places named (once
    each) and every suggestion, with squares only ever marked safe left out?"""
    a = world.a
    map_id = map_with_partner(app, a)
    make_marker(app, a, map_id, "D1", suggestion="A member of staff on duty")
    for place, suggestion in (("The alley", "Better lighting"), ("the alley", "CCTV"), ("Bus stop", None)):
        make_marker(app, a, map_id, "B3", place=place, suggestion=suggestion)
    make_marker(app, a, map_id, "C2", place="Park gates")
    make_marker(app, a, map_id, "C2", suggestion="Cut back the bushes")
    make_marker(app, a, map_id, "C2", "safe", place="Library", suggestion="Keep it open later")
    make_marker(app, a, map_id, "A1", "safe", place="The youth club")

    page = signed_in_client(app, a.partner).get(f"/maps/{map_id}")
    html = page.get_data(as_text=True)
    summary = html[html.index("Areas marked unsafe most often") : html.index('id="markers"')]
    rows = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", summary, re.S)[1:]]
    rows = [" ".join(cells) for cells in rows]
    assert rows == [
        "B3 3 0 The alley; Bus stop Better lighting CCTV",
        "C2 2 1 Park gates Cut back the bushes",
        "D1 1 0 None named A member of staff on duty",
    ]
    assert "A1" not in summary and "Keep it open later" not in summary and "The youth club" not in summary
    # Every marker is in the table, which is the map's text alternative, and drawn on the map.
    assert text_of(page).count("Feels unsafe") == 6
    assert html.count('class="app-marker" role="img"') == 8
    assert 'aria-label="Marker 8, square A1: feels safe, The youth club"' in html


def test_safe_and_unsafe_markers_differ_in_shape_and_words(app, world):
    """Is a safe marker a tick in a circle and an unsafe one a cross in a square, each named in words (not
    told apart by colour alone), with a key that says so?"""
    a = world.a
    map_id = map_with_partner(app, a)
    make_marker(app, a, map_id, "A1", "safe")
    make_marker(app, a, map_id, "B2", "unsafe")
    page = signed_in_client(app, a.dsl1).get(f"/maps/{map_id}")
    html = page.get_data(as_text=True)
    assert '<use href="#app-marker-safe">' in html and '<use href="#app-marker-unsafe">' in html
    assert "Marker 1, square A1: feels safe" in html and "Marker 2, square B2: feels unsafe" in html
    assert "A tick in a circle: this place feels safe" in text_of(page) and "A cross in a square: this place feels unsafe" in text_of(page)
    assert "style=" not in html[html.index('class="app-map"') : html.index("What the map shows")]


# Tablet links, from the facilitator's side ----------------------------------------------------------------


def test_a_facilitator_makes_a_tablet_link_shown_once_with_a_qr_code(app, world):
    """Does making a link show its address once, with a QR code, not cached; is only a keyed hash of the
    secret stored; and does the map page then list the link without its address?"""
    from portal.accounts.security import keyed_hash
    from portal.clock import utcnow
    from portal.summits.models import MapLink

    a = world.a
    map_id = map_with_partner(app, a)
    client = signed_in_client(app, a.dsl1)
    response = client.post(f"/maps/{map_id}/links", data={"link-group_label": "Group 2, Year 9", "link-lasts": "3"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    secret = re.search(rf"{re.escape(base)}/young-people/avonford/map/([A-Za-z0-9_-]{{40,}})", html)[1]
    assert "<svg" in html and 'aria-label="QR code of the link for Group 2, Year 9"' in html

    [link] = _rows(app, a, MapLink)
    with app.app_context():
        assert link.token_hash == keyed_hash(secret) and link.token_hash != secret
    assert all(secret not in str(getattr(link, column)) for column in ("token_hash", "group_label", "device_hash", "id"))
    assert link.expires_at - utcnow() == pytest.approx(timedelta(hours=3), abs=timedelta(minutes=1))
    assert (link.claimed_at, link.revoked_at, link.created_by_id) == (None, None, a.dsl1.id)
    [event] = audit_events(app, a.authority_id, "safety_map.link_created")
    assert secret not in str(event.details)

    page = client.get(f"/maps/{map_id}")
    assert secret not in page.get_data(as_text=True)
    assert "Group 2, Year 9" in text_of(page) and "Not yet Working" in text_of(page)


@pytest.mark.parametrize(
    ("ends_in", "default", "expected"),
    [(timedelta(hours=2), "end", timedelta(hours=2)), (timedelta(days=3), "12", timedelta(hours=12)), (-timedelta(days=1), "3", timedelta(hours=3))],
)
def test_a_link_lasts_until_the_summit_ends_and_never_more_than_12_hours(app, world, ends_in, default, expected):
    """Is the default how long a link works until the summit ends (when later today), else 3 hours, never
    more than 12?"""
    from portal.clock import utcnow
    from portal.summits.models import MapLink

    a = world.a
    now = utcnow()
    summit_id = make_summit(app, a, starts_at=now + ends_in - timedelta(hours=4), ends_at=now + ends_in)
    invite(app, a, summit_id, "police", "accepted")
    map_id = make_map(app, a, summit_id)
    client = signed_in_client(app, a.dsl1)
    html = client.get(f"/maps/{map_id}").get_data(as_text=True)
    assert re.search(rf'<input class="govuk-radios__input" id="link-lasts[^"]*" name="link-lasts" type="radio" value="{default}" checked', html)
    assert client.post(f"/maps/{map_id}/links", data={"link-group_label": "Group 4", "link-lasts": default}).status_code == 200
    [link] = _rows(app, a, MapLink)
    assert link.expires_at - now == pytest.approx(expected, abs=timedelta(minutes=1))


def test_a_link_needs_a_group(app, world):
    """Is a link with no group refused next to the field, with nothing made?"""
    from portal.summits.models import MapLink

    a = world.a
    map_id = map_with_partner(app, a)
    response = signed_in_client(app, a.dsl1).post(f"/maps/{map_id}/links", data={"link-group_label": " ", "link-lasts": "3"})
    assert response.status_code == 200
    assert _error_next_to(response, "link-group_label") == "Enter which group the tablet is for, like Group 2, Year 9"
    assert _rows(app, a, MapLink) == []


def test_a_link_is_turned_off(app, world):
    """Does turning a link off record when, audited, and show it as turned off?"""
    from portal.summits.models import MapLink

    a = world.a
    map_id = map_with_partner(app, a)
    link_id, _ = make_link(app, a, map_id, "Group 5")
    client = signed_in_client(app, a.front_door)
    response = client.post(f"/maps/links/{link_id}/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/maps/{map_id}#tablet-links")
    [link] = _rows(app, a, MapLink)
    assert link.revoked_at is not None
    assert [e.object_id for e in audit_events(app, a.authority_id, "safety_map.link_revoked")] == [str(link_id)]
    text = text_of(client.get(f"/maps/{map_id}"))
    assert "The tablet link for Group 5 has been turned off." in text and "Turned off" in text
