"""Sealing an audited transaction's events takes one round trip fewer: ``audit_chain_head(authority)``
takes the authority's chain lock (the transaction's advisory lock the portal always took) and then reads
the chain's last row, in one call. The read comes after the lock with a snapshot of its own (each
statement of a volatile PL/pgSQL function takes a new snapshot under READ COMMITTED), so no event
committed by another transaction while this one waited for the lock is missed. It runs as its caller:
row-level security still applies. PostgreSQL only (SQLite has one writer at a time and no lock).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

"""

from alembic import op

from tenants.schema import is_postgresql, quoted_app_role

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    if not is_postgresql(op.get_bind()):
        return
    op.execute(
        """
        CREATE FUNCTION audit_chain_head(p_authority uuid)
            RETURNS TABLE (seq integer, hash varchar)
            LANGUAGE plpgsql VOLATILE SECURITY INVOKER
            SET search_path = pg_catalog, public
        AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended('audit:' || p_authority::text, 0));
            RETURN QUERY
                SELECT e.seq, e.hash FROM public.audit_events AS e
                WHERE e.authority_id = p_authority ORDER BY e.seq DESC LIMIT 1;
        END
        $$;
        REVOKE ALL ON FUNCTION audit_chain_head(uuid) FROM PUBLIC;
        """
    )
    op.execute(f"GRANT EXECUTE ON FUNCTION audit_chain_head(uuid) TO {quoted_app_role()}")


def downgrade():
    if is_postgresql(op.get_bind()):
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head(uuid)")
