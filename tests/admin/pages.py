"""Reading the admin pages as a person would: visible text, the message next to a field, table rows,
the value a form field holds, and the links in an email."""

from __future__ import annotations

import html
import re

from tests.support import text_of


def clean(fragment: str) -> str:
    """Markup to the text a person reads, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def page_text(response) -> str:
    """The visible text of the page, entities decoded."""
    return html.unescape(text_of(response))


def field_error(response, field_id: str) -> str | None:
    """The error message shown next to the field with this id (``None`` if there is none)."""
    markup = response.get_data(as_text=True)
    match = re.search(rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', markup, re.S)
    if match is None:
        return None
    return clean(match.group(1)).removeprefix("Error:").strip()


def table_rows(response) -> list[list[str]]:
    """The cells of each row of the page's (first) table body."""
    markup = response.get_data(as_text=True)
    body = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', markup, re.S)
    assert body is not None, "the page has no table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[clean(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def input_value(response, name: str) -> str | None:
    """The value of the text or hidden input called ``name``."""
    markup = response.get_data(as_text=True)
    for tag in re.findall(r"<input\b[^>]*>", markup):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    return None


def form_actions(response, pattern: str) -> list[str]:
    """The ``action`` of each form on the page whose action matches ``pattern`` (a regular expression)."""
    markup = response.get_data(as_text=True)
    return [html.unescape(a) for a in re.findall(r'<form[^>]*\baction="([^"]+)"', markup) if re.search(pattern, html.unescape(a))]


def buttons(response) -> list[str]:
    """The text of every button on the page."""
    markup = response.get_data(as_text=True)
    return [clean(b) for b in re.findall(r"<button\b[^>]*>(.*?)</button>", markup, re.S)]


def email_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_path(message, part: str) -> str:
    """The path of the link in an email that contains ``part`` (the host is left off)."""
    paths = [path for path in re.findall(r"https?://[^/\s]+(/\S*)", email_body(message)) if part in path]
    assert len(paths) == 1, f"expected one link containing {part!r} in the email, found {paths}"
    return paths[0]
