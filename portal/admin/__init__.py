"""Authority administration: organisations, users and memberships, settings, the audit log.

An authority administrator sees no child-level data (separation of duties)."""
