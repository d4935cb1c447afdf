"""The anonymous tablet link: no sign-in; one authority's context, found by the slug in the path; one map;
the one browser that opened it first; until it expires or is turned off; and nothing else shown."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from tests.summits.map_support import make_link, make_map, make_marker, map_with_partner, tablet_path
from tests.support import audit_events, detached_rows, signed_in_client, text_of


def _markers(app, side):
    from portal.summits.models import MapMarker

    return detached_rows(app, MapMarker, side.authority_id)


def _link(app, side):
    from portal.summits.models import MapLink

    [link] = detached_rows(app, MapLink, side.authority_id)
    return link


def _marker_form(**fields) -> dict:
    data = {"square": "C2", "safety": "unsafe", "place": "The underpass", "note": "", "suggestion": "Better lighting", "x": "", "y": "", "method": "grid"}
    data.update(fields)
    return data


def _device_cookie(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("map_device=")]
    return header


@pytest.fixture
def tablet(app, world):
    """A map on a summit, a link for one group, and the path the link's address carries."""
    a = world.a
    map_id = map_with_partner(app, a)
    link_id, secret = make_link(app, a, map_id, "Group 3, Year 10")
    return map_id, link_id, tablet_path(a, secret)


def test_the_first_browser_opens_the_link_and_claims_it(app, world, tablet):
    """Does an anonymous browser open the map, get a device cookie (HttpOnly, SameSite=Strict, limited to
    the link's path) whose key is stored only as a keyed hash, with the opening audited and no actor?"""
    from portal.accounts.security import keyed_hash

    a = world.a
    map_id, link_id, path = tablet
    response = app.test_client().get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = text_of(response)
    assert "Streets around the school" in text and "Do not write anyone’s name." in text
    assert "The streets between the school and the bus station; north is up." in text
    cookie = _device_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and f"Path={path}" in cookie and "Secure" not in cookie
    device_key = re.match(r"map_device=([^;]+)", cookie)[1]

    link = _link(app, a)
    assert link.claimed_at is not None and link.device_hash != device_key
    with app.app_context():
        assert link.device_hash == keyed_hash(device_key)
    [opened] = audit_events(app, a.authority_id, "safety_map.link_opened")
    assert (opened.object_id, opened.actor_id) == (str(link_id), None)


def test_the_device_cookie_is_secure_when_the_session_cookie_is(make_app, world, tablet):
    """Behind HTTPS (the session cookie marked Secure), is the device cookie Secure too?"""
    secure_app = make_app(SESSION_COOKIE_SECURE=True)
    assert "Secure" in _device_cookie(secure_app.test_client().get(tablet[2]))


def test_a_group_places_markers_through_its_link(app, world, tablet):
    """Do markers placed on the tablet (grid square, or a point tapped) land on the link's map, for the
    link's group, with no person as the placer, audited with no actor, and appear on the tablet?"""
    from portal.summits.models import MarkerMethod

    a = world.a
    map_id, link_id, path = tablet
    client = app.test_client()
    assert client.get(path).status_code == 200
    response = client.post(path, data=_marker_form())
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    assert (
        client.post(path, data=_marker_form(square="H1", x="0.95", y="0.05", method="pointer", safety="safe", place="The library", suggestion="")).status_code
        == 302
    )

    markers = sorted(_markers(app, a), key=lambda m: m.created_at)
    assert [(m.map_id, m.link_id, m.placed_by_id, m.group_label) for m in markers] == [(map_id, link_id, None, "Group 3, Year 10")] * 2
    assert [(m.grid_column, m.grid_row, m.method) for m in markers] == [(2, 1, MarkerMethod.GRID), (7, 0, MarkerMethod.POINTER)]
    assert (markers[1].x, markers[1].y) == (0.95, 0.05)
    events = audit_events(app, a.authority_id, "safety_map.marker_placed")
    assert [(e.actor_id, e.details["link_id"]) for e in events] == [(None, str(link_id))] * 2
    text = text_of(client.get(path))
    assert "Your marker has been added to square H1." in text
    assert "1 C2 Feels unsafe The underpass Better lighting" in text and "2 H1 Feels safe The library" in text


def test_a_marker_with_a_problem_is_refused_on_the_tablet_with_the_message(app, world, tablet):
    a = world.a
    client = app.test_client()
    client.get(tablet[2])
    response = client.post(tablet[2], data=_marker_form(square="", safety=""))
    assert response.status_code == 200
    text = text_of(response)
    assert "Choose the grid square where the place is, or tap the map" in text and "Choose whether this place feels safe or unsafe" in text
    assert 'value="The underpass"' in response.get_data(as_text=True)
    assert _markers(app, a) == []


