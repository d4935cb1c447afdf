"""Two-factor secrets sealed at rest (``portal.accounts.sealing``): the column grows to hold a Fernet token,
and every secret saved in clear is sealed with the first of ``TOTP_KEYS``. Authority by authority, under
row-level security like the application itself.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _each_authority(bind):
    for (raw,) in bind.execute(sa.text("SELECT id FROM authorities")).all():
        authority_id = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
        if bind.dialect.name == "postgresql":
            bind.execute(sa.text("SELECT set_config('app.authority_id', :a, true)"), {"a": str(authority_id)})
        yield authority_id


def _convert(change) -> None:
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("authority_id", sa.Uuid()), sa.column("totp_secret", sa.String()))
    for authority_id in _each_authority(bind):
        rows = bind.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.authority_id == authority_id, users.c.totp_secret.is_not(None))).all()
        for user_id, value in rows:
            changed = change(value)
            if changed != value:
                bind.execute(sa.update(users).where(users.c.id == user_id).values(totp_secret=changed))
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT set_config('app.authority_id', '', true)"))


def upgrade():
    from portal.accounts.sealing import is_sealed, seal

    if op.get_bind().dialect.name == "postgresql":  # SQLite does not hold strings to their length
        op.alter_column("users", "totp_secret", type_=sa.String(length=255), existing_type=sa.String(length=64), existing_nullable=True)
    _convert(lambda value: value if is_sealed(value) else seal(value))


def downgrade():
    from portal.accounts.sealing import unseal

    _convert(unseal)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("users", "totp_secret", type_=sa.String(length=64), existing_type=sa.String(length=255), existing_nullable=True)
