"""Typed SQLAlchemy models: the tables and the names that matter (see DESIGN.md, Data)."""

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workestra.db.base import Base, UTCDateTime


def new_id() -> str:
    return str(uuid.uuid4())


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Team(Base):
    """A group of hosts who share round-robin links. Nobody is an active member without saying yes."""

    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    members: Mapped[list["TeamMember"]] = relationship(
        cascade="all, delete-orphan", order_by="TeamMember.invited_at", lazy="selectin"
    )


class TeamMember(Base):
    """One address invited to a team (``user_id`` set once the invitation is accepted by an account
    with that address): ``invited`` until then, ``active`` after. Leaving or being removed deletes
    the row, and with it the member's place in every pool of the team's links."""

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("team_id", "email", name="uq_team_members_team_email"),
        CheckConstraint("role IN ('admin', 'member')", name="role_known"),
        CheckConstraint("status IN ('invited', 'active')", name="status_known"),
        CheckConstraint("status = 'invited' OR user_id IS NOT NULL", name="active_has_user"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), index=True)  # normalised, as invited
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=True
    )
    role: Mapped[str] = mapped_column(String(20))  # enums.TeamRole
    status: Mapped[str] = mapped_column(String(20))  # enums.MemberStatus
    # SHA-256 of the emailed invitation link's secret (None once accepted, or for the creator).
    invite_token_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class BookingLink(Base):
    __tablename__ = "booking_links"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("slot_interval_minutes > 0", name="interval_positive"),
        # A deleted link keeps its slug (its bookings' pages still name it); only live ones clash.
        Index(
            "uq_booking_links_slug_live",
            "slug",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))  # unique among live links (index below)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    calendar_provider: Mapped[str] = mapped_column(String(20))
    auto_meeting_link: Mapped[bool] = mapped_column(Boolean)
    slot_interval_minutes: Mapped[int] = mapped_column(Integer)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer)
    minimum_notice_minutes: Mapped[int] = mapped_column(Integer)
    booking_horizon_days: Mapped[int] = mapped_column(Integer)
    # Origins (``https://example.com[:port]``) whose pages may frame the embedded booking page
    # (Content-Security-Policy frame-ancestors); empty: any site may.
    embed_allowed_origins: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # A round-robin link belongs to a team; its pool is drawn from the team's active members.
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), index=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Deleting a link keeps its bookings (they still hold their times and show on /calendar).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    hours: Mapped[list["WeeklyHours"]] = relationship(
        cascade="all, delete-orphan",
        order_by="(WeeklyHours.weekday, WeeklyHours.start_minute)",
        lazy="selectin",
    )
    members: Mapped[list["LinkMember"]] = relationship(
        cascade="all, delete-orphan", order_by="LinkMember.position", lazy="selectin"
    )


class WeeklyHours(Base):
    __tablename__ = "weekly_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="minutes_order",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(ForeignKey("booking_links.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class LinkMember(Base):
    """A rep in a round-robin link's pool, with its rotation state.

    Only active members of the link's team are put here, and they are in the pool from then on
    (``accepted_at``: when they said yes to the team). Places listed before teams existed (0010)
    whose member hadn't said yes stay out of the pool (``accepted_at`` NULL) until that member
    accepts the team's invitation. Leaving the team deletes the member's places in its links.
    """

    __tablename__ = "link_members"
    __table_args__ = (
        UniqueConstraint("link_id", "user_id", name="uq_link_members_link_user"),
        UniqueConstraint("link_id", "email", name="uq_link_members_link_email"),
        CheckConstraint("priority BETWEEN 0 AND 4", name="priority_range"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
        CheckConstraint("daily_limit IS NULL OR daily_limit >= 1", name="daily_limit_positive"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(ForeignKey("booking_links.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=True
    )
    position: Mapped[int] = mapped_column(Integer)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Rotation policy (README, "Round robin"): the highest priority (0 lowest .. 4 highest) free rep
    # first; among equals the fewest bookings per unit of weight, then the least recently booked.
    priority: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    weight: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    daily_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)  # bookings a day; None: no cap
    assigned_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        Index("ix_bookings_host_time", "host_id", "starts_at", "ends_at"),
        # Double booking is impossible by construction on PostgreSQL (DESIGN.md, Data).
        ExcludeConstraint(
            ("host_id", "="),
            (func.tstzrange(text("starts_at"), text("ends_at"), text("'[)'")), "&&"),
            name="ex_bookings_no_overlap",
            using="gist",
            where=text("status = 'confirmed'"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(ForeignKey("booking_links.id", ondelete="CASCADE"), index=True)
    host_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invitee_name: Mapped[str] = mapped_column(String(200))
    invitee_email: Mapped[str] = mapped_column(String(320))
    invitee_timezone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    calendar_provider: Mapped[str] = mapped_column(String(20))
    online_meeting_requested: Mapped[bool] = mapped_column(Boolean)
    calendar_status: Mapped[str] = mapped_column(String(20))
    calendar_event_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    calendar_ical_uid: Mapped[str | None] = mapped_column(String(255), nullable=True)
    meeting_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    calendar_problem: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # SHA-256 of the invitee's tokens (security.booking_tokens); null before migration 0006.
    cancel_token_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reschedule_token_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(20), nullable=True)  # invitee | host
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # .ics SEQUENCE
    # A round-robin booking's decision on record (services/assignment.py): who was free, busy or
    # unreadable at confirmation, and why the chosen rep was chosen. None for single-host links.
    assignment: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)


class UserIntegration(Base):
    """One OAuth connection slot: one row per (user, provider); tokens only ever encrypted."""

    __tablename__ = "user_integrations"
    __table_args__ = (UniqueConstraint("user_id", "provider", name="uq_user_integrations_user_provider"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[str] = mapped_column(String(255))
    account_email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    scopes: Mapped[str] = mapped_column(Text)
    access_token_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    problem: Mapped[str | None] = mapped_column(String(60), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    calendar_found: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    meeting_link_available: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    account_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)  # enums.AccountKind
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    # In the future while one process refreshes this connection (others wait for its result); once
    # the refresh ends it keeps when that was, so a token refused right after a refresh is an outage,
    # not a reason to refresh again.
    refresh_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The calendars that count (migration 0009): the ids whose busy time hides slots (a JSON list;
    # null: the primary calendar alone) and where new events go (null: the primary calendar).
    conflict_calendar_ids: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    destination_calendar_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The busy rules (calendars.busy_rules.BusyRules), where the provider's busy read can apply them.
    busy_tentative: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    busy_working_elsewhere: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    busy_all_day_free: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The account's calendars as last listed live: [{"id", "name", "is_primary", "can_edit"}];
    # null until listed. What the cards and ``?check=false`` show between checks.
    known_calendars: Mapped[list[dict[str, object]] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OAuthState(Base):
    """A pending authorization: single use, bound to the browser session that started it."""

    __tablename__ = "oauth_states"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(40))
    # What the state is for: ``connect`` (the authorize flow; the PKCE verifier is kept) or
    # ``admin_consent`` (an admin's approval; nothing to keep): a callback takes only its own kind.
    purpose: Mapped[str] = mapped_column(String(20), default="connect", server_default="connect")
    code_verifier_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BrowserSession(Base):
    """A signed-in (or CSRF-carrying) browser session; keyed by the SHA-256 of the cookie's random id."""

    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    data: Mapped[str] = mapped_column(Text)  # JSON object: what routes keep in request.session
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class OutboxJob(Base):
    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_due", "status", "run_after"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    booking_id: Mapped[str | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), nullable=True, index=True
    )
    payload: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
