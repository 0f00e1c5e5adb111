"""bookings can be cancelled and rescheduled: the invitee's token digests, who cancelled and why

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:00:00.000000

``cancel_token_digest`` / ``reschedule_token_digest``: SHA-256 of the invitee's tokens (the tokens
themselves are never stored); null for bookings made before this revision, which get no
self-service links. ``cancelled_at``, ``cancelled_by`` (``invitee`` | ``host``), ``cancel_reason``;
``sequence``: how many times the booking changed (the .ics SEQUENCE).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workestra.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancel_token_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reschedule_token_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("cancelled_at", workestra.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("cancelled_by", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("sequence")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("reschedule_token_digest")
        batch_op.drop_column("cancel_token_digest")
