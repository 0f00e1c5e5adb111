"""Google Calendar adapter: the one import surface for the rest of Workestra.

Calendar API v3 for busy time, events and Google Meet links; Google OAuth 2.0 (PKCE, offline
refresh) for the connection.
"""

from workestra.calendars.google.calendar import (
    MAX_FREEBUSY_WINDOW,
    TERMS,
    GoogleCalendar,
    conference_request_id,
    event_id_for,
    freebusy_windows,
)
from workestra.calendars.google.config import GoogleConfig
from workestra.calendars.google.errors import authorization_error
from workestra.calendars.google.oauth import (
    CALENDARLIST_SCOPE,
    EMAIL_SCOPE,
    EVENTS_SCOPE,
    FREEBUSY_SCOPE,
    OPENID_SCOPE,
    PERMISSIONS,
    REQUESTED_SCOPES,
    REQUIRED_SCOPES,
    GoogleOAuth,
    account_kind_of,
    id_token_claims,
    normalize_scopes,
)
from workestra.calendars.oauth_common import code_challenge, new_code_verifier

__all__ = [
    "CALENDARLIST_SCOPE",
    "EMAIL_SCOPE",
    "EVENTS_SCOPE",
    "FREEBUSY_SCOPE",
    "MAX_FREEBUSY_WINDOW",
    "OPENID_SCOPE",
    "PERMISSIONS",
    "REQUESTED_SCOPES",
    "REQUIRED_SCOPES",
    "TERMS",
    "GoogleCalendar",
    "GoogleConfig",
    "GoogleOAuth",
    "account_kind_of",
    "authorization_error",
    "code_challenge",
    "conference_request_id",
    "event_id_for",
    "freebusy_windows",
    "id_token_claims",
    "new_code_verifier",
    "normalize_scopes",
]
