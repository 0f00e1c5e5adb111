"""G5 errors every Calendar call can return, and the faults the control API injects (G5.1)."""

import time

import httpx2
import pytest

from tests.sandbox.google.flows import CALENDAR_API, FREEBUSY, assert_g5, connect, refresh
from tests.support.sandbox import SandboxControl

EVENTS_URL = f"{CALENDAR_API}/calendars/primary/events"
G5_1 = {
    "error": {
        "errors": [
            {"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}
        ],
        "code": 429,
        "message": "Rate Limit Exceeded",
    }
}


async def test_bad_and_missing_tokens_are_401(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    bad = await http.get(EVENTS_URL, headers={"Authorization": "Bearer ya29.nope"})
    error = assert_g5(bad, status=401, domain="global", reason="authError")
    assert error["errors"][0] == {
        "domain": "global",
        "reason": "authError",
        "message": "Invalid Credentials",
        "locationType": "header",
        "location": "Authorization",
    }
    assert bad.headers["www-authenticate"].startswith("Bearer")
    missing = await http.get(EVENTS_URL)
    assert_g5(missing, status=401, domain="global", reason="required")


async def test_expired_access_token_is_401_until_refreshed(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.expire_google_access_tokens(connection.email)
    assert_g5(
        await http.get(EVENTS_URL, headers=connection.headers),
        status=401,
        domain="global",
        reason="authError",
    )

    refreshed = (await refresh(http, connection.tokens["refresh_token"])).json()
    headers = {"Authorization": f"Bearer {refreshed['access_token']}"}
    assert (await http.get(EVENTS_URL, headers=headers)).status_code == 200


async def test_access_tokens_expire_after_an_hour(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    assert (await http.get(EVENTS_URL, headers=connection.headers)).status_code == 200
    await control.advance_google_clock(3600)
    assert (await http.get(EVENTS_URL, headers=connection.headers)).status_code == 401


async def test_freebusy_only_token_cannot_read_events(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, scope=f"openid {FREEBUSY}")
    response = await http.get(EVENTS_URL, headers=connection.headers)
    error = assert_g5(response, status=403, domain="global", reason="insufficientPermissions")
    assert error["details"][0]["metadata"]["method"] == "calendar.v3.Events.List"


async def test_injected_429_is_g5_1_for_count_requests(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.add_google_fault(status=429, count=2, path_contains="/events")

    first = await http.get(EVENTS_URL, headers=connection.headers)
    second = await http.get(EVENTS_URL, headers=connection.headers)
    third = await http.get(EVENTS_URL, headers=connection.headers)

    assert (first.status_code, first.json()) == (429, G5_1)
    assert second.status_code == 429
    assert third.status_code == 200


@pytest.mark.parametrize(
    ("status", "reason", "domain"),
    [
        (403, "rateLimitExceeded", "usageLimits"),
        (403, "userRateLimitExceeded", "usageLimits"),
        (500, "backendError", "global"),
    ],
)
async def test_injected_faults_carry_the_g5_reason(
    control: SandboxControl, http: httpx2.AsyncClient, status: int, reason: str, domain: str
) -> None:
    connection = await connect(control, http)
    await control.add_google_fault(
        status=status, reason=reason if status == 403 else None, email=connection.email
    )

    response = await http.get(EVENTS_URL, headers=connection.headers)

    assert_g5(response, status=status, domain=domain, reason=reason)


async def test_faults_match_method_and_account(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    await control.add_google_fault(status=500, method="POST")
    await control.add_google_fault(status=500, email="someone@else.test")

    assert (await http.get(EVENTS_URL, headers=connection.headers)).status_code == 200
    assert (await http.post(EVENTS_URL, headers=connection.headers, json={})).status_code == 500


async def test_injected_latency_delays_the_answer(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    await control.add_google_fault(status=None, delay_seconds=0.3)

    started = time.monotonic()
    response = await http.get(EVENTS_URL, headers=connection.headers)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


async def test_reset_forgets_google_accounts(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    await control.reset()
    assert (await http.get(EVENTS_URL, headers=connection.headers)).status_code == 401
    assert (await http.get("/_sandbox/google/accounts/host@gmail.test/events")).status_code == 404
    assert (await http.post("/_sandbox/google/accounts", json={"email": "x@y.test"})).status_code == 422
