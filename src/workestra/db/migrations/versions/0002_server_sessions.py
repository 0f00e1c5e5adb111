"""server-side browser sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00.000000

The session cookie holds only a random id; the row is keyed by its SHA-256 (never the id itself),
so logging out, "log out everywhere" and a password change end a session for good.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workestra.db.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", workestra.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", workestra.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", workestra.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_expires_at"))
        batch_op.drop_index(batch_op.f("ix_sessions_user_id"))
    op.drop_table("sessions")
