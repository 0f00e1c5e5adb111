"""HTTP endpoints of the emulated identity platform v2.0: /authorize (with its pages) and /token.

Reference: `v2-oauth2-auth-code-flow.md`, `reference-error-codes.md`. Grant logic is in grants.py.
"""

import base64
import binascii
import re
from typing import Any
from urllib.parse import unquote_plus, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from . import grants, pages
from . import scopes as scope_names
from .errors import IdentityError, identity_error_body
from .requests_log import log_entry
from .state import (
    FLOW_LIFETIME,
    PERSONAL_TENANT_ID,
    App,
    MicrosoftState,
    PendingAuthorization,
    User,
    new_guid,
    opaque,
)

_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_PROMPTS = {"login", "none", "consent", "select_account", "create"}


class _PageError(Exception):
    """An error Microsoft shows on its own page instead of redirecting (e.g. AADSTS50011)."""

    def __init__(self, aadsts: int, message: str) -> None:
        super().__init__(f"AADSTS{aadsts}: {message}")


def _valid_tenant(tenant: str) -> bool:
    return (
        tenant in {"common", "organizations", "consumers"}
        or bool(_GUID.fullmatch(tenant))
        or bool(_DOMAIN.fullmatch(tenant))
    )


def _tenant_refusal(tenant: str, user: User) -> str | None:
    """Why a user may not sign in at this tenant endpoint (A1), as the sign-in page says it."""
    if tenant == "consumers" and not user.is_personal:
        return "You can't sign in here with a work or school account. Use a personal account."
    if tenant == "organizations" and user.is_personal:
        return "You can't sign in here with a personal account. Use your work or school account."
    if tenant in {"common", "organizations", "consumers"}:
        return None
    home = PERSONAL_TENANT_ID if user.is_personal else user.tenant_id
    domain = user.email.rpartition("@")[2].lower()
    if tenant.lower() in {home.lower(), domain} or (user.is_personal and tenant == "consumers"):
        return None
    return (
        f"AADSTS50020: User account '{user.email}' from identity provider does not exist in "
        f"tenant '{tenant}' and cannot access the application in that tenant."
    )


