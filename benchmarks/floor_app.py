"""The floor for `make bench`, part two: each measured page's HTML rendered from plain data through Jinja,
with no ORM, no session, no database, served by gunicorn like the portal.

The bench saves each page the portal served (``FLOOR_PAGES``, a JSON file: name → HTML); here each page
is taken apart into its tokens (start tags with their attributes, text, end tags) — plain lists and
dicts — and ``/<name>`` renders them again through one Jinja template with autoescaping, so the response
is the same HTML the portal sent, element for element, every text and attribute value escaped as the
portal's templates escape them. What the portal costs beyond this floor is what it adds over rendering:
the ORM, the queries, the checks, the audit, the macros.
"""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

from flask import Flask, abort
from markupsafe import Markup

#: One template for every page: a loop over the page's tokens.
TEMPLATE = (
    "{% for t in tokens %}"
    "{% if t[0] == 's' %}<{{ t[1] }}{% for name, value in t[2] %} {{ name }}{% if value is not none %}=\"{{ value }}\"{% endif %}{% endfor %}>"
    "{% elif t[0] == 'e' %}</{{ t[1] }}>"
    "{% elif t[0] == 't' %}{{ t[1] }}"
    "{% else %}<!{{ t[1] }}>{% endif %}"
    "{% endfor %}"
)


class Tokens(HTMLParser):
    """An HTML document as plain data: ("s", tag, [(name, value)…]), ("e", tag), ("t", text), ("d", decl)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []
        self._raw = False

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("s", tag, attrs))
        self._raw = tag in {"script", "style"}

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(("s", tag, attrs))

    def handle_endtag(self, tag):
        self.tokens.append(("e", tag))
        self._raw = False

    def handle_data(self, data):
        # A script's or a style's text is sent as it is, as the portal's templates send it.
        self.tokens.append(("t", Markup(data) if self._raw else data))

    def handle_decl(self, decl):
        self.tokens.append(("d", Markup(decl)))


def tokens_of(html: str) -> list[tuple]:
    parser = Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def create_floor_app(pages: dict[str, str]) -> Flask:
    app = Flask(__name__)
    template = app.jinja_env.from_string(TEMPLATE)
    parsed = {name: tokens_of(html) for name, html in pages.items()}

    @app.route("/<name>")
    def page(name: str):
        tokens = parsed.get(name)
        if tokens is None:
            abort(404)
        return template.render(tokens=tokens)

    return app


app = create_floor_app(json.loads(Path(os.environ["FLOOR_PAGES"]).read_text()) if "FLOOR_PAGES" in os.environ else {})
