"""QR codes drawn as inline SVG (segno, no image files, no script): for an authenticator app's key and
for a safety map's tablet link."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    """``text`` as a QR code, inline SVG in GOV.UK black on white, with a quiet border."""
    svg = segno.make(text, error="m").svg_inline(scale=4, omitsize=True, border=2, dark="#0b0c0c", light="#ffffff")
    return Markup(svg)
