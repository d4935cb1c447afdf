"""Self-review and assurance pages, all on one blueprint (``portal.selfreview.blueprint.bp``)."""

from portal.selfreview import governor, views  # noqa: F401  (their routes are on the blueprint)
from portal.selfreview.blueprint import bp  # noqa: F401
