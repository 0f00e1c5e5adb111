"""MicrosoftConfig: the app registration and every endpoint root the Microsoft adapter talks to.

Built from Settings by the composition root; the adapter never reads settings or the environment.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
GLOBAL_GRAPH_RESOURCE = "https://graph.microsoft.com/"
# Graph in the national clouds has its own resource id, its root (Graph's "National cloud
# deployments" page). Any other root (the sandbox, a proxy) stands for the global service.
NATIONAL_GRAPH_HOSTS = frozenset(
    {"graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"}
)
# Tenant aliases an admin can't consent through: `common` admits personal accounts, which have no
# admin, and `consumers` only them (v2-admin-consent.md, `tenant`). `organizations` asks the admin
# of whichever work tenant signs in.
_NOT_FOR_ADMIN_CONSENT = frozenset({"common", "consumers"})


@dataclass(frozen=True, slots=True, kw_only=True)
class MicrosoftConfig:
    """``tenant`` is ``common``, ``organizations``, ``consumers`` or a tenant id (PROVIDER-APIS A1).

    ``login_url`` and ``graph_url`` are roots (a trailing slash is tolerated); pointing them at the
    sandbox is the only difference between tests and production.
    """

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    tenant: str = "common"
    login_url: str = DEFAULT_LOGIN_URL
    graph_url: str = DEFAULT_GRAPH_URL

    @property
    def authorize_endpoint(self) -> str:
        return f"{self.login_url.rstrip('/')}/{self.tenant}/oauth2/v2.0/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.login_url.rstrip('/')}/{self.tenant}/oauth2/v2.0/token"

    def admin_consent_endpoint(self, tenant: str | None = None) -> str:
        """``{login}/{tenant}/v2.0/adminconsent`` (v2-admin-consent.md) for ``tenant``, else for the
        configured tenant when it names one organisation, else for ``organizations``."""
        chosen = tenant or self.tenant
        if chosen.lower() in _NOT_FOR_ADMIN_CONSENT:
            chosen = "organizations"
        return f"{self.login_url.rstrip('/')}/{chosen}/v2.0/adminconsent"

    @property
    def graph_resource(self) -> str:
        """The resource prefix of Graph permissions (``https://graph.microsoft.com/``), as the
        admin-consent ``scope`` must spell them; a national cloud's Graph root is its own."""
        host = (urlsplit(self.graph_url).hostname or "").lower()
        return f"https://{host}/" if host in NATIONAL_GRAPH_HOSTS else GLOBAL_GRAPH_RESOURCE

    def graph(self, path: str) -> str:
        """Absolute Graph URL for ``path`` (``/me/events``)."""
        return f"{self.graph_url.rstrip('/')}{path}"
