"""The front door's decided referrals, latest first, read off an index: a partial index on (authority_id,
decided_at, id) of the decided and closed referrals (the view scanned every referral of the authority,
and its cost grew with them).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

DECIDED = "status IN ('decided', 'closed')"


def upgrade():
    op.create_index(
        "ix_referrals_decided",
        "referrals",
        ["authority_id", "decided_at", "id"],
        unique=False,
        postgresql_where=sa.text(DECIDED),
        sqlite_where=sa.text(DECIDED),
    )


def downgrade():
    op.drop_index("ix_referrals_decided", table_name="referrals")
