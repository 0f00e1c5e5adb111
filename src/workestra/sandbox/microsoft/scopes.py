"""Scope names of the identity platform: Graph permissions and the OpenID Connect scopes.

Reference: identity platform `scopes-oidc.md`. Pure helpers; nothing here touches state.
"""

from collections.abc import Iterable

GRAPH_RESOURCE = "https://graph.microsoft.com/"
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")

# Delegated Graph permissions the emulator knows, in Microsoft's casing. A scope outside this
# list is refused (AADSTS70011) rather than silently granted.
GRAPH_PERMISSIONS = (
    "Calendars.Read",
    "Calendars.Read.Shared",
    "Calendars.ReadBasic",
    "Calendars.ReadWrite",
    "Calendars.ReadWrite.Shared",
    "MailboxSettings.Read",
    "MailboxSettings.ReadWrite",
    "OnlineMeetings.Read",
    "OnlineMeetings.ReadWrite",
    "User.Read",
    "User.ReadBasic.All",
)
_PERMISSION_BY_LOWER = {name.lower(): name for name in GRAPH_PERMISSIONS}

# What the consent page says about each permission.
DESCRIPTIONS = {
    "Calendars.Read": "Read your calendars",
    "Calendars.Read.Shared": "Read calendars you can access",
    "Calendars.ReadBasic": "Read basic details of your calendars",
    "Calendars.ReadWrite": "Have full access to your calendars",
    "Calendars.ReadWrite.Shared": "Read and write calendars you can access",
    "MailboxSettings.Read": "Read your mailbox settings",
    "MailboxSettings.ReadWrite": "Read and write your mailbox settings",
    "OnlineMeetings.Read": "Read your online meetings",
    "OnlineMeetings.ReadWrite": "Read and create your online meetings",
    "User.Read": "Sign you in and read your profile",
    "User.ReadBasic.All": "Read all users' basic profiles",
    "openid": "Sign you in",
    "profile": "View your basic profile",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}


def canonical(scope: str) -> str | None:
    """`calendars.readwrite` or its full URI -> `https://graph.microsoft.com/Calendars.ReadWrite`.

    OIDC scopes stay short. A scope without a resource prefix means Graph [SCOPES]. None for a
    scope the emulator does not know (other resources, `.default`, misspellings).
    """
    lowered = scope.strip().lower()
    if lowered in OIDC_SCOPES:
        return lowered
    if lowered.startswith(GRAPH_RESOURCE):
        lowered = lowered[len(GRAPH_RESOURCE) :]
    name = _PERMISSION_BY_LOWER.get(lowered)
    return GRAPH_RESOURCE + name if name else None


def short_name(scope: str) -> str:
    """`https://graph.microsoft.com/Calendars.ReadWrite` -> `Calendars.ReadWrite`."""
    return scope[len(GRAPH_RESOURCE) :] if scope.startswith(GRAPH_RESOURCE) else scope


def is_graph(scope: str) -> bool:
    return scope.startswith(GRAPH_RESOURCE)


def parse(value: str) -> tuple[list[str], list[str]]:
    """Split a `scope` parameter into (canonical known scopes, unknown scopes), deduplicated."""
    known: list[str] = []
    unknown: list[str] = []
    for raw in value.split():
        name = canonical(raw)
        if name is None:
            unknown.append(raw)
        elif name not in known:
            known.append(name)
    return known, unknown


def render(scopes: Iterable[str]) -> str:
    """The token response's `scope`: Graph scopes as full URIs (sorted), then OIDC scopes."""
    granted = set(scopes)
    graph = sorted((s for s in granted if is_graph(s)), key=str.lower)
    oidc = [s for s in OIDC_SCOPES if s in granted]
    return " ".join(graph + oidc)
