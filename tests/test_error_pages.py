"""Error pages: in the GOV.UK style, and saying nothing about what exists."""

from tests.support import sign_in, text_of


def test_unknown_page_is_a_plain_404(client):
    """Does an unknown address show the 'Page not found' page?"""
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_server_error_page_keeps_the_layout_and_says_nothing_was_lost(make_app, world):
    """When something breaks, does the user get the GOV.UK 500 page (not a stack trace)?"""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/_broken")
    def broken():
        raise RuntimeError("internal detail that must not be shown")

    client = app.test_client()
    sign_in(client, world.a.dsl1)
    response = client.get("/_broken")
    assert response.status_code == 500
    page = text_of(response)
    assert "Sorry, there is a problem with the service" in page and "internal detail" not in page
    assert world.a.name in page  # still the signed-in layout


def test_forbidden_page_explains_and_is_styled(client, world):
    """Does a refused page say the role does not give access and that attempts are recorded?"""
    sign_in(client, world.a.dsl1)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Your role does not give access to this page" in text_of(response)


def test_the_database_not_answering_is_a_503_service_unavailable(make_app, tmp_path):
    """With the database unreachable, signing in gets the GOV.UK "service unavailable" page with a 503 and a
    Retry-After, never a stack trace."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'gone' / 'portal.sqlite3'}", PROPAGATE_EXCEPTIONS=False)
    response = app.test_client().post("/sign-in", data={"email": "someone@avonford.example.org", "password": "a password"})
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    page = text_of(response)
    assert "Sorry, the service is unavailable" in page and "has not been saved" in page and "OperationalError" not in page


def test_the_database_going_away_mid_request_saves_nothing_half_way(app, world, monkeypatch):
    """The connection is lost after the concern was written but before the request committed: a 503, and
    neither the concern nor its chronology line nor its audit event is saved."""
    from sqlalchemy.exc import OperationalError

    import portal.concerns.service
    from tests.concerns.conftest import concern_form
    from tests.factories import make_pupil
    from tests.support import audit_events, detached_rows, signed_in_client

    pupil_id = make_pupil(app, world.a)
    staff = signed_in_client(app, world.a.staff1)

    def connection_lost(*args, **kwargs):
        raise OperationalError("INSERT INTO notifications ...", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(portal.concerns.service, "notify_all", connection_lost)
    response = staff.post(f"/concerns/new?pupil_id={pupil_id}", data=concern_form())
    assert response.status_code == 503 and "Sorry, the service is unavailable" in text_of(response)
    from portal.casework.models import ChronologyEntry
    from portal.concerns.models import Concern

    assert detached_rows(app, Concern, world.a.authority_id) == []
    assert detached_rows(app, ChronologyEntry, world.a.authority_id) == []
    assert audit_events(app, world.a.authority_id, "concern.logged") == []
