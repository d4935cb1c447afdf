"""Posts are written in Markdown; pages show only the sanitised HTML rendered from it.

Two layers, so a gap in one is closed by the other:

1. markdown-it-py in CommonMark mode with raw HTML off: anything typed as HTML (``<script>``, ``<img
   onerror>``, ``<iframe>``) is escaped to text; link targets with ``javascript:``, ``vbscript:``,
   ``file:`` or ``data:`` (but for images) are refused and left as text. Images are shown as their
   description only (a post never loads anything). A post's headings are moved below the page's own: its
   highest level becomes ``h3``, any deeper one ``h4`` (so ``#`` and ``##`` become ``h3`` and ``h4``), and
   a post cannot break the page's heading order.
2. nh3 (ammonia) with an explicit allow-list of tags and attributes: only ``http``, ``https`` and
   ``mailto`` links (or relative ones), ``rel="noopener noreferrer nofollow"`` and the GOV.UK link style on
   every link; every other tag and attribute (``on*`` handlers, ``style``, ``src``) is dropped.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

#: Tags a post may contain after rendering.
TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "hr"}
#: Attributes per tag (``rel`` and ``class`` on links are set by the sanitiser itself).
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

#: What the hint under a post's text box lists.
SUPPORTED = (
    "**bold**",
    "*italic*",
    "[link text](https://example.org)",
    "a line starting with - or 1. for a list",
    "> for a quotation",
    "# for a heading",
    "`code`",
)


def _shift_headings(state) -> None:
    """The post's highest heading level becomes h3, deeper ones h4 (the page owns h1 and h2)."""
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    top = min(int(t.tag[1]) for t in headings)
    for token in headings:
        token.tag = "h3" if int(token.tag[1]) == top else "h4"


def _image_as_text(self, tokens, idx, options, env) -> str:
    """An image is shown as its description: a post never makes the browser load anything."""
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.core.ruler.push("shift_headings", _shift_headings)
    md.add_render_rule("image", _image_as_text)
    return md


_MD = _parser()


def clean(html: str) -> str:
    """Sanitise HTML to the post allow-list (the second layer, also usable on its own)."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        set_tag_attribute_values={"a": {"class": "govuk-link"}},
        strip_comments=True,
    )


def render(source: str) -> str:
    """The sanitised HTML of a post's Markdown ``source``."""
    return clean(_MD.render(source or ""))
