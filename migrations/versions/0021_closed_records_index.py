"""Leaving out the records of pupils whose file went to a new school reads an index of those pupils
only: a partial index on pupils (authority_id, records_closed_at) where records_closed_at is set. Every
list of a school's casework asks "is this child's record closed?" of each row, and PostgreSQL answered by
scanning every pupil of the authority (about 8 ms at 50,000 pupils, and growing with them).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

CLOSED = "records_closed_at IS NOT NULL"


def upgrade():
    op.create_index(
        "ix_pupils_records_closed",
        "pupils",
        ["authority_id", "records_closed_at"],
        unique=False,
        postgresql_where=sa.text(CLOSED),
        sqlite_where=sa.text(CLOSED),
    )


def downgrade():
    op.drop_index("ix_pupils_records_closed", table_name="pupils")
