"""Demo data for ``make run``: two authorities, their organisations and one user for every role."""
