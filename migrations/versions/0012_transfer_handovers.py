"""A child-protection file handed to a school of another authority on the portal, or sent on to another
school when it went to the wrong one (a transfer "redirected"; a receiving copy "withdrawn"): the hand-over
mailbox between authorities (each held to its own side by row-level security, and by a trigger to its own
columns), the directory of other authorities' schools (name, URN and authority only, through a
SECURITY DEFINER function), and the receiving authority on the sending school's transfer.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

from tenants.schema import ensure_app_role_exists, is_postgresql, quoted_app_role

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CURRENT = "NULLIF(current_setting('app.authority_id', true), '')::uuid"
TRANSFER_STATUSES = ["leaving", "sent", "viewed", "received", "rejected", "withdrawn", "redirected"]
INCOMING_STATUSES = ["waiting", "accepted", "rejected", "withdrawn"]


def _in(values):
    return ", ".join(repr(v) for v in values)


RECEIVER_COLUMNS = ["status", "taken_at", "incoming_id", "status_at", "decided_by", "rejection_reason"]


def upgrade():
    with op.batch_alter_table("pupil_transfers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_authority_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("destination_authority_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("destination_school_id", sa.Uuid(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_pupil_transfers_transferstatus"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_pupil_transfers_transferstatus"), f"status IN ({_in(TRANSFER_STATUSES)})")
    with op.batch_alter_table("incoming_transfers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handover_id", sa.Uuid(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_incoming_transfers_incomingstatus"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_incoming_transfers_incomingstatus"), f"status IN ({_in(INCOMING_STATUSES)})")
    op.create_table(
        "transfer_handovers",
        sa.Column("from_authority_id", sa.Uuid(), nullable=False),
        sa.Column("to_authority_id", sa.Uuid(), nullable=False),
        sa.Column("to_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("source_transfer_id", sa.Uuid(), nullable=False),
        sa.Column("package", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "posted",
                "taken",
                "opened",
                "accepted",
                "rejected",
                "undeliverable",
                name="handoverstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("incoming_id", sa.Uuid(), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("collected_status", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_authority_id"], ["authorities.id"], name=op.f("fk_transfer_handovers_from_authority_id_authorities"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["to_authority_id"], ["authorities.id"], name=op.f("fk_transfer_handovers_to_authority_id_authorities"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_handovers")),
    )
    with op.batch_alter_table("transfer_handovers", schema=None) as batch_op:
        batch_op.create_index("ix_transfer_handovers_from", ["from_authority_id", "source_transfer_id"], unique=False)
        batch_op.create_index("ix_transfer_handovers_to", ["to_authority_id", "status"], unique=False)

    bind = op.get_bind()
    if not is_postgresql(bind):
        return
    ensure_app_role_exists(bind)
    role = quoted_app_role()
    op.execute("ALTER TABLE transfer_handovers ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE transfer_handovers FORCE ROW LEVEL SECURITY")
    # Each authority sees the hand-overs it posted and those posted to it; it posts only from itself; it
    # marks only rows of its own (which columns, the trigger below decides).
    op.execute(f"CREATE POLICY handover_read ON transfer_handovers FOR SELECT USING (from_authority_id = {CURRENT} OR to_authority_id = {CURRENT})")
    op.execute(f"CREATE POLICY handover_post ON transfer_handovers FOR INSERT WITH CHECK (from_authority_id = {CURRENT})")
    op.execute(
        f"CREATE POLICY handover_mark ON transfer_handovers FOR UPDATE USING (from_authority_id = {CURRENT} OR to_authority_id = {CURRENT}) "
        f"WITH CHECK (from_authority_id = {CURRENT} OR to_authority_id = {CURRENT})"
    )
    op.execute(f"GRANT SELECT, INSERT ON transfer_handovers TO {role}")
    op.execute(f"GRANT UPDATE ({', '.join([*RECEIVER_COLUMNS, 'collected_status', 'version'])}) ON transfer_handovers TO {role}")
    op.execute(
        f"""
        CREATE FUNCTION transfer_handovers_each_to_its_side() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.to_authority_id = {CURRENT} THEN
                IF NEW.collected_status IS DISTINCT FROM OLD.collected_status THEN
                    RAISE EXCEPTION 'the receiving authority cannot mark the sender''s side of a hand-over';
                END IF;
            ELSIF OLD.from_authority_id = {CURRENT} THEN
                IF ROW({", ".join("NEW." + c for c in RECEIVER_COLUMNS)}) IS DISTINCT FROM ROW({", ".join("OLD." + c for c in RECEIVER_COLUMNS)}) THEN
                    RAISE EXCEPTION 'the sending authority cannot write the receipt of a hand-over';
                END IF;
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER transfer_handovers_each_to_its_side BEFORE UPDATE ON transfer_handovers FOR EACH ROW EXECUTE FUNCTION transfer_handovers_each_to_its_side()"
    )
    # The establishments directory: as for the sign-in directory, only the owner (this role, running the
    # function) gets a policy past the tenant check on organisations, for SELECT, and of schools only.
    op.execute("CREATE POLICY establishments_directory ON organisations FOR SELECT TO CURRENT_USER USING (kind = 'school')")
    op.execute(
        """
        CREATE FUNCTION portal_establishments()
            RETURNS TABLE (authority_id uuid, organisation_id uuid, name text, urn text, authority_name text)
            LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = pg_catalog, public
        AS $$ SELECT o.authority_id, o.id, o.name::text, o.urn::text, a.name::text
              FROM public.organisations AS o JOIN public.authorities AS a ON a.id = o.authority_id
              WHERE o.kind = 'school' AND o.archived_at IS NULL
              ORDER BY a.name, o.name $$;
        REVOKE ALL ON FUNCTION portal_establishments() FROM PUBLIC;
        """
    )
    op.execute(f"GRANT EXECUTE ON FUNCTION portal_establishments() TO {role}")


def downgrade():
    if is_postgresql(op.get_bind()):
        op.execute("DROP FUNCTION IF EXISTS portal_establishments()")
        op.execute("DROP POLICY IF EXISTS establishments_directory ON organisations")
        op.execute("DROP TRIGGER IF EXISTS transfer_handovers_each_to_its_side ON transfer_handovers")
        op.execute("DROP FUNCTION IF EXISTS transfer_handovers_each_to_its_side()")
    with op.batch_alter_table("transfer_handovers", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_handovers_to")
        batch_op.drop_index("ix_transfer_handovers_from")
    op.drop_table("transfer_handovers")
    with op.batch_alter_table("incoming_transfers", schema=None) as batch_op:
        batch_op.drop_column("handover_id")
        batch_op.drop_constraint(batch_op.f("ck_incoming_transfers_incomingstatus"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_incoming_transfers_incomingstatus"), f"status IN ({_in(INCOMING_STATUSES[:-1])})")
    with op.batch_alter_table("pupil_transfers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_pupil_transfers_transferstatus"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_pupil_transfers_transferstatus"), f"status IN ({_in(TRANSFER_STATUSES[:-1])})")
        batch_op.drop_column("destination_school_id")
        batch_op.drop_column("destination_authority_name")
        batch_op.drop_column("destination_authority_id")
