"""A survey's CSV file is checked and imported by a job, as a pupil register file is: the upload waits in
``survey_uploads`` (the file kept only until it has been checked), with its progress, counts and the
problems found, and the import of the results its uploader saw (checked again before it is replaced).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08

"""

import sqlalchemy as sa
from alembic import op

from tenants.schema import secure_tenant_tables

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "survey_uploads",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("method_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("waiting", "checking", "importing", "done", "refused", name="importstatus", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.Column("questions", sa.Integer(), nullable=True),
        sa.Column("file_problem", sa.String(length=500), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("replaces", sa.Uuid(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("survey_import_id", sa.Uuid(), nullable=True),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id", "organisation_id"],
            ["organisations.authority_id", "organisations.id"],
            name=op.f("fk_survey_uploads_authority_id_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "assessment_id"],
            ["school_assessments.authority_id", "school_assessments.id"],
            name=op.f("fk_survey_uploads_authority_id_assessment_id_school_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "method_id"],
            ["assessment_methods.authority_id", "assessment_methods.id"],
            name=op.f("fk_survey_uploads_authority_id_method_id_assessment_methods"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "requested_by_id"], ["users.authority_id", "users.id"], name=op.f("fk_survey_uploads_authority_id_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_survey_uploads_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_uploads")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_survey_uploads_authority_id_id")),
    )
    with op.batch_alter_table("survey_uploads", schema=None) as batch_op:
        batch_op.create_index("ix_survey_uploads_method", ["authority_id", "method_id", "created_at"], unique=False)
    secure_tenant_tables(op.get_bind(), ["survey_uploads"])


def downgrade():
    with op.batch_alter_table("survey_uploads", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_uploads_method")

    op.drop_table("survey_uploads")
