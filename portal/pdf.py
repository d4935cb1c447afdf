"""PDF documents (WeasyPrint) built from a template alone: nothing is ever fetched.

Everything typed into the portal is escaped by Jinja, but a PDF must still never load a file or a URL,
from the network or the disk (a ``file:`` URL would read the server's files into the document). Every
fetch is refused by :class:`RefuseEveryURL`; WeasyPrint logs the refusal and leaves the resource out, and
the document is built without it.
"""

from __future__ import annotations

import logging
import re
import unicodedata

log = logging.getLogger("portal.pdf")


class ExternalResourceRefused(ValueError):
    """The document asked for a file or URL; it is built from the template alone."""


def _fetcher_class():
    from weasyprint import URLFetcher

    class RefuseEveryURL(URLFetcher):
        """A WeasyPrint URL fetcher that fetches nothing (a subclass, as WeasyPrint expects: it reads the
        fetcher's settings when a fetch fails)."""

        def __init__(self):
            super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
            #: The URLs the document asked for (each refused).
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            self.refused.append(url[:200])
            log.warning("A PDF asked for %r: refused", url[:80])
            raise ExternalResourceRefused(f"PDF documents do not load {url[:80]!r}")

    return RefuseEveryURL


def refuse_every_url():
    """A fresh fetcher that refuses every URL (``.refused`` lists what was asked for)."""
    return _fetcher_class()()


def render_pdf(html: str, url_fetcher=None) -> bytes:
    """The PDF of a standalone HTML document, with every external resource refused."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=url_fetcher or refuse_every_url()).write_pdf()


def filename_slug(text: str, fallback: str = "school") -> str:
    """A name for a PDF's file name: ASCII letters and digits, lower case, joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or fallback
