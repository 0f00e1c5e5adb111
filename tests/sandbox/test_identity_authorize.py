"""/authorize and its pages against AUTHCODE and A3: redirects, consent, admin approval, errors."""

import re

import httpx2

from tests.sandbox.flows import (
    CLIENT_ID,
    REDIRECT_URI,
    authorize,
    pkce_pair,
    redirect_params,
    register_app,
)
from tests.support.sandbox import SandboxControl


def _form_action(html: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, html
    return match.group(1)


async def _sign_in(http: httpx2.AsyncClient, page: httpx2.Response, email: str) -> httpx2.Response:
    form = {"flow": _hidden(page.text, "flow"), "email": email, "password": "pw"}
    return await http.post(_form_action(page.text), data=form)


async def _user(control: SandboxControl, email: str, *, admin_consent_required: bool = False) -> None:
    await control.create_microsoft_user(
        email=email,
        display_name="Hana Host",
        password="pw",
        admin_consent_required=admin_consent_required,
    )


async def test_sign_in_then_accept_redirects_with_code_and_state(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await _user(control, "hana@contoso.test")
    _, challenge = pkce_pair()

    page = await authorize(http, challenge, login_hint="hana@contoso.test")
    assert page.status_code == 200
    assert 'id="email" name="email" value="hana@contoso.test"' in page.text
    assert 'id="password" name="password"' in page.text
    assert ">Sign in</button>" in page.text

    consent = await _sign_in(http, page, "hana@contoso.test")
    assert "Permissions requested" in consent.text
    assert "Have full access to your calendars" in consent.text
    assert ">Accept</button>" in consent.text
    assert ">Cancel</button>" in consent.text

    form = {"flow": _hidden(consent.text, "flow"), "decision": "accept"}
    params = redirect_params(await http.post(_form_action(consent.text), data=form))
    assert params["state"] == "st-123"
    assert params["code"]


async def test_cancel_on_consent_redirects_access_denied_65004(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await _user(control, "hana@contoso.test")
    page = await authorize(http, pkce_pair()[1])
    consent = await _sign_in(http, page, "hana@contoso.test")

    form = {"flow": _hidden(consent.text, "flow"), "decision": "cancel"}
    params = redirect_params(await http.post(_form_action(consent.text), data=form))

    assert params["error"] == "access_denied"
    assert params["error_description"].startswith("AADSTS65004: ")
    assert params["state"] == "st-123"
    assert "code" not in params


async def test_admin_consent_required_shows_page_and_returns_90094(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await _user(control, "hana@contoso.test", admin_consent_required=True)
    page = await authorize(http, pkce_pair()[1])

    approval = await _sign_in(http, page, "hana@contoso.test")
    assert "Need admin approval" in approval.text
    link = re.search(r'<a id="return" href="([^"]+)">Return to the application</a>', approval.text)
    assert link

    params = redirect_params(await http.get(link.group(1).replace("&amp;", "&")))
    assert params["error"] == "access_denied"
    assert params["error_description"].startswith("AADSTS90094: ")
    assert params["state"] == "st-123"


async def test_wrong_password_stays_on_the_sign_in_page(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await _user(control, "hana@contoso.test")
    page = await authorize(http, pkce_pair()[1])
    form = {"flow": _hidden(page.text, "flow"), "email": "hana@contoso.test", "password": "nope"}

    again = await http.post(_form_action(page.text), data=form)

    assert again.status_code == 200
    assert "Your account or password is incorrect." in again.text


async def test_redirect_uri_mismatch_is_an_error_page_not_a_redirect(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    response = await authorize(http, pkce_pair()[1], redirect_uri="http://evil.test/cb")
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "AADSTS50011" in response.text


async def test_unknown_client_id_is_an_error_page(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    response = await authorize(http, pkce_pair()[1])
    assert response.status_code == 400
    assert "AADSTS700016" in response.text


async def test_bad_pkce_method_and_unknown_scope_redirect_errors(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    bad_method = redirect_params(await authorize(http, pkce_pair()[1], code_challenge_method="S512"))
    assert bad_method["error"] == "invalid_request"
    bad_scope = redirect_params(await authorize(http, pkce_pair()[1], scope="openid Calendars.Fly"))
    assert bad_scope["error"] == "invalid_scope"
    assert bad_scope["error_description"].startswith("AADSTS70011: ")
    assert bad_scope["state"] == "st-123"


async def test_auto_consent_prefers_login_hint_user(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await _user(control, "hana@contoso.test")
    await _user(control, "ivo@contoso.test")
    await control.set_auto_consent("hana@contoso.test")

    params = redirect_params(await authorize(http, pkce_pair()[1], login_hint="ivo@contoso.test"))
    assert params["code"]
    requests = await control.microsoft_requests()
    assert requests == []  # /authorize is a browser page, not logged

    await control.set_auto_consent(None)
    page = await authorize(http, pkce_pair()[1])
    assert page.status_code == 200
    assert "Sign in" in page.text


async def test_work_account_cannot_sign_in_at_consumers(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await _user(control, "hana@contoso.test")
    page = await authorize(http, pkce_pair()[1], tenant="consumers")

    again = await _sign_in(http, page, "hana@contoso.test")

    assert "work or school account" in again.text
    assert CLIENT_ID not in again.headers.get("location", "")
    assert REDIRECT_URI not in again.headers.get("location", "")


async def test_prompt_none_without_a_session_is_login_required(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    params = redirect_params(await authorize(http, pkce_pair()[1], prompt="none"))
    assert params["error"] == "login_required"
    assert params["error_description"].startswith("AADSTS50058: ")
