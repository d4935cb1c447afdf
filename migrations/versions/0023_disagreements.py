"""Resolving professional differences: a school's disagreement with the front door's decision on a
referral, or its answer to a request for advice (``disagreements``), its steps through the stages
(``disagreement_steps``) and each authority's timescales for the stages (``disagreement_settings``). At
most one disagreement is in progress per referral or advice request (partial unique indexes); the front
door's list reads the ones in progress by deadline off a partial index. Row-level security on all three.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

from tenants.schema import secure_tenant_tables

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "disagreement_settings",
        sa.Column("stage1_days", sa.Integer(), nullable=False),
        sa.Column("stage2_days", sa.Integer(), nullable=False),
        sa.Column("stage3_days", sa.Integer(), nullable=False),
        sa.Column("escalate_days", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("escalate_days BETWEEN 1 AND 60", name=op.f("ck_disagreement_settings_escalate_days_range")),
        sa.CheckConstraint(
            "stage1_days BETWEEN 1 AND 60 AND stage2_days BETWEEN 1 AND 60 AND stage3_days BETWEEN 1 AND 60",
            name=op.f("ck_disagreement_settings_stage_days_range"),
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_disagreement_settings_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreement_settings")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_disagreement_settings_authority_id_id")),
        sa.UniqueConstraint("authority_id", name="uq_disagreement_settings_authority"),
    )
    op.create_table(
        "disagreements",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("advice_request_id", sa.Uuid(), nullable=True),
        sa.Column("pupil_id", sa.Uuid(), nullable=True),
        sa.Column("raised_by_id", sa.Uuid(), nullable=False),
        sa.Column("disputed_by_id", sa.Uuid(), nullable=True),
        sa.Column("decision_disputed", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("wanted", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("open", "awaiting_school", "resolved", name="disagreementstatus", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("stage_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stage1_responder_id", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.Enum("upheld", "decision_changed", name="resolution", native_enum=False, create_constraint=True, length=32), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status <> 'resolved' OR (resolution IS NOT NULL AND resolved_at IS NOT NULL)", name=op.f("ck_disagreements_resolved_has_resolution")
        ),
        sa.CheckConstraint("status = 'resolved' OR due_at IS NOT NULL", name=op.f("ck_disagreements_in_progress_has_deadline")),
        sa.CheckConstraint("(referral_id IS NULL) <> (advice_request_id IS NULL)", name=op.f("ck_disagreements_one_subject")),
        sa.CheckConstraint("stage BETWEEN 1 AND 3", name=op.f("ck_disagreements_stage_range")),
        sa.ForeignKeyConstraint(
            ["authority_id", "advice_request_id"],
            ["advice_requests.authority_id", "advice_requests.id"],
            name=op.f("fk_disagreements_authority_id_advice_request_id_advice_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "disputed_by_id"], ["users.authority_id", "users.id"], name=op.f("fk_disagreements_authority_id_disputed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "organisation_id"],
            ["organisations.authority_id", "organisations.id"],
            name=op.f("fk_disagreements_authority_id_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["authority_id", "pupil_id"], ["pupils.authority_id", "pupils.id"], name=op.f("fk_disagreements_authority_id_pupil_id_pupils")),
        sa.ForeignKeyConstraint(
            ["authority_id", "raised_by_id"], ["users.authority_id", "users.id"], name=op.f("fk_disagreements_authority_id_raised_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "referral_id"], ["referrals.authority_id", "referrals.id"], name=op.f("fk_disagreements_authority_id_referral_id_referrals")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "stage1_responder_id"], ["users.authority_id", "users.id"], name=op.f("fk_disagreements_authority_id_stage1_responder_id_users")
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_disagreements_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreements")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_disagreements_authority_id_id")),
    )
    with op.batch_alter_table("disagreements", schema=None) as batch_op:
        batch_op.create_index("ix_disagreements_advice", ["authority_id", "advice_request_id", "created_at"], unique=False)
        batch_op.create_index("ix_disagreements_created", ["authority_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_disagreements_in_progress_by_due",
            ["authority_id", "due_at", "id"],
            unique=False,
            postgresql_where=sa.text("status IN ('open', 'awaiting_school')"),
            sqlite_where=sa.text("status IN ('open', 'awaiting_school')"),
        )
        batch_op.create_index("ix_disagreements_referral", ["authority_id", "referral_id", "created_at"], unique=False)
        batch_op.create_index(
            "uq_disagreements_advice_in_progress",
            ["authority_id", "advice_request_id"],
            unique=True,
            postgresql_where=sa.text("advice_request_id IS NOT NULL AND status IN ('open', 'awaiting_school')"),
            sqlite_where=sa.text("advice_request_id IS NOT NULL AND status IN ('open', 'awaiting_school')"),
        )
        batch_op.create_index(
            "uq_disagreements_referral_in_progress",
            ["authority_id", "referral_id"],
            unique=True,
            postgresql_where=sa.text("referral_id IS NOT NULL AND status IN ('open', 'awaiting_school')"),
            sqlite_where=sa.text("referral_id IS NOT NULL AND status IN ('open', 'awaiting_school')"),
        )

    op.create_table(
        "disagreement_steps",
        sa.Column("disagreement_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("raised", "responded", "escalated", "accepted", "lapsed", name="stepkind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum("upheld", "decision_changed", "referred_on", name="stageoutcome", native_enum=False, create_constraint=True, length=32),
            nullable=True,
        ),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("decision_before", sa.String(length=120), nullable=True),
        sa.Column("decision_after", sa.String(length=120), nullable=True),
        sa.Column("authority_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id", "actor_id"], ["users.authority_id", "users.id"], name=op.f("fk_disagreement_steps_authority_id_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id", "disagreement_id"],
            ["disagreements.authority_id", "disagreements.id"],
            name=op.f("fk_disagreement_steps_authority_id_disagreement_id_disagreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["authority_id"], ["authorities.id"], name=op.f("fk_disagreement_steps_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreement_steps")),
        sa.UniqueConstraint("authority_id", "id", name=op.f("uq_disagreement_steps_authority_id_id")),
    )
    with op.batch_alter_table("disagreement_steps", schema=None) as batch_op:
        batch_op.create_index("ix_disagreement_steps_created", ["authority_id", "created_at"], unique=False)
        batch_op.create_index("ix_disagreement_steps_disagreement", ["authority_id", "disagreement_id", "created_at"], unique=False)

    secure_tenant_tables(op.get_bind(), ["disagreement_settings", "disagreements", "disagreement_steps"])


def downgrade():
    with op.batch_alter_table("disagreement_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_disagreement_steps_disagreement")
        batch_op.drop_index("ix_disagreement_steps_created")

    op.drop_table("disagreement_steps")
    with op.batch_alter_table("disagreements", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_disagreements_referral_in_progress",
            postgresql_where=sa.text("referral_id IS NOT NULL AND status IN ('open', 'awaiting_school')"),
            sqlite_where=sa.text("referral_id IS NOT NULL AND status IN ('open', 'awaiting_school')"),
        )
        batch_op.drop_index(
            "uq_disagreements_advice_in_progress",
            postgresql_where=sa.text("advice_request_id IS NOT NULL AND status IN ('open', 'awaiting_school')"),
            sqlite_where=sa.text("advice_request_id IS NOT NULL AND status IN ('open', 'awaiting_school')"),
        )
        batch_op.drop_index("ix_disagreements_referral")
        batch_op.drop_index(
            "ix_disagreements_in_progress_by_due",
            postgresql_where=sa.text("status IN ('open', 'awaiting_school')"),
            sqlite_where=sa.text("status IN ('open', 'awaiting_school')"),
        )
        batch_op.drop_index("ix_disagreements_created")
        batch_op.drop_index("ix_disagreements_advice")

    op.drop_table("disagreements")
    op.drop_table("disagreement_settings")