def test_the_tablet_shows_nothing_but_its_map_and_its_own_markers(app, world, tablet):
    """Does the tablet page leave out other groups' markers (placed by a facilitator or another link), the
    summit's title and other content, everyone's names, the navigation and the group field?"""
    a = world.a
    map_id, link_id, path = tablet
    make_marker(app, a, map_id, "A1", place="The secret garden", group_label="Group 1, Year 9")
    other_link, _ = make_link(app, a, map_id, "Group 9, Year 11")
    make_marker(app, a, map_id, "B2", place="The bike sheds", link_id=other_link, group_label="Group 9, Year 11")
    make_marker(app, a, map_id, "D4", place="Our own corner", link_id=link_id, group_label="Group 3, Year 10")

    response = app.test_client().get(path)
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Our own corner" in text
    for hidden in (
        "The secret garden",
        "Group 1, Year 9",
        "The bike sheds",
        "Group 9, Year 11",
        "Student Safety Summit",
        "The sports hall",
        "Avonford Primary School",
    ):
        assert hidden not in text, hidden
    for person in a.people.values():
        assert person.full_name not in text and person.email not in html
    assert html.count('class="app-marker" role="img"') == 1
    assert "Sign out" not in text and "govuk-service-navigation" not in html and "govuk-footer" not in html
    assert 'name="group_label"' not in html
    assert "/maps/" not in html and "/summits/" not in html


def test_the_link_works_for_its_own_map_only(app, world, tablet):
    """Is the link's own image served to the tablet, while another map's id through the link is 404 (even
    a map of the same summit), the signed-in image route is closed to the tablet, and a posted map id is
    ignored?"""
    from portal.summits.models import SafetyMap

    a = world.a
    map_id, link_id, path = tablet
    [summit_id] = {m.summit_id for m in detached_rows(app, SafetyMap, a.authority_id)}
    other_map = make_map(app, a, summit_id, title="Ground floor plan")
    client = app.test_client()
    page = client.get(path)
    assert f'src="{path}/image/{map_id}"' in page.get_data(as_text=True) and "Ground floor plan" not in text_of(page)

    image = client.get(f"{path}/image/{map_id}")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.headers["Cache-Control"] == "no-store"
    assert client.get(f"{path}/image/{other_map}").status_code == 404
    assert client.get(f"{path}/image/not-a-map").status_code == 404
    assert client.get(f"/maps/{other_map}/image").status_code == 302  # to the sign-in page
    assert client.get(f"/maps/{other_map}").status_code == 302
    refused = audit_events(app, a.authority_id, "safety_map.link_refused")
    assert [e.details["reason"] for e in refused] == ["other_map", "other_map"]

    assert client.post(path, data=_marker_form(map_id=str(other_map))).status_code == 302
    assert [m.map_id for m in _markers(app, a)] == [map_id]


def test_an_expired_link_says_so_and_saves_nothing(app, world):
    """Is an expired link answered 410 with a page saying it has expired, for the page, a marker and the
    image, with nothing saved and each refusal audited?"""
    a = world.a
    map_id = map_with_partner(app, a)
    client = app.test_client()
    _, secret = make_link(app, a, map_id, expires_in=timedelta(hours=1))
    path = tablet_path(a, secret)
    assert client.get(path).status_code == 200

    from portal.clock import utcnow
    from portal.extensions import db
    from portal.summits.models import MapLink
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(a.authority_id):
        db.session.execute(db.select(MapLink)).scalar_one().expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    response = client.get(path)
    assert response.status_code == 410 and "This link has expired" in text_of(response)
    assert "Streets around the school" not in text_of(response)
    assert client.post(path, data=_marker_form()).status_code == 410
    assert client.get(f"{path}/image/{map_id}").status_code == 410
    assert _markers(app, a) == []
    assert [e.details["reason"] for e in audit_events(app, a.authority_id, "safety_map.link_refused")] == ["expired"] * 3


def test_a_link_made_already_expired_never_opens(app, world):
    a = world.a
    _, secret = make_link(app, a, map_with_partner(app, a), expires_in=-timedelta(seconds=1))
    assert app.test_client().get(tablet_path(a, secret)).status_code == 410
    assert _link(app, a).claimed_at is None


