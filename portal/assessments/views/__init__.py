"""The pages of the school assessment workspace, one module by topic, each adding its routes to
``portal.assessments.blueprint.bp``."""
