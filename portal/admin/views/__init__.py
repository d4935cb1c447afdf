"""The authority administration pages, one module per topic: organisations, users and their roles, settings
and duties, the audit log. Every object is fetched through ``portal.policies`` (404 for anything outside
the authority); the changes are made by ``portal.admin.service``."""
