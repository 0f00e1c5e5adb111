"""a booking link says which sites may embed its booking page

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:00:00.000000

``booking_links.embed_allowed_origins``: a JSON array of origins (``https://example.com[:port]``)
whose pages may frame ``/book/<slug>?embed=1`` (its ``frame-ancestors``); ``[]``, every link's value
before this revision, lets any site embed it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking_links", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("embed_allowed_origins", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("booking_links", schema=None) as batch_op:
        batch_op.drop_column("embed_allowed_origins")
