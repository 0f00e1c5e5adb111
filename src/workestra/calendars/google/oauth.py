"""Google OAuth 2.0 web-server flow: authorization URL with PKCE S256, code exchange, refresh, revoke.

Plain httpx2 on the shared client; never logs tokens, codes, id_tokens or token responses.
"""

import logging
from collections.abc import Iterable
from urllib.parse import quote, urlencode

import httpx2
from pydantic import ValidationError

from workestra.calendars.base import AccountProfile, Permission, TokenGrant
from workestra.calendars.errors import CalendarError, ProviderRejected, ProviderUnavailable
from workestra.calendars.google.config import GoogleConfig
from workestra.calendars.google.errors import api_error, token_error, transport_error
from workestra.calendars.google.errors import authorization_error as map_authorization_error
from workestra.calendars.google.wire import CalendarListEntry, IdTokenClaims, TokenResponse
from workestra.calendars.http import build_client
from workestra.calendars.oauth_common import code_challenge
from workestra.calendars.oauth_common import id_token_claims as read_claims
from workestra.enums import AccountKind

logger = logging.getLogger(__name__)

_AUTH = "https://www.googleapis.com/auth/"
EVENTS_SCOPE = _AUTH + "calendar.events"
FREEBUSY_SCOPE = _AUTH + "calendar.freebusy"
CALENDARLIST_SCOPE = _AUTH + "calendar.calendarlist.readonly"
OPENID_SCOPE = "openid"
EMAIL_SCOPE = "email"

# Least privilege (PROVIDER-APIS G1, DISC per-method scopes). Workestra reads busy time, writes
# the events it books, and checks whether the primary calendar can attach Google Meet:
# - calendar.freebusy: freeBusy.query only. It shows busy blocks, never titles or attendees;
#   calendar.readonly / calendar.events.readonly would expose every event's details.
# - calendar.events: events.insert / get / delete on the host's calendars; the broad `calendar`
#   scope would also let us delete calendars and change sharing, which we never do.
# - calendar.calendarlist.readonly: the health check's calendarList.get("primary"), the only read
#   (with calendars.get) that carries conferenceProperties.allowedConferenceSolutionTypes, i.e.
#   whether Meet links can be made. Neither scope above grants it (calendarList accepts calendar,
#   calendar.readonly, calendar.calendarlist(.readonly) only). It shows calendar names and
#   settings, no events; calendar.calendars.readonly would do for the health check too, but the
#   calendar list also serves choosing conflict / destination calendars, so one read-only scope
#   covers both.
# - openid + email: the id_token names the account (`sub`, `email`) and its Workspace domain
#   (`hd`), so no profile API and no `profile` scope are needed.
REQUESTED_SCOPES: tuple[str, ...] = (
    EVENTS_SCOPE,
    FREEBUSY_SCOPE,
    CALENDARLIST_SCOPE,
    OPENID_SCOPE,
    EMAIL_SCOPE,
)
# What a grant must contain for busy time and events to work.
REQUIRED_SCOPES: frozenset[str] = frozenset({EVENTS_SCOPE, FREEBUSY_SCOPE})
# The card's permission table, in REQUESTED_SCOPES' order. Google echoes every granted scope in
# the token answer's `scope` (G1.1), sign-in ones included.
PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        EVENTS_SCOPE,
        "Create, read and cancel the events of your bookings (with their Google Meet links)",
        "Bookings can't be added to your calendar.",
        required=True,
    ),
    Permission(
        FREEBUSY_SCOPE,
        "Read when you are busy (times only, never event details)",
        "Availability can't be read, so your booking pages show no times.",
        required=True,
    ),
    Permission(
        CALENDARLIST_SCOPE,
        "Check that your primary calendar exists and can attach Google Meet links",
        "The connection check can't see whether Google Meet links can be made.",
        required=False,
    ),
    Permission(
        OPENID_SCOPE,
        "Identify the connected Google account",
        "The connected account can't be identified.",
        required=True,
    ),
    Permission(
        EMAIL_SCOPE,
        "Show which Google account is connected (its email address)",
        "The connected account can't be identified.",
        required=True,
    ),
)

# Long and short spellings of the sign-in scopes (Google answers `email` with the userinfo URI).
_ALIASES = {
    _AUTH + "userinfo.email": EMAIL_SCOPE,
    _AUTH + "userinfo.profile": "profile",
    "https://www.googleapis.com/auth/plus.me": "openid",
}
_CALENDARLIST_SCOPES = frozenset({CALENDARLIST_SCOPE})


def normalize_scopes(granted: str | Iterable[str]) -> frozenset[str]:
    """Granted scopes as PERMISSIONS spells them: calendar scopes as full URIs, sign-in scopes
    short (``https://www.googleapis.com/auth/userinfo.email`` → ``email``)."""
    items = granted.split() if isinstance(granted, str) else granted
    names: set[str] = set()
    for item in items:
        name = item.strip()
        if name:
            names.add(_ALIASES.get(name.lower(), name))
    return frozenset(names)


