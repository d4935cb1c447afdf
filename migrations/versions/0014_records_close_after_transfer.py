"""Once a child's child-protection file has been received by their new school, the school that sent it
keeps only the record of the transfer and its receipt: its own records of the child become read-only
(``pupils.file_transferred_at``) and close — nobody at the school sees them — at
``pupils.records_closed_at``: the receipt itself by default, later when the authority's setting keeps a
read-only copy for some days.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs (no constraint, no index): on SQLite anything more would make the batch copy the
    # pupils table, which the casework rows refer to.
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_transferred_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("records_closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.drop_column("records_closed_at")
        batch_op.drop_column("file_transferred_at")
