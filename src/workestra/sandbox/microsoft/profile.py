"""Graph `GET /me`: the signed-in user's profile (B).

Reference: Graph `api-reference/v1.0/api/user-get.md`. Callers hold the lock.
"""

import re
from typing import Any

from .errors import request_denied
from .wire import Context, GraphResponse, context_url, ok, project, select_fields

# Least privilege is User.Read; broader directory permissions also allow it.
READ_PROFILE = ("User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "Directory.Read.All")
DEFAULT_PROPERTIES = (
    "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
    "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
)  # fmt: skip


def me(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """GET /me [ME]: default properties; `mail` may be null."""
    ctx.require(READ_PROFILE, request_denied)
    user = ctx.user
    given, _, surname = user.display_name.partition(" ")
    profile: dict[str, Any] = {
        "@odata.context": context_url("users/$entity"),
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": given or None,
        "jobTitle": None,
        "mail": None if user.mail_null else user.email,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
        "surname": surname or None,
        "userPrincipalName": user.email,
        "id": user.id,
    }
    chosen = select_fields(ctx, DEFAULT_PROPERTIES, "microsoft.graph.user")
    return ok(project(profile, chosen, ("@odata.context",)))
