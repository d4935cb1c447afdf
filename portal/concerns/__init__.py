"""Concerns: anything any member of staff notices about a child (zero threshold), triaged by the DSL."""
