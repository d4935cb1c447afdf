"""Authority administration: organisations, users and memberships, settings, the audit log.

An authority administrator sees no child-level data (separation of duties)."""

from __future__ import annotations

from portal.accounts.models import Role
from portal.features import Feature, MenuEntry, holds

FEATURE = Feature(
    name="admin",
    pages=("portal.admin.views.organisations", "portal.admin.views.users", "portal.admin.views.settings", "portal.admin.views.audit_log"),
    blueprints=("portal.admin.blueprint:bp",),
    menu=(
        MenuEntry("Organisations", "admin.organisations", 190, holds(Role.AUTHORITY_ADMIN), current=("admin.organisation",)),
        MenuEntry("Users", "admin.users", 200, holds(Role.AUTHORITY_ADMIN), current=("admin.user", "admin.membership")),
        MenuEntry("Settings", "admin.settings", 210, holds(Role.AUTHORITY_ADMIN), current=("admin.setting", "admin.dut")),
        MenuEntry("Audit log", "admin.audit_log", 220, holds(Role.AUTHORITY_ADMIN), current=("admin.audit",)),
    ),
)
