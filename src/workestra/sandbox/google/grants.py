"""Grants of Google OAuth: consent, authorization codes, PKCE, tokens, refresh and revocation.

Reference: G-OAUTH (web server flow: code exchange, refresh, revocation, `access_type=offline`,
`prompt=consent`, `include_granted_scopes`) and G1's observed refresh failures. Callers hold the lock.
"""

import base64
import hashlib
import hmac
import json
import re
from typing import Any

from . import scopes as scope_names
from .errors import OAuthError, bad_grant, expired_or_revoked, missing_parameter
from .state import (
    ACCESS_TOKEN_LIFETIME,
    CODE_LIFETIME,
    IDLE_REFRESH_LIFETIME,
    MAX_REFRESH_TOKENS,
    TESTING_REFRESH_LIFETIME,
    AccessToken,
    Account,
    App,
    AuthorizationCode,
    GoogleState,
    PendingAuthorization,
    RefreshToken,
    opaque,
)

_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 section 4.1


def offered(account: Account, requested: tuple[str, ...]) -> tuple[str, ...]:
    """The requested scopes the user leaves ticked: all but those the control API dropped."""
    return tuple(s for s in requested if s in scope_names.SIGN_IN or s not in account.dropped_scopes)


def consent_covers(state: GoogleState, account: Account, client_id: str, wanted: tuple[str, ...]) -> bool:
    consented = state.consents.get((account.email.lower(), client_id), set())
    return all(s in consented for s in wanted)


def issue_code(
    state: GoogleState, flow: PendingAuthorization, account: Account, chosen: tuple[str, ...]
) -> AuthorizationCode:
    """Record consent for the chosen scopes and mint a single-use code. With
    `include_granted_scopes=true` the code also carries what the app was granted before."""
    key = (account.email.lower(), flow.client_id)
    consented = state.consents.setdefault(key, set())
    consented.update(chosen)
    granted = tuple(dict.fromkeys(chosen + (tuple(sorted(consented)) if flow.include_granted_scopes else ())))
    code = AuthorizationCode(
        code="4/sbx-" + opaque("", 32),
        client_id=flow.client_id,
        email=account.email,
        redirect_uri=flow.redirect_uri,
        scopes=granted,
        code_challenge=flow.code_challenge,
        code_challenge_method=flow.code_challenge_method,
        offline=flow.offline,
        force_refresh_token="consent" in flow.prompts,
        expires_at=state.now() + CODE_LIFETIME,
    )
    state.codes[code.code] = code
    return code


def _verify_pkce(code: AuthorizationCode, verifier: str | None) -> None:
    if code.code_challenge is None:
        return
    if not verifier:
        raise OAuthError("invalid_grant", "Missing code verifier.")  # [O]
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    if not _VERIFIER.fullmatch(verifier) or not hmac.compare_digest(expected, code.code_challenge):
        raise OAuthError("invalid_grant", "Invalid code verifier.")  # [O]


def _live(state: GoogleState, token: RefreshToken) -> bool:
    now = state.now()
    if token.revoked or now - token.last_used_at >= IDLE_REFRESH_LIFETIME:
        return False
    return token.expires_at is None or now < token.expires_at


def _live_refresh_tokens(state: GoogleState, email: str, client_id: str) -> list[RefreshToken]:
    return sorted(
        (
            t
            for t in state.refresh_tokens.values()
            if t.email.lower() == email.lower() and t.client_id == client_id and _live(state, t)
        ),
        key=lambda t: t.issued_at,
    )


def redeem_code(
    state: GoogleState, app: App, *, code: str | None, redirect_uri: str | None, code_verifier: str | None
) -> dict[str, Any]:
    """grant_type=authorization_code [G-OAUTH "Exchange authorization code for tokens"]."""
    if not code:
        raise missing_parameter("code")
    found = state.codes.get(code)
    if found is None or found.client_id != app.client_id or found.redeemed:
        raise bad_grant()
    if state.now() >= found.expires_at:
        raise bad_grant()
    if not redirect_uri:
        raise missing_parameter("redirect_uri")
    if redirect_uri != found.redirect_uri:
        raise OAuthError("redirect_uri_mismatch", "Bad Request")  # [O]
    _verify_pkce(found, code_verifier)
    found.redeemed = True
    account = state.accounts[found.email.lower()]
    # G1: a refresh token only with access_type=offline, and normally only at the first consent
    # (while an earlier one still lives) unless prompt=consent asked for a fresh one.
    with_refresh = found.offline and (
        found.force_refresh_token or not _live_refresh_tokens(state, account.email, app.client_id)
    )
    return token_response(state, app, account, found.scopes, with_refresh=with_refresh)


