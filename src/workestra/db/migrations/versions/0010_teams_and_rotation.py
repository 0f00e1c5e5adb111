"""teams with consent, a rotation policy per pool member, and the assignment on record

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 10:00:00.000000

``teams`` and ``team_members`` (``invited`` until the member says yes on their own account, then
``active``); ``booking_links.team_id``; per pool member ``priority`` (0..4, 2), ``weight`` (1..100,
1), ``daily_limit`` (null: none) and ``assigned_count`` (bookings given so far); ``bookings.assignment``
(who was free, busy or unreadable when a round-robin booking was confirmed, and why its rep).

Every live round-robin link made before teams becomes its own team (slug and name from the link):
its owner an active admin, each member who had said yes an active member, each one who hadn't
answered (with or without an account) invited; a member who had said no isn't carried over. Their
places in the pool are kept as they were. Downgrading drops the teams; the pools stay.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import workestra.db.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", workestra.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("slug", name=op.f("uq_teams_slug")),
    )
    op.create_table(
        "team_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("team_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("invite_token_digest", sa.String(length=64), nullable=True),
        sa.Column("invited_at", workestra.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", workestra.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'member')", name=op.f("ck_team_members_role_known")),
        sa.CheckConstraint("status IN ('invited', 'active')", name=op.f("ck_team_members_status_known")),
        sa.CheckConstraint(
            "status = 'invited' OR user_id IS NOT NULL", name=op.f("ck_team_members_active_has_user")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_members_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_team_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("team_id", "email", name="uq_team_members_team_email"),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_members_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_team_members_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_team_members_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("booking_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_booking_links_team_id"), ["team_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_booking_links_team_id_teams"), "teams", ["team_id"], ["id"]
        )
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="2", nullable=False))
        batch_op.add_column(sa.Column("weight", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("daily_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint("priority_range", "priority BETWEEN 0 AND 4")
        batch_op.create_check_constraint("weight_range", "weight BETWEEN 1 AND 100")
        batch_op.create_check_constraint("daily_limit_positive", "daily_limit IS NULL OR daily_limit >= 1")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignment", sa.JSON(), nullable=True))
    _teams_for_existing_pools()


def _teams_for_existing_pools() -> None:
    bind = op.get_bind()
    links = bind.execute(
        sa.text(
            "SELECT id, slug, title, owner_id, created_at FROM booking_links WHERE deleted_at IS NULL "
            "AND id IN (SELECT link_id FROM link_members)"
        )
    ).all()
    teams = sa.table("teams", sa.column("id"), sa.column("slug"), sa.column("name"), sa.column("created_at"))
    members = sa.table(
        "team_members",
        *(
            sa.column(name)
            for name in ("id", "team_id", "email", "user_id", "role", "status", "invited_at", "accepted_at")
        ),
    )
    for link_id, slug, title, owner_id, now in links:  # the team is as old as its link
        team_id = str(uuid.uuid4())
        bind.execute(sa.insert(teams).values(id=team_id, slug=slug, name=title[:200], created_at=now))
        owner_email = bind.execute(
            sa.text("SELECT email FROM users WHERE id = :id"), {"id": owner_id}
        ).scalar()
        rows = [
            {
                "id": str(uuid.uuid4()),
                "team_id": team_id,
                "email": str(owner_email).lower(),
                "user_id": owner_id,
                "role": "admin",
                "status": "active",
                "invited_at": now,
                "accepted_at": now,
            }
        ]
        listed = bind.execute(
            sa.text(
                "SELECT email, user_id, accepted_at FROM link_members WHERE link_id = :id "
                "AND declined_at IS NULL ORDER BY position"
            ),
            {"id": link_id},
        ).all()
        for email, user_id, accepted_at in listed:
            if user_id == owner_id or str(email).lower() == rows[0]["email"]:
                continue
            active = user_id is not None and accepted_at is not None
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "team_id": team_id,
                    "email": str(email).lower(),
                    "user_id": user_id if active else None,
                    "role": "member",
                    "status": "active" if active else "invited",
                    "invited_at": now,
                    "accepted_at": accepted_at if active else None,
                }
            )
        bind.execute(sa.insert(members), rows)
        bind.execute(
            sa.text("UPDATE booking_links SET team_id = :team WHERE id = :id"),
            {"team": team_id, "id": link_id},
        )
        # A no is no longer kept as a listed place: that member isn't in the team.
        bind.execute(
            sa.text("DELETE FROM link_members WHERE link_id = :id AND declined_at IS NOT NULL"),
            {"id": link_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("assignment")
    with op.batch_alter_table("link_members", schema=None) as batch_op:
        batch_op.drop_constraint("daily_limit_positive", type_="check")
        batch_op.drop_constraint("weight_range", type_="check")
        batch_op.drop_constraint("priority_range", type_="check")
        batch_op.drop_column("assigned_count")
        batch_op.drop_column("daily_limit")
        batch_op.drop_column("weight")
        batch_op.drop_column("priority")
    with op.batch_alter_table("booking_links", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_booking_links_team_id_teams"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_booking_links_team_id"))
        batch_op.drop_column("team_id")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_team_members_email"))
        batch_op.drop_index(batch_op.f("ix_team_members_team_id"))
    op.drop_table("team_members")
    op.drop_table("teams")
