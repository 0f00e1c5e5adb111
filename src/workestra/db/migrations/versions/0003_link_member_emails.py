"""round-robin members are kept by email; an address without an account joins no pool

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000

A host may list any address as a round-robin member and gets the same answer whether or not it has
an account (no account enumeration). ``user_id`` is set once an account with that address exists.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
    op.execute(
        "UPDATE link_members SET email = "
        "(SELECT users.email FROM users WHERE users.id = link_members.user_id)"
    )
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=320), nullable=False)
        batch_op.alter_column("user_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.create_unique_constraint("uq_link_members_link_email", ["link_id", "email"])
        batch_op.create_index(batch_op.f("ix_link_members_email"), ["email"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM link_members WHERE user_id IS NULL")
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_members_email"))
        batch_op.drop_constraint("uq_link_members_link_email", type_="unique")
        batch_op.alter_column("user_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column("email")
