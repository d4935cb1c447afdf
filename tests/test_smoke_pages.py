"""Can each kind of user sign in and reach the pages their role gives them?"""

from tests.support import sign_in, text_of


def test_public_pages_render_without_signing_in(client):
    """Can anyone read the sign-in page, the accessibility statement, the privacy notice and cookies page?"""
    for path, heading in [
        ("/sign-in", "Sign in"),
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
        ("/cookies", "Cookies"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert heading in text_of(response)


def test_admin_signs_in_and_sees_their_authority(client, world):
    """Does an authority administrator land on a dashboard headed with their authority's name?"""
    response = sign_in(client, world.a.admin, follow=True)
    assert response.status_code == 200
    page = text_of(response)
    assert world.a.name in page
    assert "Active users" in page
    assert world.b.name not in page


def test_dsl_home_shows_role_and_school(client, world):
    """Does a DSL's home page say what they are and where, and offer no admin screens?"""
    response = sign_in(client, world.a.dsl1, follow=True)
    page = text_of(response)
    assert "Designated safeguarding lead" in page
    assert "Avonford Primary School" in page
    assert "Audit log" not in page


def test_the_portals_own_files_may_be_cached_and_its_pages_never(client, world):
    """Styles and scripts may be kept by the browser; no page is, signed in or not."""
    import re

    page = client.get("/sign-in")
    assert page.headers["Cache-Control"] == "no-store"
    stylesheet = re.search(r'<link[^>]+href="(/static/[^"]+\.css)"', page.get_data(as_text=True)).group(1)
    asset = client.get(stylesheet)
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("Cache-Control", "")
    sign_in(client, world.a.dsl1)
    assert client.get("/pupils").headers["Cache-Control"] == "no-store"
