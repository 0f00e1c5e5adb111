"""The authorization endpoint and its pages against G1: redirects, granular consent, errors."""

import re

import httpx2

from tests.sandbox.google.flows import (
    EMAIL,
    EVENTS,
    FREEBUSY,
    REDIRECT_URI,
    authorize,
    pkce_pair,
    redeem,
    redirect_params,
    register_app,
)
from tests.support.sandbox import SandboxControl
from workestra.sandbox import SandboxServer


def _form_action(html: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, html
    return match.group(1)


async def _consent_page(control: SandboxControl, http: httpx2.AsyncClient, challenge: str) -> httpx2.Response:
    await register_app(control)
    await control.create_google_account(email="host@gmail.test", name="Hana Host", password="pw")
    page = await authorize(http, challenge, login_hint="host@gmail.test")
    assert page.status_code == 200
    assert 'id="email" name="email" value="host@gmail.test"' in page.text
    form = {"flow": _hidden(page.text, "flow"), "email": "host@gmail.test", "password": "pw"}
    return await http.post(_form_action(page.text), data=form)


async def test_sign_in_then_continue_redirects_with_code_granted_scope_and_state(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    verifier, challenge = pkce_pair()
    consent = await _consent_page(control, http, challenge)
    assert "Workestra wants access to your Google Account" in consent.text
    assert f'name="scope" value="{EVENTS}"' in consent.text
    assert ">Continue</button>" in consent.text

    form = {"flow": _hidden(consent.text, "flow"), "decision": "allow", "scope": [EVENTS, FREEBUSY]}
    params = redirect_params(await http.post(_form_action(consent.text), data=form))

    assert params["state"] == "st-123"
    assert set(params["scope"].split()) == {"openid", EVENTS, FREEBUSY, EMAIL}
    tokens = (await redeem(http, params["code"], verifier)).json()
    assert set(tokens["scope"].split()) == set(params["scope"].split())


async def test_unticked_scope_is_left_out_of_the_grant(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    """G1 granular consent: the user may untick scopes; `scope` says what was granted."""
    verifier, challenge = pkce_pair()
    consent = await _consent_page(control, http, challenge)

    form = {"flow": _hidden(consent.text, "flow"), "decision": "allow", "scope": [FREEBUSY]}
    params = redirect_params(await http.post(_form_action(consent.text), data=form))

    tokens = (await redeem(http, params["code"], verifier)).json()
    assert FREEBUSY in tokens["scope"].split()
    assert EVENTS not in tokens["scope"].split()


async def test_dropped_scope_is_unticked_on_the_page_and_under_auto_consent(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await control.create_google_account(email="host@gmail.test", name="Hana Host", password="pw")
    await control.drop_google_scope("host@gmail.test", EVENTS)
    page = await authorize(http, pkce_pair()[1])
    consent = await http.post(
        _form_action(page.text),
        data={"flow": _hidden(page.text, "flow"), "email": "host@gmail.test", "password": "pw"},
    )
    assert f'value="{EVENTS}" id="scope-0">' in consent.text  # not checked
    assert f'value="{FREEBUSY}" id="scope-1" checked>' in consent.text

    await control.set_google_auto_consent("host@gmail.test")
    params = redirect_params(await authorize(http, pkce_pair()[1]))
    assert EVENTS not in params["scope"].split()


async def test_cancel_redirects_access_denied(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    consent = await _consent_page(control, http, pkce_pair()[1])

    form = {"flow": _hidden(consent.text, "flow"), "decision": "deny"}
    params = redirect_params(await http.post(_form_action(consent.text), data=form))

    assert params == {"error": "access_denied", "state": "st-123"}


async def test_wrong_password_stays_on_the_sign_in_page(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await control.create_google_account(email="host@gmail.test", name="Hana Host", password="pw")
    page = await authorize(http, pkce_pair()[1])
    form = {"flow": _hidden(page.text, "flow"), "email": "host@gmail.test", "password": "nope"}

    again = await http.post(_form_action(page.text), data=form)

    assert again.status_code == 200
    assert "Wrong password." in again.text


async def test_redirect_uri_mismatch_and_unknown_client_are_pages_not_redirects(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    unknown = await authorize(http, pkce_pair()[1])
    assert unknown.status_code == 401
    assert "invalid_client" in unknown.text
    await register_app(control)
    mismatch = await authorize(http, pkce_pair()[1], redirect_uri="http://evil.test/cb")
    assert mismatch.status_code == 400
    assert "location" not in mismatch.headers
    assert "redirect_uri_mismatch" in mismatch.text


async def test_unknown_scope_and_bad_pkce_method_are_error_pages(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    bad_scope = await authorize(http, pkce_pair()[1], scope="openid https://www.googleapis.com/auth/fly")
    assert bad_scope.status_code == 400
    assert "invalid_scope" in bad_scope.text
    bad_method = await authorize(http, pkce_pair()[1], code_challenge_method="S512")
    assert bad_method.status_code == 400
    assert "invalid_request" in bad_method.text
    assert REDIRECT_URI not in bad_method.headers.get("location", "")


async def test_prompt_none_needs_an_earlier_consent(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await control.create_google_account(email="host@gmail.test", name="Hana Host")
    assert redirect_params(await authorize(http, None, prompt="none"))["error"] == "login_required"
    await control.set_google_auto_consent("host@gmail.test")
    assert redirect_params(await authorize(http, None, prompt="none"))["error"] == "consent_required"

    redirect_params(await authorize(http, None))  # consents
    silent = redirect_params(await authorize(http, None, prompt="none"))
    assert silent["code"]


def test_server_names_the_google_endpoints(sandbox_server: SandboxServer) -> None:
    url = sandbox_server.url
    assert sandbox_server.google_auth_url == f"{url}/google/o/oauth2/v2/auth"
    assert sandbox_server.google_token_url == f"{url}/google/token"
    assert sandbox_server.google_revoke_url == f"{url}/google/revoke"
    assert sandbox_server.google_calendar_url == f"{url}/google/calendar/v3"
