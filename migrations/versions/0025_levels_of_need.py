"""Levels of need: the authority's levels-of-need guidance (a continuum of need with indicators at four
levels, versioned like the school threshold indicators: ``need_guidance_versions`` and
``need_indicators``), the indicators a school ticks on a referral or an advice request
(``referral_need_indicators``, ``advice_need_indicators``), and on referrals the guidance version made
under, why the school's view differs from the level its indicators suggest, and the level of need the
front door decided; on advice requests the guidance version, the DSL's view of the level and why, and the
level the front door's answer gives.

Each authority's first version of the guidance is made when it is first needed (portal.needs.service),
not here: authorities created later get it the same way. Decisions made before this migration keep an
empty decision level (it was never recorded; threshold calibration leaves them out and says how many).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

from tenants.schema import secure_tenant_tables

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "need_guidance_versions",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id", "created_by_id"], ["users.authority_id", "users.id"], name=op.f("fk_need_guidance_versions_authority_id_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_need_guidance_versions_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_guidance_versions")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_need_guidance_versions_authority_id_id")),
        sa.UniqueConstraint("authority_id", "number", name=op.f("uq_need_guidance_versions_authority_id_number")),
    )
    op.create_table(
        "need_indicators",
        sa.Column("guidance_id", sa.Uuid(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("universal", "early_help", "child_in_need", "child_protection", name="level", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rank BETWEEN 1 AND 4", name=op.f("ck_need_indicators_need_rank")),
        sa.ForeignKeyConstraint(
            ["authority_id", "guidance_id"],
            ["need_guidance_versions.authority_id", "need_guidance_versions.id"],
            name=op.f("fk_need_indicators_authority_id_guidance_id_need_guidance_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_need_indicators_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_indicators")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_need_indicators_authority_id_id")),
    )
    with op.batch_alter_table("need_indicators", schema=None) as batch_op:
        batch_op.create_index("ix_need_indicators_guidance", ["authority_id", "guidance_id", "rank", "position"], unique=False)

    op.create_table(
        "advice_need_indicators",
        sa.Column("advice_request_id", sa.Uuid(), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id", "advice_request_id"],
            ["advice_requests.authority_id", "advice_requests.id"],
            name=op.f("fk_advice_need_indicators_authority_id_advice_request_id_advice_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "indicator_id"],
            ["need_indicators.authority_id", "need_indicators.id"],
            name=op.f("fk_advice_need_indicators_authority_id_indicator_id_need_indicators"),
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_advice_need_indicators_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advice_need_indicators")),
        sa.UniqueConstraint(
            "authority_id", "advice_request_id", "indicator_id", name=op.f("uq_advice_need_indicators_authority_id_advice_request_id_indicator_id")
        ),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_advice_need_indicators_authority_id_id")),
    )
    op.create_table(
        "referral_need_indicators",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id", "indicator_id"],
            ["need_indicators.authority_id", "need_indicators.id"],
            name=op.f("fk_referral_need_indicators_authority_id_indicator_id_need_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "referral_id"],
            ["referrals.authority_id", "referrals.id"],
            name=op.f("fk_referral_need_indicators_authority_id_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_referral_need_indicators_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_need_indicators")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_referral_need_indicators_authority_id_id")),
        sa.UniqueConstraint("authority_id", "referral_id", "indicator_id", name=op.f("uq_referral_need_indicators_authority_id_referral_id_indicator_id")),
    )
    with op.batch_alter_table("referral_need_indicators", schema=None) as batch_op:
        batch_op.create_index("ix_referral_need_indicators_indicator", ["authority_id", "indicator_id"], unique=False)

    with op.batch_alter_table("advice_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("need_guidance_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "dsl_view_level",
                sa.Enum(
                    "universal", "early_help", "child_in_need", "child_protection", name="dsl_view_level", native_enum=False, create_constraint=True, length=32
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("dsl_view_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "answer_level",
                sa.Enum(
                    "universal", "early_help", "child_in_need", "child_protection", name="answer_level", native_enum=False, create_constraint=True, length=32
                ),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_advice_requests_authority_id_need_guidance_id_need_guidance_versions"),
            "need_guidance_versions",
            ["authority_id", "need_guidance_id"],
            ["authority_id", "id"],
        )

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("school_view_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("need_guidance_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "decision_level",
                sa.Enum(
                    "universal", "early_help", "child_in_need", "child_protection", name="decision_level", native_enum=False, create_constraint=True, length=32
                ),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_referrals_authority_id_need_guidance_id_need_guidance_versions"),
            "need_guidance_versions",
            ["authority_id", "need_guidance_id"],
            ["authority_id", "id"],
        )

    secure_tenant_tables(op.get_bind(), ["need_guidance_versions", "need_indicators", "referral_need_indicators", "advice_need_indicators"])


def downgrade():

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_referrals_authority_id_need_guidance_id_need_guidance_versions"), type_="foreignkey")
        batch_op.drop_column("decision_level")
        batch_op.drop_column("need_guidance_id")
        batch_op.drop_column("school_view_reason")

    with op.batch_alter_table("advice_requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_advice_requests_authority_id_need_guidance_id_need_guidance_versions"), type_="foreignkey")
        batch_op.drop_column("answer_level")
        batch_op.drop_column("dsl_view_reason")
        batch_op.drop_column("dsl_view_level")
        batch_op.drop_column("need_guidance_id")

    with op.batch_alter_table("referral_need_indicators", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_need_indicators_indicator")

    op.drop_table("referral_need_indicators")
    op.drop_table("advice_need_indicators")
    with op.batch_alter_table("need_indicators", schema=None) as batch_op:
        batch_op.drop_index("ix_need_indicators_guidance")

    op.drop_table("need_indicators")
    op.drop_table("need_guidance_versions")
