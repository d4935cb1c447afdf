"""What a multi-agency referral form asks and the front door used to ring for: on the referral, the
child's address, who they live with, their communication needs, disability, ethnicity and religion as the
school records them, and whether consent to the referral was sought (and why not); beside it, the people
in the child's life (``referral_people``: household members, significant adults and siblings, a sibling
perhaps linked to their record on the school's register) and the other agencies and professionals
involved (``referral_agencies``). Both are tenant tables with row-level security, children of the referral.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-09

"""

import sqlalchemy as sa
from alembic import op

from tenants.schema import secure_tenant_tables

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "referral_agencies",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column(
            "agency_type",
            sa.Enum(
                "gp",
                "health_visitor",
                "school_nurse",
                "camhs",
                "police",
                "youth_justice",
                "early_help",
                "other",
                name="agencytype",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("other_type", sa.String(length=200), nullable=True),
        sa.Column("professional_name", sa.String(length=200), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("contact_details", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id", "referral_id"],
            ["referrals.authority_id", "referrals.id"],
            name=op.f("fk_referral_agencies_authority_id_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_referral_agencies_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_agencies")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_referral_agencies_authority_id_id")),
    )
    with op.batch_alter_table("referral_agencies", schema=None) as batch_op:
        batch_op.create_index("ix_referral_agencies_referral", ["authority_id", "referral_id", "created_at"], unique=False)

    op.create_table(
        "referral_people",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Enum("household", "sibling", name="personkind", native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relationship", sa.String(length=200), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("lives_in_household", sa.Boolean(), nullable=True),
        sa.Column(
            "parental_responsibility",
            sa.Enum("yes", "no", "not_known", name="yesnonotknown", native_enum=False, create_constraint=True, length=32),
            nullable=True,
        ),
        sa.Column("contact_details", sa.Text(), nullable=True),
        sa.Column("first_language", sa.String(length=100), nullable=True),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("school", sa.String(length=200), nullable=True),
        sa.Column("sibling_pupil_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind = 'sibling' OR sibling_pupil_id IS NULL", name=op.f("ck_referral_people_only_siblings_linked")),
        sa.ForeignKeyConstraint(
            ["authority_id", "referral_id"],
            ["referrals.authority_id", "referrals.id"],
            name=op.f("fk_referral_people_authority_id_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "sibling_pupil_id"], ["pupils.authority_id", "pupils.id"], name=op.f("fk_referral_people_authority_id_sibling_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_referral_people_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_people")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_referral_people_authority_id_id")),
    )
    with op.batch_alter_table("referral_people", schema=None) as batch_op:
        batch_op.create_index("ix_referral_people_referral", ["authority_id", "referral_id", "created_at"], unique=False)

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("lives_with", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("communication_needs", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("disability", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("ethnicity", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("religion", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                "consent",
                sa.Enum("sought_given", "sought_refused", "not_sought", name="consent", native_enum=False, create_constraint=True, length=32),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("consent_not_sought_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("consent_refused_note", sa.Text(), nullable=True))

    secure_tenant_tables(op.get_bind(), ["referral_agencies", "referral_people"])


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_constraint("consent", type_="check")
        batch_op.drop_column("consent_refused_note")
        batch_op.drop_column("consent_not_sought_reason")
        batch_op.drop_column("consent")
        batch_op.drop_column("religion")
        batch_op.drop_column("ethnicity")
        batch_op.drop_column("disability")
        batch_op.drop_column("communication_needs")
        batch_op.drop_column("lives_with")
        batch_op.drop_column("address")

    with op.batch_alter_table("referral_people", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_people_referral")

    op.drop_table("referral_people")
    with op.batch_alter_table("referral_agencies", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_agencies_referral")

    op.drop_table("referral_agencies")
