"""/{tenant}/v2.0/adminconsent against v2-admin-consent.md (PROVIDER-APIS A9): an admin signs in,
approves for the tenant, and is sent back with admin_consent=True; afterwards that tenant's users
are asked nothing; refusals and bad requests answer as documented."""

import re

import httpx2

from tests.sandbox.flows import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TOKEN,
    authorize,
    pkce_pair,
    redirect_params,
)
from tests.support.sandbox import SandboxControl

ADMIN_CALLBACK = "http://127.0.0.1:9/integrations/microsoft/admin-consent/callback"
ADMIN_CONSENT = "/microsoft/login/{tenant}/v2.0/adminconsent"
SCOPE = (
    "offline_access https://graph.microsoft.com/User.Read "
    "https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/OnlineMeetings.ReadWrite"
)
TENANT = "5b0eae9f-1111-4222-8333-c444d555e666"


def _form_action(html: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, html
    return match.group(1)


async def _setup(control: SandboxControl) -> None:
    await control.create_microsoft_app(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI, ADMIN_CALLBACK]
    )
    for email, name in (("ada@contoso.test", "Ada Admin"), ("hana@contoso.test", "Hana Host")):
        await control.create_microsoft_user(
            email=email, display_name=name, password="pw", tenant_id=TENANT, admin_consent_required=True
        )
    await control.make_microsoft_admin("ada@contoso.test")


async def _start(http: httpx2.AsyncClient, *, tenant: str = TENANT, **overrides: str) -> httpx2.Response:
    params = {"client_id": CLIENT_ID, "scope": SCOPE, "redirect_uri": ADMIN_CALLBACK, "state": "ac-1"}
    params.update(overrides)
    return await http.get(ADMIN_CONSENT.format(tenant=tenant), params=params)


async def _sign_in(http: httpx2.AsyncClient, page: httpx2.Response, email: str) -> httpx2.Response:
    form = {"flow": _hidden(page.text, "flow"), "email": email, "password": "pw"}
    return await http.post(_form_action(page.text), data=form)


async def _decide(http: httpx2.AsyncClient, page: httpx2.Response, decision: str) -> dict[str, str]:
    form = {"flow": _hidden(page.text, "flow"), "decision": decision}
    response = await http.post(_form_action(page.text), data=form)
    assert response.status_code == 302, response.text
    location = httpx2.URL(response.headers["location"])
    assert str(location).startswith(ADMIN_CALLBACK)
    return dict(location.params)