def redeem_refresh_token(state: GoogleState, app: App, *, refresh_token: str | None) -> dict[str, Any]:
    """grant_type=refresh_token [G-OAUTH "Refreshing an access token"]: no new refresh token."""
    if not refresh_token:
        raise missing_parameter("refresh_token")
    token = state.refresh_tokens.get(refresh_token)
    if token is None or token.client_id != app.client_id:
        raise bad_grant()
    account = state.account(token.email)
    if account is None or not _live(state, token):
        raise expired_or_revoked()
    token.last_used_at = state.now()
    return token_response(state, app, account, token.scopes, with_refresh=False, refresh=token)


def token_response(
    state: GoogleState,
    app: App,
    account: Account,
    scopes: tuple[str, ...],
    *,
    with_refresh: bool,
    refresh: RefreshToken | None = None,
) -> dict[str, Any]:
    """G1.1: access_token, expires_in, refresh_token (if issued), scope, token_type, id_token."""
    now = state.now()
    if with_refresh:
        refresh = RefreshToken(
            token="1//sbx-" + opaque("", 32),
            client_id=app.client_id,
            email=account.email,
            scopes=scopes,
            issued_at=now,
            last_used_at=now,
            expires_at=now + TESTING_REFRESH_LIFETIME if app.testing else None,
        )
        state.refresh_tokens[refresh.token] = refresh
        live = _live_refresh_tokens(state, account.email, app.client_id)
        for oldest in live[: max(0, len(live) - MAX_REFRESH_TOKENS)]:
            oldest.revoked = True  # G1: over 100, the oldest is silently invalidated
    access = AccessToken(
        token="ya29.sbx-" + opaque("", 32),
        client_id=app.client_id,
        email=account.email,
        scopes=scopes,
        expires_at=now + ACCESS_TOKEN_LIFETIME,
        refresh_token=refresh.token if refresh is not None else None,
    )
    state.access_tokens[access.token] = access
    body: dict[str, Any] = {
        "access_token": access.token,
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
    }
    if with_refresh and refresh is not None:
        body["refresh_token"] = refresh.token
    if refresh is not None and refresh.expires_at is not None:
        body["refresh_token_expires_in"] = int((refresh.expires_at - now).total_seconds())
    body["scope"] = scope_names.render(scopes)
    body["token_type"] = "Bearer"  # noqa: S105 - the token type, not a secret
    if scope_names.OPENID in scopes:
        body["id_token"] = id_token(app, account, scopes, issued=int(now.timestamp()))
    return body


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def id_token(app: App, account: Account, scopes: tuple[str, ...], *, issued: int) -> str:
    """An unsigned (alg none) OpenID Connect id_token; `hd` only for Workspace accounts."""
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "azp": app.client_id,
        "aud": app.client_id,
        "sub": account.subject,
        "iat": issued,
        "exp": issued + 3600,
    }
    if account.kind == "workspace":
        claims["hd"] = account.domain
    if scope_names.USERINFO_EMAIL in scopes:
        claims["email"] = account.email
        claims["email_verified"] = True
    if scope_names.USERINFO_PROFILE in scopes:
        given, _, family = account.name.partition(" ")
        claims.update({"name": account.name, "given_name": given, "family_name": family})
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def revoke_token(state: GoogleState, value: str) -> None:
    """G-OAUTH "Revoking a token": an access or refresh token revokes the whole grant."""
    refresh = state.refresh_tokens.get(value)
    access = state.access_tokens.get(value)
    if refresh is not None and not refresh.revoked:
        revoke_grant(state, refresh.email, refresh.client_id)
    elif access is not None and not access.revoked and not access.force_expired:
        if state.now() >= access.expires_at:
            raise OAuthError("invalid_token", "Token expired or revoked")
        revoke_grant(state, access.email, access.client_id)
    else:
        raise OAuthError("invalid_token", "Token expired or revoked")  # [O]


def revoke_grant(state: GoogleState, email: str, client_id: str | None) -> None:
    """The user removed the app's access: tokens dead, consent gone (for one app or all)."""
    tokens: list[RefreshToken | AccessToken] = [*state.refresh_tokens.values(), *state.access_tokens.values()]
    for token in tokens:
        if token.email.lower() == email.lower() and client_id in (None, token.client_id):
            token.revoked = True
    for key in [k for k in state.consents if k[0] == email.lower() and client_id in (None, k[1])]:
        del state.consents[key]
