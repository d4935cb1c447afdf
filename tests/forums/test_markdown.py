"""Posts are Markdown, shown only as sanitised HTML: whatever someone types (a script, an event handler, a
``javascript:`` or ``data:`` link, an iframe, an SVG, a style) renders inert; the formatting the hint offers
works; links are safe (rel, GOV.UK style); a post's headings sit below the page's own."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.forums.markdown import clean, render
from tests.forums.support import make_category, make_thread
from tests.support import signed_in_client


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def assert_inert(html: str) -> None:
    """No script or active element, no event handler or style, no javascript:/data: URL in any attribute."""
    for tag, attrs in tags(html):
        assert tag not in {"script", "img", "iframe", "svg", "object", "embed", "style", "form", "input", "math"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"style", "src", "srcdoc", "formaction"}, (tag, name)
            squeezed = "".join((value or "").split()).lower()
            assert not squeezed.startswith(("javascript:", "data:", "vbscript:")), (tag, name, value)


DANGEROUS = {
    "script": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "javascript link": "[x](javascript:alert(1))",
    "javascript link, mixed case": "[x](JaVaScRiPt:alert(1))",
    "javascript link, entity": "[x](&#106;avascript:alert(1))",
    "javascript autolink": "<javascript:alert(1)>",
    "data image": "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data png image": "![a picture](data:image/png;base64,iVBORw0KGgo=)",
    "raw data link": '<a href="data:text/html;base64,PHNjcmlwdD4=">click</a>',
    "reference data link": "[click][1]\n\n[1]: data:text/html;base64,PHNjcmlwdD4=",
    "iframe": '<iframe src="https://example.org"></iframe>',
    "svg onload": "<svg onload=alert(1)>",
    "style attribute": '<p style="position:fixed;top:0">covering the page</p>',
    "event handler in a link title": '[x](https://example.org "a" onmouseover="alert(1)")',
}


@pytest.mark.parametrize("source", DANGEROUS.values(), ids=DANGEROUS.keys())
def test_dangerous_input_renders_inert(source):
    html = render(source)
    assert_inert(html)
    assert "<script" not in html.lower()


def test_raw_html_is_shown_as_the_text_typed_not_run():
    assert render("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    assert render("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


def test_a_refused_link_stays_as_text_and_an_image_shows_only_its_description():
    assert render("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"
    assert render("![Year 6 *poster*](https://example.org/poster.png)") == "<p>Year 6 poster</p>\n"


def test_the_sanitiser_alone_strips_what_the_markdown_layer_would_never_emit():
    """The second layer: even HTML that got past Markdown (a bug, a future option) is cleaned."""
    html = clean(
        '<a href="javascript:alert(1)" onclick="steal()" style="color:red" rel="opener" class="evil" target="_blank">x</a>'
        '<img src=x onerror=alert(1)><script>alert(1)</script><iframe src="https://example.org"></iframe>'
        '<svg onload="alert(1)"><circle/></svg><h1 id="top">Title</h1><a href="data:text/html,hi">d</a><p onmouseover="x">p</p>'
    )
    assert_inert(html)
    assert "alert" not in html  # the script's content goes with it
    assert tags(html) == [
        ("a", {"class": "govuk-link", "rel": "noopener noreferrer nofollow"}),
        ("a", {"class": "govuk-link", "rel": "noopener noreferrer nofollow"}),
        ("p", {}),
    ]


def test_supported_formatting_works():
    html = render("**bold** and *italic* and `code`\n\n- one\n- two\n\n1. first\n\n> quoted\n\n---\n\n```\nblock\n```")
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html and "<code>code</code>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html and "<ol>\n<li>first</li>\n</ol>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html and "<hr />" in html or "<hr>" in html
    assert "<pre><code>block\n</code></pre>" in html


def test_links_are_safe_and_styled():
    html = render('[the guidance](https://example.org/kcsie "KCSIE") and [email us](mailto:dsl@example.org) and <https://example.org/a>')
    links = [attrs for tag, attrs in tags(html) if tag == "a"]
    assert [a["href"] for a in links] == ["https://example.org/kcsie", "mailto:dsl@example.org", "https://example.org/a"]
    assert all(a["rel"] == "noopener noreferrer nofollow" and a["class"] == "govuk-link" for a in links)
    assert links[0]["title"] == "KCSIE"
    assert render("[ftp](ftp://example.org/file)").count("href") == 0  # only http, https and mailto


def test_headings_are_moved_below_the_pages_own():
    assert render("# Our approach\n\n## Year 6\n\n### Detail") == "<h3>Our approach</h3>\n<h4>Year 6</h4>\n<h4>Detail</h4>\n"
    # A post that starts at level 2 (or 4) still begins at h3: it never skips a level after the page's h2.
    assert render("## Year 6\n\n#### Detail") == "<h3>Year 6</h3>\n<h4>Detail</h4>\n"
    assert "<h1" not in render("Title\n=====") and "<h2" not in render("Sub\n---")
    assert render("Title\n=====") == "<h3>Title</h3>\n"


def test_a_dangerous_post_is_inert_on_the_thread_page(app, world):
    """Through the real page: a post made of every dangerous input shows as text, nothing runs."""
    a = world.a
    category_id = make_category(app, a)
    thread_id, _ = make_thread(app, a, category_id)
    dsl = signed_in_client(app, a.dsl1)
    body = "\n\n".join(DANGEROUS.values())
    response = dsl.post(f"/network/threads/{thread_id}/replies", data={"body": body, "post": "Post"})
    assert response.status_code == 302
    page = dsl.get(f"/network/threads/{thread_id}")
    markup = page.get_data(as_text=True)
    posts = re.findall(r"<article\b.*?</article>", markup, re.S)
    assert len(posts) == 2
    for post in posts:
        assert_inert(post)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in posts[1]  # shown as what was typed
    assert "<script" not in markup.split("<main", 1)[1].split("</main>", 1)[0]
