"""Microsoft identity platform v2.0: authorize URL with PKCE S256, code exchange, refresh, GET /me,
and the admin-consent URL.

Plain httpx2 on the shared client; never logs tokens, codes or token responses.
"""

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, urlencode

import httpx2
from pydantic import ValidationError

from workestra.calendars.base import AccountProfile, Permission, TokenGrant
from workestra.calendars.errors import CalendarError, ProviderRejected, ProviderUnavailable
from workestra.calendars.http import build_client
from workestra.calendars.microsoft.config import MicrosoftConfig
from workestra.calendars.microsoft.errors import admin_consent_error as map_admin_consent_error
from workestra.calendars.microsoft.errors import authorization_error as map_authorization_error
from workestra.calendars.microsoft.errors import graph_error, token_error, transport_error
from workestra.calendars.microsoft.wire import GraphUser, IdTokenClaims, TokenResponse
from workestra.calendars.oauth_common import code_challenge, id_token_claims
from workestra.enums import AccountKind

logger = logging.getLogger(__name__)

# Asked for on /authorize, in this order (the issue fixes the exact string). offline_access is
# what makes the platform issue a refresh token at all (PROVIDER-APIS A2, A5).
REQUESTED_SCOPES: tuple[str, ...] = (
    "offline_access",
    "User.Read",
    "Calendars.ReadWrite",
    "OnlineMeetings.ReadWrite",
)
# What a grant must contain for the adapter to work. offline_access is never echoed in `scope`
# (A8.1) - the refresh token is its evidence; OnlineMeetings.ReadWrite is not needed for Teams
# links made through /me/events (D2) and personal accounts cannot hold it (D2).
REQUIRED_SCOPES: frozenset[str] = frozenset({"User.Read", "Calendars.ReadWrite"})
# The product page's permission table, in REQUESTED_SCOPES' order as the card shows it.
PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        "Calendars.ReadWrite",
        "Read your free/busy and create / update events on your behalf",
        "Availability can't be read and events can't be created.",
        required=True,
    ),
    Permission(
        "OnlineMeetings.ReadWrite",
        "Generate Teams meeting URLs at event creation time",
        "Teams links can't be created.",
        required=False,
    ),
    Permission(
        "User.Read",
        "Identify the connected account",
        "The connected account can't be identified.",
        required=True,
    ),
    Permission(
        "offline_access",
        "Keep the connection alive across sessions",
        "The connection can't stay alive between sessions.",
        required=False,
        echoed=False,
    ),
)

# Tenant id of every personal Microsoft account (`tid` claim; PROVIDER-APIS A5, H2).
PERSONAL_ACCOUNT_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
# OpenID Connect scopes belong to no resource; every other requested scope is a Graph permission
# (SCOPES), which the admin-consent endpoint wants with its resource (v2-admin-consent.md).
_OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})

_GRAPH_RESOURCE_PREFIXES = ("https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000/")
_CANONICAL_SCOPES = {
    name.lower(): name
    for name in (
        *REQUESTED_SCOPES,
        "openid",
        "profile",
        "email",
        "Calendars.Read",
        "Calendars.Read.Shared",
        "Calendars.ReadWrite.Shared",
        "OnlineMeetings.Read",
        "User.ReadBasic.All",
    )
}
# GET /me ids: a GUID (object id) for work/school accounts, the 16-hex-digit CID for personal ones
# [O: https://github.com/OfficeDev/outlook-dev-docs/issues/918,
#  https://github.com/microsoft/quick-authentication/pull/31].
_WORK_USER_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_PERSONAL_USER_ID = re.compile(r"[0-9a-fA-F]{16}")
_USER_SCOPES = frozenset({"User.Read"})


