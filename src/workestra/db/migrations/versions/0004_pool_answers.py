"""round-robin members join a pool only when they say yes, and a no is kept

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 11:00:00.000000

``accepted_at``: when the member joined the pool; ``declined_at``: when they said no or left (the
place stays listed, so the host's list never tells who has an account and a no isn't asked again).
Members listed before this revision keep their place (accepted when their link was made), so
upgraded links go on offering times. Downgrading drops every place that isn't accepted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workestra.db.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("accepted_at", workestra.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("declined_at", workestra.db.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE link_members SET accepted_at = (SELECT booking_links.created_at FROM booking_links "
        "WHERE booking_links.id = link_members.link_id) WHERE user_id IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DELETE FROM link_members WHERE user_id IS NOT NULL AND accepted_at IS NULL")
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.drop_column("declined_at")
        batch_op.drop_column("accepted_at")
