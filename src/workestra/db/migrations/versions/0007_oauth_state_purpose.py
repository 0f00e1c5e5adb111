"""a pending OAuth state says what it is for: connecting, or an admin's approval

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:00:00.000000

``oauth_states.purpose``: ``connect`` (the authorize flow, every state stored before this revision)
or ``admin_consent`` (the identity platform's admin-consent flow); each callback takes only its own.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=20), server_default="connect", nullable=False)
        )


def downgrade() -> None:
    op.execute("DELETE FROM oauth_states WHERE purpose <> 'connect'")
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.drop_column("purpose")
