"""Malformed links give their 404 to a signed-in person too, never a 500 — also those answered in another
tenant scope (a tablet's map link), after which the person is loaded again for the
page's navigation."""

from __future__ import annotations

import pytest

from tests.support import signed_in_client


@pytest.mark.parametrize(
    "path",
    [
        "/young-people/avonford/map/xxx",
        "/young-people/nosuch/map/abc",
        "/young-people/avonford/map/xxx/image/abc",
        "/pupils/not-a-uuid",
        "/transfers/123",
    ],
)
def test_a_malformed_link_is_a_404_for_a_signed_in_person(make_app, world, path):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = signed_in_client(app, world.a.dsl1)
    response = client.get(path)
    assert response.status_code == 404, path
    assert "Page not found" in response.get_data(as_text=True)
    assert 'href="/pupils"' in response.get_data(as_text=True)  # the navigation of a signed-in DSL