class IdentityEndpoints:
    def __init__(self, state: MicrosoftState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        base = "/login/{tenant}"
        return [
            Route(f"{base}/oauth2/v2.0/authorize", self.authorize, methods=["GET", "POST"]),
            Route(f"{base}/oauth2/v2.0/token", self.token, methods=["GET", "POST"]),
            Route(f"{base}/login", self.sign_in, methods=["POST"]),
            Route(f"{base}/consent", self.consent, methods=["POST"]),
            Route(f"{base}/adminconsent/return", self.admin_consent_return, methods=["GET"]),
        ]

    # --- /authorize and its pages ------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        """GET /{tenant}/oauth2/v2.0/authorize [AUTHCODE "Request an authorization code"]."""
        params: dict[str, str] = dict(request.query_params)
        if request.method == "POST":
            form = await request.form()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        tenant = request.path_params["tenant"]
        with self.state.lock:
            try:
                flow = self._validate_authorize(tenant, params)
            except _PageError as err:
                return HTMLResponse(pages.error(headline=str(err)), status_code=400)
            except _RedirectError as err:
                return self._redirect_error(err.target, err.error)
            app = self.state.apps[flow.client_id]
            auto = self._auto_consent_user(flow)
            if auto is not None:
                if auto.admin_consent_required:
                    return self._redirect_error(flow, _admin_consent_required())
                return self._redirect_code(flow, auto)
            if flow.prompt == "none":
                return self._redirect_error(
                    flow,
                    IdentityError(
                        "login_required",
                        50058,
                        "A silent sign-in request was sent but no user is signed in.",
                    ),
                )
            self.state.flows[flow.id] = flow
            page = pages.sign_in(
                action=f"/microsoft/login/{tenant}/login",
                flow_id=flow.id,
                app_name=app.name,
                email=flow.login_hint or "",
                error=None,
            )
        return HTMLResponse(page)

    def _validate_authorize(self, tenant: str, params: dict[str, str]) -> PendingAuthorization:
        if not _valid_tenant(tenant):
            raise _PageError(90002, f"Tenant '{tenant}' not found.")
        client_id = params.get("client_id", "")
        if not client_id:
            raise _PageError(900144, "The request body must contain the following parameter: 'client_id'.")
        app = self.state.apps.get(client_id)
        if app is None:
            raise _PageError(
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.",
            )
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri:
            raise _PageError(900971, "No reply address provided.")
        if redirect_uri not in app.redirect_uris:
            raise _PageError(
                50011,
                f"The redirect URI '{redirect_uri}' specified in the request does not match the "
                f"redirect URIs configured for the application '{client_id}'. Make sure the "
                "redirect URI sent in the request matches one added to your application.",
            )
        mode = params.get("response_mode", "query")
        flow = PendingAuthorization(
            id=opaque("flow-"),
            tenant=tenant,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=(),
            state=params.get("state"),
            code_challenge=params.get("code_challenge") or None,
            code_challenge_method=params.get("code_challenge_method") or None,
            response_mode=mode if mode in {"query", "fragment", "form_post"} else "query",
            nonce=params.get("nonce"),
            login_hint=params.get("login_hint"),
            prompt=params.get("prompt"),
            expires_at=self.state.now() + FLOW_LIFETIME,
        )
        flow.scopes = _check_request(flow, params, mode)
        return flow

    def _auto_consent_user(self, flow: PendingAuthorization) -> User | None:
        email = self.state.auto_consent_email
        if email is None:
            return None
        hinted = self.state.user_by_email(flow.login_hint) if flow.login_hint else None
        return hinted or self.state.user_by_email(email)

    async def sign_in(self, request: Request) -> Response:
        """The sign-in form's POST (Microsoft's own page; no public contract)."""
        form = await request.form()
        flow_id, email, password = (str(form.get(k, "")) for k in ("flow", "email", "password"))
        with self.state.lock:
            flow = self._flow(flow_id)
            if flow is None:
                return _expired_page()
            app = self.state.apps[flow.client_id]
            user = self.state.user_by_email(email)
            refusal = None
            if user is None:
                refusal = "This username may be incorrect. Make sure you typed it correctly."
            elif user.password != password:
                refusal = "Your account or password is incorrect."
            else:
                refusal = _tenant_refusal(flow.tenant, user)
            if refusal is not None or user is None:
                page = pages.sign_in(
                    action=str(request.url.path),
                    flow_id=flow.id,
                    app_name=app.name,
                    email=email,
                    error=refusal,
                )
                return HTMLResponse(page)
            flow.user_id = user.id
            if user.admin_consent_required:
                return HTMLResponse(
                    pages.admin_approval(
                        app_name=app.name,
                        email=user.email,
                        return_url=f"/microsoft/login/{flow.tenant}/adminconsent/return?"
                        + urlencode({"flow": flow.id}),
                    )
                )
            covered = grants.consent_covers(self.state, user, app.client_id, flow.scopes)
            if covered and flow.prompt != "consent":
                return self._redirect_code(flow, user)
            return HTMLResponse(
                pages.consent(
                    action=f"/microsoft/login/{flow.tenant}/consent",
                    flow_id=flow.id,
                    app_name=app.name,
                    email=user.email,
                    permissions=[
                        scope_names.DESCRIPTIONS.get(scope_names.short_name(s), s) for s in flow.scopes
                    ],
                )
            )

    async def consent(self, request: Request) -> Response:
        """The consent form's POST: Accept -> code, Cancel -> access_denied AADSTS65004 [A3]."""
        form = await request.form()
        with self.state.lock:
            flow = self._flow(str(form.get("flow", "")))
            if flow is None or flow.user_id is None:
                return _expired_page()
            if form.get("decision") != "accept":
                declined = IdentityError(
                    "access_denied", 65004, "User declined to consent to access the app."
                )
                return self._redirect_error(flow, declined)
            return self._redirect_code(flow, self.state.users[flow.user_id])

    async def admin_consent_return(self, request: Request) -> Response:
        """ "Return to the application" from the admin-approval page (A3, [R] AADSTS90094)."""
        with self.state.lock:
            flow = self._flow(request.query_params.get("flow", ""))
            if flow is None:
                return _expired_page()
            return self._redirect_error(flow, _admin_consent_required())

    def _flow(self, flow_id: str) -> PendingAuthorization | None:
        flow = self.state.flows.get(flow_id)
        if flow is None or self.state.now() >= flow.expires_at:
            return None
        return flow

    def _redirect_code(self, flow: PendingAuthorization, user: User) -> Response:
        self.state.flows.pop(flow.id, None)
        code = grants.issue_code(self.state, flow, user)
        return _respond(flow, {"code": code})

    def _redirect_error(self, flow: PendingAuthorization, err: IdentityError) -> Response:
        self.state.flows.pop(flow.id, None)
        body = identity_error_body(err, now=self.state.now(), trace_id=new_guid(), correlation_id=new_guid())
        params = {"error": err.error, "error_description": body["error_description"]}
        if "error_uri" in body:
            params["error_uri"] = body["error_uri"]
        return _respond(flow, params)

    # --- /token ------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        """POST /{tenant}/oauth2/v2.0/token [AUTHCODE "Redeem a code", "Refresh the token"]."""
        fields: dict[str, str] = {}
        if request.method == "POST":
            form = await request.form()
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
        self.state.log_request(log_entry(request, fields))
        correlation_id = request.headers.get("client-request-id") or new_guid()
        with self.state.lock:
            try:
                if request.method != "POST":
                    raise IdentityError(
                        "invalid_request",
                        900561,
                        "The endpoint only accepts POST, OPTIONS requests. Received a GET request.",
                    )
                body = self._grant(request, fields)
            except IdentityError as err:
                error_body = identity_error_body(
                    err, now=self.state.now(), trace_id=new_guid(), correlation_id=correlation_id
                )
                return JSONResponse(error_body, status_code=err.status, headers=_NO_STORE)
        return JSONResponse(body, headers=_NO_STORE)

    def _grant(self, request: Request, fields: dict[str, str]) -> dict[str, Any]:
        grant_type = fields.get("grant_type")
        if not grant_type:
            raise _missing("grant_type")
        app = self._authenticate_client(request, fields)
        if grant_type == "authorization_code":
            return grants.redeem_code(
                self.state,
                app,
                code=fields.get("code"),
                redirect_uri=fields.get("redirect_uri"),
                code_verifier=fields.get("code_verifier"),
            )
        if grant_type == "refresh_token":
            return grants.redeem_refresh_token(
                self.state, app, refresh_token=fields.get("refresh_token"), scope=fields.get("scope")
            )
        raise IdentityError(
            "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'."
        )

    def _authenticate_client(self, request: Request, fields: dict[str, str]) -> App:
        """client_secret_post or HTTP Basic (client id and secret form-urlencoded, RFC 6749 2.3.1)."""
        client_id, secret = fields.get("client_id"), fields.get("client_secret")
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            basic_id, _, basic_secret = decoded.partition(":")
            client_id, secret = unquote_plus(basic_id), unquote_plus(basic_secret)
        if not client_id:
            raise _missing("client_id")
        app = self.state.apps.get(client_id)
        if app is None:
            raise IdentityError(
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{request.path_params['tenant']}'. This can happen if the application has not "
                "been installed by the administrator of the tenant or consented to by any user "
                "in the tenant. You might have sent your authentication request to the wrong tenant.",
            )
        if not secret:
            raise IdentityError(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or "
                "'client_secret'.",
                status=401,
            )
        if secret != app.client_secret:
            raise IdentityError(
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is "
                "the client secret value, not the client secret ID, for a secret added to app "
                f"'{client_id}'.",
                status=401,
            )
        return app


_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


class _RedirectError(Exception):
    def __init__(self, target: PendingAuthorization, error: IdentityError) -> None:
        super().__init__(error.headline)
        self.target = target
        self.error = error


def _missing(name: str) -> IdentityError:
    return IdentityError(
        "invalid_request", 900144, f"The request body must contain the following parameter: '{name}'."
    )


def _admin_consent_required() -> IdentityError:
    return IdentityError("access_denied", 90094, "The grant requires admin permission.")


def _check_request(flow: PendingAuthorization, params: dict[str, str], mode: str) -> tuple[str, ...]:
    """The checks answered by redirecting an error to the (already validated) redirect URI."""

    def fail(error: str, aadsts: int, message: str) -> _RedirectError:
        return _RedirectError(flow, IdentityError(error, aadsts, message))

    if mode not in {"query", "fragment", "form_post"}:
        raise fail("invalid_request", 70007, f"The response_mode '{mode}' is not supported.")
    response_type = params.get("response_type", "").split()
    if not response_type:
        raise fail(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'response_type'.",
        )
    if "code" not in response_type:
        raise fail(
            "unsupported_response_type",
            70005,
            f"response_type '{params['response_type']}' is not enabled for the application.",
        )
    if response_type != ["code"]:
        raise fail("invalid_request", 700054, "response_type 'id_token' is not enabled for the application.")
    if flow.prompt is not None and flow.prompt not in _PROMPTS:
        raise fail("invalid_request", 90023, f"Invalid prompt value '{flow.prompt}'.")
    scope = params.get("scope", "")
    if not scope.strip():
        raise fail(
            "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."
        )
    known, unknown = scope_names.parse(scope)
    if unknown:
        raise _RedirectError(flow, grants.invalid_scope(unknown[0]))
    challenge, method = flow.code_challenge, flow.code_challenge_method
    if method is not None and challenge is None:
        raise fail("invalid_request", 50147, "The code_challenge parameter is missing.")
    if challenge is not None:
        if method is None:
            flow.code_challenge_method = method = "plain"  # AUTHCODE: plain when absent
        if method not in {"S256", "plain"}:
            raise fail("invalid_request", 50149, f"Invalid code_challenge_method '{method}'.")
        if not (43 <= len(challenge) <= 128) or (method == "S256" and len(challenge) != 43):
            raise fail("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
    return tuple(known)


def _respond(flow: PendingAuthorization, params: dict[str, str]) -> Response:
    """Send the authorize response in the requested response_mode (query by default)."""
    if flow.state is not None:
        params["state"] = flow.state
    if flow.response_mode == "form_post":
        return HTMLResponse(pages.form_post(redirect_uri=flow.redirect_uri, params=params))
    if flow.response_mode == "fragment":
        return RedirectResponse(f"{flow.redirect_uri}#{urlencode(params)}", status_code=302)
    joiner = "&" if "?" in flow.redirect_uri else "?"
    return RedirectResponse(f"{flow.redirect_uri}{joiner}{urlencode(params)}", status_code=302)


def _expired_page() -> Response:
    headline = "AADSTS50089: Authentication failed due to flow token expired. Start again."
    return HTMLResponse(pages.error(headline=headline), status_code=400)