def normalize_scopes(granted: str | Iterable[str]) -> frozenset[str]:
    """Granted scopes as short canonical names (``https://graph.microsoft.com/calendars.readwrite``
    → ``Calendars.ReadWrite``); unknown scopes keep their spelling minus the Graph prefix (A5)."""
    items = granted.split() if isinstance(granted, str) else granted
    names: set[str] = set()
    for item in items:
        name = item.strip()
        for prefix in _GRAPH_RESOURCE_PREFIXES:
            if name.lower().startswith(prefix):
                name = name[len(prefix) :]
                break
        if name:
            names.add(_CANONICAL_SCOPES.get(name.lower(), name))
    return frozenset(names)


def is_personal_tenant(tenant_id: str | None) -> bool:
    """True for the consumer (MSA) tenant: outlook.com / hotmail accounts, which have no Teams."""
    return tenant_id is not None and tenant_id.lower() == PERSONAL_ACCOUNT_TENANT_ID


def account_kind_of_tenant(tenant_id: str | None) -> AccountKind | None:
    """The consumer (MSA) tenant is personal; any other tenant is an organisation's."""
    if tenant_id is None:
        return None
    return AccountKind.PERSONAL if is_personal_tenant(tenant_id) else AccountKind.WORK


def _kind_from_user_id(user_id: str) -> AccountKind | None:
    if _PERSONAL_USER_ID.fullmatch(user_id):
        return AccountKind.PERSONAL
    if _WORK_USER_ID.fullmatch(user_id):
        return AccountKind.WORK
    return None


def _tenant_from_id_token(id_token: str | None) -> str | None:
    claims = id_token_claims(id_token, IdTokenClaims)
    return claims.tid if claims else None


