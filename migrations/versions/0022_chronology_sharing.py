"""The DSL's choice, when sending a referral, whether the front door may read the child's chronology from
it: ``referrals.chronology_shared`` (yes unless said otherwise, so the referrals already sent share it)
and ``referrals.chronology_not_shared_reason``.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("chronology_shared", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("chronology_not_shared_reason", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("chronology_not_shared_reason")
        batch.drop_column("chronology_shared")
