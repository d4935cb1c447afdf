"""Tenant isolation: the only package that knows how it works.

Features declare a model tenant-owned by inheriting :class:`tenants.orm.TenantOwned` and ask
``portal.policies`` what the current user may see. Everything else is here:

* :mod:`tenants.context` — the current tenant, per request and per job, and the explicit platform scope;
* :mod:`tenants.orm` — the SQLAlchemy hooks (automatic criteria, fail-closed, ``authority_id`` stamping,
  the PostgreSQL session setting for row-level security);
* :mod:`tenants.schema` — composite keys for tenant-owned tables and the row-level-security DDL used by
  migrations;
* :mod:`tenants.directory` — the one sanctioned cross-tenant read: which authority an email signs in to.
"""

from tenants.context import (  # noqa: F401  (re-exported)
    CrossTenantWrite,
    TenantContext,
    TenantContextMissing,
    current,
    current_authority_id,
    platform_scope,
    require_authority_id,
    tenant_scope,
)
