"""HTTP endpoints of the emulated identity platform v2.0: /authorize (with its pages), /token and
/adminconsent (with its pages).

Reference: `v2-oauth2-auth-code-flow.md`, `v2-admin-consent.md`, `reference-error-codes.md`. Grant
logic is in grants.py.
"""

import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import grants, pages
from . import scopes as scope_names
from .authorize import (
    PageError,
    RedirectError,
    admin_consent_refusal,
    admin_consent_required,
    check_request,
    expired_page,
    respond,
    respond_admin_consent,
    tenant_refusal,
    valid_tenant,
)
from .errors import IdentityError, identity_error_body
from .requests_log import log_entry
from .state import (
    FLOW_LIFETIME,
    App,
    MicrosoftState,
    PendingAdminConsent,
    PendingAuthorization,
    User,
    new_guid,
    opaque,
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
            Route(f"{base}/v2.0/adminconsent", self.admin_consent, methods=["GET"]),
            Route(f"{base}/adminconsent/login", self.admin_sign_in, methods=["POST"]),
            Route(f"{base}/adminconsent/decide", self.admin_decide, methods=["POST"]),
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
            except PageError as err:
                return HTMLResponse(pages.error(headline=str(err)), status_code=400)
            except RedirectError as err:
                return self._redirect_error(err.target, err.error)
            app = self.state.apps[flow.client_id]
            auto = self._auto_consent_user(flow)
            if auto is not None:
                if grants.needs_admin(self.state, auto, flow.client_id, flow.scopes):
                    return self._redirect_error(flow, admin_consent_required())
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
                action=f"{_tenant_base(request)}/login",
                flow_id=flow.id,
                app_name=app.name,
                email=flow.login_hint or "",
                error=None,
            )
        return HTMLResponse(page)

    def _validate_authorize(self, tenant: str, params: dict[str, str]) -> PendingAuthorization:
        if not valid_tenant(tenant):
            raise PageError(90002, f"Tenant '{tenant}' not found.")
        client_id = params.get("client_id", "")
        if not client_id:
            raise PageError(900144, "The request body must contain the following parameter: 'client_id'.")
        app = self.state.apps.get(client_id)
        if app is None:
            raise PageError(
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.",
            )
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri:
            raise PageError(900971, "No reply address provided.")
        if redirect_uri not in app.redirect_uris:
            raise PageError(
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
        flow.scopes = check_request(flow, params, mode)
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
                return expired_page()
            app = self.state.apps[flow.client_id]
            user = self.state.user_by_email(email)
            refusal = None
            if user is None:
                refusal = "This username may be incorrect. Make sure you typed it correctly."
            elif user.password != password:
                refusal = "Your account or password is incorrect."
            else:
                refusal = tenant_refusal(flow.tenant, user)
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
            if grants.needs_admin(self.state, user, app.client_id, flow.scopes):
                return HTMLResponse(
                    pages.admin_approval(
                        app_name=app.name,
                        email=user.email,
                        return_url=f"{_tenant_base(request)}/adminconsent/return?"
                        + urlencode({"flow": flow.id}),
                    )
                )
            covered = grants.consent_covers(self.state, user, app.client_id, flow.scopes)
            if covered and flow.prompt != "consent":
                return self._redirect_code(flow, user)
            return HTMLResponse(
                pages.consent(
                    action=f"{_tenant_base(request)}/consent",
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
                return expired_page()
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
                return expired_page()
            return self._redirect_error(flow, admin_consent_required())

    def _flow(self, flow_id: str) -> PendingAuthorization | None:
        flow = self.state.flows.get(flow_id)
        if flow is None or self.state.now() >= flow.expires_at:
            return None
        return flow

    def _redirect_code(self, flow: PendingAuthorization, user: User) -> Response:
        self.state.flows.pop(flow.id, None)
        code = grants.issue_code(self.state, flow, user)
        return respond(flow, {"code": code})

    def _redirect_error(self, flow: PendingAuthorization, err: IdentityError) -> Response:
        self.state.flows.pop(flow.id, None)
        body = identity_error_body(err, now=self.state.now(), trace_id=new_guid(), correlation_id=new_guid())
        params = {"error": err.error, "error_description": body["error_description"]}
        if "error_uri" in body:
            params["error_uri"] = body["error_uri"]
        return respond(flow, params)

    # --- /adminconsent and its pages ------------------------------------------------------

    async def admin_consent(self, request: Request) -> Response:
        """GET /{tenant}/v2.0/adminconsent [v2-admin-consent.md "Request the permissions from a
        directory admin"]: an admin signs in and approves the scopes for the whole tenant."""
        params = dict(request.query_params)
        tenant = request.path_params["tenant"]
        with self.state.lock:
            try:
                flow = self._validate_admin_consent(tenant, params)
            except PageError as err:
                return HTMLResponse(pages.error(headline=str(err)), status_code=400)
            except _AdminConsentRedirect as err:
                return self._admin_redirect_error(err.flow, err.error)
            self.state.admin_flows[flow.id] = flow
            page = pages.sign_in(
                action=f"{_tenant_base(request)}/adminconsent/login",
                flow_id=flow.id,
                app_name=self.state.apps[flow.client_id].name,
                email="",
                error=None,
            )
        return HTMLResponse(page)

    def _validate_admin_consent(self, tenant: str, params: dict[str, str]) -> PendingAdminConsent:
        # The same order as /authorize: what can't be trusted yet is a page, then redirects.
        if not valid_tenant(tenant):
            raise PageError(90002, f"Tenant '{tenant}' not found.")
        client_id = params.get("client_id", "")
        if not client_id:
            raise PageError(900144, "The request body must contain the following parameter: 'client_id'.")
        app = self.state.apps.get(client_id)
        if app is None:
            raise PageError(
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.",
            )
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri:
            raise PageError(900971, "No reply address provided.")
        if redirect_uri not in app.redirect_uris:
            raise PageError(
                50011,
                f"The redirect URI '{redirect_uri}' specified in the request does not match the "
                f"redirect URIs configured for the application '{client_id}'. Make sure the "
                "redirect URI sent in the request matches one added to your application.",
            )
        flow = PendingAdminConsent(
            id=opaque("aflow-"),
            tenant=tenant,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=(),
            state=params.get("state"),
            expires_at=self.state.now() + FLOW_LIFETIME,
        )
        scope = params.get("scope", "")
        if not scope.strip():
            raise _AdminConsentRedirect(flow, grants.missing("scope"))
        known, unknown = scope_names.parse(scope)
        if unknown:  # `.default` included: the sandbox has no required-permissions list
            raise _AdminConsentRedirect(flow, grants.invalid_scope(unknown[0]))
        flow.scopes = tuple(known)
        return flow

    async def admin_sign_in(self, request: Request) -> Response:
        """The admin's sign-in form: only an administrator of a work tenant may go on."""
        form = await request.form()
        flow_id, email, password = (str(form.get(k, "")) for k in ("flow", "email", "password"))
        with self.state.lock:
            flow = self._admin_flow(flow_id)
            if flow is None:
                return expired_page()
            app = self.state.apps[flow.client_id]
            user = self.state.user_by_email(email)
            if user is None:
                refusal: str | None = "This username may be incorrect. Make sure you typed it correctly."
            elif user.password != password:
                refusal = "Your account or password is incorrect."
            else:
                refusal = admin_consent_refusal(flow.tenant, user)
            if refusal is not None or user is None:
                page = pages.sign_in(
                    action=str(request.url.path),
                    flow_id=flow.id,
                    app_name=app.name,
                    email=email,
                    error=refusal,
                )
                return HTMLResponse(page)
            flow.admin_id = user.id
            return HTMLResponse(
                pages.admin_consent(
                    action=f"{_tenant_base(request)}/adminconsent/decide",
                    flow_id=flow.id,
                    app_name=app.name,
                    email=user.email,
                    permissions=[
                        scope_names.DESCRIPTIONS.get(scope_names.short_name(s), s) for s in flow.scopes
                    ],
                )
            )

    async def admin_decide(self, request: Request) -> Response:
        """Accept: the tenant's grant, then `admin_consent=True&tenant=...&scope=...&state=...`.
        Cancel: `error=access_denied` with AADSTS65004 (the reference's example sends
        `consent_required`; clients must take either)."""
        form = await request.form()
        with self.state.lock:
            flow = self._admin_flow(str(form.get("flow", "")))
            if flow is None or flow.admin_id is None:
                return expired_page()
            self.state.admin_flows.pop(flow.id, None)
            if form.get("decision") != "accept":
                declined = IdentityError(
                    "access_denied", 65004, "The resource owner or authorization server denied the request."
                )
                return self._admin_redirect_error(flow, declined)
            admin = self.state.users[flow.admin_id]
            grants.grant_admin_consent(self.state, admin, flow.client_id, flow.scopes)
            params = {"tenant": admin.tenant_id, "scope": scope_names.render(flow.scopes)}
            return respond_admin_consent(flow, params)

    def _admin_flow(self, flow_id: str) -> PendingAdminConsent | None:
        flow = self.state.admin_flows.get(flow_id)
        if flow is None or self.state.now() >= flow.expires_at:
            return None
        return flow

    def _admin_redirect_error(self, flow: PendingAdminConsent, err: IdentityError) -> Response:
        self.state.admin_flows.pop(flow.id, None)
        body = identity_error_body(err, now=self.state.now(), trace_id=new_guid(), correlation_id=new_guid())
        return respond_admin_consent(
            flow, {"error": err.error, "error_description": body["error_description"]}
        )

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
            raise grants.missing("grant_type")
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
            raise grants.missing("client_id")
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


class _AdminConsentRedirect(Exception):
    """An /adminconsent error answered by redirecting (the redirect URI is trusted by then)."""

    def __init__(self, flow: PendingAdminConsent, error: IdentityError) -> None:
        super().__init__(error.headline)
        self.flow = flow
        self.error = error


def _tenant_base(request: Request) -> str:
    """The URL path of `{login}/{tenant}` as this request reached it (the app may be mounted)."""
    path, tenant = request.url.path, request.path_params["tenant"]
    marker = f"/login/{tenant}/"
    return path[: path.index(marker) + len(marker) - 1]


_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
