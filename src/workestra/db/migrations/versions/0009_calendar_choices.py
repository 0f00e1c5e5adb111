"""a connection says which of its calendars count, and its busy rules

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:00:00.000000

``user_integrations``: ``conflict_calendar_ids`` (JSON list of the provider's calendar ids whose
busy time hides slots) and ``destination_calendar_id`` (where new events go), both null - the
primary calendar, every connection's behaviour before this revision; the busy rules
``busy_tentative`` (true), ``busy_working_elsewhere`` (false) and ``busy_all_day_free`` (false),
which are what blocked before; ``known_calendars``, the calendars as last listed (null: not yet).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_integrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conflict_calendar_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("destination_calendar_id", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("busy_tentative", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("busy_working_elsewhere", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("busy_all_day_free", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("known_calendars", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_integrations", schema=None) as batch_op:
        batch_op.drop_column("known_calendars")
        batch_op.drop_column("busy_all_day_free")
        batch_op.drop_column("busy_working_elsewhere")
        batch_op.drop_column("busy_tentative")
        batch_op.drop_column("destination_calendar_id")
        batch_op.drop_column("conflict_calendar_ids")