def test_a_link_turned_off_says_so(app, world, tablet):
    """Once a facilitator turns the link off, is the tablet answered 410, saying so, with nothing saved?"""
    a = world.a
    map_id, link_id, path = tablet
    client = app.test_client()
    assert client.get(path).status_code == 200
    assert signed_in_client(app, a.dsl1).post(f"/maps/links/{link_id}/revoke").status_code == 302
    response = client.post(path, data=_marker_form())
    assert response.status_code == 410 and "This link has been turned off" in text_of(response)
    assert _markers(app, a) == []


def test_a_second_browser_is_refused(app, world, tablet):
    """Once one browser has opened the link, is another told it is in use on another device (for the page,
    a marker and the image), with nothing saved, audited, while the first browser carries on?"""
    a = world.a
    map_id, link_id, path = tablet
    first, second = app.test_client(), app.test_client()
    assert first.get(path).status_code == 200

    response = second.get(path)
    assert response.status_code == 403 and "This link is in use on another device" in text_of(response)
    assert "Streets around the school" not in text_of(response)
    assert second.post(path, data=_marker_form()).status_code == 403
    assert second.get(f"{path}/image/{map_id}").status_code == 403
    second.set_cookie("map_device", "a-guessed-device-key", path=path)
    assert second.get(path).status_code == 403
    assert _markers(app, a) == []
    assert [e.details["reason"] for e in audit_events(app, a.authority_id, "safety_map.link_refused")] == ["other_device"] * 4
    assert len(audit_events(app, a.authority_id, "safety_map.link_opened")) == 1

    assert first.post(path, data=_marker_form()).status_code == 302
    assert len(_markers(app, a)) == 1


def test_the_image_is_not_served_before_the_link_is_opened(app, world, tablet):
    map_id, _, path = tablet
    assert app.test_client().get(f"{path}/image/{map_id}").status_code == 403
    assert _link(app, world.a).claimed_at is None