class MicrosoftOAuth:
    """The OAuthClient port for the Microsoft identity platform (PROVIDER-APIS A).

    Uses ``client`` (the shared one from ``calendars.http``) or builds and owns its own.
    """

    permissions: tuple[Permission, ...] = PERMISSIONS

    def __init__(self, config: MicrosoftConfig, client: httpx2.AsyncClient | None = None) -> None:
        self._config = config
        self._owns_client = client is None
        self._client = client if client is not None else build_client()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def authorization_url(
        self,
        *,
        state: str,
        code_verifier: str,
        redirect_uri: str | None = None,
        login_hint: str | None = None,
    ) -> str:
        """The authorize URL (A2); ``redirect_uri`` defaults to the configured one."""
        params = {
            "client_id": self._config.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri or self._config.redirect_uri,
            "response_mode": "query",
            "scope": " ".join(REQUESTED_SCOPES),
            "state": state,
            "code_challenge": code_challenge(code_verifier),
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        return f"{self._config.authorize_endpoint}?{urlencode(params, quote_via=quote)}"

    def admin_consent_scopes(self) -> tuple[str, ...]:
        """The requested scopes as the admin-consent endpoint takes them: Graph permissions with
        their resource (``https://graph.microsoft.com/Calendars.ReadWrite``), OIDC ones bare."""
        resource = self._config.graph_resource
        return tuple(s if s in _OIDC_SCOPES else f"{resource}{s}" for s in REQUESTED_SCOPES)

    def admin_consent_url(self, *, state: str, redirect_uri: str, tenant: str | None = None) -> str:
        """``GET {login}/{tenant}/v2.0/adminconsent`` (v2-admin-consent.md; PROVIDER-APIS A9): an
        admin approves the four permissions for everyone in the organisation; nothing is issued.

        ``tenant`` is the organisation's id when known (best for admins who manage several), else
        the configured one when it names an organisation, else ``organizations``: ``common`` and
        personal accounts can't give admin consent.
        """
        if tenant is not None and tenant.lower() == PERSONAL_ACCOUNT_TENANT_ID:
            tenant = None
        params = {
            "client_id": self._config.client_id,
            "scope": " ".join(self.admin_consent_scopes()),
            "redirect_uri": redirect_uri,
            "state": state,
        }
        endpoint = self._config.admin_consent_endpoint(tenant)
        return f"{endpoint}?{urlencode(params, quote_via=quote)}"

    def admin_consent_error(
        self, error: str, description: str | None, error_uri: str | None = None
    ) -> CalendarError:
        """The admin-consent callback's ``error`` → ConsentDeclined (the admin said no),
        AdminConsentRequired (who signed in is no admin), ..."""
        return map_admin_consent_error(error, description or "", error_uri)

    async def exchange_code(
        self, *, code: str, code_verifier: str, redirect_uri: str | None = None
    ) -> TokenGrant:
        """Redeem the authorize ``code`` (A4); failures map through ``errors.token_error``."""
        return await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri or self._config.redirect_uri,
                "code_verifier": code_verifier,
            },
            refreshing=False,
        )

    async def refresh(self, refresh_token: str) -> TokenGrant:
        """Redeem a refresh token (A4). The answer carries a NEW refresh token: persist it (A7).

        Raises ``NeedsReauth`` with reason expired / revoked / consent_missing /
        interaction_required when the grant is dead.
        """
        return await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}, refreshing=True
        )

    def authorization_error(
        self, error: str, description: str | None, error_uri: str | None = None
    ) -> CalendarError:
        """The callback's ``error`` / ``error_description`` (A3) → ConsentDeclined, ..."""
        return map_authorization_error(error, description or "", error_uri)

    async def fetch_profile(self, access_token: str) -> AccountProfile:
        """``GET /me`` (B): account id, address (``mail``, else ``userPrincipalName``), name, and
        whether it is a personal account (its id is a 16-hex-digit CID, not a GUID)."""
        try:
            response = await self._client.get(
                self._config.graph("/me"),
                params={"$select": "id,displayName,mail,userPrincipalName"},
                headers={"Authorization": f"Bearer {access_token}"},
            )
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise transport_error(exc) from exc
        if response.is_error:
            try:
                response.raise_for_status()
            except httpx2.HTTPStatusError as exc:
                raise graph_error(response, scopes=_USER_SCOPES) from exc
        try:
            user = GraphUser.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProviderUnavailable("unreadable GET /me answer") from exc
        email = user.mail or user.user_principal_name
        if not email:
            raise ProviderRejected("GET /me returned neither mail nor userPrincipalName")
        return AccountProfile(
            account_id=user.id,
            email=email,
            display_name=user.display_name or email,
            account_kind=_kind_from_user_id(user.id),
        )

    async def _token_request(self, form: dict[str, str], *, refreshing: bool) -> TokenGrant:
        # client_secret_post (A4): the secret travels in the form body, the scope string is the
        # one consented on /authorize so a refresh never asks for more than was granted.
        body = {
            "client_id": self._config.client_id,
            "client_secret": self._config.client_secret,
            "scope": " ".join(REQUESTED_SCOPES),
            **form,
        }
        try:
            response = await self._client.post(
                self._config.token_endpoint, data=body, headers={"Accept": "application/json"}
            )
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise transport_error(exc) from exc
        if response.is_error:
            try:
                response.raise_for_status()
            except httpx2.HTTPStatusError as exc:
                error = token_error(response, refreshing=refreshing)
                logger.warning("Microsoft token request refused: %s", error.detail)
                raise error from exc
        try:
            token = TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:  # inputs are hidden in wire errors: no token reaches a log
            raise ProviderUnavailable("unreadable token endpoint answer") from exc
        tenant_id = _tenant_from_id_token(token.id_token)
        scopes = normalize_scopes(token.scope)
        if token.refresh_token:  # offline_access is never echoed (A8.1): the refresh token proves it
            scopes |= {"offline_access"}
        return TokenGrant(
            access_token=token.access_token,
            refresh_token=token.refresh_token,
            expires_in=token.expires_in,
            scopes=scopes,
            organization_id=tenant_id,
            account_kind=account_kind_of_tenant(tenant_id),
        )
