"""The benchmark's floor (``benchmarks.floor_app``) is only a fair floor if it sends the page the portal
sent: rendered from plain data through Jinja, its answer takes apart into the same tags, attributes and
text as the portal's page, for a page with a form, a table and a script."""

from __future__ import annotations

from benchmarks.floor_app import create_floor_app, tokens_of
from tests.support import signed_in_client


def test_the_floor_sends_the_page_the_portal_sent(app, world):
    client = signed_in_client(app, world.a.front_door)
    pages = {name: client.get(path).get_data(as_text=True) for name, path in (("static", "/accessibility"), ("queue", "/front-door/referrals"))}
    assert all("<form" in html or "<main" in html for html in pages.values())
    floor = create_floor_app(pages).test_client()
    for name, html in pages.items():
        answer = floor.get(f"/{name}")
        assert answer.status_code == 200
        again = answer.get_data(as_text=True)
        assert tokens_of(again) == tokens_of(html), name
        assert len(again) > 0.9 * len(html)  # the same document, not a summary of it
    assert floor.get("/nothing").status_code == 404


def test_text_and_attributes_are_escaped_again():
    html = '<!DOCTYPE html><p title="a &quot;b&quot; &amp; c">5 &lt; 6 &amp; <b>bold</b></p><script>if (a < b) {}</script>'
    floor = create_floor_app({"p": html}).test_client()
    again = floor.get("/p").get_data(as_text=True)
    assert "5 &lt; 6 &amp; <b>bold</b>" in again
    assert "<script>if (a < b) {}</script>" in again  # a script's text is sent as it is
    assert tokens_of(again) == tokens_of(html)
