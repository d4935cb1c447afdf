"""The pages of the DSL network, one module by topic, each adding its routes to
``portal.forums.blueprint.bp``."""