async def test_admin_approves_and_is_sent_back_with_tenant_scope_and_state(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await _setup(control)

    page = await _start(http)
    assert page.status_code == 200
    assert ">Sign in</button>" in page.text
    approval = await _sign_in(http, page, "ada@contoso.test")
    assert "for all users in your organization" in approval.text
    assert "Have full access to your calendars" in approval.text
    assert "Read and create your online meetings" in approval.text

    params = await _decide(http, approval, "accept")

    assert params == {
        "admin_consent": "True",
        "tenant": TENANT,
        "scope": "https://graph.microsoft.com/Calendars.ReadWrite "
        "https://graph.microsoft.com/OnlineMeetings.ReadWrite https://graph.microsoft.com/User.Read "
        "offline_access",
        "state": "ac-1",
    }
    assert await control.microsoft_admin_consents() == [
        {
            "tenant_id": TENANT,
            "client_id": CLIENT_ID,
            "scopes": ["Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read"],
        }
    ]


async def test_after_approval_the_tenants_users_are_asked_nothing(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await _setup(control)
    verifier, challenge = pkce_pair()
    before = await _sign_in(http, await authorize(http, challenge), "hana@contoso.test")
    assert "Need admin approval" in before.text

    approval = await _sign_in(http, await _start(http, tenant="organizations"), "ada@contoso.test")
    await _decide(http, approval, "accept")

    # No admin-approval page and no consent page: straight back with a code that redeems.
    params = redirect_params(await _sign_in(http, await authorize(http, challenge), "hana@contoso.test"))
    assert params["state"] == "st-123"
    token = await http.post(
        TOKEN.format(tenant="common"),
        data={
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.text
    assert "https://graph.microsoft.com/Calendars.ReadWrite" in token.json()["scope"]


async def test_auto_consent_honours_the_tenants_approval_too(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await _setup(control)
    await control.set_auto_consent("hana@contoso.test")
    challenge = pkce_pair()[1]
    refused = redirect_params(await authorize(http, challenge))
    assert refused["error_description"].startswith("AADSTS90094: ")

    await control.set_auto_consent(None)
    await _decide(http, await _sign_in(http, await _start(http), "ada@contoso.test"), "accept")
    await control.set_auto_consent("hana@contoso.test")

    assert "code" in redirect_params(await authorize(http, challenge))


async def test_the_switch_is_off_by_default(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    await control.create_microsoft_app(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI]
    )
    await control.create_microsoft_user(email="ivo@contoso.test", display_name="Ivo", password="pw")
    page = await _sign_in(http, await authorize(http, pkce_pair()[1]), "ivo@contoso.test")
    assert "Permissions requested" in page.text  # the user's own consent page, no admin needed


async def test_admin_cancel_redirects_an_error_with_admin_consent_true(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await _setup(control)
    approval = await _sign_in(http, await _start(http), "ada@contoso.test")

    params = await _decide(http, approval, "cancel")

    assert params["admin_consent"] == "True"  # on errors too: `error` is what tells them apart
    assert params["error"] == "access_denied"
    assert params["error_description"].startswith("AADSTS65004: ")
    assert params["state"] == "ac-1"
    assert "tenant" not in params
    assert await control.microsoft_admin_consents() == []


async def test_a_non_admin_or_personal_account_cannot_approve(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await _setup(control)
    await control.create_microsoft_user(
        email="pia@outlook.test", display_name="Pia", password="pw", kind="personal"
    )
    page = await _start(http, tenant="organizations")

    user = await _sign_in(http, page, "hana@contoso.test")
    assert "needs an administrator" in user.text
    assert ">Sign in</button>" in user.text  # another account may be tried
    personal = await _sign_in(http, user, "pia@outlook.test")
    assert "sign in here with a personal account" in personal.text
    assert await control.microsoft_admin_consents() == []

    admin = await _sign_in(http, personal, "ada@contoso.test")
    assert "for all users in your organization" in admin.text


async def test_an_admin_of_another_tenant_is_refused_at_a_named_tenant(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await _setup(control)
    await control.create_microsoft_user(email="max@fabrikam.test", display_name="Max", password="pw")
    await control.make_microsoft_admin("max@fabrikam.test")

    page = await _sign_in(http, await _start(http), "max@fabrikam.test")

    assert "AADSTS50020" in page.text


async def test_untrusted_requests_are_pages_and_the_rest_redirect(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await _setup(control)

    wrong_uri = await _start(http, redirect_uri="https://evil.test/cb")
    assert wrong_uri.status_code == 400
    assert "AADSTS50011" in wrong_uri.text
    unknown_app = await _start(http, client_id="00000000-0000-0000-0000-000000000000")
    assert "AADSTS700016" in unknown_app.text
    bad_tenant = await _start(http, tenant="not a tenant")
    assert "AADSTS90002" in bad_tenant.text

    bad_scope = await _start(http, scope="https://graph.microsoft.com/Mail.Send")
    assert bad_scope.status_code == 302
    params = dict(httpx2.URL(bad_scope.headers["location"]).params)
    assert params["error"] == "invalid_scope"
    assert params["error_description"].startswith("AADSTS70011: ")
    assert params["state"] == "ac-1"


async def test_a_spent_approval_form_is_an_expired_page(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await _setup(control)
    approval = await _sign_in(http, await _start(http), "ada@contoso.test")
    await _decide(http, approval, "accept")

    again = await http.post(
        _form_action(approval.text), data={"flow": _hidden(approval.text, "flow"), "decision": "accept"}
    )

    assert again.status_code == 400
    assert "AADSTS50089" in again.text
