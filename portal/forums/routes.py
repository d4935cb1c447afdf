"""The DSL network's pages, all on one blueprint (``portal.forums.blueprint.bp``)."""

from portal.forums import resources, search, subscriptions, views  # noqa: F401  (their routes are on the blueprint)
from portal.forums.blueprint import bp  # noqa: F401
