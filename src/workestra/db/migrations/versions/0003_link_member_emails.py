"""round-robin members are kept by email and join a pool only when they say yes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000

A host may list any address as a round-robin member and gets the same answer whether or not it has
an account (no account enumeration). ``user_id`` is set once an account with that address exists;
the member joins the pool when that user accepts (``accepted_at``). Members listed before this
revision keep their place (they are marked accepted), so upgraded links go on offering times.

Downgrading drops every member without an account or without a yes: a round-robin link left with
no members becomes a link that books its owner.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workestra.db.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.add_column(
            sa.Column("accepted_at", workestra.db.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE link_members SET email = "
        "(SELECT users.email FROM users WHERE users.id = link_members.user_id), "
        "accepted_at = (SELECT booking_links.created_at FROM booking_links "
        "WHERE booking_links.id = link_members.link_id)"
    )
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=320), nullable=False)
        batch_op.alter_column("user_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.create_unique_constraint("uq_link_members_link_email", ["link_id", "email"])
        batch_op.create_index(batch_op.f("ix_link_members_email"), ["email"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM link_members WHERE user_id IS NULL OR accepted_at IS NULL")
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.drop_column("accepted_at")
        batch_op.drop_index(batch_op.f("ix_link_members_email"))
        batch_op.drop_constraint("uq_link_members_link_email", type_="unique")
        batch_op.alter_column("user_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column("email")
