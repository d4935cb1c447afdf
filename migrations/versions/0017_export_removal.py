"""A chronology PDF's file is removed EXPORT_KEPT_DAYS after it was made (``casework.remove_old_exports``):
the row keeps when, so its page can say so. A plain ADD COLUMN.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chronology_exports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("chronology_exports", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
