"""Microsoft 365 calendar adapter: the one import surface for the rest of Workestra.

Graph for busy time, events and Teams links; the identity platform for OAuth (PKCE, refresh).
"""

from workestra.calendars.microsoft.config import MicrosoftConfig
from workestra.calendars.microsoft.errors import authorization_error
from workestra.calendars.microsoft.graph import MAILBOX_CONCURRENCY, MicrosoftCalendar
from workestra.calendars.microsoft.oauth import (
    PERMISSIONS,
    PERSONAL_ACCOUNT_TENANT_ID,
    REQUESTED_SCOPES,
    REQUIRED_SCOPES,
    MicrosoftOAuth,
    is_personal_tenant,
    normalize_scopes,
)
from workestra.calendars.microsoft.timezones import supported_iana_zones, windows_zone
from workestra.calendars.oauth_common import code_challenge, new_code_verifier

__all__ = [
    "MAILBOX_CONCURRENCY",
    "PERMISSIONS",
    "PERSONAL_ACCOUNT_TENANT_ID",
    "REQUESTED_SCOPES",
    "REQUIRED_SCOPES",
    "MicrosoftCalendar",
    "MicrosoftConfig",
    "MicrosoftOAuth",
    "authorization_error",
    "code_challenge",
    "is_personal_tenant",
    "new_code_verifier",
    "normalize_scopes",
    "supported_iana_zones",
    "windows_zone",
]
