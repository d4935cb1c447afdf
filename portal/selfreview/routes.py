"""Self-review and assurance pages, all on one blueprint (``portal.selfreview.blueprint.bp``)."""

from portal.selfreview import views  # noqa: F401  (its routes are on the blueprint)
from portal.selfreview.blueprint import bp  # noqa: F401
