"""How long a school keeps a read-only copy of a child-protection file it sent, once the new school has
received it: an authority setting (none by default: the record of the transfer and its receipt stay). The
application role may change a file sent only to remove that copy (its contents counted, its note gone),
never to rewrite what was sent.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

from tenants.schema import ensure_app_role_exists, grant_columns_to_app, is_postgresql, quoted_app_role

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no constraint): on SQLite a constraint would make the batch copy and drop the
    # authorities table, which every tenant row refers to.
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_copy_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("transfer_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    if not is_postgresql(bind):
        return
    ensure_app_role_exists(bind)
    grant_columns_to_app(bind, "transfer_files", "UPDATE", ["content", "note", "disposed_at"])
    op.execute(
        """
        CREATE FUNCTION transfer_files_only_disposed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.disposed_at IS NOT NULL OR NEW.disposed_at IS NULL OR NEW.note IS NOT NULL
               OR (NEW.content ->> 'disposed') IS DISTINCT FROM 'true' THEN
                RAISE EXCEPTION 'a file sent can only have its copy removed, once';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute("CREATE TRIGGER transfer_files_only_disposed BEFORE UPDATE ON transfer_files FOR EACH ROW EXECUTE FUNCTION transfer_files_only_disposed()")


def downgrade():
    if is_postgresql(op.get_bind()):
        op.execute("DROP TRIGGER IF EXISTS transfer_files_only_disposed ON transfer_files")
        op.execute("DROP FUNCTION IF EXISTS transfer_files_only_disposed()")
        op.execute(f"REVOKE UPDATE (content, note, disposed_at) ON transfer_files FROM {quoted_app_role()}")
    with op.batch_alter_table("transfer_files", schema=None) as batch_op:
        batch_op.drop_column("disposed_at")
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.drop_column("sent_copy_days")
