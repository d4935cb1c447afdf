"""Public pages (accessibility statement, privacy notice, cookies) and the error pages."""

from __future__ import annotations

from portal.features import Feature

FEATURE = Feature(
    name="pages",
    pages=("portal.pages.views",),
    blueprints=("portal.pages.blueprint:bp",),
    setup=("portal.pages.errors:init_error_handlers",),
)
