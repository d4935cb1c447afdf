"""The pages of disagreements (each module adds its routes to ``portal.disagreements.blueprint.bp``)."""
