"""The token and revocation endpoints against G1 and G1.1: codes, PKCE, refresh, revocation."""

import base64
import json
from typing import Any

import httpx2

from tests.sandbox.google.flows import (
    CALENDAR_API,
    CLIENT_ID,
    EMAIL,
    EVENTS,
    FREEBUSY,
    REVOKE,
    authorize,
    code_for,
    connect,
    pkce_pair,
    redeem,
    redirect_params,
    refresh,
    register_app,
    token,
)
from tests.support.sandbox import SandboxControl

G1_1_KEYS = {"access_token", "expires_in", "refresh_token", "scope", "token_type", "id_token"}


def _claims(id_token: str) -> dict[str, Any]:
    payload = id_token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


async def test_code_exchange_matches_g1_1(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)

    body = connection.tokens

    assert set(body) == G1_1_KEYS
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert body["access_token"].startswith("ya29.")
    assert body["refresh_token"].startswith("1//")
    assert body["scope"] == f"{EVENTS} {FREEBUSY} openid {EMAIL}"
    claims = _claims(body["id_token"])
    assert claims["email"] == "host@gmail.test"
    assert claims["aud"] == CLIENT_ID
    assert claims["iss"] == "https://accounts.google.com"
    assert "hd" not in claims  # a consumer account


async def test_workspace_account_id_token_has_hd(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http, email="hana@acme.test")
    assert _claims(connection.tokens["id_token"])["hd"] == "acme.test"


async def test_pkce_plain_works_and_a_wrong_verifier_is_invalid_grant(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await control.create_google_account(email="host@gmail.test", name="Hana Host")
    await control.set_google_auto_consent("host@gmail.test")
    verifier = pkce_pair()[0]
    params = redirect_params(
        await authorize(http, None, code_challenge=verifier, code_challenge_method="plain")
    )
    assert (await redeem(http, params["code"], verifier)).status_code == 200

    params, _ = await code_for(control, http, "host@gmail.test")
    wrong = await redeem(http, params["code"], pkce_pair()[0])
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}


async def test_a_code_works_once(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    await register_app(control)
    await control.create_google_account(email="host@gmail.test", name="Hana Host")
    params, verifier = await code_for(control, http, "host@gmail.test")
    assert (await redeem(http, params["code"], verifier)).status_code == 200

    again = await redeem(http, params["code"], verifier)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_refresh_token_only_offline_and_at_first_consent_unless_prompt_consent(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await connect(control, http)  # first consent, offline: a refresh token

    params, verifier = await code_for(control, http, "host@gmail.test")
    assert "refresh_token" not in (await redeem(http, params["code"], verifier)).json()
    params, verifier = await code_for(control, http, "host@gmail.test", access_type="online")
    assert "refresh_token" not in (await redeem(http, params["code"], verifier)).json()
    params, verifier = await code_for(control, http, "host@gmail.test", prompt="consent")
    assert "refresh_token" in (await redeem(http, params["code"], verifier)).json()


async def test_refresh_gives_a_new_access_token_and_no_refresh_token(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)

    response = await refresh(http, connection.tokens["refresh_token"])

    assert response.status_code == 200
    body = response.json()
    assert "refresh_token" not in body
    assert body["access_token"] != connection.tokens["access_token"]
    assert body["scope"] == connection.tokens["scope"]


async def test_revocation_endpoint_ends_the_grant(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)

    revoked = await http.post(REVOKE, params={"token": connection.tokens["refresh_token"]})

    assert revoked.status_code == 200
    failed = await refresh(http, connection.tokens["refresh_token"])
    assert failed.status_code == 400
    assert failed.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    api = await http.get(f"{CALENDAR_API}/calendars/primary/events", headers=connection.headers)
    assert api.status_code == 401
    again = await http.post(REVOKE, params={"token": connection.tokens["refresh_token"]})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_token"


async def test_access_removed_through_the_control_api_is_invalid_grant(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)

    await control.revoke_google_grants(connection.email)

    failed = await refresh(http, connection.tokens["refresh_token"])
    assert failed.json()["error"] == "invalid_grant"


async def test_testing_apps_refresh_tokens_expire_after_seven_days(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control, testing=True)
    connection = await connect(control, http, register=False)
    assert 0 < connection.tokens["refresh_token_expires_in"] <= 7 * 86400

    await control.advance_google_clock(7 * 86400 + 1)

    failed = await refresh(http, connection.tokens["refresh_token"])
    assert failed.status_code == 400
    assert failed.json()["error_description"] == "Token has been expired or revoked."


async def test_client_authentication_and_grant_type_errors(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    bad_secret = await token(http, grant_type="refresh_token", refresh_token="x", client_secret="nope")
    assert bad_secret.status_code == 401
    assert bad_secret.json()["error"] == "invalid_client"
    bad_type = await token(http, grant_type="password")
    assert bad_type.status_code == 400
    assert bad_type.json()["error"] == "unsupported_grant_type"
    logged = await control.google_requests()
    assert all(entry["body"]["client_secret"] == "[redacted]" for entry in logged)