def id_token_claims(id_token: str | None) -> IdTokenClaims | None:
    """The claims of the token endpoint's id_token (None when absent or malformed)."""
    return read_claims(id_token, IdTokenClaims)


def account_kind_of(claims: IdTokenClaims | None) -> AccountKind | None:
    """``hd`` (hosted domain) marks a Google Workspace account; an identified account without it
    is a personal Google account (gmail). Unknown without claims."""
    if claims is None:
        return None
    if claims.hd:
        return AccountKind.WORK
    if claims.email or claims.sub:
        return AccountKind.PERSONAL
    return None


class GoogleOAuth:
    """The OAuthClient port for Google (PROVIDER-APIS G1).

    Uses ``client`` (the shared one from ``calendars.http``) or builds and owns its own.
    """

    permissions: tuple[Permission, ...] = PERMISSIONS

    def __init__(self, config: GoogleConfig, client: httpx2.AsyncClient | None = None) -> None:
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
        """The authorization URL (G1): offline access with a forced consent, so every connect
        returns a refresh token, and incremental scopes kept."""
        params = {
            "client_id": self._config.client_id,
            "redirect_uri": redirect_uri or self._config.redirect_uri,
            "response_type": "code",
            "scope": " ".join(REQUESTED_SCOPES),
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "state": state,
            "code_challenge": code_challenge(code_verifier),
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        return f"{self._config.auth_url}?{urlencode(params, quote_via=quote)}"

    async def exchange_code(
        self, *, code: str, code_verifier: str, redirect_uri: str | None = None
    ) -> TokenGrant:
        """Redeem the callback's ``code`` (G1); a refused code is ``AuthorizationCodeRejected``."""
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
        """Redeem a refresh token (G1). Google normally returns no new refresh token: the grant's
        ``refresh_token`` is then None and the caller keeps the one it has.

        Raises ``NeedsReauth`` (reason ``revoked`` or ``expired``) on ``invalid_grant``.
        """
        return await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}, refreshing=True
        )

    async def revoke(self, token: str) -> None:
        """Revoke the grant a refresh or access token belongs to (G1 "revoke"). A token Google
        no longer knows (400 ``invalid_token``) counts as revoked."""
        if self._config.revoke_url is None:
            return
        try:
            response = await self._client.post(
                self._config.revoke_url,
                data={"token": token},
                headers={"Accept": "application/json"},
            )
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise transport_error(exc) from exc
        if response.is_success or response.status_code == httpx2.codes.BAD_REQUEST:
            return
        try:
            response.raise_for_status()
        except httpx2.HTTPStatusError as exc:
            raise token_error(response, refreshing=True) from exc

    def authorization_error(self, error: str, description: str | None) -> CalendarError:
        """The callback's ``error`` (G1): ``access_denied`` → ConsentDeclined, ..."""
        return map_authorization_error(error, description or "")

    async def fetch_profile(self, access_token: str) -> AccountProfile:
        """The account behind ``access_token`` when its grant carried no id_token (the grant's
        ``account`` names it otherwise): the primary calendar, whose id is the address."""
        try:
            response = await self._client.get(
                self._config.calendar("/users/me/calendarList/primary"),
                headers={"Authorization": f"Bearer {access_token}"},
            )
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise transport_error(exc) from exc
        if response.is_error:
            try:
                response.raise_for_status()
            except httpx2.HTTPStatusError as exc:
                raise api_error(response, scopes=_CALENDARLIST_SCOPES) from exc
        try:
            entry = CalendarListEntry.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProviderUnavailable("unreadable calendarList answer") from exc
        if "@" not in entry.id:
            raise ProviderRejected("the primary calendar's id is not an address")
        return AccountProfile(account_id=entry.id, email=entry.id, display_name=entry.summary or entry.id)

    async def _token_request(self, form: dict[str, str], *, refreshing: bool) -> TokenGrant:
        # client_secret_post (G1): the secret travels in the form body, never in a URL.
        body = {"client_id": self._config.client_id, "client_secret": self._config.client_secret, **form}
        try:
            response = await self._client.post(
                self._config.token_url, data=body, headers={"Accept": "application/json"}
            )
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise transport_error(exc) from exc
        if response.is_error:
            try:
                response.raise_for_status()
            except httpx2.HTTPStatusError as exc:
                error = token_error(response, refreshing=refreshing)
                logger.warning("Google token request refused: %s", error.detail)
                raise error from exc
        try:
            token = TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:  # inputs are hidden in wire errors: no token reaches a log
            raise ProviderUnavailable("unreadable token endpoint answer") from exc
        claims = id_token_claims(token.id_token)
        account = None
        if claims is not None and claims.email:
            account = AccountProfile(
                account_id=claims.sub or claims.email,
                email=claims.email,
                display_name=claims.name or claims.email,
                account_kind=account_kind_of(claims),
            )
        return TokenGrant(
            access_token=token.access_token,
            refresh_token=token.refresh_token,
            expires_in=token.expires_in,
            scopes=normalize_scopes(token.scope),
            organization_id=claims.hd if claims is not None else None,
            account_kind=account_kind_of(claims),
            account=account,
        )
