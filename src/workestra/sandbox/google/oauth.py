"""HTTP endpoints of emulated Google OAuth 2.0: /o/oauth2/v2/auth with its pages, /token, /revoke.

Reference: G-OAUTH (web server flow). Errors before the redirect URI is trusted, and request
errors Google shows itself, are pages; the user's refusal redirects. Grant logic is in grants.py.
"""

import base64
import binascii
from urllib.parse import unquote_plus, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from . import grants, pages
from . import scopes as scope_names
from .errors import OAuthError
from .requests_log import entry
from .state import FLOW_LIFETIME, Account, App, GoogleState, PendingAuthorization, opaque

_PROMPTS = frozenset({"none", "consent", "select_account"})
_NO_STORE = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"}


class PageError(Exception):
    """An authorization error Google shows on its own page ("Error 400: invalid_request")."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = f"{status}: {code}"
        self.message = message
        self.status = status


class OAuthEndpoints:
    def __init__(self, state: GoogleState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/o/oauth2/v2/auth", self.authorize, methods=["GET"]),
            Route("/o/oauth2/signin", self.sign_in, methods=["POST"]),
            Route("/o/oauth2/consent", self.consent, methods=["POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/revoke", self.revoke, methods=["POST"]),
        ]

    # --- the authorization endpoint and its pages --------------------------------------

    async def authorize(self, request: Request) -> Response:
        """GET /o/oauth2/v2/auth [G-OAUTH "Step 2: Redirect to Google's OAuth 2.0 server"]."""
        params = dict(request.query_params)
        with self.state.lock:
            try:
                flow = self._validate(params)
            except PageError as err:
                return HTMLResponse(pages.error(code=err.code, message=err.message), status_code=err.status)
            auto = self._auto_consent_account(flow)
            if "none" in flow.prompts:
                return self._silent(flow, auto)
            if auto is not None:
                return self._redirect_code(flow, auto, grants.offered(auto, flow.scopes))
            self.state.flows[flow.id] = flow
            return HTMLResponse(self._sign_in_page(request, flow, email=flow.login_hint or "", error=None))

    def _validate(self, params: dict[str, str]) -> PendingAuthorization:
        client_id = params.get("client_id", "")
        app = self.state.apps.get(client_id)
        if app is None:
            raise PageError("invalid_client", "The OAuth client was not found.", status=401)
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in app.redirect_uris:
            raise PageError(
                "redirect_uri_mismatch",
                "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 "
                f"policy. If you're the app developer, register the redirect URI in the Google Cloud "
                f"Console. Request details: redirect_uri={redirect_uri}",
            )
        response_type = params.get("response_type")
        if not response_type:
            raise PageError("invalid_request", "Required parameter is missing: response_type")
        if response_type != "code":
            raise PageError("unsupported_response_type", f"Invalid response_type: {response_type}")
        scope = params.get("scope", "")
        if not scope.strip():
            raise PageError("invalid_request", "Missing required parameter: scope")
        known, unknown = scope_names.parse(scope)
        if unknown:
            raise PageError("invalid_scope", f"Some requested scopes were invalid. {{invalid={unknown}}}")
        access_type = params.get("access_type", "online")
        if access_type not in {"online", "offline"}:
            raise PageError("invalid_request", f"Invalid access_type: {access_type}")
        prompts = frozenset(params.get("prompt", "").split())
        if not prompts <= _PROMPTS or ("none" in prompts and len(prompts) > 1):
            raise PageError("invalid_request", f"Invalid prompt: {params.get('prompt')}")
        challenge = params.get("code_challenge") or None
        method = params.get("code_challenge_method") or None
        if method is not None and challenge is None:
            raise PageError("invalid_request", "Missing required parameter: code_challenge")
        if challenge is not None:
            method = method or "plain"  # G-OAUTH: plain when the method is not given
            if method not in {"S256", "plain"}:
                raise PageError("invalid_request", f"Invalid code_challenge_method: {method}")
            if not 43 <= len(challenge) <= 128:
                raise PageError("invalid_request", "Invalid code_challenge.")
        return PendingAuthorization(
            id=opaque("flow-"),
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=tuple(known),
            state=params.get("state"),
            code_challenge=challenge,
            code_challenge_method=method,
            offline=access_type == "offline",
            prompts=prompts,
            include_granted_scopes=params.get("include_granted_scopes") == "true",
            login_hint=params.get("login_hint"),
            expires_at=self.state.now() + FLOW_LIFETIME,
        )

    def _auto_consent_account(self, flow: PendingAuthorization) -> Account | None:
        email = self.state.auto_consent_email
        if email is None:
            return None
        hinted = self.state.account(flow.login_hint) if flow.login_hint else None
        return hinted or self.state.account(email)

    def _silent(self, flow: PendingAuthorization, account: Account | None) -> Response:
        """prompt=none: a code only for a signed-in user who already consented (OIDC errors)."""
        if account is None:
            return self._redirect_error(flow, "login_required")
        wanted = grants.offered(account, flow.scopes)
        if not grants.consent_covers(self.state, account, flow.client_id, wanted):
            return self._redirect_error(flow, "consent_required")
        return self._redirect_code(flow, account, wanted)

    def _sign_in_page(
        self, request: Request, flow: PendingAuthorization, *, email: str, error: str | None
    ) -> str:
        app = self.state.apps[flow.client_id]
        action = _sibling(request, "signin")
        return pages.sign_in(action=action, flow_id=flow.id, app_name=app.name, email=email, error=error)

    async def sign_in(self, request: Request) -> Response:
        """The sign-in form's POST (Google's own page; no public contract)."""
        form = await request.form()
        flow_id, email, password = (str(form.get(k, "")) for k in ("flow", "email", "password"))
        with self.state.lock:
            flow = self._flow(flow_id)
            if flow is None:
                return _expired_page()
            account = self.state.account(email)
            if account is None or account.password != password:
                error = "Couldn't find your Google Account" if account is None else "Wrong password."
                page = self._sign_in_page(request, flow, email=email, error=error)
                return HTMLResponse(page, status_code=200)
            flow.email = account.email
            wanted = grants.offered(account, flow.scopes)
            if "consent" not in flow.prompts and grants.consent_covers(
                self.state, account, flow.client_id, wanted
            ):
                return self._redirect_code(flow, account, wanted)
            app = self.state.apps[flow.client_id]
            page = pages.consent(
                action=_sibling(request, "consent"),
                flow_id=flow.id,
                app_name=app.name,
                email=account.email,
                always=[scope_names.DESCRIPTIONS[s] for s in flow.scopes if s in scope_names.SIGN_IN],
                choices=[
                    (s, scope_names.DESCRIPTIONS[s], s in wanted)
                    for s in flow.scopes
                    if s not in scope_names.SIGN_IN
                ],
            )
        return HTMLResponse(page)

    async def consent(self, request: Request) -> Response:
        """The consent form's POST: Continue with the ticked scopes, or Cancel (access_denied)."""
        form = await request.form()
        ticked = {str(v) for v in form.getlist("scope")}
        with self.state.lock:
            flow = self._flow(str(form.get("flow", "")))
            if flow is None or flow.email is None:
                return _expired_page()
            account = self.state.account(flow.email)
            if account is None:
                return _expired_page()
            if form.get("decision") != "allow":
                return self._redirect_error(flow, "access_denied")
            chosen = tuple(s for s in flow.scopes if s in scope_names.SIGN_IN or s in ticked)
            return self._redirect_code(flow, account, chosen)

    def _flow(self, flow_id: str) -> PendingAuthorization | None:
        flow = self.state.flows.get(flow_id)
        if flow is None or self.state.now() >= flow.expires_at:
            return None
        return flow

    def _redirect_code(
        self, flow: PendingAuthorization, account: Account, chosen: tuple[str, ...]
    ) -> Response:
        """G1: `?code=...&scope=<granted>&state=...`."""
        self.state.flows.pop(flow.id, None)
        code = grants.issue_code(self.state, flow, account, chosen)
        return _redirect(flow, {"code": code.code, "scope": " ".join(code.scopes)})

    def _redirect_error(self, flow: PendingAuthorization, error: str) -> Response:
        self.state.flows.pop(flow.id, None)
        return _redirect(flow, {"error": error})

    # --- the token and revocation endpoints ----------------------------------------------

    async def token(self, request: Request) -> Response:
        """POST /token [G-OAUTH "Step 5: Exchange authorization code", "Refreshing"]."""
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        self._log(request, fields)
        with self.state.lock:
            try:
                app = self._authenticate_client(request, fields)
                grant_type = fields.get("grant_type", "")
                if grant_type == "authorization_code":
                    body = grants.redeem_code(
                        self.state,
                        app,
                        code=fields.get("code"),
                        redirect_uri=fields.get("redirect_uri"),
                        code_verifier=fields.get("code_verifier"),
                    )
                elif grant_type == "refresh_token":
                    body = grants.redeem_refresh_token(
                        self.state, app, refresh_token=fields.get("refresh_token")
                    )
                else:
                    raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
            except OAuthError as err:
                return JSONResponse(err.body(), status_code=err.status, headers=_NO_STORE)
        return JSONResponse(body, headers=_NO_STORE)

    def _authenticate_client(self, request: Request, fields: dict[str, str]) -> App:
        """client_secret_post or HTTP Basic (RFC 6749 2.3.1)."""
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
            raise OAuthError("invalid_request", "Could not determine client ID from request.")
        app = self.state.apps.get(client_id)
        if app is None:
            raise OAuthError("invalid_client", "The OAuth client was not found.", status=401)
        if not secret:
            raise OAuthError("invalid_request", "client_secret is missing.")
        if secret != app.client_secret:
            raise OAuthError("invalid_client", "Unauthorized", status=401)
        return app

    async def revoke(self, request: Request) -> Response:
        """POST /revoke?token=... [G-OAUTH "Revoking a token"]: 200 on success, 400 otherwise."""
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        self._log(request, fields or None)
        value = request.query_params.get("token") or fields.get("token", "")
        with self.state.lock:
            try:
                grants.revoke_token(self.state, value)
            except OAuthError as err:
                return JSONResponse(err.body(), status_code=err.status)
        return JSONResponse({})

    def _log(self, request: Request, body: object) -> None:
        self.state.log_request(
            entry(
                method=request.method,
                path=request.url.path,
                query=request.query_params,
                headers=request.headers,
                body=body,
            )
        )


def _sibling(request: Request, name: str) -> str:
    """The URL path of /o/oauth2/<name> as this request reached it (the app may be mounted)."""
    path = request.url.path
    return path[: path.index("/o/oauth2/")] + f"/o/oauth2/{name}"


def _redirect(flow: PendingAuthorization, params: dict[str, str]) -> Response:
    if flow.state is not None:
        params["state"] = flow.state
    joiner = "&" if "?" in flow.redirect_uri else "?"
    return RedirectResponse(f"{flow.redirect_uri}{joiner}{urlencode(params)}", status_code=302)


def _expired_page() -> Response:
    message = "The sign-in request expired. Go back to the app and start again."
    return HTMLResponse(pages.error(code="400: invalid_request", message=message), status_code=400)
