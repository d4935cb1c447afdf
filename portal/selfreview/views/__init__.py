"""The pages of self-review and assurance, one module by topic, each adding its routes to
``portal.selfreview.blueprint.bp``."""
