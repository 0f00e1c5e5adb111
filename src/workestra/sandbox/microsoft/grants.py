"""Grants of the identity platform: consent, authorization codes, PKCE, token issuance, refresh.

References: `v2-oauth2-auth-code-flow.md` (codes, PKCE, responses), `refresh-tokens.md`
(rotation, 90-day lifetime), `reference-error-codes.md` (AADSTS codes). Callers hold the lock.
"""

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from typing import Any

from . import scopes as scope_names
from .errors import IdentityError
from .state import (
    ACCESS_TOKEN_LIFETIME,
    CODE_LIFETIME,
    PERSONAL_TENANT_ID,
    REFRESH_TOKEN_LIFETIME,
    AccessToken,
    App,
    AuthorizationCode,
    MicrosoftState,
    PendingAuthorization,
    RefreshToken,
    User,
    opaque,
)

_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 section 4.1


def iso_7(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def granted(user: User, requested: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The requested scopes minus those the control API dropped for this user."""
    return tuple(
        s
        for s in requested
        if not (scope_names.is_graph(s) and scope_names.short_name(s).lower() in user.dropped_scopes)
    )


def admin_consent_covers(state: MicrosoftState, user: User, client_id: str, wanted: tuple[str, ...]) -> bool:
    """An admin of the user's tenant approved these Graph permissions for everyone in it."""
    if user.is_personal:
        return False
    approved = state.admin_consents.get((user.tenant_id, client_id), set())
    return all(s in approved for s in granted(user, wanted) if scope_names.is_graph(s))


def consent_covers(state: MicrosoftState, user: User, client_id: str, wanted: tuple[str, ...]) -> bool:
    """No consent page: the user consented before, or the tenant's admin did for everyone."""
    consented = state.consents.get((user.id, client_id), set())
    if all(s in consented for s in granted(user, wanted) if scope_names.is_graph(s)):
        return True
    return admin_consent_covers(state, user, client_id, wanted)


def needs_admin(state: MicrosoftState, user: User, client_id: str, wanted: tuple[str, ...]) -> bool:
    """The tenant lets no user consent (the control switch) and no admin has approved the app."""
    return user.admin_consent_required and not admin_consent_covers(state, user, client_id, wanted)


def grant_admin_consent(state: MicrosoftState, admin: User, client_id: str, scopes: tuple[str, ...]) -> None:
    """The admin approved: the Graph permissions hold for every user of the admin's tenant."""
    graph = {s for s in scopes if scope_names.is_graph(s)}
    state.admin_consents.setdefault((admin.tenant_id, client_id), set()).update(graph)


def issue_code(state: MicrosoftState, flow: PendingAuthorization, user: User) -> str:
    """Record consent for the granted scopes and mint a single-use code (about 10 minutes)."""
    scopes = granted(user, flow.scopes)
    state.consents.setdefault((user.id, flow.client_id), set()).update(scopes)
    code = AuthorizationCode(
        code=opaque("sbx-code-"),
        client_id=flow.client_id,
        user_id=user.id,
        redirect_uri=flow.redirect_uri,
        scopes=scopes,
        code_challenge=flow.code_challenge,
        code_challenge_method=flow.code_challenge_method,
        nonce=flow.nonce,
        expires_at=state.now() + CODE_LIFETIME,
    )
    state.codes[code.code] = code
    return code.code


def missing(name: str) -> IdentityError:
    return IdentityError(
        "invalid_request", 900144, f"The request body must contain the following parameter: '{name}'."
    )


def _malformed() -> IdentityError:
    return IdentityError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")


def _verify_pkce(code: AuthorizationCode, verifier: str | None) -> None:
    if code.code_challenge is None:
        return
    if not verifier:
        raise missing("code_verifier")
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    if not _VERIFIER.fullmatch(verifier) or not hmac.compare_digest(expected, code.code_challenge):
        raise IdentityError(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )


def redeem_code(
    state: MicrosoftState,
    app: App,
    *,
    code: str | None,
    redirect_uri: str | None,
    code_verifier: str | None,
) -> dict[str, Any]:
    """grant_type=authorization_code [AUTHCODE "Redeem a code for an access token"]."""
    if not code:
        raise missing("code")
    found = state.codes.get(code)
    if found is None:
        raise _malformed()
    if found.client_id != app.client_id:
        raise IdentityError("invalid_grant", 70000, "Provided grant is invalid or malformed.")
    if found.redeemed:
        raise IdentityError(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code "
            "or use an existing refresh token.",
        )
    if state.now() >= found.expires_at:
        raise IdentityError(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. "
            "Send a new interactive authorization request for this user and resource.",
        )
    if not redirect_uri:
        raise missing("redirect_uri")
    if redirect_uri != found.redirect_uri:
        raise IdentityError(
            "invalid_grant",
            500112,
            f"The reply address '{redirect_uri}' does not match the reply address "
            f"'{found.redirect_uri}' provided when requesting Authorization code.",
        )
    _verify_pkce(found, code_verifier)
    found.redeemed = True
    user = state.users[found.user_id]
    return token_response(state, app, user, found.scopes, nonce=found.nonce, with_refresh=None)


def _refresh_fault(state: MicrosoftState, user: User, token: RefreshToken) -> IdentityError | None:
    fault = user.refresh_fault
    if fault is None or token.serial > fault.up_to_serial:
        return None
    if fault.kind == "revoked":
        return IdentityError(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is "
            "needed. The user might have changed or reset their password. The grant was issued "
            f"on '{iso_7(token.issued_at)}' and the TokensValidFrom date (before which tokens "
            f"are not valid) for this user is '{iso_7(fault.set_at)}'.",
        )
    if fault.kind == "inactive":
        return _inactive(token)
    if fault.kind == "consent_missing":
        return _consent_missing(state, token.client_id)
    return IdentityError(
        "invalid_grant",
        50076,
        "Due to a configuration change made by your administrator, or because you moved to a new "
        "location, you must use multi-factor authentication to access "
        "'00000003-0000-0000-c000-000000000000'.",
        suberror="basic_action",
        claims='{"access_token":{"capolids":{"essential":true,"values":'
        '["2f3e4d5c-6b7a-4898-a7b6-c5d4e3f2a1b0"]}}}',
    )


def _inactive(token: RefreshToken) -> IdentityError:
    return IdentityError(
        "invalid_grant",
        700082,
        "The refresh token has expired due to inactivity. The token was issued on "
        f"{iso_7(token.issued_at)} and was inactive for 90.00:00:00.",
        suberror="bad_token",
    )


def _consent_missing(state: MicrosoftState, client_id: str) -> IdentityError:
    app = state.apps.get(client_id)
    name = app.name if app else client_id
    return IdentityError(
        "invalid_grant",
        65001,
        f"The user or administrator has not consented to use the application with ID "
        f"'{client_id}' named '{name}'. Send an interactive authorization request for this user "
        "and resource.",
        suberror="consent_required",
        with_error_uri=False,
    )


def redeem_refresh_token(
    state: MicrosoftState, app: App, *, refresh_token: str | None, scope: str | None
) -> dict[str, Any]:
    """grant_type=refresh_token [AUTHCODE "Refresh the access token", RT]."""
    if not refresh_token:
        raise missing("refresh_token")
    token = state.refresh_tokens.get(refresh_token)
    if token is None:
        raise _malformed()
    user = state.users.get(token.user_id)
    if token.client_id != app.client_id or user is None:
        raise IdentityError("invalid_grant", 70000, "Provided grant is invalid or malformed.")
    fault = _refresh_fault(state, user, token)
    if fault is not None:
        raise fault
    if state.now() >= token.expires_at:
        raise _inactive(token)
    wanted = token.scopes
    if scope:
        known, unknown = scope_names.parse(scope)
        if unknown:
            raise invalid_scope(unknown[0])
        consented = state.consents.get((user.id, app.client_id), set())
        dropped = {s for s in known if s not in granted(user, known)}
        if any(scope_names.is_graph(s) and s not in consented | dropped for s in known):
            raise _consent_missing(state, app.client_id)
        # Naming no resource (OIDC scopes only) keeps the Graph scopes of the original grant.
        named_graph = any(scope_names.is_graph(s) for s in known)
        kept = () if named_graph else tuple(s for s in token.scopes if scope_names.is_graph(s))
        wanted = kept + tuple(known)
    return token_response(state, app, user, granted(user, wanted), nonce=None, with_refresh=True)


def invalid_scope(value: str) -> IdentityError:
    return IdentityError(
        "invalid_scope",
        70011,
        f"The provided value for the input parameter 'scope' is not valid. The scope {value} is not valid.",
    )


def token_response(
    state: MicrosoftState,
    app: App,
    user: User,
    scopes: tuple[str, ...],
    *,
    nonce: str | None,
    with_refresh: bool | None,
) -> dict[str, Any]:
    """A5: refresh_token only with offline_access (always on refresh), id_token only with openid."""
    now = state.now()
    access = AccessToken(
        token=opaque("sbx-at-", 32),
        client_id=app.client_id,
        user_id=user.id,
        scopes=scopes,
        expires_at=now + ACCESS_TOKEN_LIFETIME,
    )
    state.access_tokens[access.token] = access
    lifetime = int(ACCESS_TOKEN_LIFETIME.total_seconds())
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": scope_names.render(scopes),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access.token,
    }
    if with_refresh or (with_refresh is None and "offline_access" in scopes):
        refresh = RefreshToken(
            token=opaque("sbx-rt-", 32),
            client_id=app.client_id,
            user_id=user.id,
            scopes=scopes,
            issued_at=now,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
            serial=state.next_serial(),
        )
        state.refresh_tokens[refresh.token] = refresh
        body["refresh_token"] = refresh.token
    if "openid" in scopes:
        body["id_token"] = id_token(app, user, scopes, now=now, nonce=nonce)
    return body


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def id_token(app: App, user: User, scopes: tuple[str, ...], *, now: datetime, nonce: str | None) -> str:
    """An unsigned (alg none) v2.0 id_token; `tid` is the MSA tenant for personal accounts."""
    issued = int(now.timestamp())
    claims: dict[str, Any] = {
        "aud": app.client_id,
        "iss": f"https://login.microsoftonline.com/{user.tenant_id}/v2.0",
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(timedelta(hours=1).total_seconds()),
        "name": user.display_name,
        "oid": user.object_id,
        "preferred_username": user.email,
        "sub": hashlib.sha256(f"{user.id}:{app.client_id}".encode()).hexdigest()[:43],
        "tid": PERSONAL_TENANT_ID if user.is_personal else user.tenant_id,
        "ver": "2.0",
    }
    if "email" in scopes and not user.mail_null:
        claims["email"] = user.email
    if nonce is not None:
        claims["nonce"] = nonce
    return f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(claims)}."
