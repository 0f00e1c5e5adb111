"""connections speak of the meeting link and the account kind, not of Teams and tenants

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:00:00.000000

``user_integrations``: ``tenant_id`` becomes ``organization_id`` (the directory the account belongs
to, whatever the provider calls it); ``teams_available`` becomes ``meeting_link_available``;
``personal_account`` (a boolean) becomes ``account_kind`` (``work`` | ``personal`` | null). A card's
stored ``no_teams`` problem becomes ``no_meeting_link``. Downgrading maps everything back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_integrations", schema=None) as batch_op:
        batch_op.alter_column("tenant_id", new_column_name="organization_id")
        batch_op.alter_column("teams_available", new_column_name="meeting_link_available")
        batch_op.add_column(sa.Column("account_kind", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE user_integrations SET account_kind = CASE WHEN personal_account THEN 'personal' "
        "ELSE 'work' END WHERE personal_account IS NOT NULL"
    )
    op.execute("UPDATE user_integrations SET problem = 'no_meeting_link' WHERE problem = 'no_teams'")
    with op.batch_alter_table("user_integrations", schema=None) as batch_op:
        batch_op.drop_column("personal_account")


def downgrade() -> None:
    with op.batch_alter_table("user_integrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal_account", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE user_integrations SET personal_account = (account_kind = 'personal') "
        "WHERE account_kind IS NOT NULL"
    )
    op.execute("UPDATE user_integrations SET problem = 'no_teams' WHERE problem = 'no_meeting_link'")
    with op.batch_alter_table("user_integrations", schema=None) as batch_op:
        batch_op.drop_column("account_kind")
        batch_op.alter_column("meeting_link_available", new_column_name="teams_available")
        batch_op.alter_column("organization_id", new_column_name="tenant_id")
