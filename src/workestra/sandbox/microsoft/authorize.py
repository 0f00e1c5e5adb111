"""What /authorize checks before and after the sign-in pages, and how its answer is delivered.

Reference: `v2-oauth2-auth-code-flow.md` ("Request an authorization code", "Error response"),
`reference-error-codes.md`. Errors before the redirect URI is trusted are pages, after it redirects.
"""

import re
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import grants, pages
from . import scopes as scope_names
from .errors import IdentityError
from .state import PERSONAL_TENANT_ID, PendingAdminConsent, PendingAuthorization, User

_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_PROMPTS = {"login", "none", "consent", "select_account", "create"}


class PageError(Exception):
    """An error Microsoft shows on its own page instead of redirecting (e.g. AADSTS50011)."""

    def __init__(self, aadsts: int, message: str) -> None:
        super().__init__(f"AADSTS{aadsts}: {message}")


def valid_tenant(tenant: str) -> bool:
    return (
        tenant in {"common", "organizations", "consumers"}
        or bool(_GUID.fullmatch(tenant))
        or bool(_DOMAIN.fullmatch(tenant))
    )


def tenant_refusal(tenant: str, user: User) -> str | None:
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


class RedirectError(Exception):
    def __init__(self, target: PendingAuthorization, error: IdentityError) -> None:
        super().__init__(error.headline)
        self.target = target
        self.error = error


def admin_consent_required() -> IdentityError:
    return IdentityError("access_denied", 90094, "The grant requires admin permission.")


def check_request(flow: PendingAuthorization, params: dict[str, str], mode: str) -> tuple[str, ...]:
    """The checks answered by redirecting an error to the (already validated) redirect URI."""

    def fail(error: str, aadsts: int, message: str) -> RedirectError:
        return RedirectError(flow, IdentityError(error, aadsts, message))

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
        raise RedirectError(flow, grants.invalid_scope(unknown[0]))
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


def respond(flow: PendingAuthorization, params: dict[str, str]) -> Response:
    """Send the authorize response in the requested response_mode (query by default)."""
    if flow.state is not None:
        params["state"] = flow.state
    if flow.response_mode == "form_post":
        return HTMLResponse(pages.form_post(redirect_uri=flow.redirect_uri, params=params))
    if flow.response_mode == "fragment":
        return RedirectResponse(f"{flow.redirect_uri}#{urlencode(params)}", status_code=302)
    joiner = "&" if "?" in flow.redirect_uri else "?"
    return RedirectResponse(f"{flow.redirect_uri}{joiner}{urlencode(params)}", status_code=302)


def admin_consent_refusal(tenant: str, user: User) -> str | None:
    """Why this user can't approve the app for an organization at /adminconsent ([R]: Microsoft's
    page is not a contract; the sign-in page says why, so another account can be tried)."""
    refusal = tenant_refusal(tenant, user)
    if refusal is not None:
        return refusal
    if user.is_personal:
        return "A personal account can't grant admin consent. Sign in with an administrator's work account."
    if not user.is_admin:
        return (
            "Approving this app for your organization needs an administrator. Sign in with an "
            "administrator's account, or send this link to one."
        )
    return None


def respond_admin_consent(flow: PendingAdminConsent, params: dict[str, str]) -> Response:
    """The /adminconsent answer: a redirect carrying ``admin_consent=True`` on success and on error
    alike, then the outcome and ``state`` (v2-admin-consent.md, "Successful/Error response")."""
    query = {"admin_consent": "True", **params}
    if flow.state is not None:
        query["state"] = flow.state
    joiner = "&" if "?" in flow.redirect_uri else "?"
    return RedirectResponse(f"{flow.redirect_uri}{joiner}{urlencode(query)}", status_code=302)


def expired_page() -> Response:
    headline = "AADSTS50089: Authentication failed due to flow token expired. Start again."
    return HTMLResponse(pages.error(headline=headline), status_code=400)
