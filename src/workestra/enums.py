"""Closed sets of names shared by every layer (stored in the database and shown in the API)."""

from enum import StrEnum


class CalendarProviderName(StrEnum):
    """Which external calendar a booking link (or a round-robin member) consults."""

    NONE = "none"
    GOOGLE = "google"
    MICROSOFT = "microsoft"


class IntegrationProvider(StrEnum):
    """A token slot in ``user_integrations``: one row per (user, provider), never shared."""

    MICROSOFT_CALENDAR = "microsoft_calendar"
    GOOGLE_CALENDAR = "google_calendar"
    MICROSOFT_MAIL = "microsoft_mail"


class AccountKind(StrEnum):
    """What kind of account a connection is: an organisation's (work, school) or a personal one."""

    WORK = "work"
    PERSONAL = "personal"


class IntegrationStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    REVOKED = "revoked"


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class CalendarSyncStatus(StrEnum):
    """Where the booking's provider event stands (``calendar_status`` in the API)."""

    NOT_APPLICABLE = "not_applicable"
    PENDING = "pending"
    CREATED = "created"
    FAILED = "failed"


class JobKind(StrEnum):
    """Outbox job kinds; ``worker.jobs.JOB_HANDLERS`` maps each to its handler."""

    CREATE_CALENDAR_EVENT = "create_calendar_event"
    AWAIT_MEETING_LINK = "await_meeting_link"
    MEETING_LINK_MISSING = "meeting_link_missing"
    UPDATE_CALENDAR_EVENT = "update_calendar_event"
    CALENDAR_UPDATE_FAILED = "calendar_update_failed"
    CANCEL_CALENDAR_EVENT = "cancel_calendar_event"
    CALENDAR_EVENT_FAILED = "calendar_event_failed"
    SEND_CONFIRMATION = "send_confirmation"
    NOTIFY_HOST = "notify_host"
    SEND_CHANGE_NOTICE = "send_change_notice"
    NOTIFY_HOST_CHANGE = "notify_host_change"
    SEND_TEAM_INVITATION = "send_team_invitation"  # no booking: the payload names the invitation


class TeamRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class MemberStatus(StrEnum):
    """A team member: ``invited`` until they say yes on their own account, then ``active``."""

    INVITED = "invited"
    ACTIVE = "active"


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


PROVIDER_SLOT: dict[CalendarProviderName, IntegrationProvider] = {
    CalendarProviderName.MICROSOFT: IntegrationProvider.MICROSOFT_CALENDAR,
    CalendarProviderName.GOOGLE: IntegrationProvider.GOOGLE_CALENDAR,
}


class ConnectionProblem(StrEnum):
    """Why a connection needs the host's attention; services.connections words each for the host."""

    EXPIRED = "expired"
    REVOKED = "revoked"
    CONSENT_MISSING = "consent_missing"
    INTERACTION_REQUIRED = "interaction_required"
    MISSING_SCOPE = "missing_scope"
    PERSONAL_ACCOUNT = "personal_account"
    NO_MEETING_LINK = "no_meeting_link"
    CALENDAR_NOT_FOUND = "calendar_not_found"
    ADMIN_CONSENT_REQUIRED = "admin_consent_required"
    UNAVAILABLE = "unavailable"
