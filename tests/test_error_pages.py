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