def test_another_authoritys_slug_or_an_unknown_secret_is_not_found(app, world, tablet, caplog):
    """Is a valid secret under another authority's slug 404 (the link is looked up only inside the
    authority the slug names), as are an unknown slug and an unknown secret, with the link left unclaimed?
    A stranger who knows a slug must not be able to write into that authority's audit log: an unknown
    secret is logged for the operators only (without the secret), and no authority's audit log grows."""
    a, b = world.a, world.b
    map_id, _, path = tablet
    secret = path.rsplit("/", 1)[1]
    client = app.test_client()
    before = {side.authority_id: len(audit_events(app, side.authority_id)) for side in (a, b)}
    with caplog.at_level(logging.WARNING):
        assert client.get(tablet_path(b, secret)).status_code == 404
        assert client.get(f"{tablet_path(b, secret)}/image/{map_id}").status_code == 404
        assert client.post(tablet_path(b, secret), data=_marker_form()).status_code == 404
        assert client.get(f"/young-people/nowhere/map/{secret}").status_code == 404
        assert client.get(tablet_path(a, secret[:-2] + "xx")).status_code == 404
    assert _link(app, a).claimed_at is None and _markers(app, a) == []
    assert {side.authority_id: len(audit_events(app, side.authority_id)) for side in (a, b)} == before
    logged = [r.getMessage() for r in caplog.records if "Tablet map link refused" in r.getMessage()]
    assert logged == [f"Tablet map link refused: no such link in authority {b.slug} (from 127.0.0.1)"] * 3 + [
        f"Tablet map link refused: no such link in authority {a.slug} (from 127.0.0.1)"
    ]
    assert not any(secret[:20] in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("side_name", ["a", "b"])
def test_a_browser_signed_in_to_the_portal_is_told_to_sign_out_first(app, world, tablet, side_name):
    """The tablet is handed to young people: a browser signed in to the portal (to the link's own
    authority, or another) must not claim or use the link. Is it told, with 403, to sign out of the portal
    on this device first, for the page, a marker and the image, with the link left unclaimed, nothing
    saved, each refusal audited in the link's authority (no actor) and the other authority untouched?"""
    a, b = world.a, world.b
    map_id, link_id, path = tablet
    client = signed_in_client(app, getattr(world, side_name).dsl1)
    before_b = len(audit_events(app, b.authority_id))
    page = client.get(path)
    assert page.status_code == 403 and "Sign out of the portal on this device first" in text_of(page)
    assert "Streets around the school" not in text_of(page) and "Brackley" not in text_of(page)
    assert not [h for h in page.headers.getlist("Set-Cookie") if h.startswith("map_device=")]
    assert client.post(path, data=_marker_form()).status_code == 403
    assert client.get(f"{path}/image/{map_id}").status_code == 403
    link = _link(app, a)
    assert (link.claimed_at, link.device_hash) == (None, None) and _markers(app, a) == []
    refused = audit_events(app, a.authority_id, "safety_map.link_refused")
    assert [(e.details["reason"], e.object_id, e.actor_id) for e in refused] == [("signed_in", str(link_id), None)] * 3
    if side_name == "b":
        assert len(audit_events(app, b.authority_id)) == before_b
    assert client.get("/home").status_code == 200  # still signed in to the portal afterwards
    # Once the tablet's browser is not signed in, the link works.
    assert app.test_client().get(path).status_code == 200


def test_a_tablet_that_opened_the_link_is_refused_once_signed_in(app, world, tablet):
    """Someone signs in to the portal on a tablet that already holds the link (its device cookie): are
    the page, a marker and the image refused with 403, nothing saved?"""
    a = world.a
    map_id, _, path = tablet
    device_key = re.match(r"map_device=([^;]+)", _device_cookie(app.test_client().get(path)))[1]
    same_tablet = signed_in_client(app, a.dsl1)
    same_tablet.set_cookie("map_device", device_key, path=path)
    assert same_tablet.get(path).status_code == 403
    assert same_tablet.post(path, data=_marker_form()).status_code == 403
    assert same_tablet.get(f"{path}/image/{map_id}").status_code == 403
    assert _markers(app, a) == []
    assert [e.details["reason"] for e in audit_events(app, a.authority_id, "safety_map.link_refused")] == ["signed_in"] * 3


def test_the_links_secret_is_never_stored_in_clear(app, world, tablet):
    """Does no column of the link's row, and no audit event, hold the secret the address carries?"""
    from portal.accounts.security import keyed_hash

    a = world.a
    map_id, link_id, path = tablet
    secret = path.rsplit("/", 1)[1]
    app.test_client().get(path)
    link = _link(app, a)
    values = [str(getattr(link, column.key)) for column in link.__table__.columns]
    assert not any(secret in value for value in values)
    with app.app_context():
        assert link.token_hash == keyed_hash(secret)
    assert not any(secret in str(e.details) for e in audit_events(app, a.authority_id))


def test_a_tablet_sized_page_has_large_touch_targets_and_the_keyboard_script(app, world, tablet):
    """Does the tablet page load the map script from a file (inline scripts are blocked), give the map its
    keyboard instructions in words, and use the tablet's large controls?"""
    html = app.test_client().get(tablet[2]).get_data(as_text=True)
    assert '<script type="module" src="/static/js/maps.js"></script>' in html
    assert re.search(r"<script>(?!</script>)", html) is None
    assert "move the crosshair with the arrow keys (hold Shift to move further), then press Enter or Space" in html
    assert 'class="govuk-button app-tablet-form__submit"' in html and 'id="map-status" aria-live="polite"' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1' in html


def test_too_many_refusals_from_one_address_are_slowed_down(app, world, tablet):
    """After 60 refused attempts in a minute from one address (guessing secrets, say), is the next answered
    429, while a group's own link kept working until then?"""
    a = world.a
    client = app.test_client()
    assert client.get(tablet[2]).status_code == 200
    for attempt in range(60):
        assert client.get(tablet_path(a, f"guess-{attempt:02d}-" + "x" * 30)).status_code == 404
    assert client.get(tablet_path(a, "one-guess-too-many-" + "x" * 30)).status_code == 429


def _close(app, side, map_id) -> None:
    from portal.extensions import db
    from portal.summits.models import SafetyMap, SafetySummit, SummitStatus
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        summit_id = db.session.get(SafetyMap, map_id).summit_id
        db.session.get(SafetySummit, summit_id).status = SummitStatus.CLOSED
        db.session.commit()


def test_a_link_stops_working_when_its_summit_is_closed(app, world, tablet):
    """Once the summit is closed, is its link (even on the tablet that opened it) answered 410 with a page
    saying the summit is closed, for the page, a marker and the image, each refusal audited; and do its
    facilitators see the link as closed, with no new link made?"""
    from portal.summits.models import MapLink

    a = world.a
    map_id, link_id, path = tablet
    client = app.test_client()
    assert client.get(path).status_code == 200
    _close(app, a, map_id)

    response = client.get(path)
    assert response.status_code == 410 and "The summit is closed" in text_of(response)
    assert "Streets around the school" not in text_of(response)
    assert client.post(path, data=_marker_form()).status_code == 410
    assert client.get(f"{path}/image/{map_id}").status_code == 410
    assert _markers(app, a) == []
    assert [e.details["reason"] for e in audit_events(app, a.authority_id, "safety_map.link_refused")] == ["closed"] * 3

    dsl1 = signed_in_client(app, a.dsl1)
    page = text_of(dsl1.get(f"/maps/{map_id}"))
    assert "Group 3, Year 10" in page and "Summit closed" in page and "Make a link for a group’s tablet" not in page
    refused = dsl1.post(f"/maps/{map_id}/links", data={"link-group_label": "Group 4", "link-lasts": "2"}, follow_redirects=True)
    assert "The summit is closed: tablet links can no longer be made for its maps." in text_of(refused)
    assert [link.id for link in detached_rows(app, MapLink, a.authority_id)] == [link_id]


def test_removing_a_person_from_the_summit_turns_off_the_links_they_made(app, world):
    """A facilitator made tablet links for two of the summit's maps, then is removed from the summit: are
    their working links turned off (audited), a tablet using one refused, while another person's link
    and the facilitator's links for another summit keep working?"""
    from portal.partnership.models import Participant
    from tests.summits.map_support import summit_with_partner
    from tests.summits.support import add_person, invite

    a = world.a
    summit_id = summit_with_partner(app, a)
    invite(app, a, summit_id, "health", "accepted")
    participant_id = add_person(app, a, summit_id, "partner2", "facilitator")
    streets, school = make_map(app, a, summit_id), make_map(app, a, summit_id, title="Floor plan of the school")
    first, first_secret = make_link(app, a, streets, "Group 1", by="partner2")
    second, _ = make_link(app, a, school, "Group 2", by="partner2")
    _, old_secret = make_link(app, a, streets, "Group 0", by="partner2", expires_in=-timedelta(minutes=5))
    _, dsl_secret = make_link(app, a, streets, "Group 5", by="dsl1")
    elsewhere = summit_with_partner(app, a)
    invite(app, a, elsewhere, "health", "accepted")
    add_person(app, a, elsewhere, "partner2", "facilitator")
    _, elsewhere_secret = make_link(app, a, make_map(app, a, elsewhere), "Group 9", by="partner2")
    tablet = app.test_client()
    assert tablet.get(tablet_path(a, first_secret)).status_code == 200

    dsl1 = signed_in_client(app, a.dsl1)
    response = dsl1.post(f"/summits/{summit_id}/participants", data={"remove": str(participant_id)}, follow_redirects=True)
    assert "Partner2 is no longer taking part. The 2 tablet links they made have been turned off." in text_of(response)
    assert detached_rows(app, Participant, a.authority_id, summit_id=summit_id, user_id=a.partner2.id) == []

    revoked = audit_events(app, a.authority_id, "safety_map.link_revoked")
    assert sorted((e.object_id, e.details["reason"]) for e in revoked) == sorted([(str(first), "maker_removed"), (str(second), "maker_removed")])
    response = tablet.post(tablet_path(a, first_secret), data=_marker_form())
    assert response.status_code == 410 and "This link has been turned off" in text_of(response)
    assert app.test_client().get(tablet_path(a, old_secret)).status_code == 410
    assert app.test_client().get(tablet_path(a, dsl_secret)).status_code == 200
    assert app.test_client().get(tablet_path(a, elsewhere_secret)).status_code == 200
    assert _markers(app, a) == []


def test_one_tablet_cannot_swamp_the_map(app, world, tablet):
    """A group adds at most 10 markers a minute and 40 in all, told why by the first field and in the error
    summary (audited); after a minute it may add again, up to 40."""
    from datetime import timedelta

    from portal.clock import travel, utcnow
    from portal.summits.map_service import TABLET_MARKERS_PER_GROUP, TABLET_MARKERS_PER_MINUTE

    client = app.test_client()
    path = tablet[2]
    start = utcnow()
    client.get(path)
    for _ in range(TABLET_MARKERS_PER_MINUTE):
        assert client.post(path, data=_marker_form()).status_code == 302
    refused = client.post(path, data=_marker_form())
    assert refused.status_code == 200 and "10 markers in the last minute. Wait a minute before adding another" in text_of(refused)
    assert len(_markers(app, world.a)) == TABLET_MARKERS_PER_MINUTE
    for minute in range(1, 4):
        with travel(start + timedelta(minutes=minute, seconds=5)):
            for _ in range(TABLET_MARKERS_PER_MINUTE):
                assert client.post(path, data=_marker_form()).status_code == 302
    with travel(start + timedelta(minutes=5)):
        full = client.post(path, data=_marker_form())
        assert "40 markers, the most a group can add" in text_of(full)
    assert len(_markers(app, world.a)) == TABLET_MARKERS_PER_GROUP
    assert len(audit_events(app, world.a.authority_id, "safety_map.marker_limited")) == 2
