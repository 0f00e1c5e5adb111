"""MicrosoftConfig: the app registration and every endpoint root the Microsoft adapter talks to.

Built from Settings by the composition root; the adapter never reads settings or the environment.
"""

from dataclasses import dataclass, field

DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"


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

    def graph(self, path: str) -> str:
        """Absolute Graph URL for ``path`` (``/me/events``)."""
        return f"{self.graph_url.rstrip('/')}{path}"
