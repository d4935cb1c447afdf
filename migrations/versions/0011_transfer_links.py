"""A child-protection file sent to a school or college not on the portal: the destination's DSL and email
on the transfer, the receipt they give (their school, the date received), and the one-time links emailed
to them (keyed hashes of the link's secret and of the access code only).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

from tenants.schema import secure_tenant_tables

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pupil_transfers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_dsl", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("destination_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("received_school", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_pupil_transfers_outside_names_its_dsl"),
            "destination_kind <> 'outside' OR (destination_dsl IS NOT NULL AND destination_email IS NOT NULL)",
        )
    op.create_table(
        "transfer_links",
        sa.Column("transfer_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wrong_codes", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "ended_because",
            sa.Enum("receipt", "revoked", "replaced", "wrong_codes", name="linkend", native_enum=False, create_constraint=True, length=32),
            nullable=True,
        ),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id", "transfer_id"],
            ["pupil_transfers.authority_id", "pupil_transfers.id"],
            name=op.f("fk_transfer_links_authority_id_transfer_id_pupil_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "created_by_id"], ["users.authority_id", "users.id"], name=op.f("fk_transfer_links_authority_id_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_transfer_links_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_links")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_transfer_links_authority_id_id")),
    )
    with op.batch_alter_table("transfer_links", schema=None) as batch_op:
        batch_op.create_index("ix_transfer_links_transfer", ["authority_id", "transfer_id"], unique=False)
        batch_op.create_index("ix_transfer_links_token", ["token_hash"], unique=False)
    secure_tenant_tables(op.get_bind(), ["transfer_links"])


def downgrade():
    with op.batch_alter_table("transfer_links", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_links_token")
        batch_op.drop_index("ix_transfer_links_transfer")
    op.drop_table("transfer_links")
    with op.batch_alter_table("pupil_transfers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_pupil_transfers_outside_names_its_dsl"), type_="check")
        batch_op.drop_column("received_on")
        batch_op.drop_column("received_school")
        batch_op.drop_column("destination_email")
        batch_op.drop_column("destination_dsl")
