"""/token against A4-A8: success shape, code and PKCE rules, client auth, refresh and its faults."""

import base64
import json
import re
from typing import Any

import httpx2
import pytest

from tests.sandbox.flows import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TOKEN,
    code_for,
    connect,
    redeem,
    register_app,
    token,
)
from tests.support.sandbox import RefreshFaultKind, SandboxControl

GRAPH = "https://graph.microsoft.com/"
DESCRIPTION = re.compile(
    r"AADSTS\d+: .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}"
    r"\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ",
    re.DOTALL,
)


def _claims(id_token: str) -> dict[str, Any]:
    header, payload, signature = id_token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"typ": "JWT", "alg": "none"}
    assert signature == ""
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return claims


def _assert_a6(response: httpx2.Response, *, status: int, error: str, code: int) -> dict[str, Any]:
    """A6 error body: the documented fields, AADSTS first in the description."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert DESCRIPTION.fullmatch(body["error_description"]), body["error_description"]
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert body["error_codes"] == [code]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", body["timestamp"])
    assert body["trace_id"]
    assert body["correlation_id"]
    return body


async def _refresh(http: httpx2.AsyncClient, refresh_token: str, **fields: str) -> httpx2.Response:
    return await token(http, grant_type="refresh_token", refresh_token=refresh_token, **fields)


async def test_code_redemption_matches_a8_1(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    body = connection.tokens

    assert set(body) == {
        "token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token",
        "id_token",
    }  # fmt: skip
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int)
    assert body["ext_expires_in"] == body["expires_in"]
    granted = body["scope"].split()
    for name in ("Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read"):
        assert GRAPH + name in granted
    assert {"openid", "profile", "email"} <= set(granted)
    claims = _claims(body["id_token"])
    assert claims["preferred_username"] == "hana@contoso.test"
    assert claims["name"] == "Hana Host"
    assert claims["email"] == "hana@contoso.test"
    assert claims["oid"] == connection.user_id
    assert claims["aud"] == CLIENT_ID
    assert claims["tid"] != "9188040d-6c67-4c5b-b112-36a304b66dad"


async def test_personal_account_id_token_carries_the_msa_tenant(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, email="pat@outlook.test", kind="personal")
    assert _claims(connection.tokens["id_token"])["tid"] == "9188040d-6c67-4c5b-b112-36a304b66dad"


async def test_refresh_token_only_with_offline_access_and_id_token_only_with_openid(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, scope="User.Read Calendars.Read")
    assert "refresh_token" not in connection.tokens
    assert "id_token" not in connection.tokens
    assert connection.tokens["scope"] == f"{GRAPH}Calendars.Read {GRAPH}User.Read"


async def test_code_is_single_use_54005(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    await register_app(control)
    await control.create_microsoft_user(email="hana@contoso.test", display_name="Hana Host")
    code, verifier = await code_for(control, http, "hana@contoso.test")
    assert (await redeem(http, code, verifier)).status_code == 200

    again = await redeem(http, code, verifier)

    body = _assert_a6(again, status=400, error="invalid_grant", code=54005)
    assert body["error_uri"] == "https://login.microsoftonline.com/error?code=54005"


async def test_code_expires_after_ten_minutes(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    await register_app(control)
    await control.create_microsoft_user(email="hana@contoso.test", display_name="Hana Host")
    code, verifier = await code_for(control, http, "hana@contoso.test")
    await control.advance_clock(11 * 60)

    _assert_a6(await redeem(http, code, verifier), status=400, error="invalid_grant", code=70008)


async def test_pkce_verifier_must_match_the_challenge(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await control.create_microsoft_user(email="hana@contoso.test", display_name="Hana Host")
    code, _ = await code_for(control, http, "hana@contoso.test")

    wrong = await redeem(http, code, "x" * 64)

    _assert_a6(wrong, status=400, error="invalid_grant", code=501481)


async def test_redirect_uri_must_equal_the_authorize_one(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await control.create_microsoft_user(email="hana@contoso.test", display_name="Hana Host")
    code, verifier = await code_for(control, http, "hana@contoso.test")

    response = await token(
        http,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI + "/other",
        code_verifier=verifier,
    )

    _assert_a6(response, status=400, error="invalid_grant", code=500112)


async def test_bad_client_secret_is_401_invalid_client(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    response = await token(http, grant_type="refresh_token", refresh_token="x", client_secret="wrong")
    _assert_a6(response, status=401, error="invalid_client", code=7000215)


async def test_http_basic_client_authentication_is_accepted(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    await register_app(control)
    await control.create_microsoft_user(email="hana@contoso.test", display_name="Hana Host")
    code, verifier = await code_for(control, http, "hana@contoso.test")
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }

    response = await http.post(TOKEN.format(tenant="common"), data=form, auth=(CLIENT_ID, CLIENT_SECRET))

    assert response.status_code == 200, response.text
    logged = (await control.microsoft_requests())[-1]
    assert logged["headers"]["authorization"] == "[redacted]"


async def test_refresh_rotates_and_the_old_token_stays_valid(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    first = connection.tokens["refresh_token"]

    rotated = await _refresh(http, first)
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    assert rotated.json()["access_token"] != connection.tokens["access_token"]

    assert (await _refresh(http, first)).status_code == 200  # RT: not revoked by use


async def test_refresh_for_an_unconsented_scope_matches_a8_3(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, scope="openid offline_access User.Read")

    response = await _refresh(
        http, connection.tokens["refresh_token"], scope="Calendars.ReadWrite offline_access"
    )

    body = _assert_a6(response, status=400, error="invalid_grant", code=65001)
    assert body["suberror"] == "consent_required"


async def test_refresh_after_ninety_idle_days_matches_a8_2(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.advance_clock(90 * 24 * 3600 + 1)

    response = await _refresh(http, connection.tokens["refresh_token"])

    body = _assert_a6(response, status=400, error="invalid_grant", code=700082)
    assert body["suberror"] == "bad_token"
    assert "inactive for 90.00:00:00" in body["error_description"]


@pytest.mark.parametrize(
    ("kind", "code", "suberror"),
    [
        ("revoked", 50173, None),
        ("inactive", 700082, "bad_token"),
        ("consent_missing", 65001, "consent_required"),
        ("mfa", 50076, "basic_action"),
    ],
)
async def test_refresh_faults_fail_existing_tokens_until_the_user_signs_in_again(
    control: SandboxControl,
    http: httpx2.AsyncClient,
    kind: RefreshFaultKind,
    code: int,
    suberror: str | None,
) -> None:
    connection = await connect(control, http)
    await control.set_refresh_fault(connection.email, kind)

    response = await _refresh(http, connection.tokens["refresh_token"])

    body = _assert_a6(response, status=400, error="invalid_grant", code=code)
    assert body.get("suberror") == suberror
    if kind == "mfa":
        assert json.loads(body["claims"])["access_token"]["capolids"]["essential"] is True
    fresh_code, verifier = await code_for(control, http, connection.email)
    reconnected = (await redeem(http, fresh_code, verifier)).json()
    assert (await _refresh(http, reconnected["refresh_token"])).status_code == 200


async def test_dropped_scope_is_not_granted_on_refresh_or_consent(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.drop_scope(connection.email, "OnlineMeetings.ReadWrite")

    refreshed = await _refresh(http, connection.tokens["refresh_token"])
    assert refreshed.status_code == 200
    assert GRAPH + "OnlineMeetings.ReadWrite" not in refreshed.json()["scope"].split()
    assert GRAPH + "Calendars.ReadWrite" in refreshed.json()["scope"].split()

    code, verifier = await code_for(control, http, connection.email)
    fresh = (await redeem(http, code, verifier)).json()
    assert GRAPH + "OnlineMeetings.ReadWrite" not in fresh["scope"].split()


async def test_refresh_naming_only_oidc_scopes_keeps_the_graph_grant(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    response = await _refresh(http, connection.tokens["refresh_token"], scope="openid offline_access")
    assert GRAPH + "Calendars.ReadWrite" in response.json()["scope"].split()
