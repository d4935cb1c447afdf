"""A pupil register file is checked and imported by a job (50,000 rows would outlast a web request): the
upload waits in ``pupil_imports`` (kept only until it has been checked), with its progress, counts and the
problems found.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

from tenants.schema import secure_tenant_tables

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pupil_imports",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("waiting", "checking", "importing", "done", "refused", name="importstatus", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("added", sa.Integer(), nullable=True),
        sa.Column("updated", sa.Integer(), nullable=True),
        sa.Column("unchanged", sa.Integer(), nullable=True),
        sa.Column("file_problem", sa.String(length=500), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id", "organisation_id"],
            ["organisations.authority_id", "organisations.id"],
            name=op.f("fk_pupil_imports_authority_id_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "requested_by_id"], ["users.authority_id", "users.id"], name=op.f("fk_pupil_imports_authority_id_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_pupil_imports_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pupil_imports")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_pupil_imports_authority_id_id")),
    )
    with op.batch_alter_table("pupil_imports", schema=None) as batch_op:
        batch_op.create_index("ix_pupil_imports_requester", ["authority_id", "requested_by_id", "created_at"], unique=False)
    secure_tenant_tables(op.get_bind(), ["pupil_imports"])


def downgrade():
    with op.batch_alter_table("pupil_imports", schema=None) as batch_op:
        batch_op.drop_index("ix_pupil_imports_requester")

    op.drop_table("pupil_imports")
